"""The one small adapter over OpenSearch (opensearch-py) and Elasticsearch 8 (elasticsearch).

Everything above this module speaks plain REST bodies through `SearchEngine.request` and uses
`streaming_bulk`; only this module knows which client library is underneath. Engine errors are
mapped into the hub's exception tree (5xx/connection → EngineUnavailable, 404 → NotFound,
409 → ConflictError).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import httpx
import orjson

from hub.core.errors import ConflictError, EngineRequestError, EngineUnavailable, HubError, NotFound
from hub.core.metrics import count_engine_error
from hub.core.settings import Settings

Flavour = Literal["opensearch", "elasticsearch"]


@dataclass(frozen=True)
class EngineInfo:
    flavour: Flavour
    version: str
    cluster_name: str


def detect_flavour(settings: Settings) -> Flavour:
    """The engine flavour from settings, or from the root endpoint when set to 'auto'."""
    if settings.search_engine != "auto":
        return settings.search_engine
    auth = _auth(settings)
    try:
        root = httpx.get(settings.search_url, timeout=5.0, auth=auth, trust_env=False)
        body = root.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise count_engine_error(
            EngineUnavailable(
                f"search engine at {settings.search_url} not reachable: {exc}",
                message_de="Die Suche ist vorübergehend nicht erreichbar.",
            )
        ) from exc
    distribution = body.get("version", {}).get("distribution", "elasticsearch")
    return "opensearch" if distribution == "opensearch" else "elasticsearch"


def _auth(settings: Settings) -> tuple[str, str] | None:
    if settings.search_username and settings.search_password:
        return (settings.search_username, settings.search_password.get_secret_value())
    return None


class SearchEngine:
    """A connected engine client with uniform `request` and `streaming_bulk`."""

    def __init__(self, settings: Settings, *, purpose: Literal["serve", "index"] = "index") -> None:
        self.settings = settings
        self.flavour = detect_flavour(settings)
        timeout = 5 if purpose == "serve" else 120
        retries = 0 if purpose == "serve" else 3
        auth = _auth(settings)
        if self.flavour == "opensearch":
            from opensearchpy import OpenSearch

            from hub.search.serializer import FastJSONSerializer

            self._client: Any = OpenSearch(
                hosts=[settings.search_url],
                serializer=FastJSONSerializer(),
                http_auth=auth,
                timeout=timeout,
                max_retries=retries,
                retry_on_timeout=purpose == "index",
            )
        else:
            from elasticsearch import Elasticsearch

            self._client = Elasticsearch(
                settings.search_url,
                basic_auth=auth,
                request_timeout=timeout,
                max_retries=retries,
                retry_on_timeout=purpose == "index",
            )

    def name(self, index: str) -> str:
        """Physical name of a hub index or alias (with the configured prefix)."""
        return self.settings.index_name(index)

    def doc_path(self, index: str, doc_id: str) -> str:
        """The REST path of one document; the id is escaped, since local ids of sources are
        often URLs (`/`, `?`, `#` would otherwise end the path)."""
        return f"/{self.name(index)}/_doc/{quote(doc_id, safe='')}"

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """One REST call; returns the decoded JSON body or raises a hub error."""
        try:
            if self.flavour == "opensearch":
                return self._client.transport.perform_request(
                    method, path, params=params or None, body=body
                )
            headers = {"accept": "application/json"}
            if body is not None:
                headers["content-type"] = "application/json"
            return self._client.perform_request(
                method, path, params=params or None, body=body, headers=headers
            ).body
        except Exception as exc:  # both libraries raise their own trees
            raise count_engine_error(_map_error(exc)) from exc

    def msearch(self, index: str, bodies: list[dict[str, Any]]) -> list[Any]:
        """Several searches of one index in one round trip (`_msearch`), answers in order; a
        failed search raises as `request` would have for it alone."""
        if not bodies:
            return []
        header = orjson.dumps({"index": index})
        lines = b"".join(header + b"\n" + orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS) + b"\n"
                         for body in bodies)  # fmt: skip
        answers = list(self.request("POST", "/_msearch", lines.decode())["responses"])
        for answer in answers:
            if "error" in answer:
                raise count_engine_error(_status_error(int(answer.get("status", 500)), answer))
        return answers

    def streaming_bulk(
        self, actions: Iterable[dict[str, Any]], chunk_size: int
    ) -> Iterator[tuple[bool, dict[str, Any]]]:
        """The client library's streaming bulk helper, with per-item results, never raising."""
        if self.flavour == "opensearch":
            from opensearchpy import helpers as os_helpers

            helper: Any = os_helpers.streaming_bulk
        else:
            from elasticsearch import helpers as es_helpers

            helper = es_helpers.streaming_bulk
        try:
            yield from helper(
                self._client,
                actions,
                chunk_size=chunk_size,
                raise_on_error=False,
                raise_on_exception=True,
                max_retries=3,
                initial_backoff=1,
            )
        except Exception as exc:
            raise count_engine_error(_map_error(exc)) from exc

    def info(self) -> EngineInfo:
        root = self.request("GET", "/")
        return EngineInfo(
            flavour=self.flavour,
            version=str(root["version"]["number"]),
            cluster_name=str(root.get("cluster_name", "")),
        )

    def ping(self) -> bool:
        try:
            self.request("GET", "/_cluster/health")
        except HubError:
            return False
        return True

    def exists(self, path: str) -> bool:
        try:
            answer = self.request("HEAD", path)
        except NotFound:
            return False
        # opensearch-py answers HEAD with a bool, elasticsearch with an empty body
        return answer is not False

    def close(self) -> None:
        self._client.close()


def _map_error(exc: Exception) -> HubError:
    if isinstance(exc, HubError):
        return exc
    status = getattr(exc, "status_code", None)
    if status is None:
        meta = getattr(exc, "meta", None)
        status = getattr(meta, "status", None)
    info = getattr(exc, "info", None) or getattr(exc, "body", None) or str(exc)
    if isinstance(status, int):
        return _status_error(status, info)
    return EngineUnavailable(
        f"search engine not reachable: {exc}",
        message_de="Die Suche ist vorübergehend nicht erreichbar.",
    )


def _status_error(status: int, info: Any) -> HubError:
    """The hub's error for an engine answer of `status` (a whole request's, or one search's
    of an `_msearch`)."""
    if status == 404:
        return NotFound(f"engine: not found: {_reason(info)}")
    if status == 409:
        return ConflictError(f"engine: version conflict: {_reason(info)}")
    if status == 429 or status >= 500:
        return EngineUnavailable(
            f"engine answered {status}: {_reason(info)}",
            message_de="Die Suche ist vorübergehend überlastet oder nicht erreichbar.",
        )
    return EngineRequestError(status, info)


def _reason(info: Any) -> str:
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            return str(error.get("reason") or error.get("type") or error)
        return str(error or info)
    return str(info)[:500]


_ENGINES: dict[tuple[int, str], SearchEngine] = {}


def cached_engine(
    settings: Settings, purpose: Literal["serve", "index"] = "index"
) -> SearchEngine | None:
    """The process-wide engine of `get_engine` if it exists already (no network, no waiting)."""
    engine = _ENGINES.get((id(settings), purpose))
    return engine if engine is not None and engine.settings is settings else None


def get_engine(settings: Settings, purpose: Literal["serve", "index"] = "index") -> SearchEngine:
    """A process-wide engine per (settings object, purpose); serving and indexing clients differ."""
    key = (id(settings), purpose)
    engine = _ENGINES.get(key)
    if engine is None or engine.settings is not settings:
        engine = _ENGINES[key] = SearchEngine(settings, purpose=purpose)
    return engine
