"""A small typed document store over one registry index, with optimistic concurrency.

Organisations, people and enrolment links are few and read by id; every write of a document
read earlier states the `seq_no`/`primary_term` it saw, as the source registry does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from hub.core.errors import ConflictError, NotFound
from hub.search.engine import SearchEngine

M = TypeVar("M", bound=BaseModel)


@dataclass
class Versioned(Generic[M]):
    """A document and the version it was read at."""

    doc: M
    seq_no: int
    primary_term: int


class DocumentStore(Generic[M]):
    """CRUD of one model in one registry index (`logical` name without prefix)."""

    def __init__(self, engine: SearchEngine, logical: str, model: type[M]) -> None:
        self.engine = engine
        self.logical = logical
        self.index = engine.name(logical)
        self.model = model

    def get(self, doc_id: str) -> Versioned[M] | None:
        try:
            found = self.engine.request("GET", self.engine.doc_path(self.logical, doc_id))
        except NotFound:
            return None
        return self._versioned(found)

    def create(self, doc_id: str, doc: M) -> bool:
        """Write a new document; False if the id is taken (nothing written)."""
        try:
            self.engine.request(
                "PUT",
                f"/{self.index}/_create/{quote(doc_id, safe='')}",
                doc.model_dump(mode="json"),
                params={"refresh": "true"},
            )
        except ConflictError:
            return False
        return True

    def save(self, found: Versioned[M]) -> None:
        """Write back a document read earlier; `ConflictError` if it changed meanwhile."""
        self.engine.request(
            "PUT",
            self.engine.doc_path(self.logical, self._id(found.doc)),
            found.doc.model_dump(mode="json"),
            params={
                "refresh": "true",
                "if_seq_no": found.seq_no,
                "if_primary_term": found.primary_term,
            },
        )

    def update(self, doc_id: str, change: Callable[[M], None], attempts: int = 5) -> M:
        """Read, change, write with concurrency control; retried on conflicts."""
        for _ in range(attempts):
            found = self.get(doc_id)
            if found is None:
                raise NotFound(f"unknown {self.logical} {doc_id!r}")
            change(found.doc)
            try:
                self.save(found)
            except ConflictError:
                continue
            return found.doc
        raise ConflictError(f"{self.logical} {doc_id!r} kept changing")

    def search(
        self, query: dict[str, Any], sort: list[dict[str, Any]] | None = None, size: int = 500
    ) -> list[M]:
        body: dict[str, Any] = {"size": size, "query": query}
        if sort:
            body["sort"] = sort
        hits = self.engine.request("POST", f"/{self.index}/_search", body)["hits"]["hits"]
        return [self.model.model_validate(hit["_source"]) for hit in hits]

    def _versioned(self, hit: dict[str, Any]) -> Versioned[M]:
        return Versioned(
            self.model.model_validate(hit["_source"]), hit["_seq_no"], hit["_primary_term"]
        )

    @staticmethod
    def _id(doc: BaseModel) -> str:
        return str(doc.id)  # type: ignore[attr-defined]
