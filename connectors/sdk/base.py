"""The connector SDK: the small typed contract every CMS or format module implements.

A connector turns one municipal feed into raw records and maps each raw record to the input of
the common offer schema. It never imports Celery or the search client: fetching goes through the
safe fetcher it is handed, scheduling and indexing are the workers' job.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from connectors.sdk.filters import OfferFilters
from hub.core.fetcher import SafeFetcher


class ConnectorConfig(BaseModel):
    """Base of every connector's config; each connector declares its own subclass."""

    model_config = ConfigDict(extra="forbid")
    url: AnyHttpUrl = Field(description="The feed's address as the municipality registered it.")
    offer_filters: OfferFilters = Field(
        default_factory=OfferFilters,
        description="The source's own corrections of which records are offers (per record "
        "and per category or tag).",
    )


class Cursor(BaseModel):
    """Where the last run stopped: HTTP validators and a connector-specific position."""

    etag: str | None = None
    last_modified: str | None = None
    position: dict[str, Any] = Field(default_factory=dict)
    not_modified: bool = Field(False, description="Set by fetch when the feed answered 304.")

    def unchanged(self) -> Cursor:
        """This cursor, marked as answered 304: the run writes and deletes nothing."""
        return self.model_copy(update={"not_modified": True})


@dataclass(frozen=True)
class RawRecord:
    """One record as the source delivered it, before normalisation."""

    local_id: str
    payload: Mapping[str, Any]
    updated_at: datetime | None = None
    source_url: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class SourceContext:
    """What a connector may know about the source it reads (ids and served municipalities)."""

    source_id: str
    ags: tuple[str, ...] = ()
    name: str = ""


@dataclass
class CheckResult:
    """Outcome of `check`: ok, and a German message the municipality can act on."""

    ok: bool
    message_de: str
    details: dict[str, Any] = field(default_factory=dict)


ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)
FetchGenerator = Generator[RawRecord, None, Cursor]


class Connector(ABC, Generic[ConfigT]):
    """Base class: subclasses set `kind`, `config_model` and implement `fetch` and `to_offer`."""

    kind: ClassVar[str]
    config_model: ClassVar[type[ConnectorConfig]]
    supports_incremental: ClassVar[bool] = False
    supports_webhook: ClassVar[bool] = False
    supports_id_listing: ClassVar[bool] = False

    def __init__(self, config: ConfigT, fetcher: SafeFetcher, context: SourceContext) -> None:
        self.config = config
        self.fetcher = fetcher
        self.context = context

    @classmethod
    def parse_config(cls, raw: Mapping[str, Any]) -> ConnectorConfig:
        """Validate a stored or registered config dict into this connector's model."""
        return cls.config_model.model_validate(raw)

    def check(self) -> CheckResult:
        """Reachability and validity: fetch the first records and report in German."""
        count = 0
        generator = self.fetch(Cursor())
        for _record in generator:
            count += 1
            if count >= 5:
                break
        if count == 0:
            return CheckResult(False, "Der Feed ist erreichbar, enthält aber keine Angebote.")
        return CheckResult(True, f"Der Feed ist erreichbar und liefert Angebote ({count}+).")

    @abstractmethod
    def fetch(self, cursor: Cursor) -> FetchGenerator:
        """Yield every raw record of the feed; return the cursor for the next run.

        A full fetch is asked for with an empty cursor. Raise a `FetchError` when the feed
        cannot be read completely: the run then deletes nothing.
        """

    @abstractmethod
    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        """Map a raw record to the input of the common schema (without id/source_id).

        Raise `RecordError` for a record that cannot be mapped; it becomes a rejection.
        """

    def list_ids(self) -> Iterator[str]:
        """Yield the local id of every record the source publishes now, and nothing else.

        Only for `supports_id_listing` connectors: a reconciliation then costs a listing of ids
        instead of a full fetch. Same rule as `fetch`: raise a `FetchError` when the listing
        cannot be read completely, so that nothing is deleted on a partial listing.
        """
        raise NotImplementedError(f"connector {self.kind} cannot list ids")

    def parse_webhook(self, body: Mapping[str, Any]) -> list[RawRecord]:
        """Turn a pushed event body into raw records; only for `supports_webhook` connectors."""
        raise NotImplementedError(f"connector {self.kind} does not accept webhooks")
