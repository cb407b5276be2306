"""TYPO3 sites with EXT:headless: news lists, offer pages, and event lists (see
docs/connectors/typo3.md for the exact JSON shapes covered).

EXT:headless renders pages as JSON; plugins appear as content elements whose `content.data`
holds the plugin's JSON (EXT:headless_news: `{"list": [...], "pagination": {...}}`). The list is
found wherever it sits, so the URL may be the page or a bare plugin endpoint. TYPO3 offers no
modified-since filter: every run is a full run, made cheap by conditional GET where possible.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Literal
from urllib.parse import urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo

from pydantic import AnyHttpUrl, Field

from connectors.sdk.base import Connector, ConnectorConfig, Cursor, FetchGenerator, RawRecord
from connectors.sdk.locations import location_from_text
from connectors.sdk.paging import (
    DEFAULT_RETRY,
    RetryPolicy,
    error_status,
    get_first_page,
    get_with_retry,
    next_link_pages,
)
from hub.core.errors import PermanentFetchError, RecordError
from hub.core.fetcher import FetchResponse

Json = dict[str, Any]
Shape = Literal["headless_news", "headless_page", "sf_event_mgt", "calendarize"]
LIST_KEYS: dict[str, tuple[str, ...]] = {
    "headless_news": ("list",),
    "sf_event_mgt": ("events", "list"),
    "calendarize": ("indices", "events", "list"),
}
TEXT_TYPES = {"text", "textpic", "textmedia", "bullets", "header", "html"}
NRW_LAT, NRW_LON = (50.0, 52.8), (5.5, 9.8)


class Typo3Config(ConnectorConfig):
    """Which TYPO3 output `url` points to and how to read it."""

    shape: Shape = Field(description="headless_news | headless_page | sf_event_mgt | calendarize")
    site_url: AnyHttpUrl | None = Field(
        None,
        description="Public site for offer links when the JSON is served from another "
        "host (headless frontend); default: scheme and host of `url`.",
    )
    fetch_detail: bool = Field(
        False, description="headless_news: read each news detail JSON for the full bodytext."
    )
    page_parameter: str = Field(
        "tx_news_pi1[currentPage]",
        description="Query parameter of the older `{current, numberOfPages}` pagination.",
    )
    default_timezone: str = Field("Europe/Berlin", description="Zone of dates without offset.")
    fallback_updated_at: datetime = Field(
        datetime(2000, 1, 1, tzinfo=UTC),
        description="Stable modification time for records and pages without tstamp or "
        "Last-Modified (a fetch time would change every run).",
    )


class Typo3Connector(Connector[Typo3Config]):
    """Reads offers from TYPO3 EXT:headless JSON."""

    kind: ClassVar[str] = "typo3"
    config_model: ClassVar[type[ConnectorConfig]] = Typo3Config
    retry: RetryPolicy = DEFAULT_RETRY

    def fetch(self, cursor: Cursor) -> FetchGenerator:
        """Yield one record per news item, page or event; return HTTP validators if safe."""
        first = get_first_page(self.fetcher, str(self.config.url), cursor, retry=self.retry)
        if first.not_modified:
            return cursor.unchanged()
        if self.config.shape == "headless_page":
            yield from self._pages(first)
            return Cursor(not_modified=False)  # sub-pages change without the overview changing
        pages = 0
        for response in next_link_pages(self.fetcher, first, self._next_url, retry=self.retry):
            pages += 1
            yield from self._list_records(response)
        single = pages == 1 and not self.config.fetch_detail
        return Cursor(
            etag=first.headers.get("etag") if single else None,
            last_modified=first.headers.get("last-modified") if single else None,
            not_modified=False,
        )

    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        """Map a news item, page or event (as fetched) to the common schema's input."""
        item = dict(record.payload["item"])
        mapper = {
            "headless_news": self._news,
            "headless_page": self._page,
            "sf_event_mgt": self._sf_event,
            "calendarize": self._calendarize,
        }
        offer = mapper[self.config.shape](item)
        if not offer.get("title"):
            raise RecordError(
                "record without title",
                code="missing_title",
                message_de="Der Eintrag hat keinen Titel.",
            )
        offer["updated_at"] = self._updated(item, record.payload.get("last_modified"))
        return offer

    # --- fetching ----------------------------------------------------------------------------

    def _list_records(self, response: FetchResponse) -> Iterator[RawRecord]:
        items = _items(_block(parse_json(response), LIST_KEYS[self.config.shape]), response.url)
        if self.config.shape == "calendarize":
            items = _group_indices(items)
        for item in items:
            if self.config.shape == "headless_news" and self.config.fetch_detail:
                item = {**item, **self._news_detail(item)}
            uid = _text(item.get("uid") or item.get("id"))
            yield RawRecord(
                local_id=uid,
                payload={"item": item},
                source_url=response.url,
                updated_at=_when(item.get("tstamp"), self._zone()),
            )

    def _news_detail(self, item: Json) -> Json:
        url = _api_url(str(self.config.url), item.get("slug"))
        if not url:
            return {}
        response = self._get_linked(url)
        block = _block(parse_json(response), ("detail",)) if response else None
        detail = block.get("detail") if block else None
        return detail if isinstance(detail, dict) else {}

    def _pages(self, overview: FetchResponse) -> Iterator[RawRecord]:
        """One record per page linked from the overview's menu content elements."""
        links = [_text(item.get("link")) for item in _menu_items(parse_json(overview))]
        for link in dict.fromkeys(link for link in links if link):
            url = self._absolute(link)
            response = self._get_linked(_api_url(overview.url, link))
            if response is None:
                continue  # a menu link to a page that is gone: it leaves the index
            page = parse_json(response)
            meta = _object(page, "page") or page
            modified = response.headers.get("last-modified")
            yield RawRecord(
                local_id=_text(meta.get("id")) or link,
                payload={"item": {**page, "_url": url}, "last_modified": modified},
                source_url=response.url,
                updated_at=_http_date(modified),
            )

    def _get_linked(self, url: str) -> FetchResponse | None:
        """A linked page or detail; None when it answers 404/410 (removed or not public)."""
        try:
            return get_with_retry(self.fetcher, url, retry=self.retry)
        except PermanentFetchError as exc:
            if error_status(exc) in {404, 410}:
                return None
            raise

    def _next_url(self, response: FetchResponse) -> str | None:
        """`pagination.next` (newer headless_news) or current < numberOfPages (older)."""
        block = _block(parse_json(response), LIST_KEYS.get(self.config.shape, ("list",)))
        paging = block.get("pagination") if block else None
        if not isinstance(paging, dict):
            return None
        if _text(paging.get("next")):
            return urljoin(response.url, _text(paging.get("next")))
        current, total = paging.get("current"), paging.get("numberOfPages")
        if isinstance(current, int) and isinstance(total, int) and current < total:
            glue = "&" if "?" in str(self.config.url) else "?"
            query = urlencode({self.config.page_parameter: current + 1})
            return f"{self.config.url}{glue}{query}"
        return None

    # --- mapping -----------------------------------------------------------------------------

    def _news(self, item: Json) -> Json:
        categories = _titles(item.get("categories")) + _titles(item.get("tags"))
        return {
            "title": _text(item.get("title")),
            "url": self._required_url(item.get("slug")),
            "summary": _text(item.get("teaser")),
            "description": _text(item.get("bodytext")),
            "categories": categories,
            "kind_text": ", ".join(categories),
        }

    def _page(self, item: Json) -> Json:
        page = _object(item, "page") or item  # EXT:headless 2.x/3.x nest the page record
        meta = _object(page, "meta")
        title = _text(meta.get("title")) or _text(page.get("title"))
        elements = [e for e in _elements(item) if e.get("type") in TEXT_TYPES]
        texts = [_element_text(e, title) for e in elements]
        categories = [c.strip() for c in _text(page.get("categories")).split(",") if c.strip()]
        return {
            "title": title,
            "url": _text(item.get("_url")),
            "summary": _text(meta.get("abstract")) or _text(meta.get("description")),
            "description": "\n\n".join(t for t in texts if t),
            "categories": categories,
            "kind_text": ", ".join(categories),
        }

    def _sf_event(self, item: Json) -> Json:
        start, end = (
            _when(item.get("startdate"), self._zone()),
            _when(item.get("enddate"), self._zone()),
        )
        categories = _titles(item.get("category")) or _titles(item.get("categories"))
        offer: Json = {
            "title": _text(item.get("title")),
            "url": self._required_url(item.get("slug") or item.get("url") or item.get("link")),
            "summary": _text(item.get("teaser")),
            "description": "\n\n".join(
                filter(None, [_text(item.get("description")), _text(item.get("program"))])
            ),
            "categories": categories,
            "kind_text": ", ".join([*categories, "Veranstaltung"]),
            "dates": [_session(start, end)] if start else [],
            "locations": [_sf_location(item.get("location"), _text(item.get("room")))],
            "registration_required": bool(item.get("enableRegistration")),
        }
        price = item.get("price")
        if isinstance(price, int | float) and price > 0:
            currency = _text(item.get("currency")) or "€"
            offer.update(cost="paid", cost_note=f"{price:.2f}".replace(".", ",") + f" {currency}")
        if isinstance(item.get("organisator"), dict) and item["organisator"].get("name"):
            org = item["organisator"]
            offer["provider"] = {
                k: _text(org.get(k)) for k in ("name", "email", "phone") if _text(org.get(k))
            }
        offer["locations"] = [loc for loc in offer["locations"] if loc]
        return offer

    def _calendarize(self, item: Json) -> Json:
        event = _object(item, "event")
        location = location_from_text(_text(event.get("location")))
        categories = _titles(event.get("categories"))
        return {
            "title": _text(event.get("title")),
            "url": self._required_url(item.get("slug") or item.get("url")),
            "summary": _text(event.get("abstract")),
            "description": _text(event.get("description")),
            "categories": categories,
            "kind_text": ", ".join([*categories, "Veranstaltung"]),
            "dates": [self._index_session(i) for i in item.get("indices", [])],
            "locations": [location] if location else [],
        }

    def _index_session(self, index: Json) -> dict[str, str]:
        """Calendarize index: startDate/endDate days with startTime/endTime in seconds."""
        zone = self._zone()
        day = _when(index.get("startDate"), zone) or datetime(1970, 1, 1, tzinfo=zone)
        last = _when(index.get("endDate"), zone) or day
        if index.get("allDay"):
            return _session(datetime.combine(day.date(), time(0), zone), None)
        start = _at(day.date(), index.get("startTime"), zone)
        end = _at(last.date(), index.get("endTime"), zone) if not index.get("openEndTime") else None
        return _session(start, end)

    # --- helpers -----------------------------------------------------------------------------

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.config.default_timezone)

    def _updated(self, item: Json, last_modified: object) -> datetime:
        event, page = _object(item, "event"), _object(item, "page")
        for value in (
            item.get("tstamp"),
            event.get("tstamp"),
            _object(page, "system").get("tstamp"),
            item.get("datetime"),  # EXT:news publication date when tstamp is not printed
        ):
            if stamp := _when(value, self._zone()):
                return stamp
        return _http_date(last_modified) or self.config.fallback_updated_at

    def _site(self) -> str:
        if self.config.site_url:
            return str(self.config.site_url)
        parts = urlsplit(str(self.config.url))
        return f"{parts.scheme}://{parts.netloc}/"

    def _absolute(self, link: object) -> str:
        href = link.get("href") if isinstance(link, dict) else link
        return urljoin(self._site(), _text(href)) if _text(href) else ""

    def _required_url(self, link: object) -> str:
        if url := self._absolute(link):
            return url
        raise RecordError(
            "record without link",
            code="missing_url",
            message_de="Der Eintrag hat keinen Link zur Detailseite (slug).",
        )


def parse_json(response: FetchResponse) -> Json:
    """The JSON object; an HTML page means the headless JSON output is not what was reached."""
    if response.content_type in {"text/html", "application/xhtml+xml"} or (
        response.content.lstrip()[:1] == b"<"
    ):
        raise PermanentFetchError(
            f"HTML instead of JSON from {response.url}",
            message_de="Unter der Adresse liegt eine HTML-Seite statt der JSON-Ausgabe von "
            "EXT:headless. Bitte die Adresse der headless-Seite (JSON) angeben.",
        )
    document = response.json()
    if not isinstance(document, dict):
        raise _no_list(response.url)
    return document


def _api_url(base: str, link: object) -> str:
    """Where the JSON of a linked page lives: the link on the host that serves `url`."""
    href = link.get("href") if isinstance(link, dict) else link
    return urljoin(base, _text(href)) if _text(href) else ""


def _no_list(url: str) -> PermanentFetchError:
    return PermanentFetchError(
        f"no list in TYPO3 JSON at {url}",
        message_de="Die TYPO3-Antwort enthält keine Liste (z. B. „list“ der News-Erweiterung). "
        "Ist das Plugin auf der Seite eingebunden und die passende Form (shape) gewählt?",
    )


def _block(node: object, keys: tuple[str, ...]) -> Json | None:
    """The first object (depth first) that has one of `keys` as a list or object member."""
    if isinstance(node, dict):
        if any(isinstance(node.get(k), list | dict) for k in keys):
            return node
        children: list[Any] = list(node.values())
    elif isinstance(node, list):
        children = node
    else:
        return None
    return next((found for c in children if (found := _block(c, keys)) is not None), None)


def _items(block: Json | None, url: str) -> list[Json]:
    lists = [block.get(k) for k in ("list", "events", "indices") if block] if block else []
    items = next((v for v in lists if isinstance(v, list)), None)
    if items is None:
        raise _no_list(url)
    return [i for i in items if isinstance(i, dict)]


def _group_indices(indices: list[Json]) -> list[Json]:
    """Calendarize lists one index per date: group them into one item per event."""
    events: dict[str, Json] = {}
    for index in indices:
        event = index.get("event") or index.get("originalObject") or {}
        uid = _text(event.get("uid")) if isinstance(event, dict) else ""
        key = uid or _text(index.get("uid"))
        grouped = events.setdefault(
            key,
            {
                "uid": key,
                "event": event,
                "slug": index.get("slug") or index.get("url"),
                "indices": [],
            },
        )
        grouped["indices"].append(
            {k: v for k, v in index.items() if k not in {"event", "originalObject"}}
        )
    return list(events.values())


def _elements(document: Json) -> list[Json]:
    content = _object(document, "content")
    return [
        e
        for column in content.values()
        if isinstance(column, list)
        for e in column
        if isinstance(e, dict)
    ]


def _menu_items(document: Json) -> list[Json]:
    items: list[Json] = []
    for element in _elements(document):
        content = _object(element, "content")
        if _text(element.get("type")).startswith("menu_") and isinstance(content.get("menu"), list):
            items += [i for i in content["menu"] if isinstance(i, dict) and not i.get("spacer")]
    return items


def _element_text(element: Json, title: str) -> str:
    """Header and bodytext of a text-like content element; a header repeating the title is
    left out."""
    content = _object(element, "content")
    body = content.get("bodytext")
    if isinstance(body, list):  # bullets: one entry (or [term, definition] row) per line
        body = "\n".join(" – ".join(map(str, b)) if isinstance(b, list) else str(b) for b in body)
    header = _text(content.get("header"))
    return "\n".join(t for t in (header if header != title else "", _text(body)) if t)


def _titles(value: object) -> list[str]:
    items = value if isinstance(value, list) else []
    return [t for t in (_text(i.get("title")) if isinstance(i, dict) else "" for i in items) if t]


def _sf_location(location: object, room: str) -> Json:
    if not isinstance(location, dict):
        return {}
    result: Json = {
        "name": ", ".join(filter(None, [_text(location.get("title")), room])),
        "street": _text(location.get("address")),
        "city": _text(location.get("city")),
    }
    if re.fullmatch(r"\d{5}", _text(location.get("zip"))):
        result["postcode"] = _text(location["zip"])
    lat, lon = location.get("latitude"), location.get("longitude")
    if isinstance(lat, int | float) and isinstance(lon, int | float) and _in_nrw(lat, lon):
        result.update(lat=float(lat), lon=float(lon))
    return {k: v for k, v in result.items() if v}


def _in_nrw(lat: float, lon: float) -> bool:
    return NRW_LAT[0] <= lat <= NRW_LAT[1] and NRW_LON[0] <= lon <= NRW_LON[1]


def _session(start: datetime | None, end: datetime | None) -> dict[str, str]:
    session = {"start": start.isoformat()} if start else {}
    if start and end and end >= start:
        session["end"] = end.isoformat()
    return session


def _at(day: date, seconds: object, zone: ZoneInfo) -> datetime:
    offset = timedelta(seconds=int(seconds)) if isinstance(seconds, int | float) else timedelta()
    return datetime.combine(day, time(0), tzinfo=zone) + offset


DATE_FORMATS = ("%b %d %Y", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def _when(value: object, zone: ZoneInfo) -> datetime | None:
    """Unix seconds, ISO 8601, or the date formats TYPO3 templates print ('Apr 18 2024')."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    text = _text(value).replace("Z", "+00:00")
    for parse in (datetime.fromisoformat, *(_format(f) for f in DATE_FORMATS)):
        try:
            parsed = parse(text)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    return None


def _format(fmt: str) -> Callable[[str], datetime]:
    return lambda text: datetime.strptime(text, fmt)


def _http_date(value: object) -> datetime | None:
    try:
        return parsedate_to_datetime(_text(value)) if _text(value) else None
    except (TypeError, ValueError):
        return None


def _object(parent: Mapping[str, Any], key: str) -> Json:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
