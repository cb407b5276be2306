"""Backups of the hub's indices through the engine's snapshot API (`hub backup`).

A snapshot holds the live offer index and the registry indices (sources, sync runs,
tombstones, kept raw payloads) in a filesystem repository the engine writes itself; the
location must lie within the engine's `path.repo`. Works alike on OpenSearch and Elasticsearch.

Nothing is lost on a bad path: the repository is checked (the engine writes a test file)
before anything else, a failed registration puts the previous one back, and a restore first
takes a safety snapshot of the current state, closes (not deletes) what it replaces, and
reopens it should the restore fail.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import structlog

from hub.core.errors import BackupError, EngineRequestError, HubError, NotFound
from hub.core.settings import Settings
from hub.search.engine import SearchEngine
from hub.search.indices import OFFERS, REGISTRY_MAPPINGS, alias_targets, swap_alias

log = structlog.get_logger(__name__)
NOTHING_CHANGED_DE = "Es wurde nichts gesichert und nichts gelöscht."


@dataclass(frozen=True)
class Snapshot:
    """One snapshot in the repository."""

    name: str
    state: str
    started: str
    indices: list[str]
    offer_index: str | None


@dataclass(frozen=True)
class Restored:
    """What a restore brought back: documents per restored index, and the safety snapshot."""

    snapshot: str
    safety_snapshot: str | None
    documents: dict[str, int]


def default_location(settings: Settings) -> str:
    """The repository folder: HUB_BACKUP_LOCATION, else the local node's allowed folder."""
    return settings.backup_location or str(settings.state_dir / "opensearch" / "snapshots")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")


class Backups:
    """Snapshots of one deployment (one index prefix) in one repository."""

    def __init__(self, engine: SearchEngine, location: str | None = None) -> None:
        self.engine = engine
        self.repository = engine.name(engine.settings.backup_repository)
        self.location = location or default_location(engine.settings)

    # --- the repository ----------------------------------------------------------------

    def ensure_repository(self) -> None:
        """Register the repository at `location` unless it already is; the engine verifies it
        can write there. On refusal the previous registration (if any) is put back."""
        previous = self._registered()
        if previous is not None and previous.get("settings", {}).get("location") == self.location:
            return
        if not self._allowed():
            raise self._refused(BackupError(f"{self.location} is not within path.repo"))
        body = {"type": "fs", "settings": {"location": self.location}}
        try:
            self.engine.request("PUT", f"/_snapshot/{self.repository}", body)
        except (EngineRequestError, HubError) as exc:
            if previous is not None:  # keep the repository that worked
                self.engine.request(
                    "PUT", f"/_snapshot/{self.repository}", previous, params={"verify": "false"}
                )
            else:
                self._forget_repository()
            raise self._refused(exc) from exc

    def _allowed(self) -> bool:
        """Whether every node lists a folder holding `location` in its `path.repo` (asked
        first: the engine's own refusal hides the reason in a nested cause)."""
        nodes = self.engine.request(
            "GET", "/_nodes/settings", params={"filter_path": "nodes.*.settings.path.repo"}
        ).get("nodes", {})
        target = PurePosixPath(self.location)
        for node in nodes.values() or [{}]:
            repo = node.get("settings", {}).get("path", {}).get("repo", [])
            folders = [repo] if isinstance(repo, str) else list(repo)
            if not any(target.is_relative_to(folder) for folder in folders):
                return False
        return True

    def _registered(self) -> dict[str, Any] | None:
        try:
            found = self.engine.request("GET", f"/_snapshot/{self.repository}")
        except NotFound:
            return None
        entry = found.get(self.repository)
        return {"type": entry["type"], "settings": entry.get("settings", {})} if entry else None

    def _forget_repository(self) -> None:
        with contextlib.suppress(HubError):  # never registered: the engine refused it outright
            self.engine.request("DELETE", f"/_snapshot/{self.repository}")

    def _refused(self, exc: HubError) -> BackupError:
        reason = _reason(exc)
        if "path.repo" in reason:
            message_de = (
                f"Der Sicherungsordner {self.location} ist in der Suchmaschine nicht freigegeben "
                "(path.repo). Ordner dort eintragen und die Suchmaschine neu starten oder "
                f"HUB_BACKUP_LOCATION auf einen freigegebenen Ordner setzen. {NOTHING_CHANGED_DE}"
            )
        else:
            message_de = (
                f"Die Suchmaschine kann nicht in den Sicherungsordner {self.location} schreiben. "
                "Gibt es den Ordner, und darf der Benutzer der Suchmaschine dort schreiben "
                f"(Rechte, freier Platz, nicht schreibgeschützt eingehängt)? {NOTHING_CHANGED_DE}"
            )
        return BackupError(
            f"snapshot repository at {self.location} refused: {reason}", message_de=message_de
        )

    # --- create and list -----------------------------------------------------------------

    def hub_indices(self) -> list[str]:
        """The physical indices a snapshot holds: the live offer index and the registries."""
        found = alias_targets(self.engine)
        for logical in REGISTRY_MAPPINGS:
            if self.engine.exists(f"/{self.engine.name(logical)}"):
                found.append(self.engine.name(logical))
        return found

    def create(self, name: str | None = None) -> Snapshot:
        """Snapshot the hub's indices now and wait until the engine has written it."""
        self.ensure_repository()
        indices = self.hub_indices()
        if not indices:
            raise BackupError(
                "no hub index to back up",
                message_de="Es gibt keine Indizes des Hubs, die gesichert werden könnten.",
            )
        name = name or f"hub-{_stamp()}"
        offer = next((i for i in indices if i.startswith(self.engine.name(f"{OFFERS}-"))), None)
        body = {
            "indices": ",".join(indices),
            "include_global_state": False,
            "metadata": {"offer_index": offer, "taken_by": "hub backup create"},
        }
        try:
            answer = self.engine.request(
                "PUT", f"/_snapshot/{self.repository}/{name}", body,
                params={"wait_for_completion": "true"},
            )  # fmt: skip
        except HubError as exc:
            raise self._refused(exc) from exc
        snapshot = _snapshot(answer["snapshot"])
        if snapshot.state != "SUCCESS":
            raise BackupError(
                f"snapshot {name} ended {snapshot.state}: {answer['snapshot'].get('failures')}",
                message_de=f"Die Sicherung {name} ist unvollständig ({snapshot.state}); die "
                "Indizes sind unverändert. Bitte Protokoll der Suchmaschine prüfen.",
            )
        log.info("backup.created", snapshot=name, indices=indices)
        return snapshot

    def snapshots(self) -> list[Snapshot]:
        """Snapshots in the repository, oldest first (none while it is not registered)."""
        if self._registered() is None:
            return []
        answer = self.engine.request("GET", f"/_snapshot/{self.repository}/_all")
        return [_snapshot(raw) for raw in answer.get("snapshots", [])]

    def get(self, name: str) -> Snapshot:
        try:
            answer = self.engine.request("GET", f"/_snapshot/{self.repository}/{name}")
        except NotFound as exc:
            raise self._missing(name) from exc
        found = answer.get("snapshots") or []
        if not found:
            raise self._missing(name)
        return _snapshot(found[0])

    def _missing(self, name: str) -> BackupError:
        return BackupError(
            f"snapshot {name!r} not found in {self.repository}",
            message_de=f"Die Sicherung „{name}“ gibt es nicht; `hub backup list` zeigt die "
            "vorhandenen. Es wurde nichts verändert.",
        )

    # --- restore -------------------------------------------------------------------------

    def restore(self, name: str, *, safety_snapshot: bool = True) -> Restored:
        """Bring back the indices of snapshot `name`; the alias points at its offer index."""
        snapshot = self.get(name)
        if snapshot.state != "SUCCESS":
            raise BackupError(
                f"snapshot {name} is {snapshot.state}",
                message_de=f"Die Sicherung „{name}“ ist unvollständig ({snapshot.state}) und "
                "wird nicht zurückgespielt. Es wurde nichts verändert.",
            )
        safety = self.create(f"pre-restore-{_stamp()}").name if safety_snapshot else None
        closed = [i for i in snapshot.indices if self.engine.exists(f"/{i}")]
        for index in closed:
            self.engine.request("POST", f"/{index}/_close")
        try:
            answer = self.engine.request(
                "POST", f"/_snapshot/{self.repository}/{name}/_restore",
                {"indices": ",".join(snapshot.indices), "include_global_state": False,
                 "include_aliases": False},
                params={"wait_for_completion": "true"},
            )  # fmt: skip
            failed = int(answer.get("snapshot", {}).get("shards", {}).get("failed", 0))
            if failed:
                raise BackupError(f"restore of {name}: {failed} shards failed")
        except HubError as exc:
            self._reopen(closed)
            raise BackupError(
                f"restore of {name} failed: {_reason(exc)}",
                message_de=f"Die Sicherung „{name}“ ließ sich nicht zurückspielen. Der Stand "
                f"davor liegt in der Sicherung „{safety}“ (`hub backup restore {safety}`)."
                if safety
                else f"Die Sicherung „{name}“ ließ sich nicht zurückspielen.",
            ) from exc
        return Restored(name, safety, self._settle(snapshot))

    def _reopen(self, indices: list[str]) -> None:
        for index in indices:
            try:
                self.engine.request("POST", f"/{index}/_open")
            except HubError:
                log.warning("backup.reopen_failed", index=index)

    def _settle(self, snapshot: Snapshot) -> dict[str, int]:
        """Point the alias at the restored offer index, drop offer indices it replaced (the
        safety snapshot holds them), and count the documents brought back."""
        offer = snapshot.offer_index
        if offer:
            for old in swap_alias(self.engine, offer):
                self.engine.request("DELETE", f"/{old}")
        counts = {}
        for index in snapshot.indices:
            self.engine.request("POST", f"/{index}/_refresh")
            counts[index] = int(self.engine.request("GET", f"/{index}/_count")["count"])
        log.info("backup.restored", snapshot=snapshot.name, documents=counts)
        return counts


def _snapshot(raw: dict[str, Any]) -> Snapshot:
    metadata = raw.get("metadata") or {}
    return Snapshot(
        name=str(raw["snapshot"]),
        state=str(raw.get("state", "")),
        started=str(raw.get("start_time", "")),
        indices=sorted(raw.get("indices", [])),
        offer_index=metadata.get("offer_index"),
    )


def _reason(exc: HubError) -> str:
    info = getattr(exc, "info", None)
    if isinstance(info, dict) and isinstance(info.get("error"), dict):
        error = info["error"]
        cause = error.get("caused_by") or {}
        return " / ".join(str(r) for r in (error.get("reason"), cause.get("reason")) if r)
    return exc.message
