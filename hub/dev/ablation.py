"""What each analysis step adds: nDCG@10 with one step removed at a time, as Markdown.

    python -m hub.dev.ablation tests/data/relevance/queries_dev.json \
        tests/data/relevance/queries_heldout.json:tune > /tmp/ablation.md

Each argument is a judged query file, optionally `:split` to take one half of a held-out set.
Every variant switches one step off (its data emptied or its weight neutral) for the length of
its run; the corpus is indexed once per distinct index definition and every query set is
scored on it with the prepared queries, exactly as `hub eval relevance` scores them. Also
prints the per-query table of the full pipeline for each set.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from hub.core.settings import get_settings
from hub.dev.relevance import (
    RECALL_AT,
    JudgedQuery,
    canonical_ids,
    corpus_offers,
    index_offers,
    load_corpus,
    load_queries,
    rank_eval_body,
    request_for,
    run_rank_eval,
)
from hub.search import analysis, intent, lemmas, query, situations
from hub.search.engine import SearchEngine
from hub.search.intent import PlaceLookup, gazetteer_lookup
from hub.search.runner import prepare_search

CORPUS = Path("tests/data/relevance/corpus.jsonl")
MODULES = (analysis, intent, lemmas, query, situations)
Patch = Callable[[ExitStack], None]


@dataclass(frozen=True)
class Variant:
    """One step switched off: patches applied while the variant runs."""

    name: str
    patch: Patch | None = None
    lookup: PlaceLookup | None = gazetteer_lookup
    spelling: bool = True


def _weights(**changes: Any) -> Patch:
    def apply(stack: ExitStack) -> None:
        data = dict(query.weights())
        for key, value in changes.items():
            data[key] = value
        stack.enter_context(mock.patch.object(query, "weights", lambda: data))

    return apply


def _attr(module: object, name: str, value: object) -> Patch:
    def apply(stack: ExitStack) -> None:
        stack.enter_context(mock.patch.object(module, name, value))

    return apply


def _stemmer(language: str | None) -> Patch:
    """The index's stemmer replaced (a language) or removed (None)."""
    original = analysis.load_json

    def load(name: str) -> dict[str, Any]:
        data = original(name)
        if name == "analysis.json":
            filters = data["analysis"]["filter"]
            if language:
                filters["german_stem"]["language"] = language
            else:
                filters["german_stem"] = {"type": "lowercase"}
        return data

    return _attr(analysis, "load_json", load)


def variants() -> list[Variant]:
    """The full pipeline first, then each step removed in turn."""
    no_hints = {name: 1.0 for name in query.weights()["hints"]}
    return [
        Variant("full pipeline"),
        Variant("no decompounding (word list empty)", _attr(analysis, "dictionary_words",
                                                           lambda: frozenset())),
        Variant("no thesaurus (OpenThesaurus selection)", _attr(analysis, "SYNONYM_FILES",
                                                               ("synonyms.txt",
                                                                "foreign_names.txt"))),
        Variant("no domain synonyms (synonyms.txt)", _attr(analysis, "SYNONYM_FILES",
                                                          ("foreign_names.txt",
                                                           "thesaurus/synonyms.txt"))),
        Variant("no foreign names (foreign_names.txt)", _attr(analysis, "SYNONYM_FILES",
                                                             ("synonyms.txt",
                                                              "thesaurus/synonyms.txt"))),
        Variant("no synonyms at all", _attr(analysis, "SYNONYM_FILES", ())),
        Variant("no situation lexicon", _attr(situations, "situations", lambda: ())),
        Variant("situations as hints only (no help words clause)", _weights(situation_weight=0)),
        Variant("no lemmas (situations on typed forms)", _attr(situations, "lemma",
                                                              lambda word: word)),
        Variant("no lexicon guard in spelling (dictionary words corrected)",
                _attr(intent, "is_german_word", lambda word: False)),
        Variant("stemmer light_german instead of german2", _stemmer("light_german")),
        Variant("no stemmer", _stemmer(None)),
        Variant("no typo clause", _weights(fuzzy_weight=0)),
        Variant("no hints (topic, language, cost, … multipliers 1)", _weights(hints=no_hints)),
        Variant("no place recognition in the text", lookup=None),
        Variant("no spelling correction", spelling=False),
    ]  # fmt: skip


@contextmanager
def applied(variant: Variant) -> Iterator[None]:
    """The variant's patches, with every cached table of the search modules rebuilt."""
    with ExitStack() as stack:
        if variant.patch:
            variant.patch(stack)
        _clear_caches()
        try:
            yield
        finally:
            _clear_caches()


def _clear_caches() -> None:
    for module in MODULES:
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


def load_set(spec: str) -> tuple[str, list[JudgedQuery]]:
    """`path` or `path:split` → (label, queries)."""
    path, _, split = spec.partition(":")
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if split:
        data = [item for item in data if item.get("split") == split]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(data, handle, ensure_ascii=False)
    label = f"{Path(path).stem}{f' ({split})' if split else ''}"
    return label, load_queries(Path(handle.name))


def score(
    engine: SearchEngine, index: str, queries: list[JudgedQuery], variant: Variant
) -> tuple[dict[str, float], dict[str, float]]:
    """nDCG@10 and recall@50 per query for the queries prepared under the variant."""
    prepared = {
        q.id: prepare_search(engine, request_for(q), index=index, lookup=variant.lookup,
                             spelling=variant.spelling)
        for q in queries
    }  # fmt: skip
    canonical = canonical_ids(engine, index)  # a duplicate group counts once, as in the eval
    ndcg = run_rank_eval(
        engine, index, rank_eval_body(index, queries, prepared, canonical=canonical)
    )
    metric = {"recall": {"k": RECALL_AT, "relevant_rating_threshold": 2}}
    recall = run_rank_eval(
        engine, index, rank_eval_body(index, queries, prepared, metric, canonical)
    )
    return ndcg, recall


def run(specs: list[str], corpus: Path = CORPUS, only: set[str] | None = None) -> str:
    """The ablation table and per-query tables as Markdown."""
    sets = [load_set(spec) for spec in specs]
    offers, _ = corpus_offers(load_corpus(corpus))
    engine = SearchEngine(get_settings(), purpose="index")
    rows: list[str] = []
    full: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
    indices: dict[str, str] = {}
    try:
        for variant in variants():
            if only and variant.name not in only and variant.name != "full pipeline":
                continue
            with applied(variant):
                key = analysis.definition_hash(analysis.offer_index_body(0))
                if key not in indices:
                    indices[key] = index_offers(engine, offers)
                cells = []
                for label, queries in sets:
                    ndcg, recall = score(engine, indices[key], queries, variant)
                    cells.append(f"{sum(ndcg.values()) / len(ndcg):.3f}")
                    if variant.name == "full pipeline":
                        full[label] = (ndcg, recall)
            rows.append(f"| {variant.name} | " + " | ".join(cells) + " |")
    finally:
        for index in indices.values():
            engine.request("DELETE", f"/{index}")
        engine.close()
    head = "| variant | " + " | ".join(label for label, _ in sets) + " |"
    out = [head, "|---|" + "---|" * len(sets), *rows, ""]
    for label, queries in sets:
        ndcg, recall = full[label]
        out += [f"**{label}** (full pipeline, worst first)", "",
                "| id | query | nDCG@10 | recall@50 |", "|---|---|---|---|"]  # fmt: skip
        text = {q.id: q.query for q in queries}
        for qid, value in sorted(ndcg.items(), key=lambda item: (item[1], item[0])):
            out.append(f"| {qid} | {text[qid]} | {value:.3f} | {recall.get(qid, 0.0):.3f} |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    args = sys.argv[1:]
    only = {a.removeprefix("--only=") for a in args if a.startswith("--only=")}
    specs = [a for a in args if not a.startswith("--")]
    print(run(specs, only=only or None))


if __name__ == "__main__":
    main()
