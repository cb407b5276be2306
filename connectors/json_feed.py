"""Generic JSON feeds, mapped field by field by a YAML file in `mappings/feeds/`.

Any CMS export that is JSON can be read without code: the mapping (see `connectors.sdk.mapping`)
says where the records, ids, fields and the next page are. `MappedFeedConnector` holds what the
three declarative kinds share (paging, conditional GET, the modified-since cursor, HTML
refusal); `xml_feed` and `spreadsheet` only add how their documents are parsed.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from pydantic import Field, field_validator

from connectors.sdk.base import (
    Connector,
    ConnectorConfig,
    Cursor,
    FetchGenerator,
    RawRecord,
    SourceContext,
)
from connectors.sdk.mapping import Extractor, FeedMapping, JsonResolver, Resolver, load_mapping
from connectors.sdk.paging import (
    DEFAULT_RETRY,
    RetryPolicy,
    get_first_page,
    link_header_next,
    next_link_pages,
    numbered_pages,
)
from hub.core.errors import ConfigError, PermanentFetchError, RecordError
from hub.core.fetcher import FetchResponse, SafeFetcher
from hub.core.vocab import vocabulary

SINCE = "modified_since"
HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")
HTML_MESSAGE_DE = (
    "Die Adresse liefert eine Webseite, keinen Feed. Bitte die Adresse des Datenexports "
    "(JSON, XML oder Tabelle) eintragen, nicht die der Internetseite."
)


class MappedFeedConfig(ConnectorConfig):
    """A feed address, the mapping that reads it and the source's own topic corrections."""

    mapping_format: ClassVar[str] = "json"

    mapping: str | dict[str, Any] = Field(
        description="Name of a mapping file in mappings/feeds/ (e.g. 'demo-json') or the "
        "mapping itself as an object (format: mappings/feeds/README.md)."
    )
    topic_overrides: dict[str, str] = Field(
        default_factory=dict,
        description="The source's own category label → topic code; wins over the vocabulary.",
    )

    @field_validator("mapping")
    @classmethod
    def _valid_mapping(cls, value: str | dict[str, Any]) -> str | dict[str, Any]:
        try:
            mapping = load_mapping(value)
        except ConfigError as exc:
            raise ValueError(exc.message_de) from exc
        if mapping.format != cls.mapping_format:
            raise ValueError(
                f"Das Mapping beschreibt format: {mapping.format}, dieser Feed-Typ liest "
                f"format: {cls.mapping_format}."
            )
        return value

    @field_validator("topic_overrides")
    @classmethod
    def _known_topics(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value.values()) - set(vocabulary("topics").terms))
        if unknown:
            raise ValueError(f"unknown topic codes: {', '.join(unknown)}")
        return value


ConfigT = TypeVar("ConfigT", bound=MappedFeedConfig)


class MappedFeedConnector(Connector[ConfigT], Generic[ConfigT]):
    """Fetch loop of the declarative kinds; subclasses say how a page becomes records."""

    supports_incremental: ClassVar[bool] = True
    retry: RetryPolicy = DEFAULT_RETRY

    def __init__(
        self,
        config: ConfigT,
        fetcher: SafeFetcher,
        context: SourceContext,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(config, fetcher, context)
        self.mapping: FeedMapping = load_mapping(config.mapping)
        self.extractor = Extractor(self.mapping, self.resolver())
        self.clock = clock or (lambda: datetime.now(UTC))

    @abstractmethod
    def resolver(self) -> Resolver:
        """How paths are read in this kind's records."""

    @abstractmethod
    def parse(self, response: FetchResponse) -> Any:
        """The page's document; `PermanentFetchError` in German when it is not one."""

    @abstractmethod
    def nodes(self, document: Any) -> list[Any]:
        """The record nodes of a parsed page."""

    @abstractmethod
    def payload(self, node: Any) -> Mapping[str, Any]:
        """A JSON-serialisable payload of a node (kept as the raw record)."""

    @abstractmethod
    def node(self, payload: Mapping[str, Any]) -> Any:
        """The node again, from a stored payload (re-normalising needs no fetch)."""

    # --- fetching ---------------------------------------------------------------------------

    def fetch(self, cursor: Cursor) -> FetchGenerator:
        first_url = self.first_url(cursor)
        first = get_first_page(self.fetcher, first_url, cursor, retry=self.retry)
        if first.not_modified:
            return cursor.unchanged()
        fallback = self._fallback_updated(first)
        newest: str | None = cursor.position.get(SINCE)
        for response, document in self.pages(first):
            for node in self.nodes(document):
                record = self.raw_record(node, response.url, fallback)
                if record.updated_at and (newest is None or record.updated_at > _aware(newest)):
                    newest = record.updated_at.isoformat()
                yield record
        position = {SINCE: newest} if self.mapping.incremental and newest else {}
        return Cursor(
            etag=first.headers.get("etag"),
            last_modified=first.headers.get("last-modified"),
            position=position,
        )

    def first_url(self, cursor: Cursor) -> str:
        """The feed URL with the first page number and the modified-since parameter."""
        params: dict[str, str] = {}
        paging, incremental = self.mapping.paging, self.mapping.incremental
        if paging and paging.page_param:
            params[paging.page_param] = str(paging.start)
            if paging.size_param and paging.size:
                params[paging.size_param] = str(paging.size)
        since = cursor.position.get(SINCE)
        if incremental and since:
            params[incremental.param] = _since_value(since, incremental.format)
        return with_params(str(self.config.url), params)

    def pages(self, first: FetchResponse) -> Iterator[tuple[FetchResponse, Any]]:
        """Every page with its parsed document (each page parsed once, retried by page)."""
        cache: list[tuple[FetchResponse, Any]] = []

        def document(response: FetchResponse) -> Any:
            if not cache or cache[0][0] is not response:
                cache[:] = [(response, self.parse(response))]
            return cache[0][1]

        paging = self.mapping.paging
        responses: Iterator[FetchResponse]
        if paging and paging.next_link:
            path = paging.next_link
            responses = next_link_pages(
                self.fetcher,
                first,
                lambda r: self._next_link(document(r), r, path),
                retry=self.retry,
                max_pages=paging.max_pages,
            )
        elif paging and paging.page_param:
            responses = numbered_pages(
                self.fetcher,
                self._page_url(first.url),
                _PageEnd(lambda r: len(self.nodes(document(r))), paging.size),
                first=first,
                retry=self.retry,
                max_pages=paging.max_pages,
            )
        else:
            responses = iter([first])
        for response in responses:
            yield response, document(response)

    def _next_link(self, document: Any, response: FetchResponse, path: str) -> str | None:
        if path == "header:link":
            return link_header_next(response)
        found = [v for v in self.extractor.resolver.find(document, path) if v]
        value = self.extractor.resolver.plain(found[0]) if found else None
        return urljoin(response.url, value.strip()) if isinstance(value, str) and value else None

    def _page_url(self, first_url: str) -> Callable[[int], str]:
        paging = self.mapping.paging
        assert paging is not None and paging.page_param is not None
        param, start = paging.page_param, paging.start
        return lambda page: with_params(first_url, {param: str(start + page - 1)})

    def _fallback_updated(self, response: FetchResponse) -> datetime | None:
        """Modification time for records without their own: Last-Modified, else fetch time."""
        if self.mapping.updated_at_fallback == "none":
            return None
        try:
            return parsedate_to_datetime(response.headers.get("last-modified", ""))
        except (TypeError, ValueError):
            return self.clock().replace(microsecond=0)

    def raw_record(self, node: Any, page_url: str, fallback: datetime | None) -> RawRecord:
        """One record with its id and modification time read through the mapping."""
        try:
            local_id = self.extractor.local_id(node)
        except RecordError:
            local_id = ""
        try:
            updated = _parse_time(self.extractor.updated_at(node))
        except RecordError:
            updated = None  # to_offer reports the bad value as the record's rejection
        return RawRecord(
            local_id=local_id,
            payload=self.payload(node),
            updated_at=updated or fallback,
            source_url=page_url,
        )

    # --- mapping ----------------------------------------------------------------------------

    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        node = self.node(record.payload)
        if node is None:
            raise RecordError(
                f"record {record.local_id!r} is not an object",
                code="record_shape",
                message_de="Der Eintrag ist kein Objekt mit Feldern und kann nicht gelesen werden.",
            )
        return self.extractor.to_offer(node, record.source_url, record.updated_at)


class _PageEnd:
    """`total_pages` for numbered paging without a total: go on while pages are full."""

    def __init__(self, count: Callable[[FetchResponse], int], size: int | None) -> None:
        self.count = count
        self.size = size
        self.page = 0

    def skipped(self) -> None:
        """A page the paging helper did not hand on (unchanged since the last run) counts."""
        self.page += 1

    def __call__(self, response: FetchResponse) -> int:
        self.page += 1
        found = self.count(response)
        more = found > 0 and (self.size is None or found >= self.size)
        return self.page + 1 if more else self.page


def refuse_html(response: FetchResponse, feed_starts: tuple[bytes, ...]) -> None:
    """`PermanentFetchError` when the address answers with a web page instead of a feed."""
    head = response.content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    is_page = head.startswith(HTML_STARTS) or (
        response.content_type in {"text/html", "application/xhtml+xml"}
        and head.startswith(b"<")
        and not head.startswith(feed_starts)
    )
    if is_page:
        raise PermanentFetchError(
            f"{response.url} answered with an HTML page, not a feed", message_de=HTML_MESSAGE_DE
        )


def with_params(url: str, params: Mapping[str, str]) -> str:
    """`url` with query parameters set (replacing same-named ones)."""
    if not params:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return _aware(value)
    except ValueError:
        return None


def _aware(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _since_value(since: str, fmt: str) -> str:
    moment = _aware(since)
    if fmt == "date":
        return moment.date().isoformat()
    if fmt == "epoch":
        return str(int(moment.timestamp()))
    return moment.isoformat()


class JsonFeedConfig(MappedFeedConfig):
    """A JSON feed and its mapping."""


class JsonFeedConnector(MappedFeedConnector[JsonFeedConfig]):
    """JSON documents; records found by a JSONPath, fields mapped by the YAML mapping."""

    kind: ClassVar[str] = "json_feed"
    config_model: ClassVar[type[ConnectorConfig]] = JsonFeedConfig

    def resolver(self) -> Resolver:
        return JsonResolver()

    def parse(self, response: FetchResponse) -> Any:
        refuse_html(response, (b"{", b"["))
        return response.json()

    def nodes(self, document: Any) -> list[Any]:
        path = self.mapping.records
        found = self.extractor.resolver.find(document, path)
        if "[*]" in path or ".." in path:
            return found
        if len(found) == 1 and isinstance(found[0], list):
            return list(found[0])
        where = "die Antwort" if path in ("$", "") else f"das Feld „{path}“"
        raise PermanentFetchError(
            f"records path {path!r} does not lead to a list",
            message_de=f"Der Feed hat nicht die erwartete Form: {where} fehlt oder ist keine "
            "Liste von Angeboten.",
        )

    def payload(self, node: Any) -> Mapping[str, Any]:
        return node if isinstance(node, dict) else {"_not_an_object": node}

    def node(self, payload: Mapping[str, Any]) -> Any:
        return None if "_not_an_object" in payload else payload
