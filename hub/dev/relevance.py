"""Measured relevance: index the judged corpus through the real pipeline and score nDCG@10.

The corpus lines become offers exactly as feed records do (`normalise_record`, then
`search_document`), go into a fresh index under the configured prefix, and every judged query
is prepared exactly as the API prepares a search (`hub.search.runner.prepare_search`: spelling
correction, understanding, query) and becomes one request of a single `_rank_eval` call.
Duplicates collapse as in the live index (`hub.search.duplicate_groups`; the documents are
written once with their group fields, so no rewrite shifts the term statistics): a group is
one result, so the grades of its members count once, on the record search shows (the best
grade of the group), and the ideal ranking does not count one offer twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hub.core.schema import Offer, Rejection, offer_id
from hub.ingest.normalise import normalise_record
from hub.search.analysis import offer_index_body
from hub.search.documents import search_document
from hub.search.duplicate_groups import with_groups
from hub.search.engine import SearchEngine
from hub.search.intent import PlaceLookup, gazetteer_lookup
from hub.search.prepared import PreparedSearch
from hub.search.request import Near, SearchRequest
from hub.search.runner import prepare_search

K = 10
RECALL_AT = 50
SPLITS = ("tune", "report")
CORPUS_FIELDS = (
    "title", "summary", "description", "kind", "topics", "pregnancy", "age_min_months",
    "age_max_months", "audiences", "languages", "cost", "cost_note", "registration_required",
    "accessibility", "provider", "locations", "online", "url", "updated_at", "dates",
)  # fmt: skip


@dataclass(frozen=True)
class JudgedQuery:
    """One judged query: text, hard filters and graded offers (local ids, grades 1–3)."""

    id: str
    query: str
    filters: dict[str, Any]
    ratings: tuple[tuple[str, int], ...]
    split: str | None = None


@dataclass
class EvalReport:
    """nDCG@10 overall and per query, recall@50 (grades ≥ 2) per query, the index used."""

    index: str
    ndcg: float
    per_query: dict[str, float]
    recall: dict[str, float] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)

    def worst(self, n: int = 5) -> list[tuple[str, float]]:
        return sorted(self.per_query.items(), key=lambda item: item[1])[:n]


def load_queries(path: Path, split: str | None = None) -> list[JudgedQuery]:
    """The judged queries file (`queries_*.json`); with `split`, only that half of a file whose
    queries carry a `split` (the held-out set: tune on one half, report the other)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    queries = [
        JudgedQuery(
            id=str(item["id"]),
            query=str(item["query"]),
            filters=dict(item.get("filters") or {}),
            ratings=tuple((str(r["local_id"]), int(r["rating"])) for r in item["ratings"]),
            split=str(item["split"]) if item.get("split") else None,
        )
        for item in data
    ]
    return queries if split is None else select_split(queries, split)


def select_split(queries: Sequence[JudgedQuery], split: str) -> list[JudgedQuery]:
    """The queries of one split; a split name not in SPLITS or a file without splits is an
    error (an empty selection would score as a silent 0)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    if any(q.split is None for q in queries):
        raise ValueError("the queries file has queries without a split")
    return [q for q in queries if q.split == split]


def load_corpus(path: Path) -> Iterator[dict[str, Any]]:
    """The corpus records, one JSON object per line."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def source_id_of(local_id: str) -> str:
    """The feed a corpus record came from: `essen-0013` → `essen`."""
    return local_id.rsplit("-", 1)[0]


def corpus_offers(records: Iterable[dict[str, Any]]) -> tuple[list[Offer], list[Rejection]]:
    """Corpus records normalised like connector output: the source's topics are kept (they are
    its structured values) and its own category labels passed as `categories`."""
    offers: list[Offer] = []
    rejections: list[Rejection] = []
    for record in records:
        mapped = {name: record[name] for name in CORPUS_FIELDS if name in record}
        mapped["categories"] = record.get("categories_free_text", [])
        result = normalise_record(
            source_id_of(record["local_id"]),
            record["local_id"],
            mapped,
            source_ags=[record["source_municipality_ags"]],
        )
        if result.offer:
            offers.append(result.offer)
        elif result.rejection:
            rejections.append(result.rejection)
    return offers, rejections


def index_offers(engine: SearchEngine, offers: Sequence[Offer]) -> str:
    """A fresh offer index (prefix + `relevance-<time>`) holding the offers, refreshed."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    name = engine.name(f"relevance-{stamp}")
    engine.request("PUT", f"/{name}", offer_index_body(0))
    actions = (
        {"_op_type": "index", "_index": name, "_id": doc["id"], "_source": doc}
        for doc in with_groups([search_document(o) for o in offers], {})
    )
    failed = [info for ok, info in engine.streaming_bulk(actions, chunk_size=200) if not ok]
    if failed:
        engine.request("DELETE", f"/{name}")
        raise RuntimeError(f"{len(failed)} corpus documents not indexed, first: {failed[0]}")
    engine.request("POST", f"/{name}/_refresh")
    return name


def canonical_ids(engine: SearchEngine, index: str) -> dict[str, str]:
    """Id of every non-canonical duplicate → id of the record search shows for its group."""
    body = {
        "size": 10_000,
        "query": {"term": {"duplicate_canonical": False}},
        "_source": ["publishers"],
    }
    hits = engine.request("POST", f"/{index}/_search", body)["hits"]["hits"]
    return {h["_id"]: str(h["_source"]["publishers"][0]["offer_id"]) for h in hits}


def group_ratings(
    ratings: Iterable[tuple[str, int]], canonical: Mapping[str, str]
) -> dict[str, int]:
    """Grades by the document search shows: a duplicate's grade goes to its group's canonical
    record, the best grade of a group wins."""
    out: dict[str, int] = {}
    for doc_id, grade in ratings:
        shown = canonical.get(doc_id, doc_id)
        out[shown] = max(grade, out.get(shown, 0))
    return out


def request_for(judged: JudgedQuery) -> SearchRequest:
    """The search request a judged query stands for (its filters are hard constraints)."""
    f = judged.filters
    return SearchRequest(
        q=judged.query,
        municipality=[f["municipality_ags"]] if f.get("municipality_ags") else [],
        age_months=f.get("age_months"),
        topics=[f["topic"]] if f.get("topic") else [],
        languages=[f["language"]] if f.get("language") else [],
        near=Near(**f["near"]) if f.get("near") else None,
    )


def prepared_queries(
    engine: SearchEngine,
    index: str,
    queries: Sequence[JudgedQuery],
    lookup: PlaceLookup | None = gazetteer_lookup,
) -> dict[str, PreparedSearch]:
    """Every judged query prepared as the API prepares a search (place, the did-you-mean
    correction against the evaluation index, understanding, query), by query id."""
    return {
        judged.id: prepare_search(engine, request_for(judged), index=index, lookup=lookup)
        for judged in queries
    }


def rank_eval_body(
    index: str,
    queries: Sequence[JudgedQuery],
    prepared: Mapping[str, PreparedSearch],
    metric: dict[str, Any] | None = None,
    canonical: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One `_rank_eval` request holding every query with its prepared query (the offers and
    scores the list serves), grades moved onto `canonical` records; default metric: nDCG@10."""
    requests = []
    for judged in queries:
        graded = ((offer_id(source_id_of(local), local), grade) for local, grade in judged.ratings)
        ratings = [
            {"_index": index, "_id": doc_id, "rating": grade}
            for doc_id, grade in group_ratings(graded, canonical or {}).items()
        ]
        request = {"query": prepared[judged.id].query}
        requests.append({"id": judged.id, "request": request, "ratings": ratings})
    metric = metric or {"dcg": {"k": K, "normalize": True}}
    return {"requests": requests, "metric": metric}


def run_rank_eval(engine: SearchEngine, index: str, body: dict[str, Any]) -> dict[str, float]:
    """Per-query metric scores; any failed query is an error, not a zero."""
    answer = engine.request("POST", f"/{index}/_rank_eval", body)
    if answer.get("failures"):
        raise RuntimeError(f"rank eval failures: {json.dumps(answer['failures'])[:2000]}")
    return {qid: float(d["metric_score"]) for qid, d in answer["details"].items()}


def evaluate(
    engine: SearchEngine,
    queries_path: Path,
    corpus_path: Path,
    *,
    keep_index: bool = False,
    lookup: PlaceLookup | None = gazetteer_lookup,
    split: str | None = None,
) -> EvalReport:
    """Index the corpus, score every judged query (of `split`, if given), drop the index
    (unless kept)."""
    queries = load_queries(queries_path, split)
    offers, rejections = corpus_offers(load_corpus(corpus_path))
    index = index_offers(engine, offers)
    try:
        prepared = prepared_queries(engine, index, queries, lookup)
        canonical = canonical_ids(engine, index)
        ndcg_body = rank_eval_body(index, queries, prepared, canonical=canonical)
        ndcg = run_rank_eval(engine, index, ndcg_body)
        recall_metric = {"recall": {"k": RECALL_AT, "relevant_rating_threshold": 2}}
        recall_body = rank_eval_body(index, queries, prepared, recall_metric, canonical)
        recall = run_rank_eval(engine, index, recall_body)
    finally:
        if not keep_index:
            engine.request("DELETE", f"/{index}")
    return EvalReport(
        index=index,
        ndcg=sum(ndcg.values()) / len(ndcg) if ndcg else 0.0,
        per_query=ndcg,
        recall=recall,
        queries={q.id: q.query for q in queries},
        rejections=rejections,
    )
