"""The local Redis: Debian's `redis-server` on 127.0.0.1 with AOF persistence, as the design
asks of the broker, with its data, log and pid file under `<state_dir>/redis/`."""

from __future__ import annotations

from typing import ClassVar

import redis

from hub.dev.services.local import Answer, LocalService, ensure_debian_package


class RedisService(LocalService):
    """Redis at `settings.redis_url`, started from `redis-server` when it does not answer."""

    name: ClassVar[str] = "redis"
    label: ClassVar[str] = "Redis"
    cmdline_marker: ClassVar[str] = "redis-server"
    url_setting: ClassVar[str] = "HUB_REDIS_URL"
    default_port: ClassVar[int] = 6379
    stop_grace_seconds: ClassVar[float] = 15.0

    @property
    def url(self) -> str:
        """The configured Redis URL."""
        return self.settings.redis_url

    def probe(self) -> Answer | None:
        """PING the port; a Redis that answers reports its version."""
        client = redis.Redis.from_url(
            self.url, socket_timeout=1.5, socket_connect_timeout=1.5, retry_on_timeout=False
        )
        try:
            if not client.ping():
                return None
            return Answer("redis", str(client.info("server").get("redis_version", "?")))
        except (redis.RedisError, OSError):
            return None
        finally:
            client.close()

    def prepare(self) -> list[str]:
        """Find (or apt-install) `redis-server` and build its command line."""
        binary = ensure_debian_package("redis-server", "redis-server", self.apt_log)
        return [
            binary,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--daemonize", "no",
            "--save", "",
        ]  # fmt: skip
