"""Pages that are not offers: placeholders, imprint and privacy pages, job ads, council news,
closure notices and internal drafts.

A municipal CMS publishes all of these next to its offers, and a parent must never find them.
Precision comes first, because a wrongly rejected offer is invisible: the title and the URL
slug decide on their own (editors name such pages plainly), the running text only through
phrases no offer uses, and never when the page carries offer labels (Kosten, Alter, Anmeldung,
…), so a footer "Datenschutz" or a "Kita-Schließzeiten" paragraph does not reject an offer.
Everything is matched on folded text (`hub.core.vocab.fold`: "Schließung" → "schliessung").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from hub.core.vocab import fold
from hub.ingest.extract.page import Page

TEXT_LINES = 40  # of the running text read for phrases: noise says what it is early
OPENING_LINES = 3  # where an imprint or a privacy page says what it is


@dataclass(frozen=True)
class NoiseRule:
    """One kind of noise: folded patterns for the title, the slug and the running text."""

    reason_de: str
    title: re.Pattern[str]
    slug: re.Pattern[str] | None = None
    text: re.Pattern[str] | None = None
    text_all: tuple[re.Pattern[str], ...] = ()
    """Phrases that reject only together ("(m/w/d)" and "Bewerbung"): separate searches keep
    the match linear in the text length."""
    title_unless: re.Pattern[str] | None = None
    """A title that also matches this is an offer after all ("Notbetreuung bei Schließung")."""
    opening_only: bool = False
    """Look for `text` only in the summary and the first lines, where a footer never stands."""


def _words(*alternatives: str) -> re.Pattern[str]:
    """A pattern matching any alternative as whole folded words."""
    return re.compile(r"(?:^| )(?:" + "|".join(alternatives) + r")(?: |$)")


# A bare "Datenschutz" title is a privacy page, "Datenschutz-Workshop für Eltern" is an offer.
LEGAL_TITLE = re.compile(
    r"^(?:(?:datenschutzerklaerung|datenschutzhinweis|datenschutzinformation|datenschutzbestimmung"
    r"|datenschutzrichtlinie|cookie richtlinie|cookie hinweis|cookie einstellungen"
    r"|erklaerung zur barrierefreiheit|barrierefreiheitserklaerung|nutzungsbedingungen)\w*\b.*"
    r"|datenschutz|privacy policy|cookies?|datenschutz und (?:impressum|cookies))$"
)
RULES: tuple[NoiseRule, ...] = (
    NoiseRule(
        "Platzhalter-Beitrag erkannt (Beispieltext der Website-Software)",
        title=re.compile(
            r"^(?:hello world|hallo welt|beispiel seite|sample page|lorem ipsum.*"
            r"|auto draft|automatisch gespeicherter entwurf)$"
        ),
        slug=re.compile(r"^(?:hello world|hallo welt|beispiel seite|sample page)(?: \d+)?$"),
        text=_words(
            "lorem ipsum dolor",
            "willkommen (?:bei|zu) wordpress",
            "welcome to wordpress",
            "dies ist (?:dein|ihr) erster beitrag",
            "dies ist eine beispielseite",
        ),
    ),
    NoiseRule(
        "Impressum-Seite erkannt",
        title=re.compile(r"^(?:impressum|imprint|anbieterkennzeichnung|haftungsausschluss)\b"),
        slug=re.compile(r"^(?:impressum|imprint)\b"),
        text=_words(r"angaben gemaess 5 (?:tmg|ddg)", r"5 tmg", r"5 ddg"),
        opening_only=True,
    ),
    NoiseRule(
        "Datenschutz- oder Cookie-Hinweis erkannt",
        title=LEGAL_TITLE,
        slug=LEGAL_TITLE,
        text=_words(r"verantwortliche stelle im sinne der (?:dsgvo|datenschutz ?grundverordnung)"),
        opening_only=True,
    ),
    NoiseRule(
        "Stellenanzeige erkannt",
        title=re.compile(
            r"\b(?:stellenausschreibung\w*|stellenangebot\w*|stellenanzeige\w*|jobangebot\w*"
            r"|m w d|w m d|d m w|m w x|m w divers)\b"
        ),
        slug=re.compile(r"^(?:stellenausschreibung|stellenangebot)|\bm w d\b"),
        text=re.compile(r"\b(?:entgeltgruppe|tvoed|tv l)\b"),
        text_all=(
            re.compile(r"\b(?:m w d|w m d|d m w)\b"),
            re.compile(r"\b(?:bewerbung|bewerben)"),
        ),
    ),
    NoiseRule(
        "Ratsinformation erkannt (Sitzung, Tagesordnung oder amtliche Bekanntmachung)",
        title=re.compile(
            r"\b(?:ratssitzung\w*|\w*ausschusssitzung\w*|sitzung des \w*(?:rates|ausschusses)"
            r"|tagesordnung\w*|sitzungsvorlage\w*|niederschrift|oeffentliche bekanntmachung"
            r"|amtliche bekanntmachung|\w*ausschuss tagt|\w*rat tagt)\b"
        ),
        slug=re.compile(r"\b(?:ratssitzung|ausschusssitzung|tagesordnung)\b"),
        text_all=(
            re.compile(r"\btagesordnung"),
            re.compile(
                r"\b(?:ratssitzung|\w*ausschusssitzung|sitzung des \w*(?:rates|ausschusses))\b"
            ),
        ),
    ),
    NoiseRule(
        "Schließungs-Hinweis erkannt",
        title=re.compile(
            r"\b(?:geschlossen|schliessung|schliesstage?|schliessungstage?|betriebsferien"
            r"|betriebsurlaub)\b"
        ),
        slug=re.compile(r"\b(?:bleibt geschlossen|betriebsferien|schliessung)\b"),
        title_unless=re.compile(
            r"\w*(?:betreuung|notgruppe|ferienspiel|ferienprogramm|angebot|kurs)\w*"
        ),
    ),
    NoiseRule(
        "Interner Entwurf erkannt",
        title=re.compile(
            r"^(?:entwurf|draft|intern|nicht veroeffentlichen|test|testbeitrag|testseite"
            r"|test seite|todo|kopie von)\b"
        ),
        text=_words(
            "nicht veroeffentlichen",
            "nicht zur veroeffentlichung",
            "nur (?:fuer den )?intern(?:en gebrauch)?",
            "interner entwurf",
        ),
    ),
)
# Labels an offer page carries; with them, the running text alone never rejects the page.
OFFER_LABELS = (
    "kosten",
    "gebuehr",
    "alter",
    "zielgruppe",
    "anmeldung",
    "termin",
    "termine",
    "uhrzeit",
    "zeit",
    "ort",
    "treffpunkt",
    "kursleitung",
    "leitung",
)


def noise_reason(page: Page, url: str | None = None) -> str | None:
    """Why the page is not an offer (German, for the municipality), or None for an offer."""
    title = fold(page.title)
    slug = _slug(url)
    text = fold("\n".join((page.summary, *page.lines[:TEXT_LINES])))
    opening = fold("\n".join((page.summary, *page.lines[:OPENING_LINES])))
    offer_like = bool(page.labelled(*OFFER_LABELS))
    for rule in RULES:
        if _matches(rule, title, slug, opening if rule.opening_only else text, offer_like):
            return rule.reason_de
    return None


def _matches(rule: NoiseRule, title: str, slug: str, text: str, offer_like: bool) -> bool:
    """Title or slug decide alone; the text only on a page without offer labels."""
    if (title and rule.title.search(title)) or (slug and rule.slug and rule.slug.search(slug)):
        return not (rule.title_unless and rule.title_unless.search(title))
    if offer_like:
        return False
    if rule.text and rule.text.search(text):
        return True
    return bool(rule.text_all) and all(pattern.search(text) for pattern in rule.text_all)


def _slug(url: str | None) -> str:
    """The last path segment of `url`, folded ("/2026/01/hallo-welt/" → "hallo welt")."""
    if not url:
        return ""
    segments: Sequence[str] = [s for s in urlsplit(url).path.split("/") if s]
    if not segments:
        return ""
    return fold(re.sub(r"\.(?:html?|php|aspx?)$", "", segments[-1]))
