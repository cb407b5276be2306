"""The one place that builds a connector for a source, with its `SourceContext`.

Polls, pushed events and the dry run all get their connector here, so a connector sees the
same context (source id, served AGS, name) whichever path a record takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.push import PushConfig, PushConnector
from connectors.sdk.base import Connector, SourceContext
from connectors.sdk.registry import connector_class, parse_config
from hub.core.fetcher import SafeFetcher
from hub.sources.store import Source
from hub.sources.vault import open_for_connector

PUSH_KEPT = ("topic_overrides", "offer_filters")  # the source's corrections also hold for pushes


def source_context(source: Source) -> SourceContext:
    """What a connector may know about its source."""
    return SourceContext(source_id=source.id, ags=tuple(source.ags), name=source.name)


def connector_for(source: Source, fetcher: SafeFetcher) -> Connector[Any]:
    """The source's registered connector with its stored, validated config."""
    return connector_of_kind(
        source.kind, source.connector_config(), fetcher, source_context(source)
    )


def push_connector_for(source: Source, fetcher: SafeFetcher) -> Connector[Any]:
    """The source's own connector if it reads pushed bodies, else the common-schema one."""
    connector = connector_for(source, fetcher)
    if connector.supports_webhook:
        return connector
    kept = {key: source.config[key] for key in PUSH_KEPT if key in source.config}
    config = PushConfig.model_validate({"url": source.url, **kept})
    return PushConnector(config, fetcher, source_context(source))


def connector_of_kind(
    kind: str, config: Mapping[str, Any], fetcher: SafeFetcher, context: SourceContext
) -> Connector[Any]:
    """A connector of `kind` over a raw config; `ConfigError` (German too) if it is invalid.

    Stored secrets are opened here, at fetch time: decrypted, or read from the environment."""
    opened = open_for_connector(kind, config, fetcher.settings)
    return connector_class(kind)(parse_config(kind, opened), fetcher, context)
