"""`hub connector check` over a WordPress-shaped site whose posts mix offers with a
"Hello world!" post, an imprint and a job ad: JSON lines for scripts, proposed filters."""

from __future__ import annotations

import json
from typing import Any

from tests.hub.cli.test_connector import run_hub
from tests.support.feeds import FeedServer, Route

POSTS = "/wp-json/wp/v2/posts"
FOOTER = "<p><small>Datenschutz | Impressum | Barrierefreiheit</small></p>"


def post(post_id: int, slug: str, title: str, html: str, category: str) -> dict[str, Any]:
    return {
        "id": post_id,
        "link": f"https://familie.beispielstadt.example/{slug}/",
        "modified_gmt": "2026-11-20T09:30:00",
        "title": {"rendered": title},
        "excerpt": {"rendered": ""},
        "content": {"rendered": html, "protected": False},
        "_embedded": {"wp:term": [[{"taxonomy": "category", "name": category}], []]},
    }


SITE = [
    post(1, "hello-world", "Hallo Welt!", "<p>Willkommen bei WordPress.</p>", "Allgemein"),
    post(
        2,
        "babymassage",
        "Babymassage für Eltern mit Kindern von 0 bis 12 Monaten",
        "<p>Sanfte Berührungen stärken die Bindung.</p><p><strong>Kosten:</strong> kostenlos</p>"
        "<p><strong>Ort:</strong> Familienzentrum, Rathausplatz 1, 51643 Gummersbach</p>" + FOOTER,
        "Familienbildung",
    ),
    post(
        3, "impressum", "Impressum", "<p>Angaben gemäß § 5 DDG: Stadt Beispielstadt</p>", "Service"
    ),
    post(
        4,
        "ferienbetreuung",
        "Ferienbetreuung während der Kita-Schließzeiten",
        "<p>Während der Schließzeiten der Kitas betreuen wir Kinder von 3 bis 6 Jahren.</p>"
        + FOOTER,
        "Familienbildung",
    ),
    post(
        5,
        "erzieher-m-w-d",
        "Erzieherin / Erzieher (m/w/d) gesucht",
        "<p>Bewerbungen bis zum 15.12. an das Personalamt.</p>",
        "Stellenangebote",
    ),
    post(
        6,
        "pekip",
        "PEKiP-Kurs im Familienzentrum",
        "<p>Spiel und Bewegung im ersten Lebensjahr, acht Termine.</p>" + FOOTER,
        "Kurse",
    ),
]
NOISE = {
    "1": "Kein Angebot für Familien: Platzhalter-Beitrag erkannt "
    "(Beispieltext der Website-Software)",
    "3": "Kein Angebot für Familien: Impressum-Seite erkannt",
    "5": "Kein Angebot für Familien: Stellenanzeige erkannt",
}


def serve_site(feed_server: FeedServer) -> str:
    headers = {"X-WP-Total": str(len(SITE)), "X-WP-TotalPages": "1"}
    feed_server.route(POSTS, Route(json.dumps(SITE), headers=headers))
    return feed_server.base_url


def check_json(url: str, config: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    extra = ["--config", json.dumps(config)] if config else []
    done = run_hub("connector", "check", url, "--kind", "wordpress", "--json", *extra)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_json_lines_list_every_offer_and_every_rejection_then_a_summary(
    feed_server: FeedServer,
) -> None:
    lines = check_json(serve_site(feed_server))

    offers = [line for line in lines if line["record"] == "offer"]
    assert sorted(o["local_id"] for o in offers) == ["2", "4", "6"]
    for offer in offers:
        assert isinstance(offer["extracted"], list)
        assert all(offer.get(name.split(".")[0]) is not None for name in offer["extracted"])
    rejections = {line["local_id"]: line for line in lines if line["record"] == "rejection"}
    assert {k: r["message_de"] for k, r in rejections.items()} == NOISE
    assert {r["code"] for r in rejections.values()} == {"not_an_offer"}
    assert rejections["3"]["source_url"] == "https://familie.beispielstadt.example/impressum/"
    summary = lines[-1]
    assert [line["record"] for line in lines].count("summary") == 1
    assert summary["record"] == "summary"
    assert (summary["seen"], summary["offers"], summary["rejected"]) == (6, 3, 3)
    assert summary["rejected_by_code"] == {"not_an_offer": 3}
    assert summary["proposed"] == {
        "offer_filters": {
            "include_categories": ["Familienbildung", "Kurse"],
            "exclude_categories": ["Allgemein", "Service", "Stellenangebote"],
        }
    }


def test_the_proposed_filters_applied_keep_the_offers_and_name_the_excluded_category(
    feed_server: FeedServer,
) -> None:
    url = serve_site(feed_server)
    proposed = check_json(url)[-1]["proposed"]

    lines = check_json(url, proposed)

    assert lines[-1]["offers"] == 3
    rejected = {line["local_id"]: line["message_de"] for line in lines[:-1] if "code" in line}
    assert (
        rejected["5"] == "Kein Angebot für Familien: Kategorie „Stellenangebote“ ist ausgeschlossen"
    )


def test_check_explains_the_proposed_filters_in_german(feed_server: FeedServer) -> None:
    done = run_hub("connector", "check", serve_site(feed_server), "--kind", "wordpress")

    assert done.returncode == 0, done.stderr
    assert "Vorschlag für Kategorie-Filter" in done.stdout
    assert "Ausschließen: „Stellenangebote“ – 1 × kein Angebot." in done.stdout
    assert "Einbeziehen: „Familienbildung“ – 2 × Angebot." in done.stdout
    assert "abgelehnt 3 [not_an_offer] Kein Angebot für Familien: Impressum-Seite erkannt" in (
        done.stdout
    )
