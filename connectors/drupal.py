"""Drupal 9/10/11 core JSON:API (`/jsonapi/node/<bundle>`): one offer per node.

Paging follows `links.next.href`; the incremental cursor is the newest `changed` seen, sent back
as a `changed >= …` filter. Field names differ per site, so they are configuration: taxonomy
references become category hints, a referenced location entity or an address-module field
becomes a location, `path.alias` on the site's base URL is the offer's page.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr

from connectors.sdk.base import Connector, ConnectorConfig, Cursor, FetchGenerator, RawRecord
from connectors.sdk.paging import DEFAULT_RETRY, RetryPolicy, get_with_retry, next_link_pages
from hub.core.errors import PermanentFetchError, RecordError
from hub.core.fetcher import FetchResponse

Resource = dict[str, Any]
NRW_LAT, NRW_LON = (50.0, 52.8), (5.5, 9.8)
HINTS = {
    "age": "age_text",
    "cost": "cost_text",
    "kind": "kind_text",
    "audience": "audience_text",
    "language": "language_text",
}


class DrupalFields(BaseModel):
    """Machine names of the fields this site uses; None where the site has no such field."""

    model_config = ConfigDict(extra="forbid")
    body: str = Field("body", description="Formatted text with summary: description, summary.")
    tags: str | None = Field("field_tags", description="Taxonomy reference(s): category hints.")
    location: str | None = Field(
        "field_location",
        description="Reference to an entity (node, term, paragraph) that "
        "holds the address field and the geofield.",
    )
    address: str | None = Field("field_address", description="Address-module field.")
    geofield: str | None = Field("field_geolocation", description="Geofield (lat/lon).")
    dates: str | None = Field(None, description="Date range field (value/end_value).")
    registration: str | None = Field(None, description="Boolean 'registration required'.")
    age: str | None = Field(None, description="Text or taxonomy field with the age phrase.")
    cost: str | None = Field(None, description="Text or taxonomy field about costs.")
    kind: str | None = Field(None, description="Text or taxonomy field: kind of offer.")
    audience: str | None = Field(None, description="Text or taxonomy field: target group.")
    language: str | None = Field(None, description="Text or taxonomy field: languages.")


class DrupalConfig(ConnectorConfig):
    """The JSON:API collection of the offer content type and the site's field names."""

    site_url: AnyHttpUrl | None = Field(
        None, description="Base of page URLs; default: `url` up to '/jsonapi/'."
    )
    fields: DrupalFields = Field(default_factory=DrupalFields, description="Field names.")
    extra_includes: list[str] = Field(
        default_factory=list,
        description="Further relationship fields to include, e.g. a "
        "taxonomy reference named in `fields.audience`.",
    )
    page_limit: int = Field(50, ge=1, le=50, description="page[limit]; Drupal caps it at 50.")
    username: str | None = Field(None, description="Basic-auth user, if the API is protected.")
    password: SecretStr | None = Field(None, description="Basic-auth password.")


class DrupalConnector(Connector[DrupalConfig]):
    """Reads nodes of one content type from Drupal core's JSON:API."""

    kind: ClassVar[str] = "drupal"
    config_model: ClassVar[type[ConnectorConfig]] = DrupalConfig
    supports_incremental: ClassVar[bool] = True
    retry: RetryPolicy = DEFAULT_RETRY

    def fetch(self, cursor: Cursor) -> FetchGenerator:
        """Yield every node with its included resources; unpublished nodes as deletions."""
        since = cursor.position.get("changed")
        first = get_with_retry(
            self.fetcher,
            self._first_url(since),
            retry=self.retry,
            headers=self._headers(),
            etag=cursor.etag,
            last_modified=cursor.last_modified,
        )
        if first.not_modified:
            return cursor.model_copy(update={"not_modified": True})
        newest, pages = since, 0
        for response in next_link_pages(
            self.fetcher, first, _next_link, retry=self.retry, headers=self._headers()
        ):
            pages += 1
            document = parse_document(response)
            included = {(r.get("type"), r.get("id")): r for r in _resources(document, "included")}
            for node in _resources(document, "data"):
                record = self._record(node, included, response.url)
                stamp = _unix((node.get("attributes") or {}).get("changed"))
                if stamp is not None:
                    newest = max(newest or stamp, stamp)
                yield record
        return Cursor(
            etag=first.headers.get("etag") if pages == 1 else None,
            last_modified=first.headers.get("last-modified") if pages == 1 else None,
            position={"changed": newest} if newest else {},
            not_modified=False,
        )

    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        """Map one node (with its related resources) to the common schema's input."""
        node, related = dict(record.payload["node"]), _related_index(record.payload)
        attrs, fields = node.get("attributes") or {}, self.config.fields
        title = _text(attrs.get("title"))
        if not title:
            raise RecordError(
                "node without title",
                code="missing_title",
                message_de="Der Inhalt hat keinen Titel.",
            )
        body = _first(attrs.get(fields.body))
        offer: dict[str, Any] = {
            "title": title,
            "url": self._page_url(attrs),
            "summary": _text(body.get("summary")),
            "description": _text(body.get("value")),
            "categories": _names(node, fields.tags, related),
            "locations": self._locations(node, related),
            "dates": _dates(attrs.get(fields.dates) if fields.dates else None),
            "updated_at": _changed(attrs),
        }
        if fields.registration and isinstance(attrs.get(fields.registration), bool):
            offer["registration_required"] = attrs[fields.registration]
        for name, key in HINTS.items():
            field = getattr(fields, name)
            if field and (text := _field_text(node, field, related)):
                offer[key] = text
        return offer

    def _record(self, node: Resource, included: Mapping[Any, Resource], url: str) -> RawRecord:
        """The node plus exactly the included resources it references, so it maps alone."""
        refs = [ref for rel in (node.get("relationships") or {}).values() for ref in _refs(rel)]
        related = [included[key] for key in refs if key in included]
        for entity in list(related):  # one level deeper: terms of a referenced location
            related += [
                included[k]
                for rel in (entity.get("relationships") or {}).values()
                for k in _refs(rel)
                if k in included
            ]
        attrs = node.get("attributes") or {}
        return RawRecord(
            local_id=_text(node.get("id")),
            payload={"node": node, "included": related},
            updated_at=_datetime(attrs.get("changed")),
            source_url=url,
            deleted=attrs.get("status") is False,
        )

    def _first_url(self, since: int | None) -> str:
        fields = self.config.fields
        includes = [f for f in (fields.tags, fields.location, *self.config.extra_includes) if f]
        params: dict[str, Any] = {
            "page[limit]": self.config.page_limit,
            "sort": "drupal_internal__nid",
        }
        if includes:
            params["include"] = ",".join(dict.fromkeys(includes))
        if since is not None:
            params.update(
                {
                    "filter[changed][condition][path]": "changed",
                    "filter[changed][condition][operator]": ">=",
                    "filter[changed][condition][value]": since,
                }
            )
        base, _, query = str(self.config.url).partition("?")
        own = [(k, v) for k, v in parse_qsl(query) if k not in params]  # e.g. the site's filters
        return base + "?" + urlencode([*own, *params.items()])

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/vnd.api+json"}
        if self.config.username and self.config.password:
            pair = f"{self.config.username}:{self.config.password.get_secret_value()}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        return headers

    def _page_url(self, attrs: Mapping[str, Any]) -> str:
        """The alias on the site's base URL; `/node/<nid>` for nodes without an alias."""
        site = str(self.config.site_url or "") or _site_base(str(self.config.url))
        path = _first(attrs.get("path"))
        alias = _text(path.get("alias")) or f"/node/{attrs.get('drupal_internal__nid')}"
        return site.rstrip("/") + "/" + alias.lstrip("/")

    def _locations(self, node: Resource, related: Mapping[Any, Resource]) -> list[dict[str, Any]]:
        fields = self.config.fields
        entities = [node]
        if fields.location:
            relation = (node.get("relationships") or {}).get(fields.location)
            entities += [related[k] for k in _refs(relation) if k in related]
        found = [_location(e, fields, named=e is not node) for e in entities]
        return [loc for loc in found if loc.get("street") or loc.get("city") or "lat" in loc]


def parse_document(response: FetchResponse) -> Resource:
    """The JSON:API document; HTML, non-JSON and error documents are permanent errors."""
    if response.content_type in {"text/html", "application/xhtml+xml"} or (
        response.content.lstrip()[:1] == b"<"
    ):
        raise PermanentFetchError(
            f"HTML instead of JSON:API from {response.url}",
            message_de="Unter der Adresse liegt eine HTML-Seite statt der Drupal-JSON:API. "
            "Ist das Modul JSON:API aktiv und die Adresse …/jsonapi/node/<Inhaltstyp> richtig?",
        )
    document = response.json()
    if isinstance(document, dict) and isinstance(document.get("errors"), list):
        raise _api_error(response.url, document["errors"])
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise PermanentFetchError(
            f"not a JSON:API collection at {response.url}",
            message_de="Die Adresse liefert keine JSON:API-Sammlung („data“-Liste). Bitte die "
            "Sammlung eines Inhaltstyps angeben, z. B. …/jsonapi/node/angebot.",
        )
    return document


def _api_error(url: str, errors: list[Any]) -> PermanentFetchError:
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    detail = _text(first.get("detail")) or _text(first.get("title")) or "unbekannter Fehler"
    status = _text(first.get("status"))
    return PermanentFetchError(
        f"JSON:API error from {url}: {status} {detail}",
        message_de=f"Die Drupal-Schnittstelle meldet einen Fehler"
        f"{f' (Status {status})' if status else ''}: {detail}",
    )


def _next_link(response: FetchResponse) -> str | None:
    links = parse_document(response).get("links")
    nxt = links.get("next") if isinstance(links, dict) else None
    href = nxt.get("href") if isinstance(nxt, dict) else nxt
    return href if isinstance(href, str) and href else None


def _resources(document: Mapping[str, Any], key: str) -> list[Resource]:
    value = document.get(key)
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _refs(relationship: object) -> list[tuple[Any, Any]]:
    """(type, id) of the resources a relationship object points to (one or many)."""
    data = relationship.get("data") if isinstance(relationship, dict) else None
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [(d.get("type"), d.get("id")) for d in items if isinstance(d, dict)]


def _related_index(payload: Mapping[str, Any]) -> dict[Any, Resource]:
    included = payload.get("included")
    return {(r.get("type"), r.get("id")): r for r in included or [] if isinstance(r, dict)}


def _names(node: Resource, field: str | None, related: Mapping[Any, Resource]) -> list[str]:
    """Names (taxonomy terms) or titles of the entities a reference field points to."""
    if not field:
        return []
    relation = (node.get("relationships") or {}).get(field)
    attrs = [related[k].get("attributes") or {} for k in _refs(relation) if k in related]
    return [n for n in (_text(a.get("name")) or _text(a.get("title")) for a in attrs) if n]


def _field_text(node: Resource, field: str, related: Mapping[Any, Resource]) -> str:
    """A plain-text, formatted-text, list or reference field as one phrase for the hints."""
    value = (node.get("attributes") or {}).get(field)
    if value is None:
        return ", ".join(_names(node, field, related))
    values = value if isinstance(value, list) else [value]
    texts = [_text(v.get("value")) if isinstance(v, dict) else _text(v) for v in values]
    return ", ".join(t for t in texts if t)


def _location(entity: Resource, fields: DrupalFields, named: bool) -> dict[str, Any]:
    """Address-module field and geofield of one entity; `named` entities give their title."""
    attrs = entity.get("attributes") or {}
    address = _first(attrs.get(fields.address) if fields.address else None)
    lines = [_text(address.get(k)) for k in ("address_line1", "address_line2")]
    name = _text(attrs.get("title")) or _text(attrs.get("name")) if named else ""
    location: dict[str, Any] = {
        "name": name or _text(address.get("organization")) or None,
        "street": ", ".join(line for line in lines if line) or None,
        "city": _text(address.get("locality")) or None,
    }
    postcode = _text(address.get("postal_code"))
    if re.fullmatch(r"\d{5}", postcode) and _text(address.get("country_code")) in {"", "DE"}:
        location["postcode"] = postcode
    geo = _first(attrs.get(fields.geofield) if fields.geofield else None)
    if _in_nrw(geo.get("lat"), geo.get("lon")):
        location.update(lat=float(geo["lat"]), lon=float(geo["lon"]))
    return {k: v for k, v in location.items() if v is not None}


def _first(value: object) -> dict[str, Any]:
    """The (first) item of a single- or multi-value field, or an empty dict."""
    value = value[0] if isinstance(value, list) and value else value
    return value if isinstance(value, dict) else {}


def _in_nrw(lat: object, lon: object) -> bool:
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return False
    return NRW_LAT[0] <= lat <= NRW_LAT[1] and NRW_LON[0] <= lon <= NRW_LON[1]


def _dates(value: object) -> list[dict[str, str]]:
    """Date-range items: RFC 3339 strings (datetime_range) or unix seconds (smart_date)."""
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    sessions = []
    for item in items:
        start = _datetime(item.get("value")) if isinstance(item, dict) else None
        if start is not None:
            end = _datetime(item.get("end_value"))
            sessions.append(
                {
                    "start": start.isoformat(),
                    **({"end": end.isoformat()} if end and end >= start else {}),
                }
            )
    return sessions


def _changed(attrs: Mapping[str, Any]) -> datetime:
    """The node's `changed` time; without it the offer cannot be versioned."""
    if stamp := _datetime(attrs.get("changed")):
        return stamp
    raise RecordError(
        "node without changed",
        code="missing_updated_at",
        message_de="Der Inhalt hat kein Änderungsdatum („changed“).",
    )


def _datetime(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    try:
        parsed = datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _unix(value: object) -> int | None:
    stamp = _datetime(value)
    return int(stamp.timestamp()) if stamp else None


def _site_base(url: str) -> str:
    if "/jsonapi/" in url:
        return url.split("/jsonapi/")[0]
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
