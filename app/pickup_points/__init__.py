"""The pickup-point network: a local copy synced from Ozon, searched, and offered in the widget."""
