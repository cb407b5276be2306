"""`POST /fehler-melden`: a parent's correction report from an offer page (see `report_form`)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hub.core.errors import NotFound, ReportRefused
from hub.core.settings import Settings
from hub.web.pages import base_context, render_detail, translator
from hub.web.report_form import REPORT_PATH, new_state, read_form, submit
from hub.web.templating import render

router = APIRouter(tags=["web"], include_in_schema=False)


@router.post(REPORT_PATH, response_class=HTMLResponse)
async def report_offer(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    values = await read_form(request)
    tr = translator(request)
    if values is None:
        return _refused(request, settings, 413, tr.t("report.too_large"))
    offer_id = values.get("offer_id", "")
    try:
        await submit(request, settings, values)
    except ReportRefused as refused:
        if not offer_id:
            return _refused(request, settings, refused.status, refused.message_de)
        kept = {k: values.get(k, "") for k in ("category", "message", "contact_email")}
        state = new_state(settings, offer_id, values=kept, error=refused.message_de)
        return await render_detail(request, offer_id, report=state, status=refused.status)
    except NotFound:
        return render("not_found.html", settings, status=404, **base_context(request, tr, []))
    target = f"/angebote/{quote(offer_id, safe=':')}?lang={tr.lang}&gemeldet=1#melden"
    return RedirectResponse(target, status_code=303)


def _refused(request: Request, settings: Settings, status: int, message: str) -> HTMLResponse:
    ctx = base_context(request, translator(request), [])
    return render("report_refused.html", settings, status=status, message=message, **ctx)
