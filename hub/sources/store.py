"""The source registry, kept in the search engine (`hub-sources`) with optimistic concurrency.

A source is one feed of one municipality. Every write states the `seq_no`/`primary_term` it read,
so two writers (the API and a worker) can never silently overwrite each other's change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, field_validator

from hub.core.errors import ConfigError, ConflictError, NotFound
from hub.search.engine import SearchEngine
from hub.search.indices import FEED_PAGES, SOURCES
from hub.sources.vault import box_for, seal_for_storage

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
EMAIL = r"^[^@\s<>,;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$"
LIST_PAGE = 1000  # sources per listing page and per bulk write
EmailAddress = Annotated[str, StringConstraints(pattern=EMAIL, max_length=254)]


class SourceState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    FAILING = "failing"


class SourceInput(BaseModel):
    """What a municipality or operator gives to register a feed."""

    id: str = Field(description="Short stable id, lower case, e.g. 'essen' or 'kreis-unna-kurse'.")
    name: str = Field("", max_length=200, description="Human name, e.g. 'Stadt Essen – Jugendamt'.")
    ags: list[str] = Field(min_length=1, description="AGS codes (8 digits) the source serves.")
    kind: str = Field(description="Connector kind, e.g. 'json_feed', 'wordpress'.")
    url: str = Field(description="Feed URL.")
    config: dict[str, Any] = Field(default_factory=dict, description="Connector config.")
    interval_minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    reconcile_hours: int | None = Field(
        None,
        ge=1,
        le=30 * 24,
        description="Hours between full reconciliations (deletions reach incremental syncs "
        "only through them); empty: the hub's default (`HUB_RECONCILE_HOURS`, daily).",
    )
    contact_emails: list[EmailAddress] = Field(
        default_factory=list,
        max_length=10,
        description="Where parents' correction reports and freshness reminders are sent.",
    )

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SOURCE_ID.match(value):
            raise ValueError("id must be 2–63 chars of a-z, 0-9 and '-'")
        return value

    @field_validator("ags")
    @classmethod
    def _ags(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not re.fullmatch(r"05\d{6}", v)]
        if bad:
            raise ValueError(f"not an NRW AGS: {', '.join(bad)}")
        return value


class Source(SourceInput):
    """A registered source as stored."""

    organisation_id: str | None = Field(
        None,
        description="The organisation (Jugendamt) that owns the source; none for sources "
        "registered with the admin token before organisations existed.",
    )
    state: SourceState = SourceState.PENDING
    state_reason: str = ""
    api_key_hashes: list[str] = Field(default_factory=list)
    webhook_secrets: list[dict[str, Any]] = Field(default_factory=list)
    cursor: dict[str, Any] = Field(default_factory=dict)
    consecutive_failures: int = 0
    pending_deletion: dict[str, Any] = Field(default_factory=dict)
    last_run_id: str | None = None
    last_run_at: datetime | None = None
    last_success_at: datetime | None = None
    next_run_at: datetime | None = None
    last_reconciled_at: datetime | None = Field(
        None, description="End of the last complete listing compared with the index."
    )
    next_reconcile_at: datetime | None = None
    offer_count: int = 0
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    seq_no: int | None = Field(None, exclude=True)
    primary_term: int | None = Field(None, exclude=True)

    def connector_config(self) -> dict[str, Any]:
        return {**self.config, "url": self.url}


class SourceRegistry:
    """CRUD over `hub-sources`; `update` retries a mutation on concurrent changes."""

    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        self.index = engine.name(SOURCES)

    def get(self, source_id: str) -> Source:
        try:
            found = self.engine.request("GET", self.engine.doc_path(SOURCES, source_id))
        except NotFound:
            raise NotFound(
                f"unknown source {source_id!r}",
                message_de=f"Die Quelle „{source_id}“ ist nicht registriert.",
            ) from None
        return _from_hit(found)

    def pages(
        self,
        state: SourceState | None = None,
        organisation_id: str | None = None,
        page_size: int = LIST_PAGE,
    ) -> Iterator[list[Source]]:
        """Every source in pages of `page_size`, in id order, paged by `search_after` on the
        unique id: no `size` window silently ends the listing at 10 000 sources."""
        terms: list[dict[str, Any]] = []
        if state:
            terms.append({"term": {"state": state.value}})
        if organisation_id:
            terms.append({"term": {"organisation_id": organisation_id}})
        query: dict[str, Any] = {"bool": {"filter": terms}} if terms else {"match_all": {}}
        body: dict[str, Any] = {
            "size": page_size, "query": query, "sort": [{"id": "asc"}],
            "seq_no_primary_term": True, "track_total_hits": False,
        }  # fmt: skip
        while True:
            hits = self.engine.request("POST", f"/{self.index}/_search", body)["hits"]["hits"]
            if hits:
                yield [_from_hit(hit) for hit in hits]
            if len(hits) < page_size:
                return
            body["search_after"] = hits[-1]["sort"]

    def count_serving(self, ags: Sequence[str]) -> int:
        """How many sources serve at least one of these municipalities (a count, not a scan)."""
        body = {"query": {"terms": {"ags": list(ags)}}}
        return int(self.engine.request("POST", f"/{self.index}/_count", body)["count"])

    def save_all(self, sources: Sequence[Source]) -> list[str]:
        """Write back many sources read earlier in one bulk request, each under its own
        `seq_no` check, then refresh once; returns the ids not written (someone else changed
        them in between, or the engine refused the item): the caller retries those one by one."""
        now = datetime.now(UTC)
        actions = []
        for source in sources:
            source.updated_at = now
            action: dict[str, Any] = {
                "_op_type": "index", "_index": self.index, "_id": source.id,
                "_source": self._stored(source),
            }  # fmt: skip
            if source.seq_no is not None:
                action.update(if_seq_no=source.seq_no, if_primary_term=source.primary_term)
            actions.append(action)
        refused = [
            str(item.get("index", {}).get("_id"))
            for ok, item in self.engine.streaming_bulk(actions, chunk_size=LIST_PAGE)
            if not ok
        ]
        if actions:
            self.engine.request("POST", f"/{self.index}/_refresh")
        return refused

    def list(
        self, state: SourceState | None = None, organisation_id: str | None = None
    ) -> list[Source]:
        """Every source, optionally of one state or one organisation (no search window cap)."""
        return [s for page in self.pages(state, organisation_id) for s in page]

    def create(self, data: SourceInput) -> Source:
        """Register a new source; `ConfigError` if the id is taken."""
        source = Source(**data.model_dump())
        try:
            self.engine.request(
                "PUT",
                f"/{self.index}/_create/{source.id}",
                self._stored(source),
                params={"refresh": "true"},
            )
        except ConflictError:
            raise ConfigError(
                f"source {source.id!r} exists already",
                message_de=f"Eine Quelle mit der Kennung „{source.id}“ gibt es bereits.",
            ) from None
        return self.get(source.id)

    def create_all(self, sources: Sequence[Source]) -> dict[str, str]:
        """Register many new sources with bulk `create` requests and one refresh; returns the
        refused ids with a German reason (an id taken already, or refused by the engine)."""
        actions = [
            {"_op_type": "create", "_index": self.index, "_id": s.id, "_source": self._stored(s)}
            for s in sources
        ]
        refused = {}
        for ok, item in self.engine.streaming_bulk(actions, chunk_size=LIST_PAGE):
            if ok:
                continue
            result = item.get("create", {})
            source_id = str(result.get("_id"))
            refused[source_id] = (
                f"Eine Quelle mit der Kennung „{source_id}“ gibt es bereits."
                if result.get("status") == 409
                else "Die Quelle konnte nicht gespeichert werden."
            )
        if actions:
            self.engine.request("POST", f"/{self.index}/_refresh")
        return refused

    def save(self, source: Source, refresh: str | None = "true") -> Source:
        """Write back a source read earlier; `ConflictError` if someone else wrote in between.
        `refresh`: `true` makes it searchable at once (forcing a refresh), None with the next
        scheduled refresh (within a second; a read by id sees it at once either way)."""
        source.updated_at = datetime.now(UTC)
        params: dict[str, Any] = {"refresh": refresh} if refresh else {}
        if source.seq_no is not None:
            params.update(if_seq_no=source.seq_no, if_primary_term=source.primary_term)
        result = self.engine.request(
            "PUT",
            self.engine.doc_path(SOURCES, source.id),
            self._stored(source),
            params=params,
        )
        source.seq_no, source.primary_term = result["_seq_no"], result["_primary_term"]
        return source

    def update(
        self,
        source_id: str,
        change: Callable[[Source], None],
        attempts: int = 5,
        *,
        known: Source | None = None,
        refresh: str | None = "true",
    ) -> Source:
        """Read, apply `change`, write with concurrency control; retry on conflicts. `known`:
        the source as read earlier (with its seq_no), tried first instead of a fresh read."""
        for _ in range(attempts):
            fresh = known is None or known.seq_no is None
            source = self.get(source_id) if fresh or known is None else known
            known = None
            change(source)
            try:
                return self.save(source, refresh=refresh)
            except ConflictError:
                continue
        raise ConflictError(f"source {source_id!r} kept changing; gave up after {attempts} tries")

    def _stored(self, source: Source) -> dict[str, Any]:
        """The document as written: connector and webhook secrets sealed (`hub.sources.vault`)."""
        settings = self.engine.settings
        source.config = seal_for_storage(source.kind, source.config, settings)
        if source.webhook_secrets:
            box = box_for(settings)
            source.webhook_secrets = [
                {**entry, "secret": box.reseal(str(entry["secret"]))}
                if entry.get("secret")
                else entry
                for entry in source.webhook_secrets
            ]
        return source.model_dump(mode="json")

    def delete(self, source_id: str) -> None:
        """Remove the source and the feed pages its syncs kept (`hub-feed-pages`)."""
        self.get(source_id)
        self.engine.request(
            "DELETE", self.engine.doc_path(SOURCES, source_id), params={"refresh": "true"}
        )
        with suppress(NotFound):  # none kept, or no such index yet
            self.engine.request("DELETE", self.engine.doc_path(FEED_PAGES, source_id))


def _from_hit(hit: dict[str, Any]) -> Source:
    source = Source.model_validate(hit["_source"])
    source.seq_no = hit.get("_seq_no")
    source.primary_term = hit.get("_primary_term")
    return source
