"""Enrolment links over JSON for the ministry's scripts (admin token), beside the pages."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hub import audit
from hub.accounts.enrolment_links import EnrolmentLink, EnrolmentLinks, parse_ags
from hub.api.deps import AdminDep, IndexEngine, SettingsDep

router = APIRouter(prefix="/api/v1/enrolment-links", tags=["accounts"])


class LinkIn(BaseModel):
    organisation_name: str = Field(min_length=2, max_length=200, description="The Jugendamt.")
    ags: list[str] = Field(min_length=1, description="AGS codes (8 digits, NRW) it serves.")


class LinkOut(BaseModel):
    id: str
    organisation_name: str
    ags: list[str]
    state: str
    created_at: datetime
    expires_at: datetime
    organisation_id: str | None

    @classmethod
    def of(cls, link: EnrolmentLink) -> LinkOut:
        return cls(**link.model_dump(exclude={"issued_by"}), state=link.state().value)


class LinkIssued(LinkOut):
    url: str = Field(description="The link to hand to the Jugendamt; shown only in this answer.")


@router.post("", status_code=201, summary="Issue an enrolment link for a Jugendamt (ministry)")
def issue_link(data: LinkIn, _: AdminDep, settings: SettingsDep, engine: IndexEngine) -> LinkIssued:
    ags = parse_ags(" ".join(data.ags))
    issued = EnrolmentLinks(engine).issue(
        data.organisation_name, ags, "admin-token", settings.enrolment_link_days
    )
    url = f"{settings.public_base_url.rstrip('/')}/registrieren/{issued.token}"
    after = {"organisation_name": data.organisation_name, "ags": ags}
    audit.record(engine, audit.ADMIN_TOKEN, "enrolment_link.issued", issued.link.id, after=after)
    return LinkIssued(**LinkOut.of(issued.link).model_dump(), url=url)


@router.get("", summary="Enrolment links with their state (ministry)")
def list_links(_: AdminDep, engine: IndexEngine) -> list[LinkOut]:
    return [LinkOut.of(link) for link in EnrolmentLinks(engine).recent()]
