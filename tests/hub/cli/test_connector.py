"""`hub connector detect|check` against a real feed on 127.0.0.1, as a municipality would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.feeds import FeedServer, Route
from tests.support.paths import DEMO_CORPUS

HUB = str(Path(sys.executable).parent / "hub")
CORPUS = DEMO_CORPUS


def run_hub(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUB_FETCH_ALLOW_HOSTS": '["127.0.0.1"]', "COLUMNS": "200"}
    return subprocess.run([HUB, *args], env=env, capture_output=True, text=True, timeout=120)


def cms_feed(prefix: str) -> dict[str, object]:
    offers = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    chosen = [
        {k: v for k, v in o.items() if k != "topics"}
        for o in offers
        if o["local_id"].startswith(prefix + "-")
    ]
    chosen[0]["title"] = ""
    return {"offers": chosen, "next": None}


def test_check_prints_offers_rejections_and_a_summary(feed_server: FeedServer) -> None:
    url = feed_server.route("/kierspe.json", Route(json.dumps(cms_feed("kierspe"))))
    done = run_hub(
        "connector",
        "check",
        url,
        "--kind",
        "json_feed",
        "--config",
        '{"mapping": "demo-json.yaml"}',
        "--show",
        "1",
    )
    assert done.returncode == 0, done.stderr
    rejected = [line for line in done.stdout.splitlines() if line.startswith("abgelehnt")]
    assert rejected == ["abgelehnt kierspe-0010 [invalid_missing] Titel: Pflichtfeld fehlt"]
    assert '"city": "Kierspe"' in done.stdout  # one normalised offer shown in full
    summary = [line for line in done.stdout.splitlines() if "json_feed" in line][-1]
    cells = [c.strip() for c in summary.strip("│ ").split("│")]
    assert cells[:4] == ["json_feed", "6", "5", "1"]  # records, offers, rejected


def test_detect_names_the_kind(feed_server: FeedServer) -> None:
    url = feed_server.route("/k.json", Route(json.dumps(cms_feed("kierspe"))))
    done = run_hub("connector", "detect", url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("json_feed")


def test_refused_url_is_a_clear_message_not_a_traceback() -> None:
    done = subprocess.run(
        [HUB, "connector", "check", "http://169.254.169.254/latest/meta-data/", "--kind", "push"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HUB_FETCH_ALLOW_HOSTS": "[]"},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "error:" in done.stderr


def test_check_serves_offers_without_venue_in_the_given_area(feed_server: FeedServer) -> None:
    feed = cms_feed("kierspe")
    offers = feed["offers"]
    assert isinstance(offers, list)
    prose = {k: v for k, v in offers[1].items() if k not in ("locations", "online")}
    prose["description"] = "Eltern treffen sich jeden Mittwoch zum Austausch."
    url = feed_server.route("/prose.json", Route(json.dumps({"offers": [prose], "next": None})))
    args = ("connector", "check", url, "--kind", "json_feed", "--show", "1")
    mapping = ("--config", '{"mapping": "demo-json.yaml"}')
    with_area = run_hub(*args, *mapping, "--ags", "05962028")
    without = run_hub(*args, *mapping)
    assert with_area.returncode == 0 and without.returncode == 0, with_area.stderr + without.stderr
    assert "area: 05962028" in with_area.stdout
    assert '"area_ags": [\n    "05962028"\n  ]' in with_area.stdout
    for done in (with_area, without):
        assert '"online": false' in done.stdout and '"online": true' not in done.stdout


PROSE_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Familie in Gummersbach</title>
<link>https://www.gummersbach.de/familie</link><description>Angebote</description>
<item><title>Babytreff im Rathaus</title><link>https://www.gummersbach.de/familie/babytreff</link>
<guid>https://www.gummersbach.de/familie/babytreff</guid>
<pubDate>Mon, 02 Nov 2026 09:00:00 +0100</pubDate>
<description><![CDATA[<p>Eltern mit Kindern von 0 bis 12 Monaten treffen sich zum Spielen.</p>
<p><strong>Kosten:</strong> kostenlos<br>
<strong>Ort:</strong> Rathausplatz 1, 51643 Gummersbach</p>]]>
</description></item></channel></rss>"""


def test_check_tells_what_was_read_from_the_text(feed_server: FeedServer) -> None:
    url = feed_server.route("/familie.rss", Route(PROSE_RSS, content_type="application/rss+xml"))
    done = run_hub("connector", "check", url, "--kind", "rss", "--ags", "05374012")

    assert done.returncode == 0, done.stderr
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("aus dem Text erkannt:")]
    assert line == "aus dem Text erkannt: Alter 1 · Kosten 1 · Zielgruppen 1 · Ort 1"
