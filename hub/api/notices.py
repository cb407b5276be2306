"""What parents and the calendar tell a municipality about its offers: correction reports and
stale offers of one source, for its API key or the ministry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from hub.api.deps import IndexEngine, SettingsDep
from hub.api.sources import Auth, authorized_source
from hub.notify.freshness import stale_before, stale_offers
from hub.notify.reports import Report, ReportStatus, ReportStore
from hub.sources.store import SourceRegistry

router = APIRouter(prefix="/api/v1/sources", tags=["sources"])


class StaleOffers(BaseModel):
    source_id: str
    stale_after_days: int
    updated_before: datetime
    offers: list[dict[str, Any]]


@router.get("/{source_id}/reports", summary="Parents' correction reports of a source")
def list_reports(
    source_id: str,
    settings: SettingsDep,
    engine: IndexEngine,
    authorization: Auth = None,
    status: ReportStatus | None = None,
) -> list[Report]:
    authorized_source(SourceRegistry(engine), source_id, settings, authorization)
    return ReportStore(engine).for_source(source_id, status)


@router.post("/{source_id}/reports/{report_id}/done", summary="Mark a report as done")
def mark_report_done(
    source_id: str,
    report_id: str,
    settings: SettingsDep,
    engine: IndexEngine,
    authorization: Auth = None,
) -> Report:
    authorized_source(SourceRegistry(engine), source_id, settings, authorization)
    return ReportStore(engine).mark_done(source_id, report_id)


@router.get("/{source_id}/stale-offers", summary="Offers the source has not updated for long")
def list_stale_offers(
    source_id: str, settings: SettingsDep, engine: IndexEngine, authorization: Auth = None
) -> StaleOffers:
    authorized_source(SourceRegistry(engine), source_id, settings, authorization)
    before = stale_before(settings)
    return StaleOffers(
        source_id=source_id,
        stale_after_days=settings.stale_after_days,
        updated_before=before,
        offers=stale_offers(engine, source_id, before),
    )
