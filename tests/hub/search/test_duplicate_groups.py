"""Duplicate groups on the real engine, through the writer every sync and event uses.

A town and its district publish the same course: search shows it once with both publishers,
facets count it once, each record stays retrievable by id; deleting the shown record hands the
group to the other; another course at the same place stays a hit of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.core.schema import Offer
from hub.core.settings import Settings
from hub.ingest.normalise import normalise_record
from hub.search.duplicate_groups import settle, settle_all
from hub.search.engine import SearchEngine
from hub.search.indices import drop_prefixed, ensure_indices
from hub.search.query import SearchRequest
from hub.search.reindex import reindex
from hub.search.runner import SearchPage, get_offer, run_search
from hub.search.writer import OfferWriter
from hub.sources.store import SourceInput, SourceRegistry

pytestmark = pytest.mark.services

BALVE, DISTRICT = "05962008", ["05962004", "05962008", "05962020", "05962048"]
PLACE = {
    "name": "Familienbildungsstätte Balve",
    "street": "Im Winkel 56",
    "postcode": "58802",
    "city": "Balve",
    "ags": BALVE,
}
SESSIONS = [
    {"start": "2026-05-22T09:30:00+02:00", "end": "2026-05-22T10:30:00+02:00"},
    {"start": "2026-05-29T09:30:00+02:00", "end": "2026-05-29T10:30:00+02:00"},
]


def _offer(source: str, local_id: str, source_ags: list[str], **fields: Any) -> Offer:
    mapped = {
        "title": "Sanfte Berührung: Babymassage",
        "summary": "Entspannung und Nähe: Babymassage für Babys ab etwa sechs Wochen.",
        "kind": "kurs",
        "topics": ["entwicklung_foerderung", "gesundheit_ernaehrung"],
        "age_min_months": 1,
        "age_max_months": 6,
        "cost": "paid",
        "provider": {"name": "Familienbildungsstätte Balve"},
        "locations": [PLACE],
        "dates": SESSIONS,
        "url": f"https://www.{source}.de/familie/{local_id}",
        "updated_at": "2026-03-01T10:00:00+01:00",
        **fields,
    }
    result = normalise_record(source, local_id, mapped, source_ags=source_ags)
    assert result.offer is not None, result.rejection
    return result.offer


def town_copy() -> Offer:
    return _offer("balve", "massage", [BALVE])


def district_copy() -> Offer:
    return _offer(
        "mk",
        "kurs-26",
        DISTRICT,
        title="Babymassage-Kurs in Balve",
        summary="Babymassage für Babys ab sechs Wochen – Entspannung und Nähe.",
    )


def other_course() -> Offer:
    return _offer(
        "balve",
        "pekip",
        [BALVE],
        title="PEKiP-Gruppe für Babys im ersten Lebensjahr",
        summary="Spiel- und Bewegungsanregungen nach dem Prager-Eltern-Kind-Programm.",
        topics=["entwicklung_foerderung"],
        age_max_months=12,
    )


@pytest.fixture
def engine(services: None, settings: Settings) -> Iterator[SearchEngine]:
    prefix = f"{settings.index_prefix}dup-{uuid.uuid4().hex[:6]}-"
    own = SearchEngine(
        settings.model_copy(update={"index_prefix": prefix, "duplicate_grouping": True})
    )
    ensure_indices(own)
    registry = SourceRegistry(own)
    feed = "https://feeds.example.org/{}.json"
    registry.create(
        SourceInput(id="balve", name="Stadt Balve", ags=[BALVE], kind="push", url=feed.format(1))
    )
    registry.create(
        SourceInput(id="mk", name="Märkischer Kreis", ags=DISTRICT, kind="push", url=feed.format(2))
    )
    yield own
    drop_prefixed(own)
    own.close()


def _search(engine: SearchEngine, **fields: Any) -> SearchPage:
    return run_search(engine, SearchRequest.model_validate({"municipality": [BALVE], **fields}))


def _ids(page: SearchPage) -> list[str]:
    return sorted(hit.offer["id"] for hit in page.hits)


def _write(engine: SearchEngine, *offers: Offer) -> OfferWriter:
    writer = OfferWriter(engine)
    writer.write(offers)
    writer.refresh()
    return writer


def test_one_offer_of_two_sources_is_one_hit_with_both_publishers(engine: SearchEngine) -> None:
    _write(engine, town_copy(), other_course())
    _write(engine, district_copy())  # the second source syncs later, on its own

    page = _search(engine, size=50)
    assert _ids(page) == ["balve:massage", "balve:pekip"] and page.total == 2
    shown = next(h.offer for h in page.hits if h.offer["id"] == "balve:massage")
    assert [(p["name"], p["url"]) for p in shown["publishers"]] == [
        ("Stadt Balve", "https://www.balve.de/familie/massage"),
        ("Märkischer Kreis", "https://www.mk.de/familie/kurs-26"),
    ]
    topics = {v.value: v.count for v in page.facets["topics"]}
    assert topics == {"entwicklung_foerderung": 2, "gesundheit_ernaehrung": 1}
    assert {v.value: v.count for v in page.facets["kinds"]} == {"kurs": 2}
    # each source keeps its record: both retrievable by id, the hidden one says where it shows
    hidden = get_offer(engine, "mk:kurs-26")
    assert hidden["duplicate_canonical"] is False
    assert hidden["duplicate_group"] == shown["duplicate_group"]
    assert "duplicate_group" not in get_offer(engine, "balve:pekip")
    worded = _ids(_search(engine, q="Babymassage-Kurs"))  # the hidden record's own title
    assert "balve:massage" in worded and "mk:kurs-26" not in worded


def test_the_other_record_takes_over_when_the_shown_one_is_deleted(engine: SearchEngine) -> None:
    _write(engine, town_copy(), other_course(), district_copy())
    assert "balve:massage" in _ids(_search(engine))

    writer = OfferWriter(engine)
    writer.delete(["balve:massage"])
    writer.refresh()

    page = _search(engine)
    assert _ids(page) == ["balve:pekip", "mk:kurs-26"]
    alone = get_offer(engine, "mk:kurs-26")
    assert not {"duplicate_group", "duplicate_canonical", "publishers"} & set(alone)


def test_a_pushed_delete_and_a_changed_place_regroup(engine: SearchEngine) -> None:
    _write(engine, town_copy(), district_copy())
    assert _ids(_search(engine)) == ["balve:massage"]

    moved = _offer("balve", "massage", [BALVE], updated_at="2026-04-01T10:00:00+02:00",
                   locations=[{**PLACE, "street": "Hauptstraße 1"}])  # fmt: skip
    _write(engine, moved)
    assert _ids(_search(engine)) == ["balve:massage", "mk:kurs-26"]

    writer = OfferWriter(engine)
    writer.write([town_copy().model_copy(update={"updated_at": datetime(2026, 5, 1, tzinfo=UTC)})])
    writer.refresh()
    assert _ids(_search(engine)) == ["balve:massage"]
    writer.delete_versioned("balve:massage", "balve", datetime(2026, 6, 1, tzinfo=UTC))
    writer.refresh()
    assert _ids(_search(engine)) == ["mk:kurs-26"]


def test_settling_is_idempotent_and_concurrent_settles_agree(engine: SearchEngine) -> None:
    writer = OfferWriter(engine)
    writer.write([town_copy(), district_copy(), other_course()])
    writer.engine.request("POST", f"/{writer.index}/_refresh")  # written, not yet settled
    assert _ids(_search(engine)) == ["balve:massage", "balve:pekip", "mk:kurs-26"]

    keys = get_offer(engine, "mk:kurs-26")["duplicate_keys"]
    with ThreadPoolExecutor(max_workers=2) as pool:  # two sources finishing at once
        rewritten = list(pool.map(lambda _: settle(engine, writer.index, keys), range(2)))
    assert sorted(rewritten) == [0, 2]  # one settled, the other found nothing to change
    assert settle_all(engine, writer.index) == 0
    assert _ids(_search(engine)) == ["balve:massage", "balve:pekip"]
    # the rewrite kept the source's version: the same record again is unchanged, not stale
    again = writer.write([district_copy()])
    assert (again.unchanged, again.stale) == (1, 0)


def test_a_reindex_settles_the_groups_of_the_new_index(engine: SearchEngine) -> None:
    writer = OfferWriter(engine)
    writer.write([town_copy(), district_copy()])
    writer.engine.request("POST", f"/{writer.index}/_refresh")  # written, never settled
    assert _ids(_search(engine)) == ["balve:massage", "mk:kurs-26"]

    reindex(engine)

    assert _ids(_search(engine)) == ["balve:massage"]
    assert get_offer(engine, "mk:kurs-26")["duplicate_canonical"] is False
