"""The enrolment's feed check: fetch the URL safely, detect the kind, dry-run it, and propose
category filters, so a municipality sees what would be published before anything is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.sdk.detect import detect
from connectors.sdk.registry import parse_config
from hub.core.errors import ConfigError
from hub.core.fetcher import SafeFetcher
from hub.core.settings import Settings
from hub.ingest.dryrun import DryRunReport, dry_run
from hub.ingest.proposal import FilterProposal, propose_filters

PREVIEW_LIMIT = 200
UNKNOWN_KIND_DE = (
    "Unter dieser Adresse haben wir keinen Feed erkannt (Inhaltstyp: {ctype}). Der Hub liest "
    "WordPress, Drupal, TYPO3, HSDS, schema.org-Seiten, iCalendar, RSS, CSV/Excel und JSON- "
    "oder XML-Feeds. Bitte prüfen Sie die Adresse oder wählen Sie „Push (Webhook)“."
)

NEEDS_SETUP_DE = (
    "Erkannt: {kind}. Für diese Art Feed braucht der Hub eine Zuordnung der Felder "
    "(Mapping-Datei), die sich hier noch nicht anlegen lässt. Bitte wenden Sie sich an das "
    "Ministerium, oder nutzen Sie die REST-Schnittstelle Ihres CMS (z. B. WordPress) oder einen "
    "RSS-Feed."
)


@dataclass(frozen=True)
class FeedCheck:
    """What the municipality is shown before activation."""

    url: str
    kind: str
    reason: str
    config: dict[str, Any]
    report: DryRunReport
    proposal: FilterProposal


def check_feed(settings: Settings, url: str, ags: tuple[str, ...]) -> FeedCheck:
    """Detect and dry-run a feed; fetch and config errors propagate with German messages."""
    fetcher = SafeFetcher(settings)
    try:
        response = fetcher.get(url)
    finally:
        fetcher.close()
    guesses = detect(response)
    if not guesses:
        ctype = response.content_type or "unbekannt"
        raise ConfigError("no connector fits", message_de=UNKNOWN_KIND_DE.format(ctype=ctype))
    guess = guesses[0]
    config = {**guess.config, "url": url}
    try:
        parse_config(guess.kind, config)
    except ConfigError:
        raise ConfigError(
            f"{guess.kind} needs configuration", message_de=NEEDS_SETUP_DE.format(kind=guess.reason)
        ) from None
    report = dry_run(settings, guess.kind, config, ags=ags, limit=PREVIEW_LIMIT)
    proposal = propose_filters(report.offers, report.rejections)
    return FeedCheck(url, guess.kind, guess.reason, guess.config, report, proposal)
