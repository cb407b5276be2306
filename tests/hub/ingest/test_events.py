"""Pushed events go through the same ingest as polls: geocoding included."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from hub.core.errors import NotFound
from hub.core.settings import Settings
from hub.ingest.events import apply_pushed_event
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS
from hub.search.runner import get_offer
from hub.sources.store import SourceInput, SourceRegistry
from tests.support.feeds import FeedServer, Route

# Nominatim's answer for the street below; the gazetteer alone would give Altena's postcode centre.
HOHER_WEG = [{"lat": "51.2969842", "lon": "7.6712033", "display_name": "61, Hoher Weg, Altena"}]


def pushed_offer(local_id: str) -> dict[str, Any]:
    return {
        "local_id": local_id,
        "title": "Elterncafé am Hohen Weg",
        "url": f"https://www.altena.de/{local_id}",
        "kind": "treffpunkt",
        "topics": ["begegnung"],
        "updated_at": "2026-11-02T10:00:00+00:00",
        "locations": [{"street": "Hoher Weg 61", "postcode": "58762", "city": "Altena"}],
    }


def test_pushed_offer_is_geocoded_like_a_polled_one(
    settings: Settings, engine: SearchEngine, feed_server: FeedServer
) -> None:
    feed_server.route("/search", Route(json.dumps(HOHER_WEG)))
    with_geocoder = settings.model_copy(update={"geocoder_url": feed_server.base_url})
    source_id = f"geo-{uuid.uuid4().hex[:8]}"
    SourceRegistry(engine).create(
        SourceInput(id=source_id, ags=["05962004"], kind="push", url="https://www.altena.de/f")
    )

    result = apply_pushed_event(
        with_geocoder, source_id, "offer.upserted", pushed_offer("a"), "wh-1", engine=engine
    )

    assert result["status"] == "succeeded"
    assert any(r.path == "/search" for r in feed_server.requests)  # the geocoder was asked
    found = engine.request("GET", f"/{engine.name(OFFERS)}/_doc/{source_id}:a")["_source"]
    location = found["locations"][0]
    assert (round(location["lat"], 4), round(location["lon"], 4)) == (51.297, 7.6712)


def test_a_record_whose_id_is_a_url_is_found_and_deleted(
    settings: Settings, engine: SearchEngine
) -> None:
    """Local ids are often page URLs (schema.org, RSS): `/`, `?` and `#` must not cut the path."""
    source_id = f"url-{uuid.uuid4().hex[:8]}"
    SourceRegistry(engine).create(
        SourceInput(id=source_id, ags=["05962004"], kind="push", url="https://www.altena.de/f")
    )
    local_id = "https://www.altena.de/kurse/babymassage?termin=3#anmeldung"
    record = {**pushed_offer("x"), "local_id": local_id, "locations": [{"city": "Altena"}]}

    apply_pushed_event(settings, source_id, "offer.upserted", record, "wh-1", engine=engine)
    found = get_offer(engine, f"{source_id}:{local_id}")
    deleted = apply_pushed_event(
        settings,
        source_id,
        "offer.deleted",
        {"local_id": local_id, "deleted_at": "2026-11-03T10:00:00+00:00"},
        "wh-2",
        engine=engine,
    )

    assert found["local_id"] == local_id
    assert deleted["status"] == "succeeded"
    with pytest.raises(NotFound):
        get_offer(engine, f"{source_id}:{local_id}")
