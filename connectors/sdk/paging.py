"""Paging over multi-page feeds, with retries at the page and never from page 1 again.

Two shapes cover the CMS APIs we read: numbered pages whose total is announced by the first
answers (WordPress' `X-WP-TotalPages`, a `total_pages` body field), and next links (an RFC 8288
`Link: <…>; rel="next"` header or a `next` URL in the body). A transient failure of one page
request is retried with exponential backoff; the pages already yielded stay yielded, so a
connector's generator is never restarted from the top. While a run keeps a page memo
(`connectors.sdk.pagememo`), a page unchanged since the last complete run is not handed on.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from connectors.sdk.base import Cursor
from connectors.sdk.pagememo import active_memo
from hub.core.errors import FetchError, PermanentFetchError, TransientFetchError
from hub.core.fetcher import FetchResponse, SafeFetcher

MAX_PAGES = 10_000
LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
STATUS_IN_MESSAGE = re.compile(r"\bHTTP (\d{3})\b")

PageUrl = Callable[[int], str]
TotalPages = Callable[[FetchResponse], int | None]
NextUrl = Callable[[FetchResponse], str | None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently one page request is retried on a transient error."""

    attempts: int = 4
    backoff_seconds: float = 1.0
    max_delay_seconds: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int, error: TransientFetchError) -> float:
        """Seconds before retry number `attempt`: Retry-After if the server said so, capped."""
        wanted = error.retry_after
        if wanted is None:
            wanted = self.backoff_seconds * 2 ** (attempt - 1)
        return min(wanted, self.max_delay_seconds)


DEFAULT_RETRY = RetryPolicy()


def get_with_retry(
    fetcher: SafeFetcher,
    url: str,
    *,
    retry: RetryPolicy = DEFAULT_RETRY,
    etag: str | None = None,
    last_modified: str | None = None,
    headers: dict[str, str] | None = None,
) -> FetchResponse:
    """GET one page; retry only this request on `TransientFetchError`, then re-raise."""
    for attempt in range(1, retry.attempts + 1):
        try:
            return fetcher.get(url, etag=etag, last_modified=last_modified, headers=headers)
        except TransientFetchError as exc:
            if attempt >= retry.attempts:
                raise
            retry.sleep(retry.delay(attempt, exc))
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def get_first_page(
    fetcher: SafeFetcher,
    url: str,
    cursor: Cursor,
    *,
    retry: RetryPolicy = DEFAULT_RETRY,
    headers: dict[str, str] | None = None,
) -> FetchResponse:
    """The first page, asked conditionally with the cursor's validators (ETag, Last-Modified):
    an unchanged feed answers 304 and costs this one request (check `.not_modified`)."""
    return get_with_retry(
        fetcher,
        url,
        retry=retry,
        etag=cursor.etag,
        last_modified=cursor.last_modified,
        headers=headers,
    )


def numbered_pages(
    fetcher: SafeFetcher,
    page_url: PageUrl,
    total_pages: TotalPages,
    *,
    first: FetchResponse | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    headers: dict[str, str] | None = None,
    max_pages: int = MAX_PAGES,
) -> Iterator[FetchResponse]:
    """Yield pages 1..N; N is re-read from every page (the total may move during a run).

    Pass `first` when page 1 was already fetched (to detect the API form or to handle a
    conditional GET); it is yielded as page 1 without another request. `total_pages` reads
    the response alone; one that counts the pages it saw also offers `skipped()`, called for
    a page the run's page memo did not hand on.
    """
    response = first or get_with_retry(fetcher, page_url(1), retry=retry, headers=headers)
    page, memo = 1, active_memo()
    while True:
        known = memo.recall(response, int) if memo else None
        if known is not None:  # unchanged since the last complete run: not handed on
            total = known.follow if isinstance(known.follow, int) else None
            if skipped := getattr(total_pages, "skipped", None):
                skipped()  # a reader that counts pages counts this one too
        else:
            yield response
            total = total_pages(response)
            if memo:
                memo.close(total)
        if total is None or page >= total:
            return
        if page >= max_pages:
            raise _too_many_pages(max_pages)
        page += 1
        response = get_with_retry(fetcher, page_url(page), retry=retry, headers=headers)


def next_link_pages(
    fetcher: SafeFetcher,
    first: FetchResponse | str,
    next_url: NextUrl,
    *,
    retry: RetryPolicy = DEFAULT_RETRY,
    headers: dict[str, str] | None = None,
    max_pages: int = MAX_PAGES,
) -> Iterator[FetchResponse]:
    """Yield the first page, then follow `next_url` until it is empty; refuse link loops."""
    if isinstance(first, str):
        first = get_with_retry(fetcher, first, retry=retry, headers=headers)
    response, memo = first, active_memo()
    seen = {response.url}
    while True:
        known = memo.recall(response, str) if memo else None
        if known is not None:  # unchanged since the last complete run: not handed on
            following = known.follow if isinstance(known.follow, str) else None
        else:
            yield response
            following = next_url(response)
            if memo:
                memo.close(following)
        if not following:
            return
        if following in seen:
            raise PermanentFetchError(
                f"paging loop: {following} was already fetched",
                message_de="Die Seitenverweise des Feeds bilden eine Schleife (next-Link zeigt "
                "auf eine schon gelesene Seite).",
            )
        if len(seen) >= max_pages:
            raise _too_many_pages(max_pages)
        seen.add(following)
        response = get_with_retry(fetcher, following, retry=retry, headers=headers)


def page_records(
    pages: Iterator[FetchResponse], key: str | None = None
) -> Iterator[dict[str, Any]]:
    """The JSON object records of every page (the body, or its `key` field, must be a list).

    A page of the wrong shape fails the whole run, so nothing unseen gets deleted.
    """
    for page in pages:
        body = page.json()
        items = body.get(key) if key and isinstance(body, dict) else body
        if not isinstance(items, list):
            where = f"das Feld „{key}“" if key else "die Antwort"
            raise PermanentFetchError(
                f"{page.url}: expected a JSON list of records" + (f" in {key!r}" if key else ""),
                message_de=f"Eine Seite des Feeds hat nicht die erwartete Form: {where} ist keine "
                "Liste von Einträgen.",
            )
        yield from (item for item in items if isinstance(item, dict))


def header_int(name: str) -> TotalPages:
    """A `total_pages` reader for a numeric response header such as `X-WP-TotalPages`."""

    def read(response: FetchResponse) -> int | None:
        return _as_int(response.headers.get(name.lower()))

    return read


def body_int(key: str) -> TotalPages:
    """A `total_pages` reader for a numeric top-level field of a JSON object body."""

    def read(response: FetchResponse) -> int | None:
        body = response.json()
        return _as_int(body.get(key)) if isinstance(body, dict) else None

    return read


def link_header_next(response: FetchResponse) -> str | None:
    """The `rel="next"` target of an RFC 8288 Link header, made absolute; None without one."""
    for target, params in LINK_PART.findall(response.headers.get("link", "")):
        rels = re.findall(r'rel\s*=\s*"?([^";]+)"?', params)
        if any("next" in rel.lower().split() for rel in rels):
            return urljoin(response.url, str(target).strip())
    return None


def body_next(key: str) -> NextUrl:
    """A `next_url` reader for a top-level URL field of a JSON object body."""

    def read(response: FetchResponse) -> str | None:
        body = response.json()
        value: Any = body.get(key) if isinstance(body, dict) else None
        return value if isinstance(value, str) and value.strip() else None

    return read


def error_status(error: FetchError) -> int | None:
    """The HTTP status behind a fetch error, if it came from one (e.g. 401, 404)."""
    status = getattr(error, "status", None)
    if isinstance(status, int):
        return status
    found = STATUS_IN_MESSAGE.search(error.message)
    return int(found.group(1)) if found else None


def _as_int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _too_many_pages(limit: int) -> PermanentFetchError:
    return PermanentFetchError(
        f"feed has more than {limit} pages",
        message_de=f"Der Feed hat mehr als {limit} Seiten; bitte den Feed aufteilen.",
    )
