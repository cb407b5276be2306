"""Shared CLI plumbing: one console, settings, and expected failures as messages, not tracebacks."""

from __future__ import annotations

from rich.console import Console

from hub.core.settings import Settings, get_settings
from hub.search.engine import SearchEngine, get_engine

console = Console()
err_console = Console(stderr=True)


def settings() -> Settings:
    return get_settings()


def engine() -> SearchEngine:
    return get_engine(get_settings())
