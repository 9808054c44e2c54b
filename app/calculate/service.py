"""Checkout calculation: Ozon's options, the shop's rules, one selected price, within a deadline."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, fields, replace
from typing import Any

import structlog

from app.calculate.bodies import ParsedBody
from app.calculate.cache import SharedTTLCache
from app.calculate.schemas import CalculateRequest, CalculateResponse, OptionOut, SelectedOut
from app.domain import quotes
from app.domain.carrier import (
    Address,
    Carrier,
    CarrierError,
    CarrierUnavailableError,
    DeliveryOption,
    Package,
    QuoteRequest,
)
from app.errors import CarrierUnavailable, carrier_problem
from app.shops.service import DeliveryServiceConfig

log = structlog.get_logger(__name__)

# (delivery service id, its settings version, the normalised request to Ozon)
QuoteKey = tuple[uuid.UUID, int, QuoteRequest]


@dataclass
class CachedQuote:
    """Ozon's options for one request, and the finished answer to a cache hit, built once.

    The answer is a function of the key alone (settings version and request included), so the
    checkout recalculating gets the same bytes back without building them again.
    """

    options: tuple[DeliveryOption, ...]
    hit_answer: bytes | None = None


QuoteCache = SharedTTLCache[CachedQuote]


def quote_request(body: CalculateRequest, config: DeliveryServiceConfig) -> QuoteRequest:
    packages = (
        tuple(Package(**p.model_dump()) for p in body.packages)
        if body.packages
        else (config.default_package,)
    )
    address = Address(**body.address.model_dump()) if body.address else None
    return QuoteRequest(
        warehouse_id=config.warehouse_id,
        destination=body.delivery_type,
        address=address if body.delivery_type == "to_address" else None,
        pickup_point_id=body.pickup_point_id if body.delivery_type == "to_pickup_point" else None,
        packages=packages,
        declared_value=body.declared_value,
        payment_method=body.payment_method,
    )


def cache_key(request: QuoteRequest, config: DeliveryServiceConfig) -> QuoteKey:
    """Normalised request + the settings' version: a settings change never serves stale prices.

    The request itself is the key (frozen dataclasses hash by value, every field included), so
    a warm checkout pays a tuple hash rather than a JSON dump and a digest.
    """
    if request.address is not None:
        # "Москва " and "москва" are the same destination for a checkout recalculating.
        request = replace(request, address=_fold_address(request.address))
    return (config.id, config.version, request)


def _fold_address(address: Address) -> Address:
    folded: dict[str, Any] = {name: _fold(getattr(address, name)) for name in _ADDRESS_FIELDS}
    return replace(address, **folded)


def _fold(value: object) -> object:
    return value.strip().lower().replace("ё", "е") if isinstance(value, str) else value


_ADDRESS_FIELDS = tuple(f.name for f in fields(Address))


def prepared_quote(
    parsed: ParsedBody, config: DeliveryServiceConfig
) -> tuple[QuoteRequest, QuoteKey]:
    """The request to Ozon and its cache key, worked out once per body and settings version."""
    settings = (config.id, config.version)
    if parsed.quote is None or parsed.quote[0] != settings:
        request = quote_request(parsed.body, config)
        parsed.quote = (settings, request, cache_key(request, config))
    return parsed.quote[1], parsed.quote[2]


async def calculate(
    parsed: ParsedBody,
    config: DeliveryServiceConfig,
    *,
    carrier: Carrier,
    cache: QuoteCache,
    deadline: float,
) -> CalculateResponse | bytes:
    """The answer; for a cache hit, its JSON bytes as already built for an earlier hit."""
    body = parsed.body
    request, key = prepared_quote(parsed, config)
    hit = cache.get(key)
    if hit is not None:
        # The checkout recalculating: nothing to wait for, so no deadline to arm.
        if hit.hit_answer is None:
            answer = _answer(list(hit.options), body, config, cached=True)
            hit.hit_answer = answer.model_dump_json().encode()
        return hit.hit_answer

    async def load() -> CachedQuote:
        options = await carrier.calculate(config.credentials, request, deadline=deadline)
        return CachedQuote(tuple(options))

    try:
        async with asyncio.timeout(deadline):
            entry, cached = await cache.get_or_load(key, load)
    except (TimeoutError, CarrierUnavailableError) as exc:
        log.warning("calculate_carrier_unavailable", error=type(exc).__name__)
        return _fallback_or_raise(config)
    except CarrierError as exc:
        raise carrier_problem(exc, subject="the calculation") from exc
    return _answer(list(entry.options), body, config, cached=cached)


def _answer(
    options: list[DeliveryOption],
    body: CalculateRequest,
    config: DeliveryServiceConfig,
    *,
    cached: bool,
) -> CalculateResponse:
    fitting = quotes.eligible(options, body.delivery_type, body.payment_method)
    priced = quotes.price_options(fitting, config.rules, body.declared_value)
    chosen = quotes.select(priced, config.rules)
    return CalculateResponse(
        options=[_option_out(p) for p in priced],
        selected=_selected_out(chosen) if chosen else None,
        cached=cached,
    )


def _option_out(p: quotes.PricedOption) -> OptionOut:
    o = p.option
    return OptionOut(
        option_id=o.option_id,
        delivery_type=o.delivery_type,
        tariff=o.tariff,
        price=p.price,
        carrier_price=p.carrier_price,
        currency=o.currency,
        days_min=o.days_min,
        days_max=o.days_max,
        partial_acceptance=o.partial_acceptance,
        cash_on_delivery=o.cash_on_delivery,
    )


def _selected_out(p: quotes.PricedOption) -> SelectedOut:
    o = p.option
    return SelectedOut(
        option_id=o.option_id,
        delivery_type=o.delivery_type,
        tariff=o.tariff,
        price=p.price,
        days_min=o.days_min,
        days_max=o.days_max,
        description=quotes.period_description(o),
    )


def _fallback_or_raise(config: DeliveryServiceConfig) -> CalculateResponse:
    if config.fallback_price is None:
        raise CarrierUnavailable(
            "Ozon Rocket did not answer in time; try again, or set pricing.fallback_price "
            "on the delivery service to keep the checkout selling."
        )
    selected = SelectedOut(
        option_id="fallback",
        delivery_type=None,
        tariff="Fallback price",
        price=config.fallback_price,
        days_min=None,
        days_max=None,
        description="Ozon Rocket: срок уточнит менеджер",
    )
    return CalculateResponse(options=[], selected=selected, cached=False, fallback=True)
