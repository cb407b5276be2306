"""Age range and pregnancy from a page ("0 bis 12 Monate", "U3", "ab der 20. SSW").

The phrase grammar and the corpus conventions (inclusive months, "N Jahre" = N×12, how vague
stages map) live in `hub.ingest.extract.age_phrases.parse_age_text`; this module decides *where* to
read: a labelled value ("Alter:", "Zielgruppe:", "Für:") first, then the title, the summary and
the running text sentence by sentence. A number anywhere beats an age word ("Babys") anywhere,
because editors name the stage loosely and the numbers precisely. Ages of adults or siblings
("Mütter unter 25 Jahren", "Geschwisterkinder ab 3 Jahren") and spans of time ("seit 20
Jahren", "vor 5 Jahren") are cut out before parsing; a bound beyond 18 years gives nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from hub.ingest.extract.age_phrases import AgeRange, parse_age_text
from hub.ingest.extract.facts import AgeFacts
from hub.ingest.extract.page import Page

AGE_LABELS = ("alter", "altersgruppe", "altersstufe", "zielgruppe", "fuer", "fuer wen", "wer")
_NUMBER = r"(?:\d+(?:[.,]\d+)?|[a-zäöüß]+)"
_UNIT = r"(?:jahr\w*|monat\w*|woche\w*|j\.)"
# People whose age is not the child's; a child noun between them and the age keeps the phrase.
_ADULT = (
    r"(?:eltern(?:teil\w*)?|m[üu]tter|v[äa]ter|erwachsene\w*|frauen|m[äa]nner|paare"
    r"|geschwister\w*|gro[ßs]eltern|jugendliche\w*|teilnehmer\w*|teilnehmende\w*|senior\w*)"
)
_NOT_CHILD = re.compile(
    rf"\b{_ADULT}(?:\s+(?!kind|bab|s[äa]ugl)[\w()-]+){{0,2}}?\s+"
    rf"(?:ab|bis|unter|über|ueber|von|zwischen|im\s+alter\s+von)\s+"
    rf"{_NUMBER}(?:\s*(?:-|bis|und)\s*{_NUMBER})?\s*{_UNIT}"
    # Spans of time: how long something exists or lasts, not whom it is for.
    rf"|\b(?:seit|vor|nach)\s+(?:über\s+|mehr\s+als\s+|rund\s+|etwa\s+)?"
    rf"{_NUMBER}\s+jahr\w*(?!\s*alt)"
    rf"|\b{_NUMBER}\s+jahr\w*\s+(?:erfahrung|lang|bestehen|jubil[äa]um)",
    re.IGNORECASE,
)

# Services whose audience's age is set by what they are (by law or by nature), used only
# when the headline names no age at all: a Kita takes children until school entry, day care
# by a childminder is for the under-threes, early intervention ends at school entry,
# breastfeeding help is for the first year, school registration is for five- to seven-year-olds.
SERVICE_AGES: tuple[tuple[re.Pattern[str], AgeRange], ...] = (
    (
        re.compile(
            r"kindertages(?:einrichtung|stätte|betreuung)|\bkita\b|kita-(?:platz|anmeldung)"
            r"|kindergartenplatz|\bkindergarten\b",
            re.IGNORECASE,
        ),
        AgeRange(min_months=0, max_months=72),
    ),
    (
        re.compile(r"kindertagespflege|tagesm[uü]tter|tagesv[äa]ter", re.IGNORECASE),
        AgeRange(min_months=0, max_months=36),
    ),
    (re.compile(r"frühförder", re.IGNORECASE), AgeRange(min_months=0, max_months=72)),
    (re.compile(r"frühchen|frühgeboren", re.IGNORECASE), AgeRange(min_months=0, max_months=36)),
    (
        re.compile(r"\bstill(?:en\b|treff|beratung|café|cafe|gruppe)", re.IGNORECASE),
        AgeRange(min_months=0, max_months=12),
    ),
    (
        re.compile(r"einschulung|schulanfänger|schuleingang", re.IGNORECASE),
        AgeRange(min_months=60, max_months=84),
    ),
)
# A page for those who run the service (training, jobs) names it without its children's age.
_FOR_STAFF = re.compile(
    r"(?:qualifizierung|ausbildung|fortbildung)\s+(?:zur|zum)\b|stellenangebot|werden\s+sie\b"
    r"|arbeiten\s+möchten",
    re.IGNORECASE,
)
# On a pregnancy page "die erste Zeit mit dem Baby" is the baby to come, not an audience of
# babies ("Eltern mit Babys", "Säuglinge" still are).
_ONE_BABY = re.compile(r"\b(?:dem|das|ihr|ihrem|ein|einem)\s+baby\b", re.IGNORECASE)
# Sentences about the law, not the audience: "Ab dem ersten Geburtstag hat jedes Kind einen
# Rechtsanspruch auf einen Betreuungsplatz" says nothing about whom the offer serves.
_NOT_AUDIENCE = re.compile(r"rechtsanspruch|anspruch\s+auf", re.IGNORECASE)


def extract_age(page: Page) -> AgeFacts | None:
    """The age range the page states, or None when it states none."""
    texts = list(_places(page))
    headline = _headline(page)
    pregnancy = any(_parse(text, words=False, pregnancy_only=True) for text in texts)
    if pregnancy:
        headline = [_ONE_BABY.sub(" ", text) for text in headline]
    ranged = (
        _first_range(texts, words=False)
        or _first_range(headline, words=True)
        or _service_range(headline)
    )
    if ranged is None and not pregnancy:
        return None
    low, high = (ranged.min_months, ranged.max_months) if ranged else (None, None)
    return AgeFacts(min_months=low, max_months=high, pregnancy=pregnancy)


def _places(page: Page) -> Iterator[str]:
    """Where an age is stated, strongest first: labels, title, summary, sentences, categories."""
    yield from page.labelled(*AGE_LABELS)
    yield from page.sentences()
    yield from page.categories


def _service_range(texts: list[str]) -> AgeRange | None:
    """The age a named service implies; two services with different ages say nothing."""
    if any(_FOR_STAFF.search(text) for text in texts):
        return None
    found = {rng for pattern, rng in SERVICE_AGES for text in texts if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


def _headline(page: Page) -> list[str]:
    """Where an age word ("Babys", "Krabbelkinder") names the audience rather than a topic:
    "Babys lieben Wasser" in the running text says nothing about who may come."""
    return [*page.labelled(*AGE_LABELS), page.title, page.summary, *page.categories]


def _first_range(texts: list[str], *, words: bool) -> AgeRange | None:
    """The first range stated; an open one ("ab 6 Wochen" in the title) is closed by a later
    place that starts at the same age ("ab sechs Wochen bis zum Krabbelalter")."""
    found: AgeRange | None = None
    for text in texts:
        if _NOT_AUDIENCE.search(text):
            continue
        parsed = _parse(text, words=words)
        if parsed is None or (parsed.min_months is None and parsed.max_months is None):
            continue
        if found is None:
            found = parsed
        elif parsed.min_months == found.min_months and parsed.max_months is not None:
            return parsed
        if found.max_months is not None:
            return found
    return found


def _parse(text: str, *, words: bool, pregnancy_only: bool = False) -> AgeRange | None:
    parsed = _parsed(text, words)
    if pregnancy_only:
        return parsed if parsed is not None and parsed.pregnancy else None
    return parsed


@lru_cache(maxsize=4096)
def _parsed(text: str, words: bool) -> AgeRange | None:
    """The range a place states (remembered: the pregnancy pass and the range pass read the
    same sentences, and sources repeat theirs from record to record)."""
    return parse_age_text(_NOT_CHILD.sub(" ", text), words=words, strict=True)
