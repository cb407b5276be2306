"""Sync history (`hub-sync-runs`): one document per run with counts, errors and rejections."""

from __future__ import annotations

import uuid
from contextlib import suppress
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from hub.core.errors import NotFound
from hub.core.schema import Rejection
from hub.search.engine import SearchEngine
from hub.search.indices import SYNC_RUNS

MAX_STORED_REJECTIONS = 1000


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    NOT_MODIFIED = "not_modified"


class RunCounts(BaseModel):
    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    stale: int = 0
    pending_deletion: int = 0
    skipped_unchanged_pages: int = 0  # feed pages found byte-identical, their records not read


class SyncRun(BaseModel):
    """One sync of one source: what it saw, wrote, rejected and why it ended."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    source_id: str
    trigger: str = "manual"
    mode: str = "full"
    status: RunStatus = RunStatus.RUNNING
    started_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    ended_at: datetime | None = None
    duration_seconds: float | None = None
    counts: RunCounts = Field(default_factory=RunCounts)
    errors: list[dict[str, Any]] = Field(default_factory=list)
    rejections: list[Rejection] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    not_modified: bool = False
    attempt: int = 1
    webhook_ids: list[str] = Field(default_factory=list)  # the events a webhook run applied

    def reject(self, rejection: Rejection) -> None:
        self.counts.rejected += 1
        if len(self.rejections) < MAX_STORED_REJECTIONS:
            self.rejections.append(rejection)

    def finish(self, status: RunStatus) -> None:
        self.status = status
        self.ended_at = datetime.now(UTC)
        self.duration_seconds = round((self.ended_at - self.started_at).total_seconds(), 3)


class RunStore:
    """Writes and reads run documents."""

    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        self.index = engine.name(SYNC_RUNS)

    def save(self, run: SyncRun, refresh: str | None = "true") -> None:
        """Write the run; `refresh` as the engine takes it: `true` makes it searchable at once
        (forcing a refresh), `wait_for` returns once the next scheduled refresh made it so,
        None leaves it to that refresh (a read by id sees it at once in every case)."""
        self.engine.request(
            "PUT",
            self.engine.doc_path(SYNC_RUNS, run.id),
            run.model_dump(mode="json"),
            params={"refresh": refresh} if refresh else None,
        )

    def get(self, run_id: str) -> SyncRun:
        try:
            found = self.engine.request("GET", self.engine.doc_path(SYNC_RUNS, run_id))
        except NotFound:
            raise NotFound(
                f"unknown run {run_id!r}", message_de="Diesen Lauf gibt es nicht."
            ) from None
        return SyncRun.model_validate(found["_source"])

    def for_source(self, source_id: str, limit: int = 20) -> list[SyncRun]:
        """The newest runs of a source. Runs are saved without forcing a refresh (thousands a
        day), so this rarer read refreshes the history first and lists every ended run."""
        with suppress(NotFound):  # then the search answers as it would have without it
            self.engine.request("POST", f"/{self.index}/_refresh")
        body = {
            "size": limit,
            "query": {"term": {"source_id": source_id}},
            "sort": [{"started_at": "desc"}],
        }
        hits = self.engine.request("POST", f"/{self.index}/_search", body)["hits"]["hits"]
        return [SyncRun.model_validate(hit["_source"]) for hit in hits]


def sweep_abandoned(store: RunStore, older_than_seconds: float) -> list[str]:
    """Mark runs still `running` long after any task could have ended as failed ("abandoned").

    A worker killed outright, or a final save lost while the engine was down, leaves such runs;
    the task itself is redelivered and records a run of its own.
    """
    cutoff = datetime.now(UTC).timestamp() - older_than_seconds
    body = {
        "size": 500,
        "query": {
            "bool": {
                "filter": [
                    {"term": {"status": RunStatus.RUNNING.value}},
                    {
                        "range": {
                            "started_at": {"lt": datetime.fromtimestamp(cutoff, UTC).isoformat()}
                        }
                    },
                ]
            }
        },
    }
    hits = store.engine.request("POST", f"/{store.index}/_search", body)["hits"]["hits"]
    swept = []
    for hit in hits:
        run = SyncRun.model_validate(hit["_source"])
        run.errors.append(
            {
                "code": "abandoned",
                "message": "run never finished (worker lost)",
                "message_de": "Der Lauf wurde abgebrochen und wird wiederholt.",
            }
        )
        run.finish(RunStatus.FAILED)
        store.save(run)
        swept.append(run.id)
    return swept
