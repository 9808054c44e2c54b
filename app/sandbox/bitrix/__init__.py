"""An in-memory, stateful emulator of a 1C-Bitrix shop's REST API, for the demo and the tests.

Mount `create_bitrix_sandbox()` (the bridge mounts it under /sandbox/bitrix) or call it through
`httpx.ASGITransport`. Its state, a `BitrixSandbox`, is `app.state.bitrix`; everything below can
also be done from Python on that object (create_portal, seed_order, order/order_state,
shipment_state, payment_state, set_order_locked, configure_portal, set_fault/clear_fault, calls,
reset).

Inbound webhooks (what a shop's admin creates, one per portal):
    POST|GET /rest/{user_id}/{secret}/{method}[.json]     JSON body, form body or query string
    POST|GET /rest/{method}                               401 NO_AUTH_FOUND (no OAuth here)

Control endpoints (snake_case JSON; ids are those Bitrix would assign):
    POST   /_sandbox/portals                      PortalOptions + optional user_id/secret → 201
           {portal_id, user_id, secret, webhook_path, webhook_url, options, bucket_level, fault}
    GET    /_sandbox/portals[/{portal_id}]        the same, for all or one portal
    PATCH  /_sandbox/portals/{portal_id}          change options, e.g. {"module_installed": true}
    POST   /_sandbox/portals/{portal_id}/orders   OrderSeed → 201 SeededOrder (all the new ids)
    GET    /_sandbox/portals/{portal_id}/orders/{order_id}        {"order": <sale.order.get>,
                                                                   "sandbox": {refunds, ...}}
    PUT    /_sandbox/portals/{portal_id}/orders/{order_id}/lock   {"locked": true|false}
    GET    /_sandbox/portals/{portal_id}/shipments/{shipment_id}  {"shipment": ...}
    GET    /_sandbox/portals/{portal_id}/payments/{payment_id}    {"payment": ...}
    PUT    /_sandbox/portals/{portal_id}/fault    FaultSpec {mode, for_calls?, for_seconds?,
                                                  methods?, hang_seconds}; DELETE clears it
    GET    /_sandbox/calls?portal_id=&method=     the call log, in arrival order
    POST   /_sandbox/reset                        forget every portal and call

Choices a Bitrix client must know (each mirrors real Bitrix as far as documented):
- Errors are `{"error", "error_description"}`. Every sale.* failure, not-found included, is HTTP
  400 with Bitrix's numeric code (order 200540400001, shipment 201140400001, basket item
  200140400001, payment 200640400001); missing `id`/`fields` is 100; missing required fields is
  code 0 — the number zero, falsy — with "Required fields: <names>"; a bad value is
  BX_INVALID_VALUE. Unknown methods (and ozonrocket.* without the module) are 404
  ERROR_METHOD_NOT_FOUND, bad credentials 401 INVALID_CREDENTIALS, the leaky bucket 503
  QUERY_LIMIT_EXCEEDED, the operating limit 429 OPERATION_TIME_LIMIT, emulator bugs 500.
- Money and quantities are JSON numbers (PHP doubles): parse them with
  `json.loads(..., parse_float=Decimal)`. sale.order.get sends basketItems[].id and .orderId as
  strings, as in Bitrix's own example; payments' priceCod is a string.
- batch always answers 200; empty result maps are `[]`, not `{}`; commands past the 50th each
  fail with ERROR_BATCH_LENGTH_EXCEEDED while the first 50 run; a nested batch fails with
  ERROR_BATCH_METHOD_NOT_ALLOWED; `$result[k][a][b]` resolves as Bitrix's processBatchElement.
- sale.shipment.update requires deliveryId, allowDelivery and deducted on every call, turns an
  omitted statusId into DN and both prices into 0 when neither price is sent; the order total
  moves with the delivery price.
- The module's refund outcome, the order-price recalculation and whether deducted shipments
  block basket changes are per-portal options (see PortalOptions).
"""

from app.sandbox.bitrix.app import create_bitrix_sandbox
from app.sandbox.bitrix.clock import FakeClock
from app.sandbox.bitrix.config import BitrixSandboxConfig
from app.sandbox.bitrix.faults import FaultSpec
from app.sandbox.bitrix.portal import PortalOptions
from app.sandbox.bitrix.seed import (
    BasketItemSeed,
    OrderSeed,
    PaymentSeed,
    SeededOrder,
    ShipmentItemSeed,
    ShipmentSeed,
)
from app.sandbox.bitrix.state import BitrixSandbox, CallRecord, PortalInfo, UnknownEntity

__all__ = [
    "BasketItemSeed",
    "BitrixSandbox",
    "BitrixSandboxConfig",
    "CallRecord",
    "FakeClock",
    "FaultSpec",
    "OrderSeed",
    "PaymentSeed",
    "PortalInfo",
    "PortalOptions",
    "SeededOrder",
    "ShipmentItemSeed",
    "ShipmentSeed",
    "UnknownEntity",
    "create_bitrix_sandbox",
]
