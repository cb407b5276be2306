"""What the ministry does to a running source: pause and resume it, release or refuse a held
mass deletion, and resync it no more often than a per-source limit allows.

Each use case returns the source before and after the change, so callers can record both in
the audit log; a request that no longer fits the source's state is a `ConflictError` with a
German answer (nothing changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import redis

from hub.core.errors import ConflictError
from hub.core.redis_ratelimit import RedisRateLimiter
from hub.core.settings import Settings
from hub.sources.store import Source, SourceRegistry, SourceState

PAUSED_REASON_DE = "Vom Ministerium pausiert."
ALREADY_PAUSED_DE = "Die Quelle ist bereits pausiert."
NOT_PAUSED_DE = "Die Quelle ist nicht pausiert."
NOT_WAITING_DE = (
    "Für diese Quelle wartet keine Löschung (mehr) auf eine Entscheidung. "
    "Bitte laden Sie die Seite neu."
)
ALREADY_REFUSED_DE = "Diese Löschung ist bereits abgelehnt; sie bleibt angehalten."
TOO_MANY_RESYNCS_DE = (
    "Diese Quelle wurde gerade erst mehrfach neu angestoßen. Bitte warten Sie einige Minuten, "
    "bevor Sie sie erneut synchronisieren."
)


@dataclass(frozen=True)
class Change:
    before: Source
    after: Source


def pause(registry: SourceRegistry, source_id: str, reason: str = "") -> Change:
    """Stop scheduled syncs of a source; its offers stay searchable."""
    before = registry.get(source_id)

    def change(source: Source) -> None:
        if source.state == SourceState.PAUSED:
            raise ConflictError(f"{source_id} is paused already", message_de=ALREADY_PAUSED_DE)
        source.state = SourceState.PAUSED
        source.state_reason = reason or PAUSED_REASON_DE

    return Change(before, registry.update(source_id, change))


def resume(registry: SourceRegistry, source_id: str) -> Change:
    """Let the scheduler sync a paused source again, at its next tick."""
    before = registry.get(source_id)

    def change(source: Source) -> None:
        if source.state != SourceState.PAUSED:
            raise ConflictError(f"{source_id} is not paused", message_de=NOT_PAUSED_DE)
        source.state = SourceState.ACTIVE if source.last_success_at else SourceState.PENDING
        source.state_reason = ""
        source.next_run_at = datetime.now(UTC)

    return Change(before, registry.update(source_id, change))


def deletion_waits(source: Source) -> bool:
    """Whether a held mass deletion waits for a decision (refused ones wait for approval)."""
    return bool(source.pending_deletion.get("ids"))


def check_deletion_waits(source: Source) -> None:
    if not deletion_waits(source):
        raise ConflictError(f"no deletion waits for {source.id}", message_de=NOT_WAITING_DE)


def refuse_deletion(registry: SourceRegistry, source_id: str, actor: str) -> Change:
    """Keep the held offers: the deletion stays held until the ministry approves it or the
    feed lists the offers again (a second run no longer confirms it on its own)."""
    before = registry.get(source_id)

    def change(source: Source) -> None:
        check_deletion_waits(source)
        if source.pending_deletion.get("refused"):
            raise ConflictError(f"{source_id} refused already", message_de=ALREADY_REFUSED_DE)
        refused = {"at": datetime.now(UTC).isoformat(), "by": actor}
        source.pending_deletion = {**source.pending_deletion, "refused": refused}

    return Change(before, registry.update(source_id, change))


class ResyncThrottle:
    """Manual resyncs per source on the hub's Redis limiter: a few at once, then one every
    `1/RATE` seconds; refused requests book slots too, so a storm prolongs its own wait."""

    RATE = 1 / 120
    BURST = 3

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        prefix = f"hub:{settings.index_prefix}resync:"
        self.limiter = RedisRateLimiter(client, self.RATE, prefix=prefix)

    def allow(self, source_id: str) -> bool:
        return self.limiter.reserve(source_id) <= (self.BURST - 1) / self.RATE
