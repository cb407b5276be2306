"""Records already in the common offer schema, as JSON: polled from a URL or pushed by webhook.

The feed is `{"offers": [ {"local_id": ..., "updated_at": ..., <schema fields>} ], "next": URL}`
(or a bare list); `deleted: true` on a record is a tombstone. This is the format a CMS plug-in
written for the hub speaks, and the one webhooks carry in `offer.upserted`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from connectors.sdk.base import Connector, ConnectorConfig, Cursor, FetchGenerator, RawRecord
from hub.core.errors import PermanentFetchError

SOURCE_KEYS = {"local_id", "id", "source_id", "deleted"}


class PushConfig(ConnectorConfig):
    """A common-schema JSON feed; `max_pages` bounds `next` link paging."""

    max_pages: int = Field(1000, ge=1, description="Upper bound of pages followed via `next`.")
    topic_overrides: dict[str, str] = Field(
        default_factory=dict, description="Free-text category → topic code, for this source."
    )


class PushConnector(Connector[PushConfig]):
    """Common-schema records over HTTP (poll) or in webhook bodies (push)."""

    kind: ClassVar[str] = "push"
    config_model: ClassVar[type[ConnectorConfig]] = PushConfig
    supports_incremental: ClassVar[bool] = False
    supports_webhook: ClassVar[bool] = True

    def fetch(self, cursor: Cursor) -> FetchGenerator:
        url: str | None = str(self.config.url)
        first = True
        etag, last_modified = cursor.etag, cursor.last_modified
        for _page in range(self.config.max_pages):
            if url is None:
                break
            response = self.fetcher.get(
                url,
                etag=cursor.etag if first else None,
                last_modified=cursor.last_modified if first else None,
                headers={"Accept": "application/json"},
            )
            if response.not_modified:
                return Cursor(etag=etag, last_modified=last_modified, not_modified=True)
            if first:
                etag = response.headers.get("etag")
                last_modified = response.headers.get("last-modified")
                first = False
            records, url = _page_records(response.json(), response.url)
            for item in records:
                yield _raw(item, response.url)
        return Cursor(etag=etag, last_modified=last_modified)

    def to_offer(self, record: RawRecord) -> dict[str, Any]:
        return {k: v for k, v in record.payload.items() if k not in SOURCE_KEYS}

    def parse_webhook(self, body: Mapping[str, Any]) -> list[RawRecord]:
        items = body.get("offers") if isinstance(body.get("offers"), list) else [body]
        return [_raw(item, None) for item in items or []]


def _page_records(document: Any, url: str) -> tuple[list[Any], str | None]:
    if isinstance(document, list):
        return document, None
    if isinstance(document, dict) and isinstance(document.get("offers"), list):
        next_url = document.get("next")
        return document["offers"], str(next_url) if next_url else None
    raise PermanentFetchError(
        f"{url}: expected a list or an object with 'offers'",
        message_de="Der Feed hat nicht das erwartete Format (Liste „offers“ fehlt).",
    )


def _raw(item: Any, source_url: str | None) -> RawRecord:
    if not isinstance(item, Mapping):
        return RawRecord(local_id="", payload={"value": item}, source_url=source_url)
    local_id = str(item.get("local_id") or item.get("id") or "")
    updated = item.get("updated_at")
    try:
        updated_at = datetime.fromisoformat(str(updated)) if updated else None
    except ValueError:
        updated_at = None
    return RawRecord(
        local_id=local_id,
        payload=item,
        updated_at=updated_at,
        source_url=source_url,
        deleted=bool(item.get("deleted")),
    )
