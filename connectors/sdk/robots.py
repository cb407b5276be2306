"""robots.txt for crawling connectors: fetched through the SafeFetcher, parsed by the stdlib.

Follows RFC 9309: a robots.txt that is missing or refused with a 4xx allows everything; a 5xx or a
timeout raises, so the crawl fails and the run deletes nothing rather than guessing.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from hub.core.errors import PermanentFetchError, UnsafeURLError
from hub.core.fetcher import SafeFetcher


def robots_url(url: str) -> str:
    """The robots.txt address that governs `url`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


class RobotsCache:
    """Answers `allowed(url)` for one user agent, fetching each host's robots.txt once."""

    def __init__(self, fetcher: SafeFetcher, user_agent: str) -> None:
        self.fetcher = fetcher
        self.user_agent = user_agent
        self._parsers: dict[str, RobotFileParser] = {}

    def parser(self, url: str) -> RobotFileParser:
        """The parsed robots.txt of `url`'s host (fetched on first use)."""
        key = robots_url(url)
        if key not in self._parsers:
            self._parsers[key] = self._load(key)
        return self._parsers[key]

    def allowed(self, url: str) -> bool:
        """Whether our user agent may fetch `url`."""
        return self.parser(url).can_fetch(self.user_agent, url)

    def crawl_delay(self, url: str) -> float | None:
        """The host's Crawl-delay (or 1/Request-rate) for our user agent, in seconds."""
        parser = self.parser(url)
        delay = parser.crawl_delay(self.user_agent)
        if delay is not None:
            return float(delay)
        rate = parser.request_rate(self.user_agent)
        if rate is not None and rate.requests > 0:
            return rate.seconds / rate.requests
        return None

    def _load(self, address: str) -> RobotFileParser:
        parser = RobotFileParser(address)
        try:
            response = self.fetcher.get(address)
        except UnsafeURLError:
            raise
        except PermanentFetchError:
            # RFC 9309 §2.3.1.3: "unavailable" (4xx) means no crawl restrictions
            parser.parse([])
            return parser
        parser.parse(response.text().splitlines())
        return parser
