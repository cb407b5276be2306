"""The connector registry is data: Python entry points in the group `familienhub.connectors`.

An outside package adds a CMS by declaring an entry point; nothing here lists connectors by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from connectors.sdk.base import Connector, ConnectorConfig
from hub.core.errors import ConfigError

GROUP = "familienhub.connectors"


def registered_kinds() -> list[str]:
    """Names of every registered connector kind, sorted."""
    return sorted(ep.name for ep in entry_points(group=GROUP))


@lru_cache
def connector_class(kind: str) -> type[Connector[Any]]:
    """The connector class registered as `kind`; `ConfigError` if unknown or broken."""
    matches = [ep for ep in entry_points(group=GROUP) if ep.name == kind]
    if not matches:
        known = ", ".join(registered_kinds())
        raise ConfigError(
            f"unknown connector kind {kind!r} (known: {known})",
            message_de=f"Unbekannter Feed-Typ „{kind}“. Möglich: {known}.",
        )
    try:
        loaded = matches[0].load()
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"connector {kind!r} is registered but does not import: {exc}",
            message_de=f"Der Feed-Typ „{kind}“ ist derzeit nicht verfügbar.",
        ) from exc
    if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
        raise ConfigError(f"entry point {kind!r} is not a Connector subclass")
    if loaded.kind != kind:
        raise ConfigError(
            f"connector {loaded.__name__} declares kind {loaded.kind!r}, not {kind!r}"
        )
    return loaded


def parse_config(kind: str, config: Mapping[str, Any]) -> ConnectorConfig:
    """The validated config of a connector `kind`; `ConfigError` (German too) if invalid."""
    try:
        return connector_class(kind).parse_config(config)
    except ValueError as exc:
        raise ConfigError(
            f"invalid config for {kind}: {exc}",
            message_de=f"Die Einstellungen für den Feed-Typ „{kind}“ sind ungültig: {exc}",
        ) from exc
