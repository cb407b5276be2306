"""Bulk downloads of a search: HSDS 3.0 JSON, GeoJSON and CSV, streamed.

The routes take the search's parameters (hub/api/params.py), prepared exactly as for the
result list (spelling correction included), and export every match up to EXPORT_LIMIT. The
first page is read (and counted exactly) before the answer starts, so the headers can say how
many offers matched (`X-Total-Count`) and whether the file was cut off
(`X-Export-Truncated: true`), and so an unreachable engine still becomes a clean 503 before the
first byte is sent.

This router must be included before the search router: its paths (`/api/v1/offers/export.csv`)
would otherwise be taken for offer ids by `/api/v1/offers/{offer_id}`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from hub.api.deps import ServeEngine
from hub.api.params import Prepared
from hub.exports import EXPORT_LIMIT, export_filename
from hub.exports.csv import stream_csv
from hub.exports.geojson import stream_feature_collection
from hub.exports.hsds import stream_service_list
from hub.search.engine import SearchEngine
from hub.search.prepared import PreparedSearch
from hub.search.runner import counted_offers

router = APIRouter(prefix="/api/v1/offers", tags=["exports"])
CHUNK_CHARS = 64 * 1024


def _batched(chunks: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[str]:
    """Join small chunks so the server writes ~64 kB at a time instead of once per offer."""
    pending: list[str] = []
    length = 0
    for chunk in chunks:
        pending.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(pending)
            pending, length = [], 0
    if pending:
        yield "".join(pending)


def _export(
    engine: SearchEngine,
    search: PreparedSearch,
    extension: str,
    media_type: str,
    render: Callable[[Iterable[dict[str, Any]], int], Iterator[str]],
) -> StreamingResponse:
    total, docs = counted_offers(engine, search, EXPORT_LIMIT)  # count and first page at once
    headers = {
        "Content-Disposition": f'attachment; filename="{export_filename(extension)}"',
        "X-Total-Count": str(total),
        "X-Export-Limit": str(EXPORT_LIMIT),
        "X-Export-Truncated": "true" if total > EXPORT_LIMIT else "false",
        "Cache-Control": "no-store",
    }
    return StreamingResponse(_batched(render(docs, total)), media_type=media_type, headers=headers)


@router.get(
    "/export.hsds.json",
    summary="Matching offers as an HSDS 3.0 service list (Open Referral)",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/json": {}}}},
)
def export_hsds(engine: ServeEngine, search: Prepared) -> StreamingResponse:
    return _export(
        engine,
        search,
        "hsds.json",
        "application/json",
        lambda docs, total: stream_service_list(docs, total, EXPORT_LIMIT),
    )


@router.get(
    "/export.geojson",
    summary="Matching offers' places as a GeoJSON FeatureCollection (RFC 7946)",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def export_geojson(engine: ServeEngine, search: Prepared) -> StreamingResponse:
    return _export(
        engine,
        search,
        "geojson",
        "application/geo+json",
        lambda docs, _total: stream_feature_collection(docs),
    )


@router.get(
    "/export.csv",
    summary="Matching offers as a CSV table for Excel (';', UTF-8 with BOM)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(engine: ServeEngine, search: Prepared) -> StreamingResponse:
    return _export(
        engine,
        search,
        "csv",
        "text/csv; charset=utf-8",
        lambda docs, _total: stream_csv(docs),
    )
