"""The citizen pages: `/` (search with facets, list and map) and `/angebote/{id}` (one offer).

Server-rendered HTML that works without JavaScript; `static/search.js` adds suggestions and the
map. Every result links prominently to the municipality's own page, which stays authoritative.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hub.core.settings import Settings
from hub.web.api_client import api_get, has_route, query_params, request_id
from hub.web.i18n import Translator, negotiate
from hub.web.jsonld import offer_jsonld, script_json
from hub.web.report_form import ReportState, freshness, new_state
from hub.web.search_form import PAGE_SIZE, SearchForm, api_params, page_query, parse_form
from hub.web.templating import render
from hub.web.views import (
    area_names,
    facet_groups,
    fallback_views,
    hit_view,
    page_count,
    place_text,
)

router = APIRouter(tags=["web"], include_in_schema=False)
SEARCH_PATH = "/api/v1/offers"
SUGGEST_PATH = "/api/v1/suggest"
CLUSTER_PATH = "/api/v1/offers/clusters"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def translator(request: Request) -> Translator:
    lang = negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
    return Translator(lang)


def base_context(
    request: Request, tr: Translator, current: list[tuple[str, str]]
) -> dict[str, Any]:
    """What the layout needs: language, switcher links keeping the current query, settings."""
    keep = [(k, v) for k, v in current if k != "lang"]
    path = request.url.path
    switch = [
        (code, name, f"{path}?{urlencode([('lang', code), *keep])}")
        for code, name in tr.switch_links()
    ]
    return {"tr": tr, "t": tr.t, "switch": switch}


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request) -> HTMLResponse:
    tr = translator(request)
    form = parse_form(list(request.query_params.multi_items()))
    accepted = query_params(request.app, SEARCH_PATH)
    params = api_params(form, accepted)
    answer = await api_get(request.app, SEARCH_PATH, params, request_id(request))
    ctx = base_context(request, tr, page_query(form, tr.lang))
    ctx.update(_results_context(answer.data if answer.ok else None, form, accepted, tr))
    if not answer.ok:
        ctx["search_failed"] = answer.status >= 500
        if answer.status == 422 and not form.errors:
            form.errors["q"] = "error.invalid_search"
    ctx.update(
        form=form,
        page_config=_page_config(request, tr, params),
        page_link=lambda n: "/?" + urlencode(page_query(form, tr.lang, n)),
        sort_available="sort" in accepted,
    )
    status = 503 if ctx["search_failed"] else 200
    return render("search.html", _settings(request), status=status, **ctx)


def _results_context(
    data: dict[str, Any] | None, form: SearchForm, accepted: frozenset[str], tr: Translator
) -> dict[str, Any]:
    if data is None:
        return {
            "hits": [],
            "total": 0,
            "pages": 1,
            "facets": [],
            "did_you_mean": None,
            "search_failed": False,
            "fallbacks": [],
        }
    total = int(data.get("total", 0))
    place = str((data.get("place") or {}).get("label") or "")
    return {
        "hits": [hit_view(hit, tr, place) for hit in data.get("hits", [])],
        "fallbacks": fallback_views(data.get("fallbacks") or [], form, tr, place),
        "total": total,
        "pages": page_count(total, PAGE_SIZE),
        "facets": facet_groups(data.get("facets") or {}, form, accepted, tr),
        "did_you_mean": _did_you_mean(data),
        "search_failed": False,
    }


def _did_you_mean(data: dict[str, Any]) -> str | None:
    """The API's correction, whatever shape it comes in (string or {text|query})."""
    for key in ("did_you_mean", "meinten_sie", "suggestion", "correction"):
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("text") or value.get("query")
        if isinstance(value, str) and value.strip():
            return value
    return None


def _page_config(request: Request, tr: Translator, params: list[tuple[str, str]]) -> dict[str, Any]:
    """Data for search.js (read from a data attribute: no inline script under the CSP)."""
    settings = _settings(request)
    filters = [(k, v) for k, v in params if k not in ("size", "page", "sort")]
    return {
        "lang": tr.lang,
        "suggestUrl": SUGGEST_PATH if has_route(request.app, SUGGEST_PATH) else "",
        "clusterUrl": CLUSTER_PATH if has_route(request.app, CLUSTER_PATH) else "",
        "filters": filters,
        "tileUrl": settings.tile_url,
        "tileAttribution": settings.tile_attribution,
        "messages": {
            key: tr.t(key)
            for key in (
                "map.cluster",
                "map.zoom_to",
                "map.single",
                "map.empty",
                "map.loading",
                "map.failed",
                "map.list_summary",
                "result.details",
            )
        },
        "detailBase": "/angebote/",
    }


@router.get("/angebote/{offer_id:path}", response_class=HTMLResponse)
async def detail_page(request: Request, offer_id: str) -> HTMLResponse:
    sent = request.query_params.get("gemeldet") == "1"
    return await render_detail(
        request, offer_id, report=new_state(_settings(request), offer_id, sent=sent)
    )


async def render_detail(
    request: Request, offer_id: str, *, report: ReportState, status: int = 200
) -> HTMLResponse:
    """The offer page; `report` is the state of its "Fehler melden" form."""
    tr = translator(request)
    settings = _settings(request)
    path = f"{SEARCH_PATH}/{quote(offer_id, safe=':')}"
    answer = await api_get(request.app, path, [], request_id(request))
    ctx = base_context(request, tr, [])
    if answer.status == 404:
        return render("not_found.html", settings, status=404, **ctx)
    if not answer.ok or not isinstance(answer.data, dict):
        return render("error.html", settings, status=503, **ctx)
    offer = answer.data
    page_url = f"{settings.public_base_url.rstrip('/')}/angebote/{quote(offer_id, safe=':')}"
    ctx.update(
        offer=offer,
        place=place_text(offer, tr),
        areas=area_names(offer.get("area_ags") or []),
        jsonld=script_json(offer_jsonld(offer, page_url)),
        back_url=f"/?lang={tr.lang}",
        report=report,
        freshness=freshness(settings, offer, tr),
    )
    return render("detail.html", settings, status=status, **ctx)
