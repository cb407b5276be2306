"""The WordPress connector against a real WordPress (Debian's package, MariaDB, PHP's server).

The site is installed and seeded through WordPress itself by `tests/support/wordpress.py`
(cached under the state dir after the first run). Its posts: three family offers with custom
fields in the categories "Rund um die Geburt" and "Eltern-Café", a job advert in
"Stellenangebote" that the category filter must leave out, WordPress' German "Hallo Welt!", an
`angebot` custom post, and ten prose posts in four more categories whose facts are only in the
text (read back through the search API in tests/e2e/test_wordpress_site.py); its pages: an
Impressum and the "Beispiel-Seite".
If WordPress cannot be installed or started, these tests fail with the reason; they never skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.sdk.base import Cursor, SourceContext
from connectors.sdk.paging import RetryPolicy
from connectors.wordpress import WordPressConfig, WordPressConnector
from hub.core.errors import PermanentFetchError
from hub.core.schema import Offer
from hub.ingest.normalise.record import normalise_record
from tests.support.connectors import drain, local_fetcher
from tests.support.wordpress import WordPressSite, running_wordpress

CATEGORIES = ["rund-um-die-geburt", "eltern-cafe"]
ACF = {"age_text": "acf.alter", "cost_text": "acf.kosten", "street": "acf.strasse"}
ACF |= {"postcode": "acf.plz", "city": "acf.ort"}
# as Settings → Permalinks does it: set the structure, then flush the rewrite rules
PERMALINKS = "$GLOBALS['wp_rewrite']->set_permalink_structure('{structure}');"
PERMALINKS += "$GLOBALS['wp_rewrite']->flush_rules(false);"


@pytest.fixture(scope="session")
def wordpress() -> Iterator[WordPressSite]:
    with running_wordpress() as site:
        yield site


def connector(site: WordPressSite, **config: Any) -> WordPressConnector:
    parsed = WordPressConfig.model_validate({"url": site.url, **config})
    wordpress = WordPressConnector(parsed, local_fetcher(), SourceContext("bielefeld-wp"))
    wordpress.retry = RetryPolicy(attempts=2, sleep=lambda _seconds: None)
    return wordpress


def run(wordpress: WordPressConnector, cursor: Cursor | None = None) -> tuple[list[Offer], Cursor]:
    records, next_cursor = drain(wordpress.fetch(cursor or Cursor()))
    offers = []
    for record in records:
        result = normalise_record("bielefeld-wp", record.local_id, wordpress.to_offer(record))
        assert result.offer is not None, result.rejection
        offers.append(result.offer)
    return offers, next_cursor


def modified_gmt(site: WordPressSite, post_id: int) -> datetime:
    value = site.php(f"echo get_post_field('post_modified_gmt', {post_id});").strip()
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def test_posts_of_the_chosen_categories_become_offers(wordpress: WordPressSite) -> None:
    offers, cursor = run(connector(wordpress, categories=CATEGORIES, fields=ACF))

    by_id = {offer.local_id: offer for offer in offers}
    hebamme = by_id[str(wordpress.post_id("hebammensprechstunde"))]
    cafe = by_id[str(wordpress.post_id("eltern-cafe"))]
    assert sorted(by_id) == sorted(
        str(wordpress.post_id(key))
        for key in ("hebammensprechstunde", "eltern-cafe", "geburtsvorbereitung")
    )
    assert hebamme.title == "Hebammensprechstunde im Familienbüro"
    assert hebamme.summary.startswith("Offene Sprechstunde für Schwangere")
    assert "berät Sie kostenlos zu Schwangerschaft" in hebamme.description
    assert hebamme.topics == ["schwangerschaft_geburt"]
    assert hebamme.pregnancy is True
    assert hebamme.cost == "free"
    assert (hebamme.locations[0].street, hebamme.locations[0].city) == (
        "Niederwall 23",
        "Bielefeld",
    )
    assert str(hebamme.url) == f"{wordpress.url}/hebammensprechstunde-im-familienburo/"
    assert hebamme.updated_at == modified_gmt(wordpress, wordpress.post_id("hebammensprechstunde"))
    assert cafe.categories == ["Eltern-Café"]
    assert cafe.topics == ["begegnung"]
    assert (cafe.age_min_months, cafe.age_max_months) == (0, 36)
    assert cursor.position["modified_gmt"] is not None


def test_without_a_category_filter_hello_world_and_the_job_advert_are_no_offers(
    wordpress: WordPressSite,
) -> None:
    wp = connector(wordpress)
    records, _cursor = drain(wp.fetch(Cursor()))
    results = {
        r.local_id: normalise_record("bielefeld-wp", r.local_id, wp.to_offer(r)) for r in records
    }

    rejected = {k: r.rejection.message_de for k, r in results.items() if r.rejection}
    job = str(wordpress.post_id("stellenausschreibung"))
    hello = str(wordpress.post_id("hallo-welt"))
    assert rejected == {
        hello: "Kein Angebot für Familien: Platzhalter-Beitrag erkannt "
        "(Beispieltext der Website-Software)",
        job: "Kein Angebot für Familien: Stellenanzeige erkannt",
    }
    assert str(wordpress.post_id("hebammensprechstunde")) in results


def test_prose_posts_arrive_with_their_text_table_and_decoded_category_names(
    wordpress: WordPressSite,
) -> None:
    prose = ["fruehe-hilfen", "familienbildung", "treffpunkte", "beratung"]
    offers, _cursor = run(connector(wordpress, categories=prose, per_page=4))

    by_id = {offer.local_id: offer for offer in offers}
    assert len(by_id) == 10
    table = by_id[str(wordpress.post_id("krabbelgruppe"))]
    assert table.title == "Krabbelgruppe „Kleine Füße“"
    assert "1 bis 3 Jahre" in table.description
    advice = by_id[str(wordpress.post_id("schwangerschaftsberatung"))]
    assert advice.categories == ["Beratung & Hilfe"]
    assert "Kreuzstraße 19a" in advice.description  # the <address> block is kept as text


def test_the_link_of_every_offer_opens_the_post(wordpress: WordPressSite) -> None:
    offers, _cursor = run(connector(wordpress, categories=CATEGORIES))

    fetcher = local_fetcher()
    for offer in offers:
        page = fetcher.get(str(offer.url))
        assert page.status == 200
        # Debian's package ships no theme, so the page body is empty; WordPress still names
        # the post it resolved the address to in its shortlink header
        assert f"?p={offer.local_id}>; rel=shortlink" in page.headers["link"]


def test_custom_post_type_with_registered_meta_fields(wordpress: WordPressSite) -> None:
    meta = {"age_text": "meta.alter", "cost_text": "meta.kosten"}
    offers, _cursor = run(connector(wordpress, post_type="angebote", fields=meta))

    (offer,) = offers
    assert offer.title == "Babymassage-Kurs"
    assert offer.age_min_months == 1
    assert offer.cost == "paid"
    assert offer.topics == ["schwangerschaft_geburt"]


def test_incremental_run_returns_only_the_modified_post(wordpress: WordPressSite) -> None:
    wp = connector(wordpress, categories=CATEGORIES, fields=ACF)
    first, cursor = run(wp)
    assert len(first) == 3
    cafe = wordpress.post_id("eltern-cafe")

    wordpress.php(
        f"wp_update_post(array('ID' => {cafe}, "
        "'post_content' => '<p>Neu: jetzt auch donnerstags von 15 bis 17 Uhr.</p>'));"
    )
    changed, after = run(connector(wordpress, categories=CATEGORIES, fields=ACF), cursor)
    unchanged, last = run(connector(wordpress, categories=CATEGORIES, fields=ACF), after)

    assert [offer.local_id for offer in changed] == [str(cafe)]
    assert changed[0].description == "Neu: jetzt auch donnerstags von 15 bis 17 Uhr."
    assert changed[0].updated_at == modified_gmt(wordpress, cafe)
    assert changed[0].updated_at > max(offer.updated_at for offer in first)
    assert after.position["boundary_ids"] == [str(cafe)]
    assert unchanged == []
    assert last.position == after.position


def test_plain_permalinks_are_read_through_rest_route(wordpress: WordPressSite) -> None:
    wordpress.php(PERMALINKS.format(structure=""))
    try:
        wp = connector(wordpress, categories=CATEGORIES)
        offers, _cursor = run(wp)
    finally:
        wordpress.php(PERMALINKS.format(structure="/%postname%/"))

    assert len(offers) == 3
    assert wp._form == "plain"
    assert all(str(offer.url).startswith(f"{wordpress.url}/?p=") for offer in offers)


def test_locked_rest_api_tells_the_municipality_what_to_enable(wordpress: WordPressSite) -> None:
    wordpress.php("update_option('familienhub_rest_locked', 1);")
    try:
        with pytest.raises(PermanentFetchError) as error:
            run(connector(wordpress))
    finally:
        wordpress.php("delete_option('familienhub_rest_locked');")

    assert "HTTP 401" in error.value.message_de
    assert "Lesezugriff" in error.value.message_de
