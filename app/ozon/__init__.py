"""Ozon Rocket carrier adapter."""
