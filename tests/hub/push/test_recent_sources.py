"""The receiver's memo of sources on the real engine: served while fresh, re-read when asked."""

from __future__ import annotations

import time
import uuid

from hub.push.recent_sources import RecentSources
from hub.search.engine import SearchEngine
from hub.sources.store import SourceInput, SourceRegistry, SourceState


def test_a_source_is_read_once_per_ttl_and_again_on_demand(engine: SearchEngine) -> None:
    registry = SourceRegistry(engine)
    source_id = f"memo-{uuid.uuid4().hex[:8]}"
    registry.create(
        SourceInput(id=source_id, ags=["05978036"], kind="push", url="https://www.unna.de/f.json")
    )
    memo = RecentSources(ttl=0.5)
    first = memo.get(registry, source_id)
    registry.update(source_id, lambda s: setattr(s, "state", SourceState.PAUSED))
    assert memo.get(registry, source_id) is first  # within the ttl: the memo, no engine read
    assert memo.get(registry, source_id, fresh=True).state == SourceState.PAUSED
    registry.update(source_id, lambda s: setattr(s, "state", SourceState.ACTIVE))
    time.sleep(0.6)
    assert memo.get(registry, source_id).state == SourceState.ACTIVE  # stale: read again
