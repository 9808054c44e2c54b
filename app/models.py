"""Every table, imported in one place for Alembic and the test database."""

from app.db import Base
from app.shops.models import DeliveryService, Shop

__all__ = ["Base", "DeliveryService", "Shop"]
