"""WordPress REST API: posts, custom post types and The Events Calendar's events.

Most municipal sites run WordPress, whose REST API is on by default, so a municipality only
registers its site address. The API answers at `/wp-json/…` (pretty permalinks) or at
`?rest_route=/…` (plain permalinks); the form is detected on the first request. Posts are read
by ascending id (edits do not move them between pages) with `_embed=wp:term`, so category
names become topic hints, and incrementally with `modified_after`. Custom fields (ACF's `acf`
object or registered `meta`) are mapped by a config dict of offer field → dotted path.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal
from urllib.parse import quote, urlencode, urlsplit

from pydantic import Field, field_validator

from connectors.sdk.base import Connector, ConnectorConfig, Cursor, FetchGenerator, RawRecord
from connectors.sdk.paging import (
    DEFAULT_RETRY,
    RetryPolicy,
    body_next,
    error_status,
    get_with_retry,
    header_int,
    next_link_pages,
    numbered_pages,
    page_records,
)
from hub.core.errors import BodyTooLargeError, PermanentFetchError, RecordError, UnsafeURLError
from hub.core.fetcher import FetchResponse

HINTS = {"age_text", "kind_text", "audience_text", "cost_text", "language_text"}
TEXTS = {"summary", "description", "cost_note", "recurrence_text", "categories"}
LOCATION = {"location_name": "name", "street": "street", "postcode": "postcode", "city": "city"}
PROVIDER = {"provider_name": "name", "provider_url": "url", "provider_phone": "phone"}
PROVIDER |= {"provider_email": "email"}
FIELD_TARGETS = HINTS | TEXTS | set(LOCATION) | set(PROVIDER)
UNHINTED_TAXONOMIES = {"post_tag", "post_format"}
SLUG = r"^[a-z0-9_-]+$"
ApiForm = Literal["pretty", "plain"]
TermList = list[int | str]


class WordPressConfig(ConnectorConfig):
    """Where the WordPress site is and which of its content the hub reads."""

    api: Literal["posts", "tribe_events"] = Field(
        "posts",
        description="posts: /wp/v2 posts or a custom post type; "
        "tribe_events: The Events Calendar (/tribe/events/v1/events).",
    )
    post_type: str = Field(
        "posts", pattern=SLUG, description="REST base of the post type (posts, pages, angebote)."
    )
    categories: TermList = Field([], description="Only content in these categories (ids/slugs).")
    exclude_categories: TermList = Field([], description="Leave out these categories (ids/slugs).")
    tags: TermList = Field([], description="Only content with these tags (ids or slugs).")
    category_taxonomy: str = Field(
        "categories", pattern=SLUG, description="REST base of the category filter's taxonomy."
    )
    hint_taxonomies: list[str] | None = Field(
        None,
        description="Taxonomies whose term names become category hints "
        "(default: all but tags and post formats).",
    )
    fields: dict[str, str] = Field(
        {},
        description="Custom fields: offer field → dotted path in the record, "
        'e.g. {"age_text": "acf.alter", "street": "acf.strasse"}.',
    )
    per_page: int = Field(100, ge=1, le=100, description="Records per page request.")

    @field_validator("fields")
    @classmethod
    def _known_targets(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - FIELD_TARGETS)
        if unknown:
            raise ValueError(f"unknown target fields {unknown}; allowed: {sorted(FIELD_TARGETS)}")
        return value


class WordPressConnector(Connector[WordPressConfig]):
    """Reads a WordPress site's REST API (posts/custom post types or Tribe events)."""

    kind: ClassVar[str] = "wordpress"
    config_model: ClassVar[type[ConnectorConfig]] = WordPressConfig
    supports_incremental: ClassVar[bool] = True
    supports_id_listing: ClassVar[bool] = True
    retry: RetryPolicy = DEFAULT_RETRY
    _form: ApiForm | None = None

    def fetch(self, cursor: Cursor) -> FetchGenerator:
        """Yield every post or event; for posts a cursor position makes the run incremental."""
        if self.config.api == "tribe_events":
            return (yield from self._fetch_events(cursor))
        return (yield from self._fetch_posts(cursor))

    def list_ids(self) -> Iterator[str]:
        """The ids of every published post the config selects (`_fields=id`: a few bytes each).
        The Events Calendar cannot trim its answer: its events are read and only the ids kept."""
        if self.config.api == "tribe_events":
            params: dict[str, Any] = {"per_page": self.config.per_page, **self._event_filters()}
            first = self._get("/tribe/events/v1/events", params)
            pages = next_link_pages(
                self.fetcher, first, body_next("next_rest_url"), retry=self.retry
            )
            yield from (str(event.get("id", "")) for event in page_records(pages, "events"))
            return
        params = {"per_page": 100, "orderby": "id", "order": "asc", "status": "publish"}
        params |= {"_fields": "id", **self._term_filters()}
        route = f"/wp/v2/{self.config.post_type}"
        pages = numbered_pages(
            self.fetcher,
            lambda n: self._url(route, {**params, "page": n}),
            header_int("x-wp-totalpages"),
            first=self._get(route, params),
            retry=self.retry,
        )
        yield from (str(post.get("id", "")) for post in page_records(pages))

    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        """Map a post or a Tribe event to the offer input, custom fields included."""
        if self.config.api == "tribe_events":
            offer = _event_offer(record.payload)
        else:
            offer = _post_offer(record.payload, self.config.hint_taxonomies)
        self._apply_fields(offer, record.payload)
        if "kind_text" in offer:
            offer.pop("kind", None)
        return offer

    def _fetch_posts(self, cursor: Cursor) -> FetchGenerator:
        params: dict[str, Any] = {"per_page": self.config.per_page, "orderby": "id"}
        params |= {"order": "asc", "_embed": "wp:term", **self._term_filters()}
        since: str | None = cursor.position.get("modified_gmt")
        seen = set(cursor.position.get("boundary_ids", []))
        if since:  # whole seconds: ask from one second earlier, skip the posts already seen
            start = _utc(since) - timedelta(seconds=1)
            params["modified_after"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        route = f"/wp/v2/{self.config.post_type}"
        first = self._get(route, params, cursor.etag, cursor.last_modified)
        if first.not_modified:
            return cursor.model_copy(update={"not_modified": True})
        newest, newest_ids = since, set(seen)
        pages = numbered_pages(
            self.fetcher,
            lambda n: self._url(route, {**params, "page": n}),
            header_int("x-wp-totalpages"),
            first=first,
            retry=self.retry,
        )
        for post in page_records(pages):
            local_id, modified = str(post.get("id", "")), str(post.get("modified_gmt", ""))
            if modified == since and local_id in seen:
                continue
            if modified and (newest is None or modified > newest):
                newest, newest_ids = modified, set()
            if modified == newest:
                newest_ids.add(local_id)
            yield RawRecord(local_id, post, _utc_or_none(modified), _str(post.get("link")))
        position = {"modified_gmt": newest, "boundary_ids": sorted(newest_ids)} if newest else {}
        return _next_cursor(first, position)

    def _term_filters(self) -> dict[str, str]:
        taxonomy, config = self.config.category_taxonomy, self.config
        wanted = {taxonomy: config.categories, f"{taxonomy}_exclude": config.exclude_categories}
        wanted["tags"] = config.tags
        return {
            param: self._term_ids("tags" if param == "tags" else taxonomy, terms)
            for param, terms in wanted.items()
            if terms
        }

    def _term_ids(self, taxonomy: str, wanted: TermList) -> str:
        """Term ids for ids or slugs; slugs are resolved with `/wp/v2/<taxonomy>?slug=`."""
        ids = [str(w) for w in wanted if str(w).isdigit()]
        slugs = [str(w) for w in wanted if not str(w).isdigit()]
        if slugs:
            params = {"slug": ",".join(slugs), "per_page": 100, "_fields": "id,slug"}
            terms = self._get(f"/wp/v2/{taxonomy}", params).json()
            found = {t.get("slug"): t.get("id") for t in terms if isinstance(t, dict)}
            missing = [s for s in slugs if s not in found]
            if missing:
                raise PermanentFetchError(
                    f"unknown {taxonomy} slugs {missing}",
                    message_de=f"Diese Kategorien gibt es in WordPress nicht: "
                    f"{', '.join(missing)}. Bitte den Kategorie-Slug (Titelform) prüfen.",
                )
            ids += [str(found[s]) for s in slugs]
        return ",".join(ids)

    def _fetch_events(self, cursor: Cursor) -> FetchGenerator:
        """The Events Calendar has no modified-since filter: every run reads all events."""
        params: dict[str, Any] = {"per_page": self.config.per_page, **self._event_filters()}
        first = self._get("/tribe/events/v1/events", params, cursor.etag, cursor.last_modified)
        if first.not_modified:
            return cursor.model_copy(update={"not_modified": True})
        pages = next_link_pages(self.fetcher, first, body_next("next_rest_url"), retry=self.retry)
        for event in page_records(pages, "events"):
            updated = _utc_or_none(str(event.get("modified_utc", "")))
            yield RawRecord(str(event.get("id", "")), event, updated, _str(event.get("url")))
        return _next_cursor(first, {})

    def _event_filters(self) -> dict[str, str]:
        wanted = {"categories": self.config.categories, "tags": self.config.tags}
        return {name: ",".join(str(t) for t in terms) for name, terms in wanted.items() if terms}

    def _get(
        self,
        route: str,
        params: Mapping[str, Any],
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResponse:
        """GET a REST route; the first call finds out whether `/wp-json` or `?rest_route=`."""
        forms: list[ApiForm] = [self._form] if self._form else self._candidate_forms()
        for form in forms:
            last = form == forms[-1]
            url = self._url(route, params, form)
            try:
                response = get_with_retry(
                    self.fetcher, url, retry=self.retry, etag=etag, last_modified=last_modified
                )
            except (UnsafeURLError, BodyTooLargeError):
                raise
            except PermanentFetchError as exc:
                status = error_status(exc)
                if status in (401, 403):
                    raise _refused(route, status) from exc
                if status == 404 and last:
                    raise _no_route(route, self.config.api) from exc
                if status == 404:
                    continue
                raise
            if response.not_modified or _looks_like_json(response):
                self._form = form
                return response
            if last:
                raise _not_json(response)
        raise AssertionError("unreachable: the last form returns or raises")  # pragma: no cover

    def _candidate_forms(self) -> list[ApiForm]:
        url = str(self.config.url)
        if "rest_route=" in url:
            return ["plain"]
        return ["pretty"] if "/wp-json" in url else ["pretty", "plain"]

    def _url(self, route: str, params: Mapping[str, Any], form: ApiForm | None = None) -> str:
        parts = urlsplit(str(self.config.url))
        path = parts.path.split("/wp-json")[0].removesuffix("/index.php").rstrip("/")
        site = f"{parts.scheme}://{parts.netloc}{path}"
        if (form or self._form) == "plain":
            query = urlencode({"rest_route": route, **params}, safe="/:,", quote_via=quote)
            return f"{site}/?{query}"
        return f"{site}/wp-json{route}?{urlencode(dict(params), safe='/:,', quote_via=quote)}"

    def _apply_fields(self, offer: dict[str, Any], payload: Mapping[str, Any]) -> None:
        location: dict[str, str] = {}
        provider: dict[str, str] = {}
        for target, path in self.config.fields.items():
            value = _text_at(payload, path)
            if value is None:
                continue
            if target in LOCATION:
                location[LOCATION[target]] = value
            elif target in PROVIDER:
                provider[PROVIDER[target]] = value
            elif target == "categories":
                offer["categories"] = [*offer.get("categories", []), *value.split(", ")]
            else:
                offer[target] = value
        if location:
            offer["locations"] = [{**(offer.get("locations") or [{}])[0], **location}]
        merged = {**(offer.get("provider") or {}), **provider}
        if provider and merged.get("name"):
            offer["provider"] = merged


def _post_offer(post: Mapping[str, Any], taxonomies: list[str] | None) -> dict[str, Any]:
    if _field(post.get("content"), "protected") is True:
        raise RecordError(
            "post is password protected",
            code="protected_post",
            message_de="Der Beitrag ist passwortgeschützt und wird deshalb nicht übernommen.",
        )
    return {
        "url": post.get("link"),
        "title": _field(post.get("title"), "rendered"),
        "summary": _field(post.get("excerpt"), "rendered") or "",
        "description": _field(post.get("content"), "rendered") or "",
        "categories": _term_names(post, taxonomies),
        "updated_at": _record_time(post.get("modified_gmt"), "modified_gmt"),
    }


def _term_names(post: Mapping[str, Any], taxonomies: list[str] | None) -> list[str]:
    groups = _field(post.get("_embedded"), "wp:term")
    terms = (
        [t for g in groups if isinstance(g, list) for t in g] if isinstance(groups, list) else []
    )
    return [
        html.unescape(str(t["name"]))
        for t in terms
        if isinstance(t, dict)
        and t.get("name")
        and (
            t.get("taxonomy") in taxonomies
            if taxonomies is not None
            else t.get("taxonomy") not in UNHINTED_TAXONOMIES
        )
    ]


def _event_offer(event: Mapping[str, Any]) -> dict[str, Any]:
    categories = [c.get("name") for c in event.get("categories") or [] if isinstance(c, dict)]
    offer: dict[str, Any] = {
        "url": event.get("url"),
        "title": event.get("title"),
        "summary": event.get("excerpt") or "",
        "description": event.get("description") or "",
        "kind": "veranstaltung",
        "categories": [html.unescape(str(name)) for name in categories if name],
        "updated_at": _record_time(event.get("modified_utc"), "modified_utc"),
        "dates": [_event_session(event)],
    }
    if _str(event.get("cost")):
        offer["cost_text"] = html.unescape(str(event["cost"]))
    venue, organizers = event.get("venue"), event.get("organizer")
    if isinstance(venue, dict) and venue:
        keys = {"name": "venue", "street": "address", "postcode": "zip", "city": "city"}
        offer["locations"] = [_texts(venue, keys)]
    if isinstance(organizers, list) and organizers and isinstance(organizers[0], dict):
        keys = {"name": "organizer", "url": "website", "phone": "phone", "email": "email"}
        provider = _texts(organizers[0], keys)
        offer["provider"] = provider if provider.get("name") else None
    return offer


def _event_session(event: Mapping[str, Any]) -> dict[str, datetime | None]:
    start = _record_time(event.get("utc_start_date"), "utc_start_date")
    end = event.get("utc_end_date")
    return {"start": start, "end": _record_time(end, "utc_end_date") if end else None}


def _texts(source: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, str]:
    """Non-empty string fields of `source` under new names, HTML entities decoded."""
    found = {target: _str(source.get(key)) for target, key in keys.items()}
    return {target: html.unescape(value) for target, value in found.items() if value}


def _next_cursor(first: FetchResponse, position: dict[str, Any]) -> Cursor:
    etag, last_modified = first.headers.get("etag"), first.headers.get("last-modified")
    return Cursor(etag=etag, last_modified=last_modified, position=position, not_modified=False)


def _looks_like_json(response: FetchResponse) -> bool:
    opening = response.content.lstrip()[:1]
    return response.content_type.endswith("json") or opening in (b"[", b"{")


def _text_at(payload: Mapping[str, Any], path: str) -> str | None:
    """The value at a dotted path (`acf.alter`, `meta.orte.0`) as text; None when empty."""
    value: Any = payload
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v not in (None, "", False))
    if value in (None, "", False) or isinstance(value, dict):
        return None
    return html.unescape(str(value)).strip() or None


def _field(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _utc(value: str) -> datetime:
    """WordPress' GMT/UTC times (`2024-05-01T10:00:00`, or with a space) as aware UTC."""
    parsed = datetime.fromisoformat(value.strip().replace(" ", "T"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _utc_or_none(value: str) -> datetime | None:
    try:
        return _utc(value)
    except ValueError:
        return None


def _record_time(value: Any, name: str) -> datetime:
    try:
        return _utc(str(value))
    except ValueError as exc:
        raise RecordError(
            f"{name} is not a timestamp: {value!r}",
            code="invalid_timestamp",
            message_de=f"Das Datum „{name}“ fehlt oder ist ungültig ({value!r}).",
        ) from exc


def _refused(route: str, status: int | None) -> PermanentFetchError:
    return PermanentFetchError(
        f"REST route {route} refused with HTTP {status}",
        message_de=f"Die WordPress-REST-API verweigert den Zugriff (HTTP {status}). Bitte den "
        f"öffentlichen Lesezugriff auf die Route {route} erlauben – oft sperrt ein "
        "Sicherheits-Plugin (z. B. „Disable REST API“, Wordfence, iThemes) anonyme Abrufe.",
    )


def _no_route(route: str, api: str) -> PermanentFetchError:
    hint = (
        "Ist das Plugin „The Events Calendar“ aktiv und seine REST-API eingeschaltet?"
        if api == "tribe_events"
        else "Ist der Beitragstyp mit „show_in_rest“ registriert und der REST-Name richtig?"
    )
    return PermanentFetchError(
        f"REST route {route} not found (HTTP 404)",
        message_de=f"Die WordPress-REST-Route {route} gibt es nicht (HTTP 404). {hint}",
    )


def _not_json(response: FetchResponse) -> PermanentFetchError:
    return PermanentFetchError(
        f"{response.url} answered {response.content_type or 'no content type'}, not JSON",
        message_de="Die WordPress-Seite antwortet mit HTML statt JSON: die REST-API ist "
        "abgeschaltet oder umgeleitet. Bitte die REST-API (/wp-json/ bzw. ?rest_route=/) für "
        "anonyme Lesezugriffe freigeben.",
    )
