"""Open Referral HSDS 3.0: the `/services` API (paged list + full service objects) and the
tabular data package (datapackage.json + CSV tables, assembled in `connectors.hsds_tabular`).

HSDS is the schema ours is aligned with, so most fields map one to one. What does not fit NRW
is dropped rather than rejected: coordinates outside the schema's NRW bounds, postcodes that are
not five digits, service areas without an NRW AGS. Ages in HSDS are years of the person served;
an age above 18 years does not bound a child's age and is left open. `updated_at` is the
service's `last_modified`, else its newest metadata change, else `assured_date`, else a fixed
configured date: never the fetch time, which would give every record a new version every run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import islice
from typing import Any, ClassVar, Literal
from urllib.parse import urlencode, urljoin
from zoneinfo import ZoneInfo

from dateutil import rrule
from pydantic import Field

from connectors import hsds_tabular as tabular
from connectors.hsds_tabular import as_list, as_number, as_text, parse_json
from connectors.sdk.base import Connector, ConnectorConfig, Cursor, FetchGenerator, RawRecord
from connectors.sdk.paging import (
    DEFAULT_RETRY,
    RetryPolicy,
    error_status,
    get_first_page,
    get_with_retry,
    numbered_pages,
)
from connectors.sdk.recurrence import describe_recurrence
from hub.core.errors import PermanentFetchError, RecordError
from hub.core.fetcher import FetchResponse
from hub.core.languages import parse_language_text
from hub.core.vocab import vocabulary

INACTIVE = {"inactive", "defunct"}
MAX_CHILD_MONTHS = 216
MAX_SESSIONS = 200
NRW_LAT, NRW_LON = (50.0, 52.8), (5.5, 9.8)
AGS_IN_TEXT = re.compile(r"(?<!\d)(05\d{6})(?!\d)|(?<!\d)(05\d{3})\d{4}(\d{3})(?!\d)")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
Freq = Literal[0, 1, 2, 3, 4, 5, 6]  # dateutil's YEARLY … SECONDLY
FREQS: dict[str, Freq] = {"WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY}
ACCESSIBILITY_EN = {
    "wheelchair": "wheelchair",
    "sign language": "sign_language",
    "easy read": "easy_language",
    "pushchair": "stroller_access",
}


class HsdsConfig(ConnectorConfig):
    """Where the HSDS data lives and how to read it."""

    form: Literal["api", "datapackage"] = Field(
        "api",
        description="api: `url` is the API base (…/services below it); datapackage: "
        "`url` is the datapackage.json of the CSV tables.",
    )
    per_page: int = Field(100, ge=1, le=1000, description="Services per list page (API form).")
    full_listing: bool = Field(
        False,
        description="Ask the list for full services (`full=true`) instead of one "
        "`/services/{id}` request per service; only if the API supports it.",
    )
    url_template: str | None = Field(
        None,
        description="Offer page for services without url, e.g. "
        "'https://www.kreis-x.de/angebote/{id}'; else the organisation's website is used.",
    )
    default_timezone: str = Field(
        "Europe/Berlin",
        description="Zone of schedule times without offset (HSDS says UTC; "
        "German publishers write local time).",
    )
    fallback_updated_at: datetime = Field(
        datetime(2000, 1, 1, tzinfo=UTC),
        description="Stable modification time of services "
        "without last_modified, metadata or assured_date (a fetch time would change every run).",
    )


class HsdsConnector(Connector[HsdsConfig]):
    """Reads HSDS 3.0 services from the API or from a tabular data package."""

    kind: ClassVar[str] = "hsds"
    config_model: ClassVar[type[ConnectorConfig]] = HsdsConfig
    supports_incremental: ClassVar[bool] = True
    retry: RetryPolicy = DEFAULT_RETRY

    def fetch(self, cursor: Cursor) -> FetchGenerator:
        """Yield every service (inactive/defunct ones as deletions); return the next cursor."""
        if self.config.form == "api":
            return (yield from self._fetch_api(cursor))
        url = str(self.config.url)
        services, next_cursor = tabular.load_services(self.fetcher, url, cursor, self.retry)
        for service in services:
            yield service_record(service, url)
        return next_cursor

    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        """Map one full HSDS service object to the common schema's input."""
        return service_to_offer(record.payload, self.config)

    def _fetch_api(self, cursor: Cursor) -> FetchGenerator:
        """Page through `/services`; `modified_after` from the cursor makes it incremental."""
        since = cursor.position.get("modified_after")
        first = get_first_page(self.fetcher, self._list_url(1, since), cursor, retry=self.retry)
        if first.not_modified:
            return cursor.unchanged()
        newest, pages = _parse_datetime(since), 0
        for response in numbered_pages(
            self.fetcher,
            lambda n: self._list_url(n, since),
            _total_pages,
            first=first,
            retry=self.retry,
        ):
            pages += 1
            for item in _contents(response):
                service = item if self._is_full(item) else self._detail(item)
                if service is not None:
                    record = service_record(service, response.url)
                    stamps = [s for s in (newest, record.updated_at) if s]
                    newest = max(stamps, default=None)
                    yield record
        # validators of page 1 say nothing about later pages: keep them only for one-page feeds
        return Cursor(
            etag=first.headers.get("etag") if pages == 1 else None,
            last_modified=first.headers.get("last-modified") if pages == 1 else None,
            position={"modified_after": newest.isoformat()} if newest else {},
            not_modified=False,
        )

    def _list_url(self, page: int, since: str | None) -> str:
        params: dict[str, Any] = {"page": page, "per_page": self.config.per_page}
        if self.config.full_listing:
            params["full"] = "true"
        if since:
            params["modified_after"] = since
        return urljoin(self._base(), "services") + "?" + urlencode(params)

    def _base(self) -> str:
        return str(self.config.url).rstrip("/") + "/"

    def _is_full(self, item: Mapping[str, Any]) -> bool:
        return self.config.full_listing or "service_at_locations" in item

    def _detail(self, item: Mapping[str, Any]) -> dict[str, Any] | None:
        """The full service; None when it vanished between list and detail request."""
        url = urljoin(self._base(), f"services/{item.get('id')}")
        try:
            body = parse_json(get_with_retry(self.fetcher, url, retry=self.retry))
        except PermanentFetchError as exc:
            if error_status(exc) in {404, 410}:
                return None
            raise
        if not isinstance(body, dict):
            raise tabular.bad_shape(url, "ein Service-Objekt")
        return body


def service_record(service: Mapping[str, Any], source_url: str) -> RawRecord:
    """One raw record per service; inactive and defunct services are reported as deleted."""
    return RawRecord(
        local_id=as_text(service.get("id")),
        payload=service,
        updated_at=_parse_datetime(service.get("last_modified")),
        source_url=source_url,
        deleted=as_text(service.get("status")).lower() in INACTIVE,
    )


def _contents(response: FetchResponse) -> list[dict[str, Any]]:
    body = parse_json(response)
    items = body.get("contents") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise tabular.bad_shape(response.url, "eine Seitenliste mit „contents“")
    return [item for item in items if isinstance(item, dict)]


def _total_pages(response: FetchResponse) -> int | None:
    body = parse_json(response)
    total = body.get("total_pages") if isinstance(body, dict) else None
    return int(total) if isinstance(total, int | float) else None


# --- mapping ---------------------------------------------------------------------------------


def service_to_offer(service: Mapping[str, Any], config: HsdsConfig) -> dict[str, Any]:
    """The offer input for one full HSDS 3.0 service (API object or assembled CSV rows)."""
    title = as_text(service.get("name"))
    if not title:
        raise RecordError(
            "service without name",
            code="missing_title",
            message_de="Der Service hat keinen Namen (Feld „name“).",
        )
    org = service.get("organization")
    org = org if isinstance(org, dict) else {}
    locations = [
        loc for loc in _service_locations(service) if loc.get("location_type") != "virtual"
    ]
    languages, signing = _languages(service)
    schedules = _schedules(service)
    offer: dict[str, Any] = {
        "title": title,
        "url": _offer_url(service, org, config),
        "description": _description(service),
        "categories": _categories(service),
        "locations": [_location(loc) for loc in locations],
        "online": len(locations) < len(_service_locations(service)),
        "area_ags": _area_ags(service),
        "accessibility": sorted(set(_accessibility(service)) | signing),
        "recurrence_text": _cap(
            " | ".join(dict.fromkeys(filter(None, map(_schedule_text, schedules))))
        ),
        "dates": _sessions(schedules, config.default_timezone),
        "updated_at": _updated_at(service, config),
        **_ages(service),
        **_cost(service),
    }
    if languages:
        offer["languages"] = languages
    if eligibility := as_text(service.get("eligibility_description")):
        offer.update(age_text=eligibility, audience_text=eligibility)  # hints; numbers win
    if org.get("name"):
        offer["provider"] = _provider(org)
    return offer


def _offer_url(service: Mapping[str, Any], org: Mapping[str, Any], config: HsdsConfig) -> str:
    if url := as_text(service.get("url")):
        return url
    if config.url_template:
        return config.url_template.format(id=as_text(service.get("id")))
    if url := as_text(org.get("website")) or as_text(org.get("uri")):
        return url
    raise RecordError(
        "service without url",
        code="missing_url",
        message_de="Der Service hat keine Web-Adresse (Feld „url“) und die "
        "Organisation keine Website.",
    )


def _description(service: Mapping[str, Any]) -> str:
    parts = [as_text(service.get("description"))]
    for key, label in (
        ("eligibility_description", "Für wen"),
        ("application_process", "Zugang"),
        ("alert", "Hinweis"),
    ):
        if value := as_text(service.get(key)):
            parts.append(f"{label}: {value}")
    return "\n\n".join(p for p in parts if p)


def _ages(service: Mapping[str, Any]) -> dict[str, int]:
    """Years → months; an age above 18 years does not bound a child's age and stays open."""
    ages: dict[str, int] = {}
    for key, target in (("minimum_age", "age_min_months"), ("maximum_age", "age_max_months")):
        years = as_number(service.get(key))
        if years is not None and 0 <= years * 12 <= MAX_CHILD_MONTHS:
            ages[target] = round(years * 12)
    return ages


def _cost(service: Mapping[str, Any]) -> dict[str, str]:
    """Structured cost options decide; else the fee text is a hint for the normaliser."""
    options = as_list(service, "cost_options")
    amounts = [a for a in (as_number(o.get("amount")) for o in options) if a is not None]
    fees = as_text(service.get("fees_description")) or as_text(service.get("fees"))
    note = "\n".join(filter(None, [fees, *(_cost_line(o) for o in options)]))
    if not amounts:
        return {"cost_text": note} if note else {}
    return {"cost": "paid" if any(a > 0 for a in amounts) else "free", "cost_note": _cap(note)}


def _cost_line(option: Mapping[str, Any]) -> str:
    """'Teilnahme: 12,50 €' style; an option without currency keeps the bare amount."""
    amount = as_number(option.get("amount"))
    price = ""
    if amount is not None:
        currency = as_text(option.get("currency")).upper()
        number = f"{amount:.2f}".replace(".", ",").removesuffix(",00")
        price = f"{number} {'€' if currency == 'EUR' else currency}".strip()
    head = ": ".join(filter(None, [as_text(option.get("option")), price]))
    extra = as_text(option.get("amount_description"))
    return f"{head} ({extra})" if head and extra else head or extra


def _languages(service: Mapping[str, Any]) -> tuple[list[str], set[str]]:
    """ISO 639-1 codes of service and location languages; sign languages are accessibility."""
    codes: list[str] = []
    signing: set[str] = set()
    entries = as_list(service, "languages") + [
        lang for loc in _service_locations(service) for lang in as_list(loc, "languages")
    ]
    for entry in entries:
        name, code = as_text(entry.get("name")), as_text(entry.get("code"))
        if "sign" in name.lower() or "gebärden" in name.lower():
            signing.add("sign_language")
        else:  # one entry at a time: a code ("tur") or a name ("Türkisch", "Arabic")
            codes += parse_language_text(code.split("-")[0]) or parse_language_text(name)
    return list(dict.fromkeys(codes)), signing


def _service_locations(service: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        sal["location"]
        for sal in as_list(service, "service_at_locations")
        if isinstance(sal.get("location"), dict)
    ]


def _location(loc: Mapping[str, Any]) -> dict[str, Any]:
    """Name, street, city; a postcode only if German-shaped, lat/lon only inside NRW."""
    addresses = as_list(loc, "addresses")
    address = next(
        (a for a in addresses if a.get("address_type") == "physical"),
        addresses[0] if addresses else {},
    )
    result: dict[str, Any] = {
        "name": as_text(loc.get("name")) or None,
        "street": as_text(address.get("address_1")) or None,
        "city": as_text(address.get("city")) or None,
    }
    postcode = as_text(address.get("postal_code"))
    if re.fullmatch(r"\d{5}", postcode) and as_text(address.get("country")).upper() in {"", "DE"}:
        result["postcode"] = postcode
    lat, lon = as_number(loc.get("latitude")), as_number(loc.get("longitude"))
    if lat is not None and lon is not None and _in_nrw(lat, lon):
        result.update(lat=lat, lon=lon)
    return {k: v for k, v in result.items() if v is not None}


def _in_nrw(lat: float, lon: float) -> bool:
    return NRW_LAT[0] <= lat <= NRW_LAT[1] and NRW_LON[0] <= lon <= NRW_LON[1]


def _area_ags(service: Mapping[str, Any]) -> list[str]:
    """NRW municipality keys (AGS, or a 12-digit ARS) named in a service area; others ignored."""
    found: list[str] = []
    for area in as_list(service, "service_areas"):
        text = " ".join(as_text(area.get(k)) for k in ("name", "uri", "description", "extent"))
        found += [ags or head + tail for ags, head, tail in AGS_IN_TEXT.findall(text)]
    return list(dict.fromkeys(found))


def _accessibility(service: Mapping[str, Any]) -> list[str]:
    codes: list[str] = []
    for loc in _service_locations(service):
        for entry in as_list(loc, "accessibility"):
            text = " ".join(as_text(entry.get(k)) for k in ("description", "details"))
            codes += vocabulary("accessibility").match(text)
            codes += [code for word, code in ACCESSIBILITY_EN.items() if word in text.lower()]
    return codes


def _categories(service: Mapping[str, Any]) -> list[str]:
    terms = [
        a["taxonomy_term"]
        for a in as_list(service, "attributes")
        if isinstance(a.get("taxonomy_term"), dict)
    ]
    names = [as_text(t.get("name")) or as_text(t.get("term")) for t in terms]
    return list(dict.fromkeys(n for n in names if n))


def _provider(org: Mapping[str, Any]) -> dict[str, Any]:
    phones = as_list(org, "phones")
    provider = {
        "name": as_text(org.get("name")),
        "url": as_text(org.get("website")),
        "email": as_text(org.get("email")),
        "phone": as_text(phones[0].get("number")).strip('"') if phones else "",
    }
    return {k: v for k, v in provider.items() if v}


def _updated_at(service: Mapping[str, Any], config: HsdsConfig) -> datetime:
    """last_modified, else the newest metadata change, else assured_date, else the config's."""
    if stamp := _parse_datetime(service.get("last_modified")):
        return stamp
    changes = [_parse_datetime(m.get("last_action_date")) for m in as_list(service, "metadata")]
    if dated := [c for c in changes if c]:
        return max(dated)
    return _parse_datetime(service.get("assured_date")) or config.fallback_updated_at


# --- schedules (RFC 5545 parts of HSDS `schedule`) -------------------------------------------


def _schedules(service: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The service's own schedules and those of its service-at-location links, once each."""
    found = as_list(service, "schedules") + [
        s for sal in as_list(service, "service_at_locations") for s in as_list(sal, "schedules")
    ]
    return list({as_text(s.get("id")) or str(i): s for i, s in enumerate(found)}.values())


def _schedule_text(schedule: Mapping[str, Any]) -> str:
    """German reading of one schedule, worded like the iCal connector's, plus its notes."""
    freq = as_text(schedule.get("freq")).upper()
    opens, closes = _clock_time(schedule.get("opens_at")), _clock_time(schedule.get("closes_at"))
    rule = ""
    if freq in FREQS:
        days = [d.strip().upper() for d in as_text(schedule.get("byday")).split(",") if d.strip()]
        monthdays = _month_days(schedule) or []
        interval = int(as_number(schedule.get("interval")) or 1)
        rule = describe_recurrence(
            freq, interval, days, monthdays if freq == "MONTHLY" else [], opens, closes
        )
    elif opens:
        rule = f"{opens:%H:%M}–{closes:%H:%M} Uhr" if closes else f"ab {opens:%H:%M} Uhr"
    return " – ".join(filter(None, [rule, as_text(schedule.get("description"))]))


def _sessions(schedules: list[dict[str, Any]], default_zone: str) -> list[dict[str, str]]:
    """Concrete dates: a dtstart without rule, or a rule bounded by until/count; capped."""
    starts: dict[datetime, timedelta | None] = {}
    for schedule in schedules:
        day, opens = _parse_date(schedule.get("dtstart")), _clock_time(schedule.get("opens_at"))
        if day is None or opens is None:
            continue
        closes = _clock_time(schedule.get("closes_at"))
        # an offset written into opens_at wins, then the schedule's `timezone` (UTC offset)
        hours = as_number(schedule.get("timezone"))
        zone = opens.tzinfo or (
            timezone(timedelta(hours=hours)) if hours is not None else ZoneInfo(default_zone)
        )
        first = datetime.combine(day, opens.replace(tzinfo=None), tzinfo=zone)
        end = datetime.combine(day, closes.replace(tzinfo=None), tzinfo=zone) if closes else None
        for start in _occurrences(schedule, first):
            starts[start] = end - first if end and end > first else None
    return [
        {"start": s.isoformat(), **({"end": (s + d).isoformat()} if d else {})}
        for s, d in sorted(starts.items())[:MAX_SESSIONS]
    ]


def _occurrences(schedule: Mapping[str, Any], first: datetime) -> list[datetime]:
    freq = FREQS.get(as_text(schedule.get("freq")).upper())
    if freq is None:
        return [first]
    until, count = _parse_date(schedule.get("until")), as_number(schedule.get("count"))
    if until is None and not count:
        return []  # open-ended: the recurrence text says it, dates would be invented
    days = [_weekday(d) for d in as_text(schedule.get("byday")).split(",") if d.strip()]
    rule = rrule.rrule(
        freq,
        dtstart=first,
        interval=int(as_number(schedule.get("interval")) or 1),
        byweekday=[d for d in days if d is not None] or None,
        bymonthday=_month_days(schedule) if freq == rrule.MONTHLY else None,
        until=datetime.combine(until, time.max, tzinfo=first.tzinfo) if until else None,
        count=None if until else int(count or 0),
    )
    return list(islice(rule, MAX_SESSIONS))


def _month_days(schedule: Mapping[str, Any]) -> list[int] | None:
    days = [int(d) for d in re.findall(r"-?\d+", as_text(schedule.get("bymonthday")))]
    return [d for d in days if d and -31 <= d <= 31] or None


def _weekday(token: str) -> rrule.weekday | None:
    found = re.fullmatch(r"([+-]?\d+)?([A-Z]{2})", token.strip().upper())
    if not found or found.group(2) not in WEEKDAYS:
        return None
    day = rrule.weekday(WEEKDAYS.index(found.group(2)))
    return day(int(found.group(1))) if found.group(1) else day


def _clock_time(value: object) -> time | None:
    """'10:00', '10:00:00', '14:00+01:00' or '10:00Z'; aware when an offset is written."""
    try:
        return time.fromisoformat(as_text(value))
    except ValueError:
        return None


def _parse_date(value: object) -> date | None:
    try:
        return date.fromisoformat(as_text(value)[:10])
    except ValueError:
        return None


def _parse_datetime(value: object) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(as_text(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _cap(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
