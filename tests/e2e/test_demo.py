"""The main command: `hub up --demo` brings up the hub, serves the fleet and syncs every feed."""

from __future__ import annotations

import os
import subprocess
import sys

from hub.core.settings import Settings
from hub.dev.demo.fleet import demo_feeds
from hub.dev.processes import settings_env
from hub.search.engine import get_engine
from hub.search.indices import OFFERS, drop_prefixed
from hub.sources.store import SourceRegistry
from tests.support.stack import free_port


def test_hub_up_demo_syncs_the_whole_fleet_and_stops_what_it_started(
    engine: object, settings: Settings
) -> None:
    demo = settings.model_copy(
        update={"index_prefix": settings.index_prefix + "demo-", "api_port": free_port()}
    )
    env = settings_env(demo, HUB_FETCH_ALLOW_HOSTS="[]", HUB_LOG_JSON="false")
    env["HUB_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{demo.api_port}"
    hub = os.path.join(os.path.dirname(sys.executable), "hub")
    try:
        done = subprocess.run(
            [hub, "up", "--demo", "--no-wait", "--demo-port", str(free_port())],
            env=env,
            capture_output=True,
            text=True,
            timeout=400,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "Familienhub NRW is up" in done.stdout
        assert "stopped everything this command started" in done.stdout

        eng = get_engine(demo)
        sources = SourceRegistry(eng).list()
        assert {s.id for s in sources} == {f.source_id for f in demo_feeds()}
        assert all(s.last_success_at is not None for s in sources)
        count = eng.request("GET", f"/{eng.name(OFFERS)}/_count")["count"]
        assert count == sum(len(f.records) for f in demo_feeds()) == 400
    finally:
        drop_prefixed(get_engine(demo))
