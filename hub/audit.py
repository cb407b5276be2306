"""The audit log (`hub-audit`): who did what to which source, organisation or index, and when,
with the state before and after.

Every action of a person on the municipality's or the ministry's pages, of the admin token or
an API key on the JSON API, writes one entry through `record`. Secrets never reach the log:
`masked` replaces every value under a secret-looking key and every sealed value before writing.
Writing an entry never fails the action it records: if the engine refuses, the entry goes to
the application log instead (masked as well).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import structlog
from pydantic import BaseModel, Field

from hub.core.errors import HubError
from hub.search.engine import SearchEngine
from hub.search.indices import AUDIT
from hub.sources.secrets import is_valid
from hub.sources.store import Source
from hub.sources.vault import SEALED, masked_config

log = structlog.get_logger(__name__)
MASK = "••••••"
SECRET_KEY = re.compile(
    r"secret|passw|token|api_?key|key_hash|authori[sz]ation|credential|cookie", re.IGNORECASE
)
MAX_PAGE_SIZE = 100
MAX_WINDOW = 10_000  # the engine's default max_result_window


@dataclass(frozen=True)
class Actor:
    """Who acted: a signed-in person (by e-mail, with her organisation), the admin token, an
    API key of a source, or the hub itself."""

    name: str
    kind: str
    organisation_id: str = ""

    @classmethod
    def person(cls, email: str, organisation_id: str) -> Actor:
        return cls(email.lower(), "person", organisation_id)


ADMIN_TOKEN = Actor("admin-token", "admin_token")
SOURCE_KEY = Actor("api-key", "api_key")


class AuditEntry(BaseModel):
    """One recorded action."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    actor: str
    actor_kind: str
    actor_organisation: str = ""
    action: str
    target: str
    source_id: str = ""
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)


class AuditQuery(BaseModel):
    """What the desk searches by: actor (prefix of the e-mail), action, source, date range."""

    actor: str = ""
    action: str = ""
    source_id: str = ""
    since: date | None = None
    until: date | None = None
    page: int = Field(1, ge=1)
    size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int


def masked(value: Any) -> Any:
    """`value` with every secret replaced by `MASK`: values under secret-looking keys and
    sealed values anywhere (lists and nested objects included)."""
    if isinstance(value, dict):
        return {
            str(key): (MASK if SECRET_KEY.search(str(key)) and item else masked(item))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [masked(item) for item in value]
    if isinstance(value, str) and value.startswith(SEALED):
        return MASK
    return value


def source_snapshot(source: Source) -> dict[str, Any]:
    """What an operator needs to see changed on a source; secrets only by count/fingerprint."""
    now = datetime.now(UTC)
    return {
        "state": source.state.value,
        "state_reason": source.state_reason,
        "name": source.name,
        "url": source.url,
        "interval_minutes": source.interval_minutes,
        "config": masked_config(source.kind, source.config),
        "contact_emails": list(source.contact_emails),
        "pending_deletion": len(source.pending_deletion.get("ids", [])),
        "deletion_refused": bool(source.pending_deletion.get("refused")),
        "access_keys": len(source.api_key_hashes),
        "webhook_fingerprints": [
            str(s.get("fingerprint", "")) for s in source.webhook_secrets if is_valid(s, now)
        ],
        "offer_count": source.offer_count,
    }


class AuditLog:
    """Writes and searches `hub-audit`."""

    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        self.index = engine.name(AUDIT)

    def record(
        self,
        actor: Actor,
        action: str,
        target: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        *,
        source_id: str = "",
    ) -> AuditEntry:
        entry = AuditEntry(
            actor=actor.name,
            actor_kind=actor.kind,
            actor_organisation=actor.organisation_id,
            action=action,
            target=target,
            source_id=source_id,
            before=masked(before or {}),
            after=masked(after or {}),
        )
        self.engine.request(
            "PUT",
            self.engine.doc_path(AUDIT, entry.id),
            entry.model_dump(mode="json"),
            params={"refresh": "true", "op_type": "create"},
        )
        return entry

    def search(self, query: AuditQuery) -> AuditPage:
        """Newest first; pages beyond the engine's result window are refused by clamping."""
        filters: list[dict[str, Any]] = []
        if query.actor:
            filters.append({"prefix": {"actor": query.actor.strip().lower()}})
        if query.action:
            filters.append({"term": {"action": query.action}})
        if query.source_id:
            filters.append({"term": {"source_id": query.source_id}})
        window: dict[str, str] = {}
        if query.since:
            window["gte"] = datetime.combine(query.since, time.min, UTC).isoformat()
        if query.until:
            end = query.until + timedelta(days=1)
            window["lt"] = datetime.combine(end, time.min, UTC).isoformat()
        if window:
            filters.append({"range": {"at": window}})
        start = min((query.page - 1) * query.size, MAX_WINDOW - query.size)
        body = {
            "query": {"bool": {"filter": filters}},
            "sort": [{"at": "desc"}, {"id": "asc"}],
            "from": start,
            "size": query.size,
            "track_total_hits": True,
        }
        found = self.engine.request("POST", f"/{self.index}/_search", body)["hits"]
        total = int(found["total"]["value"])
        pages = max(1, -(-min(total, MAX_WINDOW) // query.size))
        entries = [AuditEntry.model_validate(hit["_source"]) for hit in found["hits"]]
        return AuditPage(entries, total, min(query.page, pages), pages)

    def actions(self) -> list[str]:
        """The actions recorded so far (for the desk's filter)."""
        body = {"size": 0, "aggs": {"a": {"terms": {"field": "action", "size": 200}}}}
        found = self.engine.request("POST", f"/{self.index}/_search", body)
        return sorted(str(b["key"]) for b in found["aggregations"]["a"]["buckets"])


def record(
    engine: SearchEngine,
    actor: Actor,
    action: str,
    target: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    source_id: str = "",
) -> AuditEntry | None:
    """Record one action; an engine that refuses costs the entry's place in the index, not
    the action (the entry goes to the application log)."""
    try:
        return AuditLog(engine).record(actor, action, target, before, after, source_id=source_id)
    except HubError as exc:
        log.warning(
            "audit.not_recorded",
            error=exc.code,
            actor=actor.name,
            action=action,
            target=target,
            before=masked(before or {}),
            after=masked(after or {}),
        )
        return None
