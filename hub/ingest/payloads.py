"""Content addresses of raw payloads, and the versions that decide when one is normalised again.

A record is normalised again when its payload changed (`raw_hash`), when the normaliser changed
(`normaliser_version`: a hash over the code and data that map and normalise records, so an
improvement to extraction, a vocabulary or the gazetteer reaches every offer without anyone
remembering to bump a number), or when its source's connector config changed
(`config_fingerprint`). Otherwise the indexed offer is what normalising would give again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from connectors.sdk.base import Connector, RawRecord
from hub.core.settings import MAPPINGS_DIR, PROJECT_ROOT
from hub.search.raw import RawEntry

# Bump by hand when normalisation changes in a way the hashed files below do not show (e.g. a
# dependency's behaviour); any change to those files changes the version by itself.
NORMALISER_REVISION = "1"
CODE_DIRS = ("connectors", "hub/core", "hub/ingest/normalise", "hub/ingest/extract")
CODE_FILES = ("hub/ingest/pipeline.py",)
DATA_DIRS = ("vocab", "gazetteer", "feeds", "analysis")


def canonical_json(value: Any) -> bytes:
    """Key-sorted, compact UTF-8 JSON: equal content gives equal bytes."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.encode()


def raw_hash(raw: RawRecord) -> str:
    """The content address of a raw record: sha256 over payload, updated_at, URL and local id."""
    updated = raw.updated_at.isoformat() if raw.updated_at else None
    content = {
        "payload": raw.payload,
        "updated_at": updated,
        "source_url": raw.source_url,
        "local_id": raw.local_id,
    }
    return hashlib.sha256(canonical_json(content)).hexdigest()


@cache
def normaliser_version() -> str:
    """A hash of the revision above and every file that maps or normalises a record."""
    digest = hashlib.sha256(NORMALISER_REVISION.encode())
    for path in _normaliser_files():
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def normaliser_state(now: datetime | None = None) -> str:
    """The normaliser version with the ISO week: extraction reads dates relative to today
    (year-less dates, the window of open rules), so a kept payload is normalised again once a
    week even when nothing else changed, and its sessions move on with the calendar."""
    year, week, _ = (now or datetime.now(UTC)).isocalendar()
    return f"{normaliser_version()}@{year}-W{week:02d}"


def _normaliser_files() -> Iterator[Path]:
    for folder in CODE_DIRS:
        yield from sorted((PROJECT_ROOT / folder).rglob("*.py"))
    yield from (PROJECT_ROOT / name for name in CODE_FILES)
    for folder in DATA_DIRS:
        yield from sorted(p for p in (MAPPINGS_DIR / folder).rglob("*") if p.is_file())


def config_fingerprint(connector: Connector[Any]) -> str:
    """Kind, validated config (secrets masked) and source context of a connector."""
    context = connector.context
    content = {
        "kind": connector.kind,
        "config": connector.config.model_dump(mode="json"),
        "ags": list(context.ags),
        "name": context.name,
    }
    return hashlib.sha256(canonical_json(content)).hexdigest()[:32]


def raw_entry(
    connector: Connector[Any], raw: RawRecord, doc_id: str, state: tuple[str, str, str]
) -> RawEntry:
    """What `hub-raw` keeps of `raw` in its `state` (raw hash, normaliser, config); the payload
    as JSON, which is what a reindex will read back."""
    return RawEntry(
        id=doc_id,
        source_id=connector.context.source_id,
        local_id=raw.local_id,
        kind=connector.kind,
        raw_hash=state[0],
        normaliser=state[1],
        config_fingerprint=state[2],
        payload=json.loads(canonical_json(raw.payload)),
        updated_at=raw.updated_at.isoformat() if raw.updated_at else None,
        source_url=raw.source_url,
        stored_at=datetime.now(UTC).isoformat(),
    )


def raw_record(entry: RawEntry) -> RawRecord:
    """A kept entry as the raw record its connector delivered."""
    updated = datetime.fromisoformat(entry.updated_at) if entry.updated_at else None
    return RawRecord(
        local_id=entry.local_id,
        payload=entry.payload,
        updated_at=updated,
        source_url=entry.source_url,
    )
