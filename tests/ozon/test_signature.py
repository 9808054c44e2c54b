"""The webhook signature against the contract's test vector and the ways a header goes wrong."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.ozon.signature import SignatureError, compute_v1, sign, signature_header, verify

SECRET = "whsec_test_5f2b9c1e"
T = 1764756000
BODY = (
    b'{"event_id":"evt_01JH5QW8ZK","event_type":"order.status_changed",'
    b'"occurred_at":"2025-12-03T10:00:00+00:00","order_id":"RKT-4F2A9C",'
    b'"seller_order_number":"SHOP-10452","status":"in_transit","previous_status":"created",'
    b'"tracking_number":"OZR123456789RU"}'
)
HEADER = "t=1764756000,v1=cd504af4401cb37f8b52220125eaae914d2e0df089c1b0e395ab0d59c840cc65"


def test_contract_vector_body_is_the_documented_251_bytes() -> None:
    assert len(BODY) == 251
    assert not BODY.endswith(b"\n")


def test_sign_reproduces_the_contract_vector_byte_for_byte() -> None:
    assert sign(SECRET, T, BODY) == HEADER


def test_contract_vector_verifies() -> None:
    verify(HEADER, BODY, [SECRET], now=T)


@pytest.mark.parametrize("now", [T - 300, T + 300])
def test_timestamp_at_the_tolerance_edge_is_accepted(now: int) -> None:
    verify(HEADER, BODY, [SECRET], now=now)


@pytest.mark.parametrize("now", [T + 301, T - 301], ids=["stale", "future"])
def test_timestamp_beyond_tolerance_is_stale(now: int) -> None:
    with pytest.raises(SignatureError) as error:
        verify(HEADER, BODY, [SECRET], now=now)
    assert error.value.reason == "stale"


def test_custom_tolerance_is_honoured() -> None:
    verify(HEADER, BODY, [SECRET], now=T + 600, tolerance=600)
    with pytest.raises(SignatureError):
        verify(HEADER, BODY, [SECRET], now=T + 61, tolerance=60)


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header_is_rejected_as_missing(header: str | None) -> None:
    with pytest.raises(SignatureError) as error:
        verify(header, BODY, [SECRET], now=T)
    assert error.value.reason == "missing"


GOOD_V1 = HEADER.split("v1=")[1]


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        f"v1={GOOD_V1}",  # no t
        f"t={T}",  # no v1
        f"t=abc,v1={GOOD_V1}",
        f"t=-5,v1={GOOD_V1}",
        f"t={T},t={T},v1={GOOD_V1}",
        f"t={T},v1={GOOD_V1.upper()}",
        f"t={T},v1={GOOD_V1[:-1]}",
        f"t={T},v1={GOOD_V1[:-1]}g",
        f"t={T};v1={GOOD_V1}",
    ],
)
def test_malformed_header_is_rejected_as_malformed(header: str) -> None:
    with pytest.raises(SignatureError) as error:
        verify(header, BODY, [SECRET], now=T)
    assert error.value.reason == "malformed"


def test_tampered_body_is_a_mismatch() -> None:
    with pytest.raises(SignatureError) as error:
        verify(HEADER, BODY.replace(b"in_transit", b"delivered!"), [SECRET], now=T)
    assert error.value.reason == "mismatch"


def test_wrong_secret_is_a_mismatch() -> None:
    with pytest.raises(SignatureError) as error:
        verify(HEADER, BODY, ["whsec_other"], now=T)
    assert error.value.reason == "mismatch"


def test_no_secrets_at_all_is_a_mismatch() -> None:
    with pytest.raises(SignatureError) as error:
        verify(HEADER, BODY, [], now=T)
    assert error.value.reason == "mismatch"


def test_a_forged_old_signature_is_a_mismatch_not_stale() -> None:
    forged = sign("whsec_attacker", T, BODY)
    with pytest.raises(SignatureError) as error:
        verify(forged, BODY, [SECRET], now=T + 10_000)
    assert error.value.reason == "mismatch"


def test_rotation_header_carries_one_v1_per_secret_and_either_secret_verifies() -> None:
    header = signature_header(["whsec_old", "whsec_new"], T, BODY)
    assert header == (
        f"t={T},v1={compute_v1('whsec_old', T, BODY)},v1={compute_v1('whsec_new', T, BODY)}"
    )
    verify(header, BODY, ["whsec_new"], now=T)
    verify(header, BODY, ["whsec_old"], now=T)


def test_receiver_holding_two_secrets_accepts_either_signer() -> None:
    for signer in ("whsec_old", "whsec_new"):
        verify(sign(signer, T, BODY), BODY, ["whsec_old", "whsec_new"], now=T)


def test_unknown_signature_schemes_are_ignored() -> None:
    verify(f"t={T},v0=whatever,{HEADER.split(',')[1]}", BODY, [SECRET], now=T)


def test_whitespace_around_entries_is_tolerated() -> None:
    verify(HEADER.replace(",", ", "), BODY, [SECRET], now=T)


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        signature_header([], T, BODY)


@given(
    secret=st.text(min_size=1, max_size=40),
    body=st.binary(max_size=300),
    timestamp=st.integers(min_value=0, max_value=4_000_000_000),
)
def test_any_signed_body_verifies_and_any_changed_body_does_not(
    secret: str, body: bytes, timestamp: int
) -> None:
    header = sign(secret, timestamp, body)
    verify(header, body, [secret], now=timestamp)
    with pytest.raises(SignatureError):
        verify(header, body + b"x", [secret], now=timestamp)
