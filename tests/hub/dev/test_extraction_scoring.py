"""The extraction metrics: claims against defaults, precision, recall, the tolerant variants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hub.core.schema import Offer
from hub.dev.extraction_eval import half_of
from hub.dev.extraction_scoring import (
    NO_CLAIMS,
    Counts,
    Facts,
    ages_close,
    gold_facts,
    offer_facts,
    phone_key,
    score_all,
)


def offer(**fields: Any) -> Offer:
    base = {
        "id": "s:1",
        "source_id": "s",
        "local_id": "1",
        "url": "https://www.example-stadt.de/a",
        "title": "Angebot",
        "updated_at": "2026-01-01T00:00:00+01:00",
        "area_ags": ["05962004"],
    }
    return Offer.model_validate({**base, **fields})


def gold(**fields: Any) -> Facts:
    return gold_facts({"languages": ["de"], "cost": "unknown", **fields})


def test_defaults_are_not_claims() -> None:
    facts = offer_facts(offer())

    assert facts.claimed == frozenset()


def test_extracted_default_value_is_a_claim() -> None:
    facts = offer_facts(offer(languages=["de"], extracted=["languages"]))

    assert facts.claimed == {"languages"}


def test_non_default_value_from_the_source_is_a_claim() -> None:
    facts = offer_facts(offer(cost="free", pregnancy=True))

    assert facts.claimed == {"cost", "pregnancy"}


def test_precision_counts_claims_and_recall_counts_informative_golds() -> None:
    pairs = [
        (gold(cost="free"), offer_facts(offer(cost="free"))),  # right
        (gold(cost="paid"), offer_facts(offer(cost="free"))),  # wrong claim
        (gold(cost="unknown"), offer_facts(offer(cost="free"))),  # claim against a default
        (gold(cost="reduced"), offer_facts(offer())),  # missed
        (gold(cost="unknown"), offer_facts(offer())),  # nothing said, nothing scored
    ]

    counts = score_all(pairs).fields["cost"]

    assert (counts.claimed, counts.claimed_correct, counts.support, counts.found) == (3, 1, 3, 1)
    assert counts.precision == pytest.approx(1 / 3)
    assert counts.recall == pytest.approx(1 / 3)


def test_languages_default_is_not_in_the_support() -> None:
    pairs = [
        (gold(languages=["de"]), offer_facts(offer())),
        (gold(languages=["de", "tr"]), offer_facts(offer(languages=["de", "tr"]))),
    ]

    counts = score_all(pairs).fields["languages"]

    assert (counts.support, counts.found, counts.claimed) == (1, 1, 1)


def test_registration_false_is_informative() -> None:
    pairs = [(gold(registration_required=False), offer_facts(offer()))]

    counts = score_all(pairs).fields["registration"]

    assert (counts.support, counts.found, counts.recall) == (1, 0, 0.0)


def test_age_exact_and_tolerant() -> None:
    predicted = offer_facts(offer(age_min_months=0, age_max_months=9))
    pairs = [(gold(age_min_months=2, age_max_months=8), predicted)]

    scores = score_all(pairs)

    assert scores.fields["age"].found == 0
    assert scores.fields["age_tolerant"].found == 1


def test_open_age_end_only_matches_an_open_end() -> None:
    assert ages_close((0, None), (0, None))
    assert not ages_close((0, None), (0, 36))
    assert not ages_close((0, 12), None)


def test_locations_compare_postcodes_and_ags_as_sets() -> None:
    locations = [{"postcode": "58762", "ags": "05962004"}, {"postcode": "58511", "ags": "05962032"}]
    predicted = offer_facts(offer(locations=[locations[1], locations[0]], extracted=["locations"]))

    scores = score_all([(gold(locations=locations), predicted)])

    assert scores.fields["postcode"].found == 1
    assert scores.fields["ags"].found == 1


def test_phone_numbers_compare_by_digits_in_national_form() -> None:
    assert phone_key("+49 2352 7509-5") == phone_key("02352 75095") == "0235275095"


def test_session_starts_compare_across_offsets() -> None:
    start = datetime(2026, 9, 29, 8, 30, tzinfo=UTC)
    gold_dates = gold(dates=[{"start": "2026-09-29T10:30:00+02:00"}])
    predicted = offer_facts(offer(dates=[{"start": start.isoformat()}], extracted=["dates"]))

    scores = score_all([(gold_dates, predicted)])

    assert scores.fields["dates"].found == 1
    assert scores.fields["dates_items"].precision == 1.0


def test_per_item_audiences_give_partial_credit() -> None:
    predicted = offer_facts(offer(audiences=["eltern"], extracted=["audiences"]))

    scores = score_all([(gold(audiences=["eltern", "vaeter"]), predicted)])

    assert scores.fields["audiences"].found == 0
    items = scores.fields["audiences_items"]
    assert (items.precision, items.recall) == (1.0, 0.5)


def test_rejected_record_claims_nothing_but_counts_in_recall() -> None:
    scores = score_all([(gold(pregnancy=True), NO_CLAIMS)])

    assert scores.fields["pregnancy"].recall == 0.0
    assert scores.fields["pregnancy"].precision is None


def test_fields_a_gold_does_not_state_are_not_scored() -> None:
    partial = Facts(gold(cost="free").values, known=frozenset({"cost"}))

    scores = score_all([(partial, offer_facts(offer(cost="free")))])

    assert set(scores.fields) == {"cost"}


def test_f1_is_zero_when_nothing_is_right_and_undefined_without_claims() -> None:
    assert Counts(claimed=2, claimed_correct=0, support=2, found=0).f1 == 0.0
    assert Counts(claimed=0, support=2).f1 is None


def test_split_by_municipality_is_the_documented_hash() -> None:
    # int(sha256(ags).hexdigest(), 16) % 2 == 1 → validation, computed once by hand
    assert half_of("05962004") == "validation"  # Altena
    assert half_of("05113000") == "validation"  # Essen
    assert half_of("05315000") == "tuning"  # Köln
