"""schema.org JSON-LD → offer input: finding the offer items of a page and mapping their fields.

Pure functions over parsed JSON (no fetching): `find_items` walks arrays, `@graph` and nested
nodes and resolves `@id` references; `map_item` maps Service/GovernmentService, Event (with
`eventSchedule`) and Course/CourseInstance to the offer input with the normaliser's hint keys.
Coordinates outside NRW and postcodes that are not 5 digits are dropped rather than emitted:
they would fail the schema and turn an otherwise good offer into a rejection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin, urlsplit

from connectors.sdk.locations import location_from_text
from connectors.sdk.recurrence import (
    Rule,
    Window,
    clock_time,
    dated,
    day_code,
    day_span,
    frequency,
    parse_when,
    session_from,
    time_span,
    zone_or,
)
from hub.core.languages import parse_language_text
from hub.core.places import resolve_place


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split(" "))


EVENT_TYPES = _names(
    "Event BusinessEvent ChildrensEvent ComedyEvent DanceEvent EducationEvent EventSeries "
    "ExhibitionEvent Festival FoodEvent Hackathon LiteraryEvent MusicEvent SaleEvent "
    "ScreeningEvent SocialEvent SportsEvent TheaterEvent VisualArtsEvent"
)
SERVICE_TYPES = _names(
    "Service GovernmentService FinancialProduct FoodService BroadcastService "
    "CableOrSatelliteService TaxiService WebAPI"
)
OFFER_TYPES = EVENT_TYPES | SERVICE_TYPES | {"Course"}
PROVIDER_KEYS = ("provider", "organizer", "serviceOperator", "offeredBy", "broker")
NON_GERMAN = re.compile(r"^(?!de$|deu$|germany$|deutschland$).+", re.I)


# --- reading JSON-LD values -------------------------------------------------------------------


def types(node: Any) -> set[str]:
    """The node's @type names without a schema.org prefix."""
    raw = node.get("@type", []) if isinstance(node, dict) else []
    names = raw if isinstance(raw, list) else [raw]
    return {re.sub(r"^(https?://schema\.org/|schema:)", "", str(n)) for n in names}


class Graph:
    """All nodes of one page, so `{"@id": …}` references resolve across blocks."""

    def __init__(self, documents: list[Any], page_url: str) -> None:
        self.page_url = page_url
        self.index: dict[str, dict[str, Any]] = {}
        for node in walk(documents):
            if "@id" in node and len(node) > 1:
                self.index.setdefault(str(node["@id"]), node)

    def values(self, node: Any, key: str) -> list[Any]:
        raw = node.get(key) if isinstance(node, dict) else None
        items = raw if isinstance(raw, list) else [] if raw is None else [raw]
        return [self.resolve(item) for item in items]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.index.get(str(value["@id"]), value)
        return value

    def text(self, node: Any, *keys: str) -> str:
        """The first plain text among `keys` (German first where a language is tagged)."""
        for key in keys:
            found = [_plain(v) for v in self.values(node, key)]
            found = [f for f in found if f]
            if found:
                return found[0]
        return ""

    def url(self, value: Any) -> str | None:
        """An absolute http(s) URL from a string or `{"@id": …}`, relative to the page.

        "./" and "." name the page itself (as CMS templates mean it), not its folder.
        """
        raw = value.get("@id") if isinstance(value, dict) else value
        if not isinstance(raw, str) or raw.startswith("_:"):
            return None
        if raw.strip() in {"", ".", "./"}:
            return self.page_url
        absolute = urljoin(self.page_url, raw.strip())
        return absolute if absolute.startswith(("http://", "https://")) else None


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("@value", "")
    return str(value).strip() if isinstance(value, str | int | float) else ""


def walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in `value`, depth first (outside `@context`)."""
    if isinstance(value, list):
        for item in value:
            yield from walk(item)
    elif isinstance(value, dict):
        yield value
        for key, child in value.items():
            if key != "@context":
                yield from walk(child)


def find_items(documents: list[Any], graph: Graph) -> list[dict[str, Any]]:
    """Offer nodes of a page: Service, Event or Course, wherever they are nested.

    Nodes inside an offer node (a Course's instances, a catalogue's services) belong to it.
    """
    found: list[dict[str, Any]] = []
    seen: set[int] = set()

    def visit(value: Any) -> None:
        value = graph.resolve(value)
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict) and id(value) not in seen:
            seen.add(id(value))
            if types(value) & OFFER_TYPES:
                found.append(value)
                return
            for key, child in value.items():
                if key != "@context":
                    visit(child)

    visit(documents)
    return found


# --- mapping ----------------------------------------------------------------------------------


def map_item(node: dict[str, Any], graph: Graph, window: Window) -> dict[str, Any]:
    """The offer input for one Service, Event or Course node."""
    kinds = types(node)
    offer: dict[str, Any] = {
        "title": graph.text(node, "name", "headline") or _service_type(node, graph, kinds),
        "summary": graph.text(node, "disambiguatingDescription", "abstract"),
        "description": graph.text(node, "description", "text"),
        "categories": _categories(node, graph),
    }
    if "Course" in kinds:
        offer["kind"] = "kurs"
        offer.update(_course(node, graph, window))
    elif kinds & EVENT_TYPES:
        offer["kind"] = "veranstaltung"
        offer.update(_event(node, graph, window))
    else:
        offer["kind_text"] = ", ".join(offer["categories"])  # "Erziehungsberatung, Beratung"
        offer.update(_service(node, graph))
    offer.update(_provider(node, graph))
    offer.update(_audience(node, graph))
    offer.update(_cost([node, *_course_instances(node, graph)], graph))
    offer.update(_languages(node, graph))
    offer.update(_area(node, graph))
    return {k: v for k, v in offer.items() if v not in ("", [], None)}


def _service_type(node: Any, graph: Graph, kinds: set[str]) -> str:
    return graph.text(node, "serviceType") if kinds & SERVICE_TYPES else ""


def _categories(node: Any, graph: Graph) -> list[str]:
    labels: list[str] = []
    for key in ("serviceType", "category", "keywords", "genre", "about"):
        for value in graph.values(node, key):
            text = graph.text(value, "name") if isinstance(value, dict) else _plain(value)
            parts = text.split(",") if key == "keywords" else [text]
            labels += [p.strip() for p in parts if p.strip() and "://" not in p]
    return list(dict.fromkeys(labels))


def _event(node: Any, graph: Graph, window: Window) -> dict[str, Any]:
    status = graph.text(node, "eventStatus")
    mode = graph.text(node, "eventAttendanceMode")
    places = _places(graph.values(node, "location"), graph)
    online = places.pop("online", False) or "Online" in mode or "Mixed" in mode
    online = online or "EventMovedOnline" in status
    sessions, texts, ends = _schedules(graph.values(node, "eventSchedule"), graph, window)
    single = session_from(graph.text(node, "startDate"), graph.text(node, "endDate"), window.zone)
    if single and not texts:
        sessions, ends = [single], []
    return {**places, "online": online or None, **dated(sessions, texts, ends)}


def _course_instances(node: Any, graph: Graph) -> list[Any]:
    return [i for i in graph.values(node, "hasCourseInstance") if isinstance(i, dict)]


def _course(node: Any, graph: Graph, window: Window) -> dict[str, Any]:
    sessions: list[dict[str, str]] = []
    texts: list[str] = []
    ends: list[date] | None = []
    locations: list[dict[str, Any]] = []
    online = False
    for instance in _course_instances(node, graph):
        found, said, last = _schedules(graph.values(instance, "courseSchedule"), graph, window)
        single = session_from(
            graph.text(instance, "startDate"), graph.text(instance, "endDate"), window.zone
        )
        sessions += found if said else [single] if single else []
        texts += said
        ends = None if ends is None or last is None else ends + last
        places = _places(graph.values(instance, "location"), graph)
        locations += places.get("locations", [])
        modes = " ".join(_plain(m).lower() for m in graph.values(instance, "courseMode"))
        online = online or bool(places.get("online")) or "online" in modes
    places = {"locations": list({repr(loc): loc for loc in locations}.values())}
    return {**places, "online": online or None, **dated(sessions, texts, ends)}


def _service(node: Any, graph: Graph) -> dict[str, Any]:
    raw = graph.values(node, "location")
    for channel in graph.values(node, "availableChannel"):
        raw += graph.values(channel, "serviceLocation")
    places = _places(raw, graph)
    hours = [_hours(spec, graph) for spec in graph.values(node, "hoursAvailable")]
    return {
        "locations": places.get("locations"),
        "online": places.get("online"),
        "recurrence_text": "; ".join(h for h in hours if h),
    }


def _hours(spec: Any, graph: Graph) -> str:
    """An OpeningHoursSpecification in German: "dienstags, 09:00–11:30 Uhr"."""
    days = [day_code(_plain(d)) for d in graph.values(spec, "dayOfWeek")]
    opens, closes = clock_time(graph.text(spec, "opens")), clock_time(graph.text(spec, "closes"))
    codes = [d for d in days if d and len(d) == 2]
    if not codes or opens is None:
        return ""
    span = f"{opens:%H:%M}–{closes:%H:%M}" if closes else f"ab {opens:%H:%M}"
    return f"{day_span(codes)}, {span} Uhr"


def _schedules(
    schedules: list[Any], graph: Graph, window: Window
) -> tuple[list[dict[str, str]], list[str], list[date] | None]:
    """Sessions of schema.org Schedules inside the window, their wording, and their last days
    (None when one of them goes on without end)."""
    sessions: list[dict[str, str]] = []
    texts: list[str] = []
    ends: list[date] | None = []
    for schedule in schedules:
        if not isinstance(schedule, dict):
            continue
        rule = _rule(schedule, graph, window)
        if rule is None:
            continue
        sessions += rule.sessions(window)
        texts.append(rule.text)
        last = rule.last_day()
        ends = None if ends is None or last is None else [*ends, last]
    return sessions, texts, ends


def _rule(schedule: dict[str, Any], graph: Graph, window: Window) -> Rule | None:
    freq, interval = frequency(graph.text(schedule, "repeatFrequency"))
    byday = [c for c in (day_code(_plain(d)) for d in graph.values(schedule, "byDay")) if c]
    if freq is None:
        if not byday:
            return None
        freq = "WEEKLY"
    zone = zone_or(graph.text(schedule, "scheduleTimezone"), window.zone)
    first = parse_when(graph.text(schedule, "startDate"), zone)
    last = parse_when(graph.text(schedule, "endDate"), zone)
    count = graph.text(schedule, "repeatCount")
    start = clock_time(graph.text(schedule, "startTime")) or time(0)
    excluded = {
        w[0].date()
        for w in (parse_when(_plain(v), zone) for v in graph.values(schedule, "exceptDate"))
        if w
    }
    return Rule(
        freq=freq,
        interval=interval,
        byday=byday,
        bymonthday=[
            int(_plain(d))
            for d in graph.values(schedule, "byMonthDay")
            if _plain(d).lstrip("-").isdigit()
        ],
        bymonth=[int(_plain(m)) for m in graph.values(schedule, "byMonth") if _plain(m).isdigit()],
        first=first[0].date() if first else window.start.astimezone(zone).date(),
        until=last[0].date() if last else None,
        count=int(count) if count.isdigit() else None,
        start=start,
        end=clock_time(graph.text(schedule, "endTime")),
        length=time_span(graph.text(schedule, "duration")),
        zone=zone,
        excluded=excluded,
    )


def _places(values: list[Any], graph: Graph) -> dict[str, Any]:
    """Locations from Place/PostalAddress nodes or text; VirtualLocation means online."""
    locations: list[dict[str, Any]] = []
    online = False
    for value in values:
        if isinstance(value, str):
            if value.startswith(("http://", "https://")):
                online = True
            elif loc := location_from_text(value):
                locations.append(loc)
        elif isinstance(value, dict):
            if "VirtualLocation" in types(value):
                online = True
            elif loc := _place(value, graph):
                locations.append(loc)
    return {"locations": locations, "online": online}


def _place(node: dict[str, Any], graph: Graph) -> dict[str, Any]:
    address = next(iter(graph.values(node, "address")), None)
    if "PostalAddress" in types(node):
        address, node = node, {}
    location: dict[str, Any] = {}
    if isinstance(address, str):
        location = location_from_text(address)
    elif isinstance(address, dict):
        postcode = re.sub(r"^D-?\s*", "", graph.text(address, "postalCode"))
        country = graph.text(address, "addressCountry") or graph.text(
            next(iter(graph.values(address, "addressCountry")), {}), "name"
        )
        location = {
            "street": graph.text(address, "streetAddress"),
            "postcode": postcode
            if re.fullmatch(r"\d{5}", postcode) and not NON_GERMAN.match(country)
            else "",
            "city": graph.text(address, "addressLocality"),
        }
    name = graph.text(node, "name")
    if name:
        location["name"] = name
    geo = next(iter(graph.values(node, "geo")), node)
    lat, lon = _number(graph.text(geo, "latitude")), _number(graph.text(geo, "longitude"))
    if location and lat and lon and 50.0 <= lat <= 52.8 and 5.5 <= lon <= 9.8:
        location.update(lat=lat, lon=lon)
    return {k: v[:300] if isinstance(v, str) else v for k, v in location.items() if v}


def _number(value: str) -> float | None:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


def _provider(node: Any, graph: Graph) -> dict[str, Any]:
    for key in PROVIDER_KEYS:
        for org in graph.values(node, key):
            if isinstance(org, str) and org.strip() and "://" not in org:
                return {"provider": {"name": org.strip()}}
            if not isinstance(org, dict) or "Person" in types(org) or not graph.text(org, "name"):
                continue
            contact: Any = next(iter(graph.values(org, "contactPoint")), {})
            email = graph.text(org, "email") or graph.text(contact, "email")
            provider = {
                "name": graph.text(org, "name"),
                "url": graph.url(next(iter(graph.values(org, "url")), None)),
                "phone": graph.text(org, "telephone") or graph.text(contact, "telephone"),
                "email": email.removeprefix("mailto:"),
            }
            return {"provider": {k: v for k, v in provider.items() if v}}
    return {}


def _audience(node: Any, graph: Graph) -> dict[str, Any]:
    """Audience names, and ages in years as German text ("0–6 Jahre") for the age parser.

    Without explicit ages the names go to `age_text` too: "werdende Eltern" means pregnancy.
    """
    names: list[str] = []
    ages: list[str] = []
    for audience in graph.values(node, "audience"):
        if isinstance(audience, str):
            names.append(audience)
            continue
        names += [graph.text(audience, "audienceType"), graph.text(audience, "name")]
        low = graph.text(audience, "suggestedMinAge", "requiredMinAge")
        high = graph.text(audience, "suggestedMaxAge", "requiredMaxAge")
        if low or high:
            ages.append(f"{low or 0}–{high} Jahre" if high else f"ab {low} Jahren")
    typical = graph.text(node, "typicalAgeRange")
    if typical.endswith("-"):
        ages.append(f"ab {typical[:-1]} Jahren")
    elif typical:
        ages.append(f"{typical} Jahre")
    audience = "; ".join(dict.fromkeys(n for n in names if n))
    return {"audience_text": audience, "age_text": "; ".join(ages) or audience}


def _cost(nodes: list[Any], graph: Graph) -> dict[str, Any]:
    free = any(
        _plain(v).lower() == "true" or v is True
        for n in nodes
        for v in graph.values(n, "isAccessibleForFree")
    )
    prices: list[tuple[Decimal, str]] = []
    texts: list[str] = []
    for node in nodes:
        for offer in graph.values(node, "offers"):
            raw = graph.text(offer, "price", "lowPrice")
            spec: Any = next(iter(graph.values(offer, "priceSpecification")), {})
            raw = raw or graph.text(spec, "price")
            currency = graph.text(offer, "priceCurrency") or graph.text(spec, "priceCurrency")
            try:
                prices.append((Decimal(raw.replace(",", ".")), currency or "EUR"))
            except InvalidOperation:
                texts += [raw] if raw else []
    if free or (prices and all(p == 0 for p, _ in prices)):
        return {"cost": "free"}
    if prices:
        amount, currency = min((p, c) for p, c in prices if p > 0)
        note = f"{amount:.2f}".replace(".", ",") + (" €" if currency == "EUR" else f" {currency}")
        return {"cost": "paid", "cost_note": ("ab " if len(prices) > 1 else "") + note}
    return {"cost_text": "; ".join(texts)}


def _languages(node: Any, graph: Graph) -> dict[str, Any]:
    """ISO 639-1 codes from codes ("de", "de-DE", alternateName) or German language names."""
    raw = graph.values(node, "inLanguage") + graph.values(node, "availableLanguage")
    for channel in graph.values(node, "availableChannel"):
        raw += graph.values(channel, "availableLanguage")
    codes: list[str] = []
    for value in raw:
        texts = [graph.text(value, "alternateName"), graph.text(value, "name")]
        for text in texts if isinstance(value, dict) else [_plain(value)]:
            if re.fullmatch(r"[a-zA-Z]{2}(-\w+)?", text):
                codes.append(text[:2].lower())
                break
            if found := parse_language_text(text):
                codes += found
                break
    return {"languages": list(dict.fromkeys(codes))}


def _area(node: Any, graph: Graph) -> dict[str, Any]:
    """`area_ags` from AGS identifiers or NRW place names; other areas cannot be served here."""
    ags: list[str] = []
    for area in graph.values(node, "areaServed"):
        ident = [graph.text(i, "value") if isinstance(i, dict) else _plain(i)
                 for i in graph.values(area, "identifier")]  # fmt: skip
        names = [area] if isinstance(area, str) else [graph.text(area, "name"), *ident]
        for name in filter(None, names):
            place = resolve_place(name)
            ags += list(place.ags) if place else []
    return {"area_ags": list(dict.fromkeys(ags))}


def same_site(url: str | None, page_url: str) -> bool:
    """Whether `url` is on the page's host (then it may stand for the offer's own page)."""
    return bool(url) and urlsplit(url or "").hostname == urlsplit(page_url).hostname
