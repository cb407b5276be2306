"""Registry index management on the real engine: missing indices are made, old ones grow."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from hub.core.errors import EngineRequestError
from hub.core.settings import Settings
from hub.search.analysis import load_json
from hub.search.engine import SearchEngine, get_engine
from hub.search.indices import SOURCES, drop_prefixed, ensure_indices
from hub.sources.store import SourceInput, SourceRegistry


@pytest.fixture
def isolated(engine: SearchEngine, settings: Settings) -> Iterator[SearchEngine]:
    local = settings.model_copy(
        update={"index_prefix": f"{settings.index_prefix}ix{uuid.uuid4().hex[:4]}-"}
    )
    eng = get_engine(local)
    yield eng
    drop_prefixed(eng)


def test_registry_index_made_before_a_field_existed_accepts_it_after_ensure(
    isolated: SearchEngine,
) -> None:
    old = load_json("sources.json")
    for added in ("reconcile_hours", "last_reconciled_at", "next_reconcile_at"):
        del old["mappings"]["properties"][added]
    old.pop("_comment", None)
    isolated.request("PUT", f"/{isolated.name(SOURCES)}", old)
    registry = SourceRegistry(isolated)
    soest = SourceInput(id="soest", ags=["05974040"], kind="push", url="https://soest.de")
    with pytest.raises(EngineRequestError, match="strict"):
        registry.create(soest)

    ensure_indices(isolated)  # as `hub index create` and `hub up` do
    registry.create(soest)
    stamp = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    registry.update("soest", lambda s: setattr(s, "last_reconciled_at", stamp))

    assert registry.get("soest").last_reconciled_at == stamp
