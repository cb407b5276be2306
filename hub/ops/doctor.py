"""`hub doctor`: checks a deployment from the outside and says what to do, in German and English.

Each check is one function returning one `Finding`; a check that needs the engine is skipped
when the engine did not answer (one cause, one piece of advice). A `fail` means something to
fix now (the command exits non-zero); a `warn` something to look at.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Literal

import redis
from celery import Celery

from hub.core.errors import HubError
from hub.core.settings import Settings
from hub.ops.heartbeat import STALE_AFTER_SECONDS, beat_age
from hub.ops.watermarks import Disk, crossed
from hub.search.analysis import offer_index_body
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, alias_targets
from hub.search.reindex import live_definition_hash

Status = Literal["ok", "warn", "fail", "skip"]
Lang = Literal["de", "en"]
CLOCK_WARN_SECONDS = 2.0
CLOCK_FAIL_SECONDS = 30.0
SUPPORTED = {"opensearch": 2, "elasticsearch": 8}
CHECKS = ("engine", "redis", "alias", "mapping", "clock", "disk", "beat", "workers")
ENGINE_CHECKS = {"engine", "alias", "mapping", "clock", "disk"}


@dataclass(frozen=True)
class Text:
    de: str
    en: str

    def __call__(self, lang: Lang) -> str:
        return self.de if lang == "de" else self.en


NONE = Text("", "")


def same(text: str) -> Text:
    """A finding that reads alike in both languages (names, versions, figures)."""
    return Text(text, text)


@dataclass(frozen=True)
class Finding:
    """The result of one check: what was found and, unless all is well, what to do."""

    check: str
    status: Status
    detail: Text
    advice: Text = NONE

    def as_dict(self, lang: Lang) -> dict[str, str]:
        return {
            "check": self.check,
            "status": self.status,
            "detail": self.detail(lang),
            "advice": self.advice(lang),
        }


def redact(url: str) -> str:
    """A URL without `user:password@` (the doctor's output lands in tickets and chats)."""
    return re.sub(r"//[^/@\s]+@", "//", url)


@dataclass
class Doctor:
    """Runs every check against the services `settings` name."""

    settings: Settings
    timeout: float = 3.0
    engine: SearchEngine | None = field(default=None, init=False)

    def run(self, only: Collection[str] = ()) -> list[Finding]:
        """Every check, or those named in `only` (the engine is always asked first when a
        check needs it)."""
        wanted = set(only) or set(CHECKS)
        found = [self.check_engine()] if wanted & ENGINE_CHECKS else []
        if "engine" not in wanted:
            found = [f for f in found if f.status != "ok"]  # asked for others: name a cause only
        for name in CHECKS[1:]:
            if name not in wanted:
                continue
            check: Callable[[], Finding] = getattr(self, f"check_{name}")
            if self.engine is None and name in ENGINE_CHECKS:
                found.append(_skipped(name))
            else:
                found.append(_guarded(name, check))
        return found

    # --- the engine and what lives in it -------------------------------------------------

    def check_engine(self) -> Finding:
        url = redact(self.settings.search_url)
        try:
            engine = SearchEngine(self.settings, purpose="serve")
            info = engine.info()
            health = str(engine.request("GET", "/_cluster/health")["status"])
        except HubError as exc:
            return Finding(
                "engine",
                "fail",
                Text(
                    f"keine Antwort von {url}: {redact(exc.message)}",
                    f"no answer from {url}: {redact(exc.message)}",
                ),
                Text(
                    "Läuft die Suchmaschine? HUB_SEARCH_URL, HUB_SEARCH_USERNAME/-PASSWORD prüfen; "
                    "lokal `hub services up`, sonst `systemctl status opensearch` bzw. "
                    "`elasticsearch` auf dem Suchmaschinen-Host.",
                    "Is the engine running? Check HUB_SEARCH_URL and HUB_SEARCH_USERNAME/PASSWORD; "
                    "locally `hub services up`, else `systemctl status opensearch` (or "
                    "`elasticsearch`) on the engine host.",
                ),
            )
        self.engine = engine
        what = f"{info.flavour} {info.version}, cluster {info.cluster_name!r}, {health}"
        major = int(info.version.split(".")[0])
        if major < SUPPORTED[info.flavour]:
            return Finding(
                "engine",
                "fail",
                Text(f"{what}: zu alt", f"{what}: too old"),
                Text(
                    "Unterstützt: OpenSearch 2/3, Elasticsearch 8. Suchmaschine aktualisieren.",
                    "Supported: OpenSearch 2/3, Elasticsearch 8. Upgrade the engine.",
                ),
            )
        if health == "red":
            return Finding(
                "engine",
                "fail",
                same(what),
                Text(
                    "Cluster ist rot: `GET _cluster/allocation/explain` zeigt, welcher Shard fehlt "
                    "(oft: Platte voll, Knoten fehlt).",
                    "Cluster is red: `GET _cluster/allocation/explain` tells which shard is "
                    "missing (often: disk full, node gone).",
                ),
            )
        return Finding("engine", "ok", same(what))

    def check_alias(self) -> Finding:
        assert self.engine is not None
        alias = self.engine.name(OFFERS)
        targets = alias_targets(self.engine)
        if not targets:
            return Finding(
                "alias",
                "fail",
                Text(f"Alias {alias!r} fehlt", f"alias {alias!r} is missing"),
                Text(
                    "`hub index create` legt den Angebotsindex und die Registerindizes an.",
                    "`hub index create` creates the offer index and the registry indices.",
                ),
            )
        return Finding("alias", "ok", same(f"{alias} → {', '.join(targets)}"))

    def check_mapping(self) -> Finding:
        assert self.engine is not None
        targets = alias_targets(self.engine)
        if not targets:
            return _skipped("mapping", Text("kein Alias", "no alias"))
        wanted = offer_index_body(self.settings.index_replicas)["mappings"]
        live = self.engine.request("GET", f"/{targets[-1]}/_mapping")[targets[-1]]["mappings"]
        missing = sorted(set(wanted.get("properties", {})) - set(live.get("properties", {})))
        current = live_definition_hash(self.engine) == str(wanted["_meta"]["definition_hash"])
        if current and not missing:
            current_de, current_en = (
                "wie mappings/index/offers.json",
                "as in mappings/index/offers.json",
            )
            return Finding("mapping", "ok", Text(current_de, current_en))
        fields = f"; fehlende Felder: {', '.join(missing)}" if missing else ""
        fields_en = f"; missing fields: {', '.join(missing)}" if missing else ""
        return Finding(
            "mapping",
            "fail",
            Text(
                f"{targets[-1]} wurde aus älteren Mappings/Analyse gebaut{fields}",
                f"{targets[-1]} was built from older mappings/analysis{fields_en}",
            ),
            Text(
                "`hub index reindex --if-stale` baut den Index ohne Ausfall neu.",
                "`hub index reindex --if-stale` rebuilds the index without downtime.",
            ),
        )

    def check_clock(self) -> Finding:
        assert self.engine is not None
        before = time.time()
        nodes = self.engine.request(
            "GET", "/_nodes/stats/jvm", params={"filter_path": "nodes.*.timestamp"}
        )
        after = time.time()
        middle = (before + after) / 2
        stamps = [int(n["timestamp"]) / 1000 for n in nodes.get("nodes", {}).values()]
        skew = max((stamp - middle for stamp in stamps), key=abs, default=0.0)
        what = Text(
            f"Uhrabweichung zur Suchmaschine {skew:+.1f} s (Messgenauigkeit "
            f"±{(after - before) / 2:.2f} s)",
            f"clock skew to the engine {skew:+.1f} s (measured within "
            f"±{(after - before) / 2:.2f} s)",
        )
        if abs(skew) <= CLOCK_WARN_SECONDS + (after - before) / 2:
            return Finding("clock", "ok", what)
        return Finding(
            "clock",
            "fail" if abs(skew) > CLOCK_FAIL_SECONDS else "warn",
            what,
            Text(
                "Zeitsynchronisation (systemd-timesyncd oder chrony) auf Hub- und "
                "Suchmaschinen-Host einschalten: Webhook-Zeitstempel und Laufzeiten hängen daran.",
                "Turn on time sync (systemd-timesyncd or chrony) on the hub and engine hosts: "
                "webhook timestamps and run times depend on it.",
            ),
        )

    def check_disk(self) -> Finding:
        assert self.engine is not None
        flat = self.engine.request(
            "GET",
            "/_cluster/settings",
            params={"include_defaults": "true", "flat_settings": "true"},
        )
        merged: dict[str, Any] = {}
        for scope in ("defaults", "persistent", "transient"):  # later scopes win
            merged.update(flat.get(scope, {}))
        prefix = "cluster.routing.allocation.disk."
        enabled = str(merged.get(prefix + "threshold_enabled", "true")).lower() == "true"
        marks = {
            level: str(merged[prefix + "watermark." + level])
            for level in ("low", "high", "flood_stage")
            if prefix + "watermark." + level in merged
        }
        stats = self.engine.request(
            "GET", "/_nodes/stats/fs", params={"filter_path": "nodes.*.name,nodes.*.fs.total"}
        )
        disks = [
            Disk(str(n["name"]), int(n["fs"]["total"]["total_in_bytes"]),
                 int(n["fs"]["total"]["available_in_bytes"]))
            for n in stats.get("nodes", {}).values()
        ]  # fmt: skip
        usage = ", ".join(f"{d.node} {d.used_share:.0%}" for d in disks)
        limits = "/".join(marks.get(level, "?") for level in ("low", "high", "flood_stage"))
        worst = [level for d in disks if (level := crossed(d, marks))]
        detail = Text(
            f"belegt: {usage}; Wasserzeichen low/high/flood {limits}"
            + ("" if enabled else " (abgeschaltet)"),
            f"used: {usage}; watermarks low/high/flood {limits}" + ("" if enabled else " (off)"),
        )
        if any(level in ("flood_stage", "high") for level in worst):
            return Finding(
                "disk",
                "fail",
                detail,
                Text(
                    "Platz schaffen oder Platte vergrößern; nach flood_stage sind Indizes "
                    "schreibgeschützt: danach `PUT _all/_settings` mit "
                    "`index.blocks.read_only_allow_delete: null`.",
                    "Free space or grow the disk; past flood_stage indices are read-only: then "
                    "`PUT _all/_settings` with `index.blocks.read_only_allow_delete: null`.",
                ),
            )
        if worst or not enabled:
            return Finding(
                "disk",
                "warn",
                detail,
                Text(
                    "Wasserzeichen sind abgeschaltet (Einstellung des lokalen "
                    "Entwicklungsknotens); in Produktion eingeschaltet lassen."
                    if not enabled
                    else "Die Platte füllt sich (über low): bald Platz schaffen.",
                    "Watermarks are off (the local dev node's setting); keep them on in production."
                    if not enabled
                    else "The disk is filling up (past low): free space soon.",
                ),
            )
        return Finding("disk", "ok", detail)

    # --- Redis, beat, workers --------------------------------------------------------------

    def _redis(self) -> redis.Redis:
        return redis.Redis.from_url(
            self.settings.redis_url,
            socket_timeout=self.timeout,
            socket_connect_timeout=self.timeout,
        )

    def check_redis(self) -> Finding:
        url = redact(self.settings.redis_url)
        try:
            version = str(self._redis().info("server")["redis_version"])
        except redis.RedisError as exc:
            return Finding(
                "redis",
                "fail",
                Text(f"keine Antwort von {url}: {exc}", f"no answer from {url}: {exc}"),
                Text(
                    "Läuft Redis? HUB_REDIS_URL prüfen; `systemctl status redis-server`, lokal "
                    "`hub services up`. Ohne Redis nimmt der Hub keine Webhooks und Syncs an.",
                    "Is Redis running? Check HUB_REDIS_URL; `systemctl status redis-server`, "
                    "locally `hub services up`. Without Redis no webhook or sync is accepted.",
                ),
            )
        return Finding(
            "redis", "ok", Text(f"Redis {version} unter {url}", f"Redis {version} at {url}")
        )

    def check_beat(self) -> Finding:
        try:
            age = beat_age(self._redis(), self.settings)
        except redis.RedisError:
            return _skipped("beat")
        if age is not None and age <= STALE_AFTER_SECONDS:
            return Finding(
                "beat", "ok", Text(f"letzter Takt vor {age:.0f} s", f"last tick {age:.0f} s ago")
            )
        detail = (
            Text("kein Herzschlag von Celery beat", "no heartbeat from Celery beat")
            if age is None
            else Text(f"letzter Takt vor {age:.0f} s", f"last tick {age:.0f} s ago")
        )
        return Finding(
            "beat",
            "fail",
            detail,
            Text(
                "Celery beat starten (genau einer je Installation): `systemctl start "
                "familienhub-beat` bzw. `hub beat`. Ohne beat werden Quellen nicht mehr abgeholt.",
                "Start Celery beat (exactly one per deployment): `systemctl start "
                "familienhub-beat` or `hub beat`. Without beat no source is polled.",
            ),
        )

    def check_workers(self) -> Finding:
        queue = self.settings.queue_name
        app = Celery("familienhub-doctor", broker=self.settings.redis_url, set_as_current=False)
        try:
            # a busy host can miss one broadcast window; a second asks before calling them dead
            ours = self._workers_on(app, queue) or self._workers_on(app, queue)
        except (OSError, redis.RedisError, ConnectionError) as exc:
            return _skipped("workers", same(str(exc)))
        finally:
            app.close()
        if ours:
            names = ", ".join(ours)
            found = Text(
                f"{len(ours)} auf {queue!r}: {names}", f"{len(ours)} on {queue!r}: {names}"
            )
            return Finding("workers", "ok", found)
        return Finding(
            "workers",
            "fail",
            Text(f"kein Worker antwortet auf {queue!r}", f"no worker answers on {queue!r}"),
            Text(
                "Worker starten: `systemctl start familienhub-worker` bzw. `hub worker`; "
                "HUB_QUEUE_NAME muss bei API, beat und Workern gleich sein.",
                "Start a worker: `systemctl start familienhub-worker` or `hub worker`; "
                "HUB_QUEUE_NAME must be the same for the API, beat and workers.",
            ),
        )

    def _workers_on(self, app: Celery, queue: str) -> list[str]:
        """Names of the workers that consume `queue`. The raw broadcast replies, not
        `inspect()`: that merges replies by node name, and on a shared broker another
        deployment's `worker@host` could hide ours."""
        replies = app.control.broadcast("active_queues", reply=True, timeout=self.timeout) or []
        return sorted(
            name
            for reply in replies
            for name, queues in reply.items()
            if any(q.get("name") == queue for q in queues or [])
        )


def _guarded(name: str, check: Callable[[], Finding]) -> Finding:
    """Run one check; an engine refusing one of its questions (e.g. a user without monitor
    rights) fails that check alone, with the engine's answer."""
    try:
        return check()
    except HubError as exc:
        return Finding(
            name,
            "fail",
            same(redact(exc.message)),
            Text(
                "Die Suchmaschine hat die Frage dieser Prüfung abgelehnt; Rechte des Benutzers "
                "HUB_SEARCH_USERNAME prüfen (cluster monitor).",
                "The engine refused this check's question; check the rights of "
                "HUB_SEARCH_USERNAME (cluster monitor).",
            ),
        )


def _skipped(check: str, why: Text | None = None) -> Finding:
    """A check that could not run because what it needs is missing (reported by another)."""
    why = why or Text("Dienst nicht erreichbar", "service not reachable")
    return Finding(check, "skip", Text(f"übersprungen: {why.de}", f"skipped: {why.en}"))


def summary(findings: list[Finding], lang: Lang) -> dict[str, Any]:
    """The findings as JSON: `ok` is false when any check failed."""
    return {
        "ok": not any(f.status == "fail" for f in findings),
        "checks": [f.as_dict(lang) for f in findings],
    }
