"""Reconciliation: a source that syncs incrementally is compared in full, on its own schedule.

An incremental fetch (`modified_after`, a change feed) never hears of a record that was deleted
or unpublished at the source, so without this it would stay in the search for good. Once per
`reconcile_hours` (the source's, else the hub's daily default) the run lists everything the
source publishes and deletes what the index holds beyond it, under the runner's deletion rules.
A connector that can list ids (`supports_id_listing`) pays only for that listing; any other
reconciles by a full fetch. Sources without an incremental cursor need none: each of their
runs lists everything and deletes already.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from connectors.sdk.base import Connector
from hub.core.schema import offer_id
from hub.core.settings import Settings
from hub.sources.store import Source


def reconcile_interval(source: Source, settings: Settings) -> timedelta:
    """The source's own reconciliation interval, or the hub's default."""
    return timedelta(hours=source.reconcile_hours or settings.reconcile_hours)


def syncs_incrementally(source: Source) -> bool:
    """Whether the next ordinary run resumes from a position (and so cannot see deletions)."""
    return bool((source.cursor or {}).get("position"))


def reconcile_due(source: Source, now: datetime) -> bool:
    """Due when the source syncs incrementally and its planned reconciliation time has come
    (a source never reconciled, e.g. one synced before reconciliation existed, is due now)."""
    if not syncs_incrementally(source):
        return False
    return source.next_reconcile_at is None or source.next_reconcile_at <= now


def plan_reconcile(source: Source, now: datetime, settings: Settings) -> None:
    """Move the next reconciliation one interval past `now` (when one is queued or done), so a
    failing listing is retried at the next interval, not at every beat."""
    source.next_reconcile_at = now + reconcile_interval(source, settings)


def listed_offer_ids(connector: Connector[Any]) -> set[str]:
    """The offer ids of every record the source publishes now, from its id listing."""
    source_id = connector.context.source_id
    return {offer_id(source_id, local_id) for local_id in connector.list_ids() if local_id}
