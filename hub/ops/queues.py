"""How many tasks wait on the hub's Celery queue, read straight from the Redis broker.

Kombu's Redis transport keeps one list per queue and priority step: the queue's own name for
priority 0 and `name + "\\x06\\x16" + step` for the others (default steps 3, 6, 9). Tasks a
worker has taken (also those waiting for their countdown) are not in these lists.
"""

from __future__ import annotations

import redis

PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


def queue_keys(queue: str) -> list[str]:
    """The Redis lists that hold the waiting messages of `queue`."""
    return [queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS]


def queue_depth(client: redis.Redis, queue: str) -> int:
    """Messages waiting on `queue`; raises `redis.RedisError` when Redis does not answer."""
    with client.pipeline(transaction=False) as pipe:
        for key in queue_keys(queue):
            pipe.llen(key)
        return sum(int(n) for n in pipe.execute())
