"""Duplicate offers across sources, as pure functions: blocking keys, similarity, groups.

A district and a town often publish the same course. Two records are candidates only when they
share a blocking key: the same place (postcode + street, else the point rounded to about 100 m,
else "online" with the provider) and the same first date (or both undated). Among candidates,
similarity of the normalised title, summary and provider decides; the threshold
`DUPLICATE_THRESHOLD` was measured on the labelled pairs in `tests/data/duplicates/`
(docs/search.md, "Duplicates"). Groups are the connected components of the pairs above the
threshold; the canonical record of a group (the one search shows) is chosen deterministically.

Everything here works on engine documents (`hub.search.documents.search_document`) or records
of the same shape, so the index-time grouping and the evaluation use the same code.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

Doc = Mapping[str, Any]

DUPLICATE_THRESHOLD = 0.30
"""Score from which two candidates count as one offer (measured, see the module docstring)."""

WEIGHTS = {"title": 0.55, "summary": 0.3, "provider": 0.15}
"""Share of each text in the similarity; a text missing on either side (no summary, no
provider) leaves the similarity to the others."""

FACTS = ("kind", "topics", "age_min_months", "age_max_months", "cost", "languages",
         "pregnancy", "audiences")  # fmt: skip
"""Structured fields both copies of one offer carry alike (access details often differ)."""

VISIBLE: dict[str, Any] = {"bool": {"must_not": [{"term": {"duplicate_canonical": False}}]}}
"""Filter of every citizen search (and its facet counts): a record that is a group's
non-canonical copy is left out; records outside any group have no such field and stay."""

_NON_WORD = re.compile(r"[^a-z0-9]+")
_STREET = re.compile(r"(?<=[a-z])str\b|\bstr\b")
_NUMBER = re.compile(r"\d+")
_SUFFIXES = ("innen", "ungen", "en", "er", "es", "e", "n", "s")


def fold(text: str) -> str:
    """Lowercase, umlauts and accents folded (ä → a, ß → ss), anything but letters and digits
    turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", plain).strip()


def stem(word: str) -> str:
    """A light stem: the longest common German inflection ending cut from words of 5+ letters
    ("familien" → "famili", "babys" → "baby"), so singular and plural compare equal."""
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=8192)
def grams(text: str, n: int = 3) -> frozenset[str]:
    """Character n-grams of the folded, lightly stemmed words written together, so a compound
    and its parts ("Hebammensprechstunde", "Hebammen-Sprechstunde") compare equal."""
    joined = "".join(stem(word) for word in fold(text).split())
    if len(joined) < n:
        return frozenset({joined}) if joined else frozenset()
    return frozenset(joined[i : i + n] for i in range(len(joined) - n + 1))


def dice(a: str, b: str) -> float | None:
    """Dice coefficient of the n-gram sets of two texts; None when either is empty."""
    ga, gb = grams(a), grams(b)
    if not ga or not gb:
        return None
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def _place_keys(doc: Doc) -> list[str]:
    keys = []
    for loc in doc.get("locations") or []:
        street = _STREET.sub("strasse", fold(loc.get("street") or "")).replace(" ", "")
        if loc.get("postcode") and street:
            keys.append(f"addr:{loc['postcode']}:{street}")
        elif loc.get("lat") is not None and loc.get("lon") is not None:
            keys.append(f"geo:{float(loc['lat']):.3f}:{float(loc['lon']):.3f}")
    if not keys and doc.get("online"):
        provider = fold(_provider_name(doc)).replace(" ", "")
        if provider:
            keys.append(f"online:{provider}")
    return keys


def _date_key(doc: Doc) -> str:
    """The first date the source gave; for dates the normaliser drew from a weekly rhythm in
    the prose (they start from the day of normalisation), the rhythm itself: weekdays and
    start times."""
    starts = []
    for session in doc.get("dates") or []:
        start = session.get("start")
        if isinstance(start, datetime):
            starts.append(start)
        elif isinstance(start, str) and start:
            starts.append(datetime.fromisoformat(start))
    if not starts:
        return "undated"
    if "dates" in (doc.get("extracted") or []):
        return "weekly:" + ",".join(sorted({f"{s.isoweekday()}@{s:%H%M}" for s in starts}))
    first = min(s if s.tzinfo else s.replace(tzinfo=UTC) for s in starts)
    return first.astimezone(UTC).strftime("%Y%m%dT%H%M")


def blocking_keys(doc: Doc) -> list[str]:
    """The keys under which a record meets its candidate duplicates: each place it is held at,
    combined with its first date. A record without a place (held in person but not located)
    gets none and is never grouped."""
    date = _date_key(doc)
    return sorted({f"{place}|{date}" for place in _place_keys(doc)})


def _provider_name(doc: Doc) -> str:
    provider = doc.get("provider") or {}
    return str(provider.get("name") or "")


def similarity(a: Doc, b: Doc) -> float:
    """How alike two records are, 0–1; 0 unless they share a blocking key."""
    if not set(blocking_keys(a)) & set(blocking_keys(b)):
        return 0.0
    return text_similarity(a, b)


def facts_agreement(a: Doc, b: Doc) -> float:
    """Share of `FACTS` on which two records agree (lists by overlap)."""
    total = 0.0
    for name in FACTS:
        left, right = a.get(name), b.get(name)
        if isinstance(left, list) or isinstance(right, list):
            sl, sr = set(left or []), set(right or [])
            total += len(sl & sr) / len(sl | sr) if sl | sr else 1.0
        else:
            total += 1.0 if left == right else 0.0
    return total / len(FACTS)


def text_similarity(a: Doc, b: Doc) -> float:
    """How alike two records are, without blocking: the weighted n-gram similarity of title,
    summary and provider name, times the squared agreement of their facts (two offers of one
    provider at one place differ above all in audience, ages, kind), halved when both titles
    carry numbers and not the same ones (parallel groups: "1 bis 3 Jahre", "Gruppe 2")."""
    parts = {
        "title": dice(str(a.get("title") or ""), str(b.get("title") or "")),
        "summary": dice(str(a.get("summary") or ""), str(b.get("summary") or "")),
        "provider": dice(_provider_name(a), _provider_name(b)),
    }
    given = {name: value for name, value in parts.items() if value is not None}
    weight = sum(WEIGHTS[name] for name in given)
    text = sum(WEIGHTS[name] * value for name, value in given.items()) / weight if weight else 0
    score = text * facts_agreement(a, b) ** 2
    numbers_a, numbers_b = _numbers(a.get("title")), _numbers(b.get("title"))
    if numbers_a and numbers_b and numbers_a != numbers_b:
        score /= 2
    return score


def _numbers(text: Any) -> frozenset[str]:
    return frozenset(_NUMBER.findall(str(text or "")))


@dataclass(frozen=True)
class Group:
    """Records that are one offer; `members` canonical first."""

    id: str
    members: tuple[str, ...]

    @property
    def canonical(self) -> str:
        return self.members[0]


def canonical_order(doc: Doc) -> tuple[int, str]:
    """The record search shows first: the most local publisher (the source serving the fewest
    municipalities, a town before its district), then the smallest id."""
    area = len(doc.get("area_ags") or []) or 10_000
    return (area, str(doc["id"]))


def group_id(member_ids: Iterable[str]) -> str:
    """A group's id: a hash of its sorted member ids (a new member makes a new group)."""
    joined = "\n".join(sorted(member_ids))
    return "dup-" + hashlib.sha256(joined.encode()).hexdigest()[:20]


def duplicate_groups(docs: Sequence[Doc], threshold: float = DUPLICATE_THRESHOLD) -> list[Group]:
    """Connected components of candidate pairs scoring at least `threshold`; singletons are
    left out. Deterministic for the same records in any order."""
    by_id = {str(d["id"]): d for d in docs}
    parent = {doc_id: doc_id for doc_id in by_id}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    blocks: dict[str, list[str]] = {}
    for doc_id, doc in sorted(by_id.items()):
        for key in blocking_keys(doc):
            blocks.setdefault(key, []).append(doc_id)
    for members in blocks.values():
        for i, left in enumerate(members):
            for right in members[i + 1 :]:
                if find(left) == find(right):
                    continue
                if text_similarity(by_id[left], by_id[right]) >= threshold:
                    parent[max(find(left), find(right))] = min(find(left), find(right))
    components: dict[str, list[str]] = {}
    for doc_id in by_id:
        components.setdefault(find(doc_id), []).append(doc_id)
    groups = []
    for ids in components.values():
        if len(ids) > 1:
            ordered = sorted(ids, key=lambda i: canonical_order(by_id[i]))
            groups.append(Group(id=group_id(ids), members=tuple(ordered)))
    return sorted(groups, key=lambda g: g.id)
