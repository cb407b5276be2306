"""The held-out pages: hand-written municipal pages in each connector's own format, labelled.

Layout: `<pages>/<kind>/<name>.<ext>` holds one record as that connector receives it (a
WordPress post, a Drupal JSON:API document, a TYPO3 headless news item, an RSS feed, a
schema.org JSON-LD item, an iCalendar file, an HSDS service, a JSON or XML feed record) and
`<name>.labels.json` beside it the facts a careful reader finds on the page (`PageLabels`).
Each page goes through its real connector's `to_offer` and the normaliser
(`hub.ingest.pipeline.process_record`); only the fetching is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import feedparser
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.hsds import service_record
from connectors.rss import entry_payload
from connectors.sdk.base import RawRecord, SourceContext
from hub.core.fetcher import SafeFetcher
from hub.core.schema import Rejection
from hub.core.settings import Settings
from hub.core.vocab import vocabulary
from hub.dev.extraction_scoring import NO_CLAIMS, Facts, Scores, gold_facts, offer_facts, score_pair
from hub.ingest.build import connector_of_kind
from hub.ingest.normalise import NormaliseResult
from hub.ingest.pipeline import process_record

SITE = "https://www.familie-musterstadt.de"
NOT_AN_OFFER = "not_an_offer"
LABEL_SUFFIX = ".labels.json"
FEED_MAPPING: dict[str, Any] = {
    "json": {"format": "json", "records": "items", "id": "id", "updated_at": "geaendert",
             "fields": {"url": "link", "title": "titel", "summary": "teaser",
                        "description": "beschreibung"},
             "hints": {"categories": "kategorien"}},
    "xml": {"format": "xml", "records": "angebot", "id": "@id", "updated_at": "@geaendert",
            "fields": {"url": "link", "title": "titel", "summary": "kurztext",
                       "description": "beschreibung"},
            "hints": {"categories": "kategorien/kategorie"}},
}  # fmt: skip
"""Prose-only mappings: a feed whose records carry title, text and categories, nothing more."""


class LabelledLocation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    postcode: str = Field(pattern=r"^\d{5}$")
    ags: str = Field(pattern=r"^05\d{6}$")


class LabelledSession(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: datetime


class LabelledFacts(BaseModel):
    """The facts of an offer page; a field left out is not scored for this page."""

    model_config = ConfigDict(extra="forbid")
    age_min_months: int | None = Field(None, ge=0, le=216)
    age_max_months: int | None = Field(None, ge=0, le=216)
    pregnancy: bool = False
    cost: Literal["free", "reduced", "paid", "unknown"] = "unknown"
    languages: list[str] = Field(default_factory=lambda: ["de"])
    locations: list[LabelledLocation] = Field(default_factory=list)
    registration_required: bool | None = None
    online: bool = False
    kind: str = "information"
    dates: list[LabelledSession] = Field(default_factory=list)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in vocabulary("kinds").terms:
            raise ValueError(f"unknown kind {value!r}")
        return value

    @field_validator("languages")
    @classmethod
    def _iso_codes(cls, value: list[str]) -> list[str]:
        if not value or any(len(code) != 2 or not code.islower() for code in value):
            raise ValueError("languages must be ISO 639-1 codes")
        return value


class PageLabels(BaseModel):
    """A page's label file: the source's municipality and either facts or `not_an_offer`."""

    model_config = ConfigDict(extra="forbid")
    source_ags: str = Field(pattern=r"^05\d{6}$", description="AGS the source registers for.")
    not_an_offer: bool = False
    note: str = Field("", description="Why the page looks the way it does (for reviewers).")
    facts: LabelledFacts | None = None

    @model_validator(mode="after")
    def _facts_exactly_for_offers(self) -> PageLabels:
        if self.not_an_offer == (self.facts is not None):
            raise ValueError("an offer page has facts, a not_an_offer page has none")
        return self


@dataclass(frozen=True)
class PageCase:
    """One page file with its labels."""

    kind: str
    path: Path
    labels: PageLabels


@dataclass
class PagesReport:
    """Field scores over the offer pages, and the noise detector's outcome over all pages."""

    scores: Scores = field(default_factory=Scores)
    pages: int = 0
    noise_pages: int = 0
    noise_rejected: int = 0
    offers_rejected_as_noise: int = 0
    other_rejections: list[Rejection] = field(default_factory=list)

    def noise_counts(self) -> dict[str, Any]:
        """Detection precision/recall of `not_an_offer`; None while nothing is ever rejected."""
        flagged = self.noise_rejected + self.offers_rejected_as_noise
        caught, noise = self.noise_rejected, self.noise_pages
        return {
            "noise_pages": noise,
            "rejected_as_not_an_offer": flagged,
            "precision": caught / flagged if flagged else None,
            "recall": caught / noise if flagged and noise else None,
        }


def label_path(page: Path) -> Path:
    return page.with_name(page.name.split(".", 1)[0] + LABEL_SUFFIX)


def page_files(root: Path) -> list[Path]:
    """Every page file under `root` (label files and READMEs excluded), sorted."""
    return sorted(p for p in root.glob("*/*") if p.is_file() and not p.name.endswith(LABEL_SUFFIX))


def load_cases(root: Path) -> list[PageCase]:
    """Every page with its validated labels (a missing or invalid label file raises)."""
    return [
        PageCase(p.parent.name, p, PageLabels.model_validate_json(label_path(p).read_bytes()))
        for p in page_files(root)
    ]


# --- one page → the raw record its connector would have fetched ---------------------------


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _rss(path: Path) -> RawRecord:
    entry = entry_payload(feedparser.parse(path.read_bytes()).entries[0])
    return RawRecord(entry["id"] or entry["link"], {**entry, "feed_updated": None})


def _ical(path: Path) -> RawRecord:
    ics = path.read_text(encoding="utf-8")
    return RawRecord(path.stem, {"ics": ics, "feed_url": f"{SITE}/termine.ics"})


def _schemaorg(path: Path) -> RawRecord:
    item = _json(path)
    page = str(item.get("url") or f"{SITE}/{path.stem}")
    payload = {"item": item, "references": [], "page_url": page, "page_updated": None}
    return RawRecord(page, payload, source_url=page)


def _wordpress(path: Path) -> RawRecord:
    post = _json(path)
    return RawRecord(str(post["id"]), post, source_url=post.get("link"))


def _drupal(path: Path) -> RawRecord:
    document = _json(path)
    payload = {"node": document["data"], "included": document.get("included", [])}
    return RawRecord(str(document["data"]["id"]), payload)


def _typo3(path: Path) -> RawRecord:
    item = _json(path)
    return RawRecord(str(item["uid"]), {"item": item})


def _feed_record(path: Path) -> RawRecord:
    if path.suffix == ".xml":
        return RawRecord(path.stem, {"xml": path.read_text(encoding="utf-8")})
    return RawRecord(path.stem, _json(path))


RECORD_READERS: dict[str, Callable[[Path], RawRecord]] = {
    "wordpress": _wordpress,
    "drupal": _drupal,
    "typo3": _typo3,
    "rss": _rss,
    "schemaorg": _schemaorg,
    "ical": _ical,
    "hsds": lambda path: service_record(_json(path), f"{SITE}/hsds/services"),
    "json_feed": _feed_record,
    "xml_feed": _feed_record,
}
CONFIGS: dict[str, dict[str, Any]] = {
    "wordpress": {"url": SITE},
    "drupal": {"url": f"{SITE}/jsonapi/node/angebot"},
    "typo3": {"url": f"{SITE}/api/news", "shape": "headless_news"},
    "rss": {"url": f"{SITE}/feed/"},
    "schemaorg": {"url": f"{SITE}/sitemap.xml", "link_pattern": "/angebote/", "window_days": 730},
    "ical": {"url": f"{SITE}/termine.ics", "window_days": 730, "default_url": SITE},
    "hsds": {"url": f"{SITE}/hsds", "url_template": f"{SITE}/angebote/{{id}}"},
    "json_feed": {"url": f"{SITE}/export.json", "mapping": FEED_MAPPING["json"]},
    "xml_feed": {"url": f"{SITE}/export.xml", "mapping": FEED_MAPPING["xml"]},
}


def run_page(case: PageCase, fetcher: SafeFetcher, now: datetime | None = None) -> NormaliseResult:
    """The page through its connector's mapping and the normaliser (nothing is fetched);
    `now` anchors dates read from the text (default: the clock)."""
    context = SourceContext(f"pages-{case.kind}", ags=(case.labels.source_ags,))
    connector = connector_of_kind(case.kind, CONFIGS[case.kind], fetcher, context)
    return process_record(connector, RECORD_READERS[case.kind](case.path), now=now)


def labelled_facts(labels: PageLabels) -> Facts:
    """The labels as comparable facts, scoring only the fields the label file states."""
    assert labels.facts is not None
    stated = labels.facts.model_dump(mode="json", exclude_unset=True)
    gold = gold_facts(labels.facts.model_dump(mode="json"))
    return Facts(gold.values, known=frozenset(_scored_names(stated)))


def _scored_names(stated: dict[str, Any]) -> Iterator[str]:
    names = {"age_min_months": "age", "age_max_months": "age", "locations": "postcode",
             "registration_required": "registration"}  # fmt: skip
    for key in stated:
        yield names.get(key, key)
        if key == "locations":
            yield "ags"


def evaluate_pages(root: Path, settings: Settings) -> PagesReport:
    """Score extraction on every labelled page under `root` and the noise detector on all."""
    report = PagesReport()
    fetcher = SafeFetcher(settings)
    try:
        for case in load_cases(root):
            _score_case(report, case, run_page(case, fetcher))
    finally:
        fetcher.close()
    return report


def _score_case(report: PagesReport, case: PageCase, result: NormaliseResult) -> None:
    report.pages += 1
    rejected_as_noise = result.rejection is not None and result.rejection.code == NOT_AN_OFFER
    if case.labels.not_an_offer:
        report.noise_pages += 1
        report.noise_rejected += rejected_as_noise
        return
    report.offers_rejected_as_noise += rejected_as_noise
    if result.rejection is not None and not rejected_as_noise:
        report.other_rejections.append(result.rejection)
    predicted = offer_facts(result.offer) if result.offer else NO_CLAIMS
    score_pair(report.scores, labelled_facts(case.labels), predicted)
