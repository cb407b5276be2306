"""View models: API answers turned into what a template shows, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlencode

from hub.core.places import municipality
from hub.web.i18n import Translator
from hub.web.search_form import FACETS, SearchForm, page_query

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


@dataclass
class FallbackView:
    """One block of "the nearest thing that exists", marked by its heading."""

    kind: str
    heading: str
    hits: list[HitView]
    link: str = ""
    link_text: str = ""
    office_url: str = ""


# what a relaxed search dropped → the change of the page's form that applies it
_DROPS: dict[str, dict[str, Any]] = {
    "q": {"q": ""},
    "age_months": {"age": ""},
    "pregnancy": {"pregnancy": False},
    "online": {"online": ""},
}
_DROPPED_PARAMS = {
    "topics": "topic",
    "kinds": "kind",
    "languages": "language",
    "cost": "cost",
    "accessibility": "accessibility",
}


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


def hit_view(offer: dict[str, Any], tr: Translator, place: str = "") -> HitView:
    """A result row; with a place of residence, offers there say "in <place>" instead of a
    distance."""
    summary = offer.get("summary") or offer.get("description") or ""
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
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
        distance=_distance(offer, tr, place),
        next_date=tr.datetime(next_date) if next_date else "",
        next_date_iso=next_date,
        summary=summary,
        badges=badges,
        publishers=publishers(offer),
    )


def _distance(offer: dict[str, Any], tr: Translator, place: str) -> str:
    approximate = bool(offer.get("distance_approximate"))
    if place and offer.get("place_match") == "in_place" and not approximate:
        return tr.t("result.in_place", place=place)
    distance = offer.get("distance_km")
    if isinstance(distance, (int, float)):
        return tr.km(float(distance), approximate=approximate)
    return ""


def fallback_views(
    fallbacks: list[dict[str, Any]], form: SearchForm, tr: Translator, place: str = ""
) -> list[FallbackView]:
    """The API's fallbacks as marked blocks, each with a link that applies it on this page."""
    out = []
    for item in fallbacks:
        kind = item.get("kind")
        hits = [hit_view(hit, tr, place) for hit in item.get("hits") or []]
        count = int(item.get("total") or 0)
        if kind == "relaxed":
            what = tr.t(f"fallback.dropped.{item.get('dropped')}")
            changed = _without(form, str(item.get("dropped")))
            out.append(
                FallbackView(
                    "relaxed",
                    tr.t("fallback.relaxed", what=what, count=count),
                    hits,
                    _link(changed, tr) if changed else "",
                    tr.t("fallback.relaxed_link", what=what) if changed else "",
                )
            )
        elif kind == "nearby" and item.get("radius_km"):
            km = round(float(item["radius_km"]))
            out.append(
                FallbackView(
                    "nearby",
                    tr.t("fallback.nearby", km=km, count=count),
                    hits,
                    _link(replace(form, km=str(km), page=1), tr),
                    tr.t("fallback.nearby_link", km=km),
                )
            )
        elif kind == "youth_office":
            office = item.get("office") or {}
            heading = (
                tr.t("fallback.office", place=item.get("place", ""), name=office["name"])
                if office.get("name")
                else tr.t("fallback.youth_office", place=item.get("place", ""))
            )
            url = str(office.get("url") or "")
            view = FallbackView("youth_office", heading, hits, office_url=url)
            if url:
                view.link_text = tr.t("fallback.office_link")
            out.append(view)
    return out


def _without(form: SearchForm, dropped: str) -> SearchForm | None:
    """The form without what a relaxed search dropped (None: not a field of this page)."""
    if dropped in _DROPS:
        return replace(form, page=1, **_DROPS[dropped])
    param = _DROPPED_PARAMS.get(dropped)
    if param is None:
        return None
    selected = {**form.selected, param: []}
    return replace(form, page=1, selected=selected)


def _link(form: SearchForm, tr: Translator) -> str:
    return "/?" + urlencode(page_query(form, tr.lang))


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
