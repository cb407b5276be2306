"""View models: API answers turned into what a template shows, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from hub.core.places import municipality
from hub.web.i18n import Translator
from hub.web.search_form import FACETS, SearchForm

SUMMARY_CHARS = 240


@dataclass(frozen=True)
class FacetOption:
    code: str
    label: str
    count: int
    checked: bool


@dataclass(frozen=True)
class FacetGroup:
    key: str
    param: str
    legend: str
    options: list[FacetOption]
    single: bool = False  # radio-like ("online": on site or online)


@dataclass
class HitView:
    """One result row."""

    id: str
    title: str
    detail_url: str
    url: str
    provider: str = ""
    place: str = ""
    distance: str = ""
    next_date: str = ""
    next_date_iso: str = ""
    summary: str = ""
    badges: list[str] = field(default_factory=list)
    publishers: list[Publisher] = field(default_factory=list)


@dataclass(frozen=True)
class Publisher:
    """A source that publishes the offer, with its own page of it."""

    name: str
    url: str


def publishers(offer: dict[str, Any]) -> list[Publisher]:
    """Every source publishing the same offer (`hub.search.duplicate_groups`), when more than
    one does; empty for an offer only one source publishes."""
    listed = offer.get("publishers") or []
    found = [Publisher(str(p.get("name") or ""), str(p.get("url") or "")) for p in listed]
    return found if len(found) > 1 else []


def detail_path(offer_id: str, lang: str) -> str:
    return f"/angebote/{quote(offer_id, safe=':')}?lang={lang}"


def place_text(offer: dict[str, Any], tr: Translator) -> str:
    """First location's town (or name), "+ n more", "online", or the towns of the source's
    area when the offer names no venue."""
    locations = offer.get("locations") or []
    names = [loc.get("city") or loc.get("name") or "" for loc in locations]
    names = [n for n in names if n]
    if not names and offer.get("geo_approximate"):
        names = [m.name for m in map(municipality, offer.get("area_ags") or []) if m]
    if not names:
        return tr.t("result.online") if offer.get("online") else ""
    if len(names) > 1:
        return tr.t("result.more_places", place=names[0], count=len(names) - 1)
    return names[0]


def hit_view(offer: dict[str, Any], tr: Translator) -> HitView:
    summary = offer.get("summary") or offer.get("description") or ""
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    distance = offer.get("distance_km")
    badges = [tr.label("kinds", offer["kind"])] if offer.get("kind") else []
    if offer.get("cost") in ("free", "reduced"):
        badges.append(tr.label("costs", offer["cost"]))
    if offer.get("online"):
        badges.append(tr.t("result.online"))
    next_date = offer.get("next_date") or ""
    return HitView(
        id=offer["id"],
        title=offer["title"],
        detail_url=detail_path(offer["id"], tr.lang),
        url=offer["url"],
        provider=(offer.get("provider") or {}).get("name", ""),
        place=place_text(offer, tr),
        distance=tr.km(float(distance), approximate=bool(offer.get("distance_approximate")))
        if isinstance(distance, (int, float))
        else "",
        next_date=tr.datetime(next_date) if next_date else "",
        next_date_iso=next_date,
        summary=summary,
        badges=badges,
        publishers=publishers(offer),
    )


def facet_groups(
    facets: dict[str, dict[str, int]], form: SearchForm, accepted: frozenset[str], tr: Translator
) -> list[FacetGroup]:
    """Checkbox groups for every facet the API counts *and* lets us filter by."""
    groups = []
    seen: set[str] = set()
    for key, counts in facets.items():
        if key not in FACETS:
            continue
        param, vocab = FACETS[key]
        if param in seen or param not in accepted:
            continue
        seen.add(param)
        options = [
            FacetOption(code, tr.label(vocab, code), count, form.is_selected(param, code))
            for code, count in counts.items()
        ]
        options += _selected_without_count(form, param, vocab, counts, tr)
        options = [o for o in options if o.count > 0 or o.checked]
        if not options:
            continue
        options.sort(key=lambda o: (-o.count, o.label))
        legend = tr.t(f"facet.{'kind' if key == 'kinds' else key}")
        groups.append(FacetGroup(key, param, legend, options, single=param == "online"))
    return groups


def _selected_without_count(
    form: SearchForm, param: str, vocab: str, counts: dict[str, int], tr: Translator
) -> list[FacetOption]:
    """A ticked value with no hits stays visible (ticked), so it can be unticked."""
    chosen = [form.online] if param == "online" and form.online else form.selected.get(param, [])
    return [FacetOption(c, tr.label(vocab, c), 0, True) for c in chosen if c not in counts]


def area_names(codes: list[str]) -> list[str]:
    names = []
    for code in codes:
        found = municipality(code)
        names.append(found.name if found else code)
    return names


def page_count(total: int, size: int) -> int:
    return max(1, -(-min(total, 10_000) // size))
