"""The one base task: binds ids into the log context and retries only transient errors."""

from __future__ import annotations

import random
from typing import Any

import structlog
from celery import Task

from hub.core.errors import ServiceUnavailable, TransientFetchError
from workers.app import MAX_RETRY_COUNTDOWN

TRANSIENT = (TransientFetchError, ServiceUnavailable)


class HubTask(Task):  # type: ignore[misc]
    """Binds task_id/source_id into structlog; `retry_transient` backs off with jitter."""

    abstract = True
    max_retries = 6

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            task_id=self.request.id, task=self.name, source_id=kwargs.get("source_id")
        )
        return super().__call__(*args, **kwargs)

    def backoff(self, exc: BaseException) -> float:
        """Exponential backoff with full jitter; honours a server's Retry-After."""
        retry_after = getattr(exc, "retry_after", None)
        base = min(MAX_RETRY_COUNTDOWN, 10 * 2**self.request.retries)
        countdown = random.uniform(base / 2, base)
        if retry_after:
            countdown = max(countdown, min(float(retry_after), MAX_RETRY_COUNTDOWN))
        return countdown
