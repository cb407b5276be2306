"""One raw record through its connector's mapping and the normaliser: an offer or a rejection.

The sync runner and the dry run both go through here, so what `hub connector check` shows a
municipality is exactly what a sync would index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors.sdk.base import Connector, RawRecord
from hub.core.errors import RecordError
from hub.core.schema import Rejection
from hub.ingest.normalise import NormaliseResult, normalise_record
from hub.ingest.normalise.geocoder import Geocoder


def process_record(
    connector: Connector[Any],
    raw: RawRecord,
    geocoder: Geocoder | None = None,
    now: datetime | None = None,
) -> NormaliseResult:
    """Map and validate `raw`; mapping errors and validation errors both become rejections.
    `now` (default: the clock) is when dates written in the text are read from."""
    source_id = connector.context.source_id
    try:
        mapped = connector.to_offer(raw)
    except RecordError as exc:
        rejection = Rejection(
            source_id=source_id,
            local_id=raw.local_id or None,
            code=exc.code,
            message=exc.message,
            message_de=exc.message_de,
            source_url=raw.source_url,
        )
        return NormaliseResult(raw.local_id or None, rejection=rejection)
    return normalise_record(
        source_id,
        raw.local_id,
        mapped,
        source_ags=connector.context.ags,
        topic_overrides=getattr(connector.config, "topic_overrides", None),
        source_url=raw.source_url,
        geocoder=geocoder,
        offer_filters=connector.config.offer_filters,
        now=now,
    )
