"""Every table, imported in one place for Alembic and the test database."""

from app.db import Base
from app.outbox.models import OutboxMessage
from app.pickup_points.models import PickupPoint, PickupPointSync
from app.returns.models import ShipmentReturn
from app.shipments.models import Shipment, ShipmentItem, StatusChange
from app.shops.models import DeliveryService, Shop
from app.webhooks.models import WebhookEvent

__all__ = [
    "Base",
    "DeliveryService",
    "OutboxMessage",
    "PickupPoint",
    "PickupPointSync",
    "Shipment",
    "ShipmentItem",
    "ShipmentReturn",
    "Shop",
    "StatusChange",
    "WebhookEvent",
]
