"""Enrolment links on the real engine: stored hashed, single use, expiry, revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.accounts.enrolment_links import EnrolmentLink, EnrolmentLinks, LinkState, parse_ags
from hub.accounts.signup import sign_up
from hub.core.errors import ConfigError
from hub.search.engine import SearchEngine

PASSWORD = "sehr-geheimes-passwort"


def test_the_token_is_not_stored_only_its_hash(engine: SearchEngine) -> None:
    issued = EnrolmentLinks(engine).issue("Jugendamt Hashtal", ["05315000"], "admin", 14)
    raw = engine.request("GET", engine.doc_path("hub-enrolment-links", issued.link.id))
    assert issued.token not in str(raw)
    assert raw["_id"] != issued.token


def test_a_link_signs_up_one_organisation_once(engine: SearchEngine) -> None:
    links = EnrolmentLinks(engine)
    issued = links.issue("Jugendamt Einmalstadt", ["05315000", "05316000"], "admin", 14)

    done = sign_up(engine, issued.token, "leitung@einmal.example", PASSWORD, PASSWORD)

    assert done.organisation.ags == ["05315000", "05316000"]
    assert done.organisation.name == "Jugendamt Einmalstadt"
    assert done.user.organisation_id == done.organisation.id
    with pytest.raises(ConfigError) as second:
        sign_up(engine, issued.token, "zweite@einmal.example", PASSWORD, PASSWORD)
    assert "ungültig, abgelaufen oder wurde schon benutzt" in second.value.message_de
    stored = links.docs.get(issued.link.id)
    assert stored is not None
    assert stored.doc.state() == LinkState.USED
    assert stored.doc.organisation_id == done.organisation.id


def test_an_expired_or_revoked_link_signs_up_nobody(engine: SearchEngine) -> None:
    links = EnrolmentLinks(engine)
    expired = links.issue("Jugendamt Gestern", ["05315000"], "admin", 1)

    def age(link: EnrolmentLink) -> None:
        link.expires_at = datetime.now(UTC) - timedelta(minutes=1)

    links.docs.update(expired.link.id, age)
    revoked = links.issue("Jugendamt Zurück", ["05315000"], "admin", 1)
    links.revoke(revoked.link.id)

    for token in (expired.token, revoked.token, "erfunden"):
        with pytest.raises(ConfigError):
            sign_up(engine, token, f"x{len(token)}@gestern.example", PASSWORD, PASSWORD)


def test_a_bad_sign_up_does_not_use_up_the_link(engine: SearchEngine) -> None:
    issued = EnrolmentLinks(engine).issue("Jugendamt Tippfehler", ["05315000"], "admin", 14)
    with pytest.raises(ConfigError) as weak:
        sign_up(engine, issued.token, "leitung@tipp.example", "kurz", "kurz")
    assert "mindestens 12 Zeichen" in weak.value.message_de
    assert sign_up(engine, issued.token, "leitung@tipp.example", PASSWORD, PASSWORD).user


def test_ags_lists_accept_separators_and_refuse_other_states() -> None:
    assert parse_ags("05315000, 05316000\n05315000") == ["05315000", "05316000"]
    with pytest.raises(ConfigError) as bad:
        parse_ags("09162000")
    assert "09162000" in bad.value.message_de
