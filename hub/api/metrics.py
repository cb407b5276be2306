"""`/metrics` for Prometheus: every process's samples (`hub.core.metrics`) plus the queue depth,
read from Redis at scrape time. Meant for the operator's network: restrict it at the proxy."""

from __future__ import annotations

from collections.abc import Iterator

import redis
from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from hub.api.deps import RedisDep, SettingsDep
from hub.core.metrics import CONTENT_TYPE, exposition
from hub.ops.queues import queue_depth

router = APIRouter(tags=["health"])


class QueueDepth(Collector):
    """`hub_queue_depth`: tasks waiting on the hub's queues (syncs and the rest; pushed events'
    drains); absent when Redis does not answer (an absent series alerts as such, a made-up
    zero would not)."""

    def __init__(self, client: redis.Redis, queues: list[str]) -> None:
        self.client, self.queues = client, queues

    def collect(self) -> Iterator[Metric]:
        try:
            depths = [(queue, queue_depth(self.client, queue)) for queue in self.queues]
        except redis.RedisError:
            return
        gauge = GaugeMetricFamily(
            "hub_queue_depth", "Tasks waiting on the hub's Celery queues.", labels=["queue"]
        )
        for queue, depth in depths:
            gauge.add_metric([queue], depth)
        yield gauge


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
def metrics(settings: SettingsDep, client: RedisDep) -> Response:
    body = exposition([QueueDepth(client, [settings.queue_name, settings.events_queue])])
    return Response(body, media_type=CONTENT_TYPE)
