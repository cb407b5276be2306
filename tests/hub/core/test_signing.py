"""Standard Webhooks signing: every published vector, rotation, and the typed refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hub.core.errors import (
    BadSignatureError,
    BadTimestampError,
    HubError,
    InvalidSecretError,
    MissingHeadersError,
    TimestampOutOfToleranceError,
    WebhookVerificationError,
)
from hub.core.signing import generate_secret, sign, sign_headers, verify
from tests.support.paths import WEBHOOK_VECTORS

VECTORS = json.loads(WEBHOOK_VECTORS.read_text("utf-8"))
TOLERANCE = VECTORS["tolerance_seconds"]
SECRET = VECTORS["sign"][0]["secret"]
EXPECTED_ERROR = {
    "missing webhook-id header": MissingHeadersError,
    "missing webhook-timestamp header": MissingHeadersError,
    "missing webhook-signature header": MissingHeadersError,
    "non-numeric webhook-timestamp": BadTimestampError,
    "timestamp too old (now = ts + 301, tolerance 300 s)": TimestampOutOfToleranceError,
    "timestamp too far in the future (now = ts - 301)": TimestampOutOfToleranceError,
}


@pytest.mark.parametrize("case", VECTORS["sign"], ids=lambda c: c["msg_id"])
def test_signing_vector(case: dict[str, Any]) -> None:
    signature = sign(case["secret"], case["msg_id"], case["timestamp"], case["payload"].encode())
    assert signature == case["expected_signature"]


@pytest.mark.parametrize("case", VECTORS["verify"], ids=lambda c: c["name"])
def test_verification_vector(case: dict[str, Any]) -> None:
    def run() -> None:
        verify([case["secret"]], case["headers"], case["payload"].encode(), case["now"], TOLERANCE)

    if case["expect"] == "valid":
        run()
        return
    with pytest.raises(EXPECTED_ERROR.get(case["name"], BadSignatureError)) as caught:
        run()
    assert isinstance(caught.value, WebhookVerificationError)
    assert isinstance(caught.value, HubError) and caught.value.message_de


def test_all_verification_vectors_are_exercised() -> None:
    assert len(VECTORS["verify"]) == 17
    assert {c["expect"] for c in VECTORS["verify"]} == {"valid", "invalid"}


@pytest.mark.parametrize("secret", VECTORS["invalid_secrets"])
def test_invalid_secrets_are_refused_for_signing_and_verifying(secret: str) -> None:
    case = VECTORS["verify"][0]
    with pytest.raises(InvalidSecretError) as caught:
        sign(secret, "msg_1", 1614265330, b"{}")
    assert caught.value.code == "invalid_secret"
    with pytest.raises(InvalidSecretError):
        verify([secret], case["headers"], case["payload"].encode(), case["now"])


@pytest.mark.parametrize("secret", ["whsec_not base64!", "whsec_c2hvcnQ=", "whsec_" + "A" * 7])
def test_malformed_or_short_secrets_are_invalid(secret: str) -> None:
    with pytest.raises(InvalidSecretError):
        sign(secret, "msg_1", 1614265330, b"{}")


def test_no_configured_secret_is_invalid_not_a_pass() -> None:
    case = VECTORS["verify"][0]
    with pytest.raises(InvalidSecretError):
        verify([], case["headers"], case["payload"].encode(), case["now"])


def test_any_current_secret_may_match_during_rotation() -> None:
    old, new = generate_secret(), generate_secret()
    headers = sign_headers(old, "msg_rot", 1_700_000_000, b'{"id": 1}')
    verify([new, old], headers, b'{"id": 1}', now=1_700_000_010)
    with pytest.raises(BadSignatureError):
        verify([new], headers, b'{"id": 1}', now=1_700_000_010)


def test_sender_may_sign_with_old_and_new_secret_in_one_header() -> None:
    old, new = generate_secret(), generate_secret()
    body = b'{"angebot": "Krabbelgruppe"}'
    both = " ".join(sign(s, "msg_2", 1_700_000_000, body) for s in (old, new))
    headers = {"Webhook-Id": "msg_2", "Webhook-Timestamp": "1700000000", "Webhook-Signature": both}
    verify([new], headers, body, now=1_700_000_000)


@pytest.mark.parametrize("stamp", ["-5", "1.5", "+1614265330", "1e9", " ", "١٦١٤٢٦٥٣٣٠"])
def test_timestamps_must_be_plain_unix_seconds(stamp: str) -> None:
    headers = dict(VECTORS["verify"][0]["headers"], **{"webhook-timestamp": stamp})
    with pytest.raises((BadTimestampError, MissingHeadersError)):
        verify([SECRET], headers, b"{}", now=1614265330)


def test_signature_header_with_garbage_entries_is_a_bad_signature() -> None:
    headers = dict(VECTORS["verify"][0]["headers"], **{"webhook-signature": "v1 ,x, v1,ä ,,"})
    with pytest.raises(BadSignatureError):
        verify([SECRET], headers, b"{}", now=1614265330)


def test_generated_secrets_round_trip_and_differ() -> None:
    first, second = generate_secret(), generate_secret()
    assert first.startswith("whsec_") and first != second
    headers = sign_headers(first, "msg_3", 100, "Grüße")
    verify([first], headers, "Grüße".encode(), now=100)
    with pytest.raises(ValueError):
        generate_secret(16)


def test_message_ids_with_dots_are_not_signed() -> None:
    with pytest.raises(ValueError):
        sign(SECRET, "msg.1", 1, b"{}")


def test_error_codes_are_stable() -> None:
    codes = {
        cls.code
        for cls in (
            MissingHeadersError,
            BadTimestampError,
            TimestampOutOfToleranceError,
            BadSignatureError,
            InvalidSecretError,
        )
    }
    assert codes == {
        "missing_headers",
        "bad_timestamp",
        "timestamp_out_of_tolerance",
        "bad_signature",
        "invalid_secret",
    }
