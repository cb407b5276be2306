"""The zero-downtime reindex as a background job the desk starts: one at a time, its progress
and outcome kept in Redis (what may be lost: a lost status only hides the last outcome).

`claim` books the job before it is queued, so a second start is refused even before a worker
picks the first up; `run` holds the writers' reindex flag (`hub.ingest.locks`) while it copies
and frees the claim when it ends, however it ends.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import redis
import structlog
from pydantic import BaseModel

from hub.core.errors import ConflictError, HubError
from hub.core.settings import Settings
from hub.ingest.locks import REINDEX_LOCK_SECONDS, reindex_running, writers_paused
from hub.search.engine import SearchEngine
from hub.search.reindex import reindex

log = structlog.get_logger(__name__)
RUNNING_DE = (
    "Es läuft bereits eine Neuindizierung. Bitte warten Sie, bis sie fertig ist; den Fortschritt "
    "sehen Sie auf dieser Seite."
)
FAILED_DE = "Die Neuindizierung ist fehlgeschlagen; die Suche arbeitet unverändert weiter."


class ReindexStatus(BaseModel):
    """The last or current reindex: state (queued, running, done, failed) and counters."""

    state: str = "idle"
    actor: str = ""
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    copied: int = 0
    total: int = 0
    documents: int | None = None
    new_index: str = ""
    message_de: str = ""

    @property
    def busy(self) -> bool:
        return self.state in ("queued", "running")

    @property
    def percent(self) -> int:
        return int(100 * self.copied / self.total) if self.total else 0


def _claim_key(settings: Settings) -> str:
    return f"hub:{settings.index_prefix}reindex:claim"


def _status_key(settings: Settings) -> str:
    return f"hub:{settings.index_prefix}reindex:status"


def status(client: redis.Redis, settings: Settings) -> ReindexStatus:
    raw = client.get(_status_key(settings))
    return ReindexStatus.model_validate(json.loads(raw)) if raw else ReindexStatus()


def _save(client: redis.Redis, settings: Settings, current: ReindexStatus) -> None:
    client.set(_status_key(settings), current.model_dump_json(), ex=30 * 24 * 3600)


def claim(client: redis.Redis, settings: Settings, actor: str) -> ReindexStatus:
    """Book the one reindex; `ConflictError` (German) while one is queued or running."""
    if reindex_running(client, settings) or not client.set(
        _claim_key(settings), actor, nx=True, ex=REINDEX_LOCK_SECONDS
    ):
        raise ConflictError("a reindex is queued or running", message_de=RUNNING_DE)
    queued = ReindexStatus(state="queued", actor=actor, queued_at=datetime.now(UTC))
    _save(client, settings, queued)
    return queued


def release(client: redis.Redis, settings: Settings, message_de: str = "") -> None:
    """Free the claim of a job that never reached a worker (the queue refused it)."""
    client.delete(_claim_key(settings))
    current = status(client, settings)
    failed = current.model_copy(
        update={"state": "failed", "finished_at": datetime.now(UTC), "message_de": message_de}
    )
    _save(client, settings, failed)


def run(client: redis.Redis, settings: Settings, engine: SearchEngine) -> ReindexStatus:
    """Reindex now, recording progress; the claim is freed at the end."""
    current = status(client, settings).model_copy(
        update={"state": "running", "started_at": datetime.now(UTC), "message_de": ""}
    )
    _save(client, settings, current)

    def progress(copied: int, total: int) -> None:
        current.copied, current.total = copied, total
        _save(client, settings, current)

    try:
        with writers_paused(client, settings):
            result = reindex(engine, progress)
        current.state, current.documents, current.new_index = "done", result.documents, result.new
        current.copied = current.total = result.documents
    except HubError as exc:
        log.warning("reindex.failed", error=exc.message)
        current.state = "failed"
        current.message_de = exc.message_de if exc.message_de != exc.message else FAILED_DE
    finally:
        if current.state == "running":  # anything else went wrong (Redis, a bug)
            current.state, current.message_de = "failed", FAILED_DE
        current.finished_at = datetime.now(UTC)
        _save(client, settings, current)
        client.delete(_claim_key(settings))
    return current


def as_dict(current: ReindexStatus) -> dict[str, Any]:
    return {**current.model_dump(mode="json"), "percent": current.percent, "busy": current.busy}
