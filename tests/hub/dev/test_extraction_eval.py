"""`hub eval extraction` on a tiny corpus and a tiny pages folder, through the real pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hub.cli.eval import app
from hub.dev.extraction_eval import as_page

ALTENA, KOELN = "05962004", "05315000"  # validation and tuning half


def corpus_record(local_id: str, ags: str, **fields: Any) -> dict[str, Any]:
    record = {
        "local_id": local_id,
        "source_municipality_ags": ags,
        "title": "Elterncafé",
        "summary": "Offener Treff für Eltern.",
        "description": "Kosten: kostenlos. Sprachen: Deutsch, Türkisch.",
        "kind": "treffpunkt",
        "topics": ["begegnung"],
        "categories_free_text": ["Treffs"],
        "pregnancy": False,
        "age_min_months": 0,
        "age_max_months": 36,
        "audiences": ["eltern"],
        "languages": ["de", "tr"],
        "cost": "free",
        "cost_note": "kostenlos",
        "registration_required": False,
        "accessibility": [],
        "provider": {"name": "Familienzentrum", "phone": "02352 1234", "email": "fz@example.de"},
        "locations": [{"postcode": "58762", "city": "Altena", "ags": ALTENA}],
        "online": False,
        "url": f"https://www.example-stadt.de/{local_id}",
        "updated_at": "2026-01-05T10:00:00+01:00",
        "dates": [],
    }
    return {**record, **fields}


def write_corpus(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def run_json(*args: str) -> dict[str, Any]:
    done = CliRunner().invoke(app, ["extraction", *args, "--json"])
    assert done.exit_code == 0, done.output
    body: dict[str, Any] = json.loads(done.output)
    return body


def test_page_keeps_prose_and_categories_only() -> None:
    page = as_page(corpus_record("altena-0001", ALTENA))

    assert set(page) == {"title", "summary", "description", "url", "updated_at", "categories"}
    assert page["categories"] == ["Treffs"]


def test_command_reports_both_halves_split_by_municipality(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path / "corpus.jsonl",
        [
            corpus_record("altena-0001", ALTENA),
            corpus_record("altena-0002", ALTENA, languages=["de"], cost="unknown"),
            corpus_record("koeln-0001", KOELN, pregnancy=True, age_max_months=None),
        ],
    )

    report = run_json(str(corpus))

    validation, tuning = report["validation"], report["tuning"]
    assert (validation["records"], validation["municipalities"]) == (2, [ALTENA])
    assert (tuning["records"], tuning["municipalities"]) == (1, [KOELN])
    assert validation["fields"]["cost"]["support"] == 1
    assert validation["fields"]["languages"]["support"] == 1
    assert tuning["fields"]["pregnancy"]["support"] == 1
    assert tuning["fields"]["age"]["support"] == 1  # an open upper end is still an age
    for field in validation["fields"].values():
        assert field["correct"] <= field["claimed"]
        assert field["found"] <= field["support"]


def test_command_scores_pages_and_counts_noise(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl", [corpus_record("altena-0001", ALTENA)])
    pages = tmp_path / "pages" / "rss"
    pages.mkdir(parents=True)
    item = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<item><title>{title}</title><link>https://www.example-stadt.de/{name}</link><guid>{name}</guid>
<description><![CDATA[{text}]]></description></item></channel></rss>"""
    (pages / "treff.xml").write_text(
        item.format(title="Babytreff", name="treff", text="<p>Für Babys. Kosten: kostenlos.</p>")
    )
    (pages / "treff.labels.json").write_text(
        json.dumps({"source_ags": ALTENA, "facts": {"cost": "free", "kind": "treffpunkt"}})
    )
    (pages / "hallo.xml").write_text(item.format(title="Hallo Welt!", name="hallo", text="Hi"))
    (pages / "hallo.labels.json").write_text(
        json.dumps({"source_ags": ALTENA, "not_an_offer": True})
    )

    report = run_json(str(corpus), "--pages", str(tmp_path / "pages"))

    pages_report = report["pages"]
    assert pages_report["pages"] == 2
    assert set(pages_report["fields"]) == {"cost", "kind"}  # only what the labels state
    assert pages_report["fields"]["cost"]["support"] == 1
    assert pages_report["not_an_offer"]["noise_pages"] == 1


def test_table_output_names_the_halves(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus.jsonl", [corpus_record("altena-0001", ALTENA)])

    done = CliRunner().invoke(app, ["extraction", str(corpus)])

    assert done.exit_code == 0, done.output
    assert "validation half" in done.output and "tuning half" in done.output
