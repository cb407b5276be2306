"""The HSDS 3.0 tabular form: a Frictionless datapackage.json naming one CSV file per table.

The tables are joined back into the nested service objects the HSDS API returns (the shape of
`examples/service_full.json`), so one mapping serves both forms. Resources are found by their
`name` (service, organization, location, …) as in the official datapackage.json, or by the file
name (services.csv, address.csv, …) when a package leaves names out.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urljoin

from connectors.sdk.base import Cursor
from connectors.sdk.paging import RetryPolicy, get_with_retry
from hub.core.errors import PermanentFetchError
from hub.core.fetcher import FetchResponse, SafeFetcher

Row = dict[str, Any]
COMPOSITE = "hsds-datapackage:"  # prefix of the per-file validators kept in Cursor.etag
TABLES = (
    "service",
    "organization",
    "phone",
    "location",
    "address",
    "accessibility",
    "service_at_location",
    "schedule",
    "service_area",
    "language",
    "cost_option",
    "attribute",
    "taxonomy_term",
    "metadata",
)
STEMS = {
    "services": "service",
    "organizations": "organization",
    "phones": "phone",
    "locations": "location",
    "addresses": "address",
    "schedules": "schedule",
    "service_areas": "service_area",
    "languages": "language",
    "cost_options": "cost_option",
    "attributes": "attribute",
    "taxonomy_terms": "taxonomy_term",
}


def load_services(
    fetcher: SafeFetcher, url: str, cursor: Cursor, retry: RetryPolicy
) -> tuple[list[Row], Cursor]:
    """All services of the package, nested; a package whose every file answers 304 yields none.

    The package is several files, so their validators travel together in the cursor's `etag`
    as one composite value (`position` would mark the next run incremental: it is always full).
    """
    known = _composite(cursor.etag)
    if known and _unchanged(fetcher, known, retry):
        return [], cursor.model_copy(update={"not_modified": True})
    responses = {url: get_with_retry(fetcher, url, retry=retry)}
    package = parse_json(responses[url])
    tables: dict[str, list[Row]] = {}
    for name, (table_url, delimiter) in _resources(package, url).items():
        responses[table_url] = get_with_retry(fetcher, table_url, retry=retry)
        tables[name] = _rows(responses[table_url], delimiter)
    validators = {u: _validators(r) for u, r in responses.items()}
    # one file without validators makes "all unchanged" unprovable: then always fetch
    etag = COMPOSITE + json.dumps(validators) if all(validators.values()) else None
    return assemble(tables), Cursor(etag=etag, not_modified=False)


def _composite(etag: str | None) -> dict[str, dict[str, str]]:
    if not etag or not etag.startswith(COMPOSITE):
        return {}
    try:
        known = json.loads(etag.removeprefix(COMPOSITE))
    except ValueError:
        return {}
    return known if isinstance(known, dict) else {}


def assemble(tables: Mapping[str, list[Row]]) -> list[Row]:
    """Join the flat tables into nested HSDS service objects."""

    def group(table: str, key: str) -> defaultdict[str, list[Row]]:
        grouped: defaultdict[str, list[Row]] = defaultdict(list)
        for row in tables.get(table, []):
            if row.get(key):
                grouped[str(row[key])].append(row)
        return grouped

    terms = {r["id"]: r for r in tables.get("taxonomy_term", []) if r.get("id")}
    orgs = {r["id"]: r for r in tables.get("organization", []) if r.get("id")}
    org_phones, service_phones = group("phone", "organization_id"), group("phone", "service_id")
    addresses, access = group("address", "location_id"), group("accessibility", "location_id")
    loc_languages, languages = group("language", "location_id"), group("language", "service_id")
    locations = {
        r["id"]: {
            **r,
            "addresses": addresses[r["id"]],
            "accessibility": access[r["id"]],
            "languages": loc_languages[r["id"]],
        }
        for r in tables.get("location", [])
        if r.get("id")
    }
    links, sal_schedules = (
        group("service_at_location", "service_id"),
        group("schedule", "service_at_location_id"),
    )
    schedules, areas = group("schedule", "service_id"), group("service_area", "service_id")
    costs, metadata = group("cost_option", "service_id"), group("metadata", "resource_id")
    attributes = group("attribute", "link_id")
    services = []
    for row in tables.get("service", []):
        sid = str(row.get("id") or "")
        org = orgs.get(row.get("organization_id") or "")
        services.append(
            {
                **row,
                "organization": {**org, "phones": org_phones[org["id"]]} if org else None,
                "phones": service_phones[sid],
                "service_at_locations": [
                    {
                        **link,
                        "location": locations.get(link.get("location_id") or ""),
                        "schedules": sal_schedules[str(link.get("id"))],
                    }
                    for link in links[sid]
                ],
                "schedules": schedules[sid],
                "service_areas": areas[sid],
                "languages": languages[sid],
                "cost_options": costs[sid],
                "attributes": [
                    {**a, "taxonomy_term": terms.get(a.get("taxonomy_term_id") or "")}
                    for a in attributes[sid]
                ],
                "metadata": metadata[sid],
            }
        )
    return services


def parse_json(response: FetchResponse) -> Any:
    """The JSON body; an HTML page (login, CMS error page) is a permanent, explained error."""
    if _is_html(response) or response.content.lstrip()[:1] == b"<":
        raise PermanentFetchError(
            f"HTML instead of JSON from {response.url}",
            message_de="Unter der Adresse liegt eine HTML-Seite statt der HSDS-Daten (JSON). "
            "Bitte die Adresse der API bzw. der datapackage.json angeben.",
        )
    return response.json()


def bad_shape(url: str, expected: str) -> PermanentFetchError:
    """The error for a well-formed JSON answer that is not what HSDS 3.0 promises."""
    return PermanentFetchError(
        f"unexpected HSDS payload at {url}",
        message_de=f"Die HSDS-Daten enthalten nicht {expected} (Open Referral HSDS 3.0).",
    )


def as_list(obj: Mapping[str, Any], key: str) -> list[Row]:
    """The objects in `obj[key]`, or an empty list for a missing or malformed field."""
    value = obj.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def as_text(value: object) -> str:
    """A stripped string; None becomes empty."""
    return "" if value is None else str(value).strip()


def as_number(value: object) -> float | None:
    """A number from JSON or CSV (where everything is text); None if it is not one."""
    if value is None or isinstance(value, bool) or as_text(value) == "":
        return None
    try:
        return float(as_text(value).replace(",", "."))
    except ValueError:
        return None


def _resources(package: object, base: str) -> dict[str, tuple[str, str]]:
    """Absolute CSV URL and delimiter per table the mapping uses; `service` must be there."""
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list):
        raise bad_shape(base, "eine datapackage.json mit „resources“")
    found: dict[str, tuple[str, str]] = {}
    for resource in resources:
        path = resource.get("path") if isinstance(resource, dict) else None
        if not isinstance(path, str) or not path.strip():
            continue  # multi-file or inline resources: not used by HSDS publishers
        stem = PurePosixPath(path).stem
        name = str(resource.get("name") or STEMS.get(stem, stem))
        if name in TABLES:
            dialect = resource.get("dialect")
            delimiter = dialect.get("delimiter") if isinstance(dialect, dict) else None
            found.setdefault(name, (urljoin(base, path.strip()), str(delimiter or ",")))
    if "service" not in found:
        raise bad_shape(base, "die Tabelle „service“ (services.csv)")
    return found


def _rows(response: FetchResponse, delimiter: str = ",") -> list[Row]:
    if _is_html(response):
        raise PermanentFetchError(
            f"HTML instead of CSV from {response.url}",
            message_de=f"Die Tabelle {response.url} ist eine HTML-Seite statt einer CSV-Datei.",
        )
    try:
        text = response.text().lstrip("\ufeff")  # a BOM survives a declared utf-8 charset
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [
            {str(k).strip(): v.strip() if v and v.strip() else None for k, v in row.items() if k}
            for row in reader
        ]
    except csv.Error as exc:
        raise PermanentFetchError(
            f"malformed CSV at {response.url}: {exc}",
            message_de=f"Die Tabelle {response.url} ist keine gültige CSV-Datei ({exc}).",
        ) from exc


def _validators(response: FetchResponse) -> dict[str, str]:
    found = {
        "etag": response.headers.get("etag"),
        "last_modified": response.headers.get("last-modified"),
    }
    return {k: v for k, v in found.items() if v}


def _unchanged(
    fetcher: SafeFetcher, known: Mapping[str, Mapping[str, str]], retry: RetryPolicy
) -> bool:
    """True when every file of the last run answers 304 to its validators."""
    for url, validators in known.items():
        response = get_with_retry(
            fetcher,
            url,
            retry=retry,
            etag=validators.get("etag"),
            last_modified=validators.get("last_modified"),
        )
        if not response.not_modified:
            return False
    return True


def _is_html(response: FetchResponse) -> bool:
    head = response.content.lstrip()[:15].lower()
    return response.content_type in {"text/html", "application/xhtml+xml"} or head.startswith(
        (b"<!doctype html", b"<html")
    )
