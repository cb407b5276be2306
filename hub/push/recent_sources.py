"""A per-process memo of the sources webhooks arrive for, so a flood of deliveries costs one
engine read per source every few seconds instead of one per delivery.

Only what can fail open safely is served from the memo: a delivery that does not verify, or
a source that looks paused, is checked again against a fresh read before it is refused, so a
new secret or a resumed source counts at once. A pause reaches a process within `ttl`
seconds; events accepted meanwhile are applied like any accepted before the pause.
"""

from __future__ import annotations

import threading
import time

from hub.sources.store import Source, SourceRegistry

DEFAULT_TTL_SECONDS = 2.0
MAX_ENTRIES = 10_000


class RecentSources:
    """Sources read within the last `ttl` seconds, by index and id; thread-safe."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[float, Source]] = {}

    def get(self, registry: SourceRegistry, source_id: str, *, fresh: bool = False) -> Source:
        """The source (`NotFound` if missing), from the memo unless stale or `fresh`."""
        key = (registry.index, source_id)
        now = time.monotonic()
        if not fresh:
            with self._lock:
                entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                return entry[1]
        source = registry.get(source_id)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (now + self.ttl, source)
        return source
