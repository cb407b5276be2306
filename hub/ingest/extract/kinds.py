"""Kind of offer and its audiences, read against the vocabularies' labels and synonyms.

The kind is decided by evidence weights, not the first match: an "Angebotsform:" line counts
most, then the title, the summary, the categories and the body. German names an offer by the
head of a compound ("Babymassage-Kurs", "Hebammensprechstunde", "Elterncafé"), so the cues
below also match a word's ending; the vocabulary's labels and synonyms count as well.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from hub.core.vocab import fold, vocabulary
from hub.ingest.extract.page import Page
from hub.ingest.extract.phrases import matched_codes

# Cues on folded text; `\w*` before a head noun finds it at the end of a compound. A strong
# cue says the kind wherever it stands ("Kursbeginn", "besucht Sie zu Hause"); a weak one is
# a word the body may use in passing. "Treff" alone is both a drop-in and a group meeting.
_STRONG: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kurs", re.compile(r"\bkursbeginn\b|\bkursreihe\b|\b\d+ (termine|kurstermine|einheiten)\b")),
    (
        "hausbesuch",
        re.compile(
            r"\bhausbesuch\w*|\bbesucht sie (\w+ ){0,6}zu ?hause\b|"
            r"\bbei ihnen zu ?hause\b|\baufsuchend\w*"
        ),
    ),
    ("sprechstunde", re.compile(r"\boffene (\w+)?sprechstunde\b")),
    ("treffpunkt", re.compile(r"\boffene[rns]? (\w+)?(treff|treffpunkt|cafe)\b")),
    ("gruppe", re.compile(r"\beltern kind gruppe\b|\b(krabbel|spiel|selbsthilfe)gruppe\b")),
)
_WEAK: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kurs", re.compile(r"\b\w*kurs(e|es|en)?\b|\bworkshop\w*|\bseminar\w*|\bpekip\b")),
    ("gruppe", re.compile(r"\b\w*gruppe\b|\b\w*treff\b|\bkrabbel\w*")),
    (
        "treffpunkt",
        re.compile(
            r"\b\w*treff(s|en|punkt|punkte)?\b|\b\w*cafe(s)?\b|"
            r"\b\w*fruehstueck\b"
        ),
    ),
    (
        "beratung",
        re.compile(
            r"\b\w*beratung(en)?\b|\b\w*beratungsstelle\w*|\bberaet\b|\bberaten\b"
            r"|\b\w*vermittlung\b|\b(service|frueh\w*|fach)stelle\b|\bansprechpartner\w*"
        ),
    ),
    ("sprechstunde", re.compile(r"\b\w*sprechstunde(n)?\b")),
    ("hausbesuch", re.compile(r"\b\w*besuch(e)?\b|\bbesucht sie\b|\bzu ?hause\b")),
    (
        "veranstaltung",
        re.compile(
            r"\bveranstaltung(en)?\b|\bvortrag\b|\b(info|informations)"
            r"abend\w*|\bbasar\b|\bflohmarkt\b|\b\w*fest\b|\baktionstag\b"
        ),
    ),
    (
        "finanzielle_hilfe",
        re.compile(
            r"\bfinanzielle (hilfe|hilfen|unterstuetzung)\b|\bzuschuss\w*"
            r"|\bunterhaltsvorschuss\w*|\bfoerdergeld\w*"
        ),
    ),
    (
        "information",
        re.compile(
            r"\bbroschuere\w*|\bratgeber\b|\binfomaterial\w*|\b\w*briefe\b|"
            r"\bmerkblatt\b|\binformation(en)? (fuer|zu|zum|zur|ueber)\b"
        ),
    ),
)
_KIND_LABELS = ("angebotsform", "angebotsart", "art", "art des angebots", "format", "angebotstyp")
_WEIGHTS = {"label": 8.0, "title": 6.0, "summary": 2.0, "category": 1.0, "body": 0.5}
_STRONG_BONUS = 2.0  # a strong cue adds this wherever it stands
_BODY_CAP = 2.0  # weak body words tip a balance but do not decide alone
_MIN_SCORE = 2.0
_MIN_MARGIN = 1.0


def extract_kind(page: Page) -> str | None:
    """The kind code (`kurs`, `beratung`, …) the page shows, or None when unclear."""
    scores = _kind_scores(page)
    ranked = sorted(scores.items(), key=lambda item: -item[1])[:2]
    if not ranked or ranked[0][1] < _MIN_SCORE:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < _MIN_MARGIN:
        return None
    return ranked[0][0]


def _kind_scores(page: Page) -> dict[str, float]:
    """Evidence per kind: every region votes once per kind it names, with its weight."""
    scores: defaultdict[str, float] = defaultdict(float)
    for value in page.labelled(*_KIND_LABELS):
        _vote(scores, value, _WEIGHTS["label"], vocab=True)
    _vote(scores, page.title, _WEIGHTS["title"])
    _vote(scores, page.summary, _WEIGHTS["summary"])
    for category in page.categories:
        _vote(scores, category, _WEIGHTS["category"], vocab=True)
    body: defaultdict[str, float] = defaultdict(float)
    for line in page.lines:
        _vote(body, line, _WEIGHTS["body"])
    for code, score in body.items():
        scores[code] += min(score, _BODY_CAP)
    return scores


def _vote(scores: defaultdict[str, float], text: str, weight: float, vocab: bool = False) -> None:
    """Add `weight` for each kind `text` names; the vocabulary's synonyms only count for short
    names (labels, categories): in prose "Termin" or "Leistung" say nothing of the kind."""
    folded = fold(text)
    if not folded:
        return
    weak = {code for code, pattern in _WEAK if pattern.search(folded)}
    if vocab:
        weak.update(code for code in matched_codes("kinds", text) if code != "online")
    strong = {code for code, pattern in _STRONG if pattern.search(folded)}
    for code in weak | strong:
        scores[code] += weight + (_STRONG_BONUS if code in strong else 0.0)


# Audience cues, with compound heads ("Alleinerziehenden-Frühstück", "Vätertreff",
# "Mehrlingseltern"); the vocabulary's labels and synonyms count as whole words too.
_AUDIENCE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("werdende_eltern", re.compile(r"\bschwanger\w*|\bwerdende\w*|\bgeburtsvorbereitung\w*")),
    ("eltern", re.compile(r"\b(?!gross|tages|wunsch|leih)\w*eltern\b|\b(muetter|mama|mamas)\b")),
    ("alleinerziehende", re.compile(r"\balleinerziehend\w*|\bein eltern familie\w*")),
    ("vaeter", re.compile(r"\b(?!gross|tages)\w*vaeter\w*|\bpapa(s)?\b")),
    ("grosseltern", re.compile(r"\b\w*grosseltern\b|\b(leih)?(oma|opa)s?\b|\bgrossmuetter\b")),
    (
        "fachkraefte",
        re.compile(
            r"\b(fuer|an|richtet sich an) (\w+ ){0,3}(fachkraefte|fachpersonal|"
            r"erzieherinnen|erzieher|tagespflegepersonen|multiplikator\w*)\b"
        ),
    ),
    (
        "familien_mit_migrationsgeschichte",
        re.compile(r"\bmigration\w*|\bzugewandert\w*|\bgefluechtet\w*"),
    ),
)
_AUDIENCE_ORDER = [code for code, _ in _AUDIENCE_CUES]
# Phrases that name one audience and hide a shorter one inside: "werdende Väter" are expecting
# parents, not fathers; "Mütter und Väter", "Mama oder Papa" are parents, not fathers.
_EXPECTING = re.compile(r"\bwerdende (eltern|muetter|vaeter|mamas?|papas?)\b")
_BOTH_PARENTS = re.compile(
    r"\b(muetter|mamas?|mutter) ((\w+ )?(und|oder|bzw|sowie) )?(vaeter|papas?|vater)\b"
    r"|\b(vaeter|papas?|vater) ((\w+ )?(und|oder|bzw|sowie) )?(muetter|mamas?|mutter)\b"
)
# Words the vocabulary lists that say too little alone: "Hebammen" run many offers without
# being their audience, "Vater" and "Oma" appear in any family story.
_NEEDS_OWN_WORD = {"fachkraefte", "vaeter", "grosseltern"}


def extract_audiences(page: Page) -> list[str]:
    """Audience codes the page addresses (empty when unsaid)."""
    text = "\n".join(part for part in (page.title, page.summary, *page.lines) if part)
    folded = _BOTH_PARENTS.sub("eltern", _EXPECTING.sub("schwangere", fold(text)))
    found = {code for code, pattern in _AUDIENCE_CUES if pattern.search(folded)}
    found.update(code for code in _vocabulary_words(folded) if code not in _NEEDS_OWN_WORD)
    return [code for code in _AUDIENCE_ORDER if code in found]


def _vocabulary_words(folded: str) -> set[str]:
    """Audience codes whose label or synonym stands in `folded` as whole words (the
    normaliser's matcher also takes prefixes: "Familienzentrum" is no audience)."""
    return {code for code, pattern in _audience_words() if pattern.search(folded)}


@lru_cache(maxsize=1)
def _audience_words() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each audience's folded label and synonyms as one whole-word search, compiled once."""
    found = []
    for term in vocabulary("audiences").terms.values():
        folded = {fold(p) for p in (term.label_de, *term.synonyms)}
        phrases = sorted(p for p in folded if len(p) >= 2)
        if phrases:
            words = "|".join(map(re.escape, phrases))
            found.append((term.code, re.compile(rf"(?<![a-z0-9])(?:{words})(?![a-z0-9])")))
    return tuple(found)
