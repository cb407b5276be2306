"""Declarative feed mappings: a YAML file in `mappings/feeds/` says where each offer field sits.

One engine serves three kinds: `json_feed` (paths are JSONPath, jsonpath-ng), `xml_feed` (the
limited XPath of ElementTree on a defusedxml tree; `a/b/@attr` reads an attribute) and
`spreadsheet` (a path is a column header). The format, fully documented with examples in
`mappings/feeds/README.md`:

    format: json                # json | xml | table
    records: offers             # path to the list of records (xml: findall path from the root)
    root: angebote              # xml only: the expected root tag, checked before anything else
    namespaces: {}              # xml only: prefix → URI for the paths
    id: local_id                # the record's own id (required)
    updated_at: updated_at      # the record's modification time
    updated_at_fallback: last_modified   # without one: Last-Modified, else fetch time | none
    fields:                     # schema field → path or {path, transform, default, many, value}
      title: title
      description: {path: text, transform: html}
      provider: {path: provider, fields: {name: name, url: url}}   # sub-object
      dates: {path: "dates[*]", fields: {start: start, end: end}} # list of sub-objects
    hints: {categories: cats, age_text: alter}   # hint keys the normaliser resolves
    locations: {path: "orte[*]", fields: {street: strasse, postcode: plz, city: ort}}
    defaults: {languages: [de]} # values for fields the record leaves empty
    paging: {next_link: next}   # or {page_param: page, start: 1, size_param, size, max_pages}
    incremental: {param: modified_since, format: iso}   # iso | date | epoch
    table: {sheet: Angebote, header_row: 1}             # table only

Transforms (a name, `{name: argument}`, or a list applied in order): html, strip, lower, upper,
int, number (German "1.234,50"), bool ("ja"/"nein"), date_de ("01.02.2026", "1.2.26"),
datetime_de ("01.02.2026 10:30", Europe/Berlin), split (separator, default , ; |), join
(separator, default ", "), first, map ({from: to}, case- and umlaut-insensitive), template
("https://…/{}"), scale (factor), absolute_url (against the page the record came from).

The shape follows the target: list fields of the schema (topics, languages, categories …) are
always lists, the other fields take the first match. Empty strings count as missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urljoin
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

import yaml
from jsonpath_ng.ext.parser import parse as jsonpath_parse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hub.core.errors import ConfigError, RecordError
from hub.core.schema import HINT_KEYS, Offer
from hub.core.settings import MAPPINGS_DIR
from hub.core.text import html_to_text
from hub.core.vocab import fold

FEEDS_DIR = MAPPINGS_DIR / "feeds"
BERLIN = ZoneInfo("Europe/Berlin")
MAPPING_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.ya?ml)?$")
OFFER_FIELDS = set(Offer.model_fields) - {"id", "source_id", "local_id"}
LIST_FIELDS = {
    name for name, f in Offer.model_fields.items() if str(f.annotation).startswith("list")
}
HINT_FIELDS = {"categories", *HINT_KEYS}


class FieldSpec(BaseModel):
    """Where one value comes from: a path, a constant or a sub-object built from `fields`."""

    model_config = ConfigDict(extra="forbid")
    path: str | None = None
    value: Any = None
    transform: list[str | dict[str, Any]] = Field(default_factory=list)
    default: Any = None
    many: bool | None = None
    fields: dict[str, FieldSpec] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_path(cls, value: Any) -> Any:
        """A bare string is a path."""
        return {"path": value} if isinstance(value, str) else value

    @field_validator("transform", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, (str, dict)) else value

    @field_validator("transform")
    @classmethod
    def _known(cls, value: list[str | dict[str, Any]]) -> list[str | dict[str, Any]]:
        for step in value:
            name = step if isinstance(step, str) else next(iter(step), "")
            if name not in TRANSFORMS or (isinstance(step, dict) and len(step) != 1):
                raise ValueError(f"unknown transform {step!r} (known: {', '.join(TRANSFORMS)})")
        return value


class Paging(BaseModel):
    """How to reach the next page: a next-link path, or a page-number query parameter."""

    model_config = ConfigDict(extra="forbid")
    next_link: str | None = None
    page_param: str | None = None
    start: int = 1
    size_param: str | None = None
    size: int | None = Field(default=None, ge=1)
    max_pages: int = Field(500, ge=1)


class Incremental(BaseModel):
    """The query parameter that asks the feed for records modified since the cursor."""

    model_config = ConfigDict(extra="forbid")
    param: str
    format: Literal["iso", "date", "epoch"] = "iso"


class TableOptions(BaseModel):
    """Spreadsheet layout: the sheet to read and the row holding the column headers."""

    model_config = ConfigDict(extra="forbid")
    sheet: str | None = None
    header_row: int | None = Field(default=None, ge=1)
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)


class FeedMapping(BaseModel):
    """A validated mapping file (the format is in the module docstring)."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["json", "xml", "table"] = "json"
    description: str = ""
    records: str = "$"
    root: str | None = None
    namespaces: dict[str, str] = Field(default_factory=dict)
    id: FieldSpec
    updated_at: FieldSpec | None = None
    updated_at_fallback: Literal["last_modified", "none"] = "last_modified"
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    hints: dict[str, FieldSpec] = Field(default_factory=dict)
    locations: FieldSpec | None = None
    defaults: dict[str, Any] = Field(default_factory=dict)
    paging: Paging | None = None
    incremental: Incremental | None = None
    table: TableOptions = Field(default_factory=lambda: TableOptions())

    @field_validator("fields")
    @classmethod
    def _schema_fields(cls, value: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        unknown = set(value) - OFFER_FIELDS
        if unknown:
            raise ValueError(f"not offer fields: {', '.join(sorted(unknown))}")
        return value

    @field_validator("hints")
    @classmethod
    def _hint_keys(cls, value: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        unknown = set(value) - HINT_FIELDS
        if unknown:
            raise ValueError(f"not hint keys: {', '.join(sorted(unknown))}")
        return value

    @model_validator(mode="after")
    def _paths_compile(self) -> FeedMapping:
        """Refuse a broken path when the mapping is registered, not on the first sync."""
        if self.format == "table":
            return self
        specs = [self.id, self.updated_at, self.locations, *self.fields.values()]
        paths = [self.records] if self.format == "json" else []
        paths += [p for spec in specs if spec is not None for p in _paths(spec)]
        paths += [p for spec in self.hints.values() for p in _paths(spec)]
        if self.paging and self.paging.next_link and self.paging.next_link != "header:link":
            paths.append(self.paging.next_link)
        probe = resolver_for(self)
        for path in paths:
            try:
                probe.find({} if self.format == "json" else Element("probe"), path)
            except (ConfigError, SyntaxError, KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"invalid path {path!r}: {exc}") from exc
        return self


def _paths(spec: FieldSpec) -> list[str]:
    own = [spec.path] if spec.path else []
    return own + [p for sub in (spec.fields or {}).values() for p in _paths(sub)]


def load_mapping(ref: str | Mapping[str, Any]) -> FeedMapping:
    """A mapping by file name in `mappings/feeds/` or given inline; `ConfigError` if invalid."""
    if isinstance(ref, Mapping):
        return _validate(dict(ref), "inline mapping")
    return _load_file(ref, FEEDS_DIR)


@lru_cache(maxsize=128)
def _load_file(name: str, directory: Path) -> FeedMapping:
    if not MAPPING_NAME.match(name):
        raise ConfigError(
            f"bad mapping name {name!r}", message_de=f"Ungültiger Mapping-Name „{name}“."
        )
    path = directory / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if not path.is_file():
        raise ConfigError(
            f"no mapping {path.name} in {directory}",
            message_de=f"Das Mapping „{name}“ gibt es nicht.",
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: invalid YAML: {exc}") from exc
    return _validate(raw, path.name)


def _validate(raw: Any, label: str) -> FeedMapping:
    try:
        return FeedMapping.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        reason = first["msg"].removeprefix("Value error, ")
        detail = f"{where}: {reason}" if where else reason
        raise ConfigError(
            f"{label}: {detail}", message_de=f"Das Mapping ist ungültig ({detail})."
        ) from exc


# --- resolvers: how a path finds values in one kind of record ---------------------------------


class Resolver(Protocol):
    """Finds the values of a path in a record and turns a found node into a plain value."""

    def find(self, record: Any, path: str) -> list[Any]: ...

    def plain(self, node: Any) -> Any: ...


class JsonResolver:
    """JSONPath (jsonpath-ng, extended syntax) over decoded JSON."""

    def find(self, record: Any, path: str) -> list[Any]:
        fields = dotted_fields(path)
        if fields is not None:
            return follow_fields(record, fields)
        return [m.value for m in _jsonpath(path).find(record)]

    def plain(self, node: Any) -> Any:
        return node


_DOTTED = re.compile(r"(?:\$\.)?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_JSONPATH_WORDS = {"where", "wherenot"}  # words jsonpath-ng reads as operators, not fields


@lru_cache(maxsize=512)
def dotted_fields(path: str) -> tuple[str, ...] | None:
    """The field names of a plain dotted path ("$.location.name"), None for any other JSONPath.
    Most feed mappings are plain paths; following them by hand spares jsonpath-ng's matcher,
    which cost more than the rest of a JSON record's mapping."""
    if not _DOTTED.fullmatch(path):
        return None
    fields = tuple(path.removeprefix("$.").split("."))
    return None if _JSONPATH_WORDS.intersection(fields) else fields


def follow_fields(record: Any, fields: Sequence[str]) -> list[Any]:
    """What jsonpath-ng finds for a dotted path: the value under each field in turn (`null`
    included), nothing where a step is missing or not an object."""
    node = record
    for name in fields:
        if not isinstance(node, dict) or name not in node:
            return []
        node = node[name]
    return [node]


@lru_cache(maxsize=512)
def _jsonpath(path: str) -> Any:
    try:
        return jsonpath_parse(path)
    except Exception as exc:  # jsonpath-ng raises lexer, parser and plain exceptions
        raise ConfigError(f"invalid JSONPath {path!r}: {exc}") from exc


class XmlResolver:
    """ElementTree paths; a trailing `@name` reads an attribute, `.` is the record itself."""

    def __init__(self, namespaces: Mapping[str, str]) -> None:
        self.namespaces = dict(namespaces)

    def find(self, record: Any, path: str) -> list[Any]:
        element_path, _, attribute = path.partition("@")
        element_path = element_path.rstrip("/") or "."
        nodes = [record] if element_path == "." else record.findall(element_path, self.namespaces)
        if attribute:
            return [n.get(attribute) for n in nodes if n.get(attribute) is not None]
        return list(nodes)

    def plain(self, node: Any) -> Any:
        if isinstance(node, str):
            return node
        return "".join(node.itertext()).strip()


class TableResolver:
    """A row as {header: cell}; paths are header names, compared trimmed and case-blind."""

    def find(self, record: Any, path: str) -> list[Any]:
        key = header_key(path)
        for header, value in record.items():
            if header_key(header) == key:
                return [] if value is None else [value]
        return []

    def plain(self, node: Any) -> Any:
        return node


def header_key(header: Any) -> str:
    """How column headers are compared: trimmed, single-spaced, case-blind."""
    return re.sub(r"\s+", " ", str(header or "")).strip().casefold()


def resolver_for(mapping: FeedMapping) -> Resolver:
    """The resolver matching the mapping's format."""
    if mapping.format == "xml":
        return XmlResolver(mapping.namespaces)
    return TableResolver() if mapping.format == "table" else JsonResolver()


# --- extraction ------------------------------------------------------------------------------


class Extractor:
    """Applies a `FeedMapping` to one record and returns the input of the offer schema."""

    def __init__(self, mapping: FeedMapping, resolver: Resolver | None = None) -> None:
        self.mapping = mapping
        self.resolver = resolver or resolver_for(mapping)

    def local_id(self, record: Any) -> str:
        value = self.value(record, self.mapping.id, "id")
        return "" if value is None else str(value).strip()

    def updated_at(self, record: Any) -> Any:
        spec = self.mapping.updated_at
        return self.value(record, spec, "updated_at") if spec else None

    def to_offer(
        self, record: Any, base_url: str | None, fallback_updated: datetime | None
    ) -> dict[str, Any]:
        """The mapped record: fields, hints, locations, defaults, absolute url, updated_at."""
        out: dict[str, Any] = {}
        for name, spec in (*self.mapping.fields.items(), *self.mapping.hints.items()):
            value = self.value(record, spec, name, base_url)
            if value is not None:
                out[name] = value
        if self.mapping.locations is not None:
            out["locations"] = self.objects(record, self.mapping.locations, "locations", base_url)
        for name, value in self.mapping.defaults.items():
            if out.get(name) in (None, "", []):
                out[name] = value
        updated = self.updated_at(record)
        if updated is None and fallback_updated is not None:
            updated = fallback_updated.isoformat()
        if updated is not None:
            out["updated_at"] = updated
        if isinstance(out.get("url"), str) and base_url:
            out["url"] = urljoin(base_url, out["url"])
        return out

    def value(self, record: Any, spec: FieldSpec, name: str, base_url: str | None = None) -> Any:
        """One field's value, shaped by the target (list fields stay lists)."""
        if spec.fields is not None:
            objects = self.objects(record, spec, name, base_url)
            many = spec.many if spec.many is not None else name in LIST_FIELDS
            return objects if many else (objects[0] if objects else None)
        if spec.path is None:
            found = [] if spec.value is None else [spec.value]
        else:
            found = [_clean(self.resolver.plain(n)) for n in self.resolver.find(record, spec.path)]
            found = [v for v in found if v is not None]
        if self._many(spec, name) or (name in HINT_KEYS and len(found) > 1):
            value: Any = _flatten(found)  # several text nodes of one hint are joined below
        else:
            value = found[0] if found else None
        if value in (None, []) and spec.default is not None:
            value = spec.default
        if value not in (None, []):
            value = apply_transforms(value, spec.transform, spec.path or name, base_url)
        if not self._many(spec, name) and isinstance(value, list) and name in HINT_KEYS:
            value = ", ".join(str(v) for v in value)
        return None if value in ("", []) else value

    def _many(self, spec: FieldSpec, name: str) -> bool:
        return spec.many if spec.many is not None else name in LIST_FIELDS | {"categories"}

    def objects(
        self, record: Any, spec: FieldSpec, name: str, base_url: str | None
    ) -> list[dict[str, Any]]:
        """Sub-objects (provider, locations, dates): one per node found, empty ones dropped."""
        nodes = [record] if spec.path is None else _flatten(self.resolver.find(record, spec.path))
        out: list[dict[str, Any]] = []
        for node in (n for n in nodes if n is not None):
            item = {}
            for key, sub in (spec.fields or {}).items():
                value = self.value(node, sub, key, base_url)
                if value is not None:
                    item[key] = value
            if item:
                out.append(item)
        return out


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _flatten(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out.extend(value if isinstance(value, list) else [value])
    return out


# --- transforms --------------------------------------------------------------------------------


def apply_transforms(
    value: Any, steps: list[str | dict[str, Any]], name: str, base_url: str | None = None
) -> Any:
    """Run the steps; a value that does not fit is a `RecordError` naming the source field."""
    for step in steps:
        key, arg = (step, None) if isinstance(step, str) else next(iter(step.items()))
        function, elementwise = TRANSFORMS[key]
        try:
            if elementwise and isinstance(value, list):
                mapped = (function(v, arg, base_url) for v in value if v is not None)
                value = [v for v in mapped if v is not None]
            elif value is not None:
                value = function(value, arg, base_url)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise RecordError(
                f"field {name}: transform {key} failed on {value!r}: {exc}",
                code="mapping_transform",
                message_de=f"Feld „{name}“: Wert „{value}“ passt nicht "
                f"({TRANSFORM_HINTS_DE.get(key, key)}).",
            ) from exc
    return value


_DATE_DE = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})(?:,?\s+(\d{1,2})[:.](\d{2})(?:\s*uhr)?)?$", re.I
)


def parse_german_number(value: Any) -> float:
    """Numbers as German tables write them: "1.234,50", "12,5", "1234.5", "1.234"."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace("\xa0", "").replace(" ", "").replace("€", "")
    if "," in text and "." in text:
        text = (
            text.replace(".", "").replace(",", ".")
            if text.rfind(",") > text.rfind(".")
            else text.replace(",", "")
        )
    elif "," in text:
        text = text.replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(?:\.\d{3})+", text):
        text = text.replace(".", "")
    return float(text)


def parse_german_date(value: Any) -> date | datetime:
    """ "01.02.2026", "1.2.26", "01.02.2026 10:30" (Europe/Berlin), ISO strings, date objects."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=BERLIN)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE_DE.match(text)
    if not match:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if "T" not in text and " " not in text:
            return parsed.date()
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=BERLIN)
    day, month, year, hour, minute = match.groups()
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    if hour is None:
        return date(full_year, int(month), int(day))
    return datetime(full_year, int(month), int(day), int(hour), int(minute), tzinfo=BERLIN)


def _to_int(value: Any, _arg: Any, _base: str | None) -> int:
    number = parse_german_number(value)
    if number != int(number):
        raise ValueError("not a whole number")
    return int(number)


def _to_bool(value: Any, _arg: Any, _base: str | None) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(str(value))
    if text in {"ja", "j", "x", "true", "wahr", "yes", "1", "y"}:
        return True
    if text in {"nein", "n", "false", "falsch", "no", "0", ""}:
        return False
    raise ValueError("not a yes/no value")


def _date_de(value: Any, _arg: Any, _base: str | None) -> str:
    parsed = parse_german_date(value)
    return (parsed.date() if isinstance(parsed, datetime) else parsed).isoformat()


def _datetime_de(value: Any, _arg: Any, _base: str | None) -> str:
    parsed = parse_german_date(value)
    if not isinstance(parsed, datetime):
        parsed = datetime(parsed.year, parsed.month, parsed.day, tzinfo=BERLIN)
    return parsed.isoformat()


def _split(value: Any, arg: Any, _base: str | None) -> list[str]:
    pattern = re.escape(str(arg)) if arg else r"[,;|\n]"
    return [part.strip() for part in re.split(pattern, str(value)) if part.strip()]


def _map(value: Any, arg: Any, _base: str | None) -> Any:
    table = {fold(str(k)): v for k, v in dict(arg or {}).items()}
    return table.get(fold(str(value)), value)


Transform = Callable[[Any, Any, str | None], Any]
TRANSFORMS: dict[str, tuple[Transform, bool]] = {
    "html": (lambda v, a, b: html_to_text(str(v)), True),
    "strip": (lambda v, a, b: str(v).strip(), True),
    "lower": (lambda v, a, b: str(v).lower(), True),
    "upper": (lambda v, a, b: str(v).upper(), True),
    "int": (_to_int, True),
    "number": (lambda v, a, b: parse_german_number(v), True),
    "bool": (_to_bool, True),
    "date_de": (_date_de, True),
    "datetime_de": (_datetime_de, True),
    "split": (lambda v, a, b: _split_all(v, a), False),
    "join": (lambda v, a, b: (a or ", ").join(str(x) for x in _listify(v)), False),
    "first": (lambda v, a, b: _listify(v)[0] if _listify(v) else None, False),
    "map": (_map, True),
    "template": (lambda v, a, b: str(a).format(v), True),
    "scale": (lambda v, a, b: parse_german_number(v) * float(a), True),
    "absolute_url": (lambda v, a, b: urljoin(b or "", str(v)), True),
}
TRANSFORM_HINTS_DE = {
    "int": "ganze Zahl erwartet",
    "number": "Zahl erwartet, z. B. 1.234,50",
    "bool": "ja/nein erwartet",
    "date_de": "Datum erwartet, z. B. 01.02.2026",
    "datetime_de": "Datum mit Uhrzeit erwartet, z. B. 01.02.2026 10:30",
    "scale": "Zahl erwartet",
}


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _split_all(value: Any, arg: Any) -> list[str]:
    return [part for v in _listify(value) for part in _split(v, arg, None)]
