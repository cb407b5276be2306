"""structlog set-up: JSON lines with source_id / sync_run_id / request_id bound by callers."""

from __future__ import annotations

import logging
import sys

import structlog

from hub.core.settings import Settings


def configure_logging(settings: Settings) -> None:
    """Configure structlog and the stdlib root logger once per process."""
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level)
    # client libraries log every request at INFO/WARNING; their failures reach us as errors
    for noisy in ("opensearch", "elasticsearch", "elastic_transport", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(level, logging.ERROR))
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
