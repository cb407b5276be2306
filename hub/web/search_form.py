"""The citizen search form: page query string → validated form state → search API parameters.

The form speaks the parents' terms (age in months or years, "we are expecting", a place typed as
they know it); the API speaks codes. Facet groups and fields appear only for parameters the
running API accepts, so the page never sends a filter that would be silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.core.places import Place, resolve_place
from hub.web.api_client import Params

PAGE_SIZE = 10
MAX_AGE_MONTHS = 216
# facet key in the API answer → (query parameter, vocabulary for labels)
FACETS: dict[str, tuple[str, str]] = {
    "topics": ("topic", "topics"),
    "kind": ("kind", "kinds"),
    "kinds": ("kind", "kinds"),
    "age_groups": ("age_group", "age_groups"),
    "languages": ("language", "languages"),
    "cost": ("cost", "costs"),
    "accessibility": ("accessibility", "accessibility"),
    "online": ("online", "online"),
}
MULTI = ("topic", "kind", "age_group", "language", "cost", "accessibility")
SORTS = ("relevance", "distance", "next_date")
RADIUS_CHOICES = (5, 10, 15, 25, 50, 100)
"""Radii offered around the place of residence (km); the API's default is 15."""
DEFAULT_RADIUS = 15
MIN_RADIUS, MAX_RADIUS = 1, 100


@dataclass
class SearchForm:
    """What the citizen entered, kept to re-render the form, plus the problems found in it."""

    q: str = ""
    place: str = ""
    km: str = ""
    age: str = ""
    age_unit: str = "y"
    pregnancy: bool = False
    online: str = ""
    sort: str = "relevance"
    page: int = 1
    selected: dict[str, list[str]] = field(default_factory=dict)
    resolved: Place | None = None
    errors: dict[str, str] = field(default_factory=dict)  # form field → catalogue key

    @property
    def radius(self) -> int:
        """The chosen radius in km (the default when none or an invalid one was given)."""
        if not self.km or "km" in self.errors:
            return DEFAULT_RADIUS
        return int(self.km)

    @property
    def radius_choices(self) -> list[int]:
        """The select's choices, with a radius from a link kept even when not a standard one."""
        return sorted({*RADIUS_CHOICES, self.radius})

    @property
    def age_months(self) -> int | None:
        if not self.age or "age" in self.errors:
            return None
        value = int(self.age)
        return value * 12 if self.age_unit == "y" else value

    def is_selected(self, param: str, code: str) -> bool:
        if param == "online":
            return self.online == code
        return code in self.selected.get(param, [])

    @property
    def active_filters(self) -> int:
        """How many filters of the filter panel are set (shown on its collapsed summary)."""
        chosen = sum(len(values) for values in self.selected.values())
        return (
            chosen
            + bool(self.age)
            + self.pregnancy
            + bool(self.online)
            + (self.sort != "relevance")
        )

    @property
    def active(self) -> bool:
        """Whether anything was asked at all (an empty form still lists every offer)."""
        return bool(self.q or self.place or self.age or self.pregnancy or self.online) or any(
            self.selected.values()
        )


def parse_form(items: list[tuple[str, str]]) -> SearchForm:
    """Read the page's query string; invalid entries become errors, never exceptions."""
    raw: dict[str, list[str]] = {}
    for key, value in items:
        raw.setdefault(key, []).append(value.strip())
    first = {key: values[0] for key, values in raw.items()}
    form = SearchForm(
        q=first.get("q", "")[:200],
        place=first.get("place", "")[:100],
        km=first.get("km", "")[:10],
        age=first.get("age", ""),
        age_unit="m" if first.get("age_unit") == "m" else "y",
        pregnancy=first.get("pregnancy") in ("1", "true", "on"),
        online=first.get("online", "") if first.get("online") in ("true", "false") else "",
        sort=first.get("sort", "relevance") if first.get("sort") in SORTS else "relevance",
        selected={p: [v for v in raw.get(p, []) if v][:20] for p in MULTI},
    )
    form.page = _page(first.get("page", "1"))
    _check_age(form)
    _check_km(form)
    if form.place:
        form.resolved = resolve_place(form.place)
        if form.resolved is None:
            form.errors["place"] = "error.place_unknown"
    return form


def _page(text: str) -> int:
    return max(1, min(int(text), 500)) if text.isdigit() else 1


def _check_km(form: SearchForm) -> None:
    if not form.km:
        return
    if not form.km.isdigit() or not MIN_RADIUS <= int(form.km) <= MAX_RADIUS:
        form.errors["km"] = "error.km_invalid"


def _check_age(form: SearchForm) -> None:
    if not form.age:
        return
    if not form.age.isdigit():
        form.errors["age"] = "error.age_invalid"
        return
    months = int(form.age) * (12 if form.age_unit == "y" else 1)
    if months > MAX_AGE_MONTHS:
        form.errors["age"] = "error.age_invalid"


def api_params(form: SearchForm, accepted: frozenset[str]) -> Params:
    """Search API parameters for the form, using only what the API accepts."""
    params: Params = [("size", str(PAGE_SIZE)), ("page", str(form.page))]
    if form.q:
        params.append(("q", form.q))
    params += _place_params(form, accepted)
    if form.age_months is not None:
        params.append(("age_months", str(form.age_months)))
    if form.pregnancy:
        params += _pregnancy_params(accepted)
    for param, values in form.selected.items():
        if param in accepted:
            params += [(param, value) for value in values]
    if form.online and "online" in accepted:
        params.append(("online", form.online))
    if form.sort != "relevance" and "sort" in accepted:
        params.append(("sort", form.sort))
    return [(k, v) for k, v in params if k in accepted]


def _place_params(form: SearchForm, accepted: frozenset[str]) -> Params:
    if form.resolved is None:
        return []
    if "place" in accepted:
        radius = [("km", str(form.radius))] if form.km and "km" in accepted else []
        return [("place", form.place), *radius]
    return [("ags", ags) for ags in form.resolved.ags]


def _pregnancy_params(accepted: frozenset[str]) -> Params:
    if "pregnancy" in accepted:
        return [("pregnancy", "true")]
    if "age_group" in accepted:
        return [("age_group", "schwangerschaft")]
    return [("topic", "schwangerschaft_geburt")]


def page_query(form: SearchForm, lang: str, page: int | None = None) -> Params:
    """The page's own query string for links (paging, "Meinten Sie", language switch)."""
    items: Params = [("lang", lang)]
    for key in ("q", "place", "km", "age"):
        value = getattr(form, key)
        if value:
            items.append((key, value))
    if form.age:
        items.append(("age_unit", form.age_unit))
    if form.pregnancy:
        items.append(("pregnancy", "1"))
    if form.online:
        items.append(("online", form.online))
    if form.sort != "relevance":
        items.append(("sort", form.sort))
    for param, values in form.selected.items():
        items += [(param, value) for value in values]
    if page and page > 1:
        items.append(("page", str(page)))
    return items
