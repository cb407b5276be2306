"""`hub eval …`: measure search quality against judged queries (nDCG@10 via `_rank_eval`) and
extraction from prose against known facts (per-field precision, recall, F1)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hub.core.schema import Rejection
from hub.core.settings import get_settings
from hub.dev.extraction_eval import HalfReport, evaluate_corpus
from hub.dev.extraction_pages import PagesReport, evaluate_pages
from hub.dev.extraction_scoring import ROW_LABELS, ROW_ORDER, Scores
from hub.dev.relevance import SPLITS, EvalReport, evaluate, load_queries
from hub.search.engine import SearchEngine

app = typer.Typer(help="Measure search and extraction quality.", no_args_is_help=True)
DEFAULT_CORPUS = Path("tests/data/relevance/corpus.jsonl")


@app.command()
def relevance(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Judged queries JSON.")],
    corpus: Annotated[
        Path | None,
        typer.Option(help="Corpus JSONL; default: corpus.jsonl beside the queries file."),
    ] = None,
    keep_index: Annotated[bool, typer.Option(help="Keep the evaluation index.")] = False,
    min_ndcg: Annotated[
        float, typer.Option(help="Exit with status 1 when overall nDCG@10 is below this.")
    ] = 0.0,
    split: Annotated[
        str | None,
        typer.Option(help=f"Only the queries of this split ({' or '.join(SPLITS)})."),
    ] = None,
) -> None:
    """Index the corpus into a fresh index and print nDCG@10 per query and overall."""
    if split is not None:
        try:
            load_queries(file, split)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--split") from error
    corpus_path = corpus or file.with_name("corpus.jsonl")
    engine = SearchEngine(get_settings(), purpose="index")
    try:
        report = evaluate(engine, file, corpus_path, keep_index=keep_index, split=split)
    finally:
        engine.close()
    console = Console()
    console.print(report_table(report, split))
    if report.rejections:
        console.print(f"[yellow]{len(report.rejections)} corpus records rejected[/yellow]")
    if keep_index:
        console.print(f"index kept: {report.index}")
    if report.ndcg < min_ndcg:
        raise typer.Exit(1)


def report_table(report: EvalReport, split: str | None = None) -> Table:
    """Per-query nDCG@10 and recall@50 (grades ≥ 2), worst first, with the mean as footer."""
    title = "Relevance (nDCG@10)" if split is None else f"Relevance (nDCG@10), {split} split"
    table = Table(title=title, show_footer=True)
    table.add_column("query id", footer="overall")
    table.add_column("query")
    table.add_column("nDCG@10", justify="right", footer=f"{report.ndcg:.3f}")
    recall_mean = sum(report.recall.values()) / len(report.recall) if report.recall else 0.0
    table.add_column("recall@50", justify="right", footer=f"{recall_mean:.3f}")
    for qid, score in sorted(report.per_query.items(), key=lambda item: item[1]):
        style = "red" if score < 0.7 else ("yellow" if score < 0.85 else "")
        recall = report.recall.get(qid)
        table.add_row(
            qid,
            report.queries.get(qid, ""),
            f"{score:.3f}",
            "" if recall is None else f"{recall:.3f}",
            style=style,
        )
    return table


@app.command()
def extraction(
    corpus: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Corpus JSONL (the dev set).")
    ] = DEFAULT_CORPUS,
    pages: Annotated[
        Path | None,
        typer.Option(exists=True, file_okay=False, help="Also score the labelled pages here."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object instead of tables.")] = (
        False
    ),
) -> None:
    """Reduce the corpus offers to page prose, normalise them, score per field (both halves)."""
    halves = evaluate_corpus(corpus)
    pages_report = evaluate_pages(pages, get_settings()) if pages else None
    if as_json:
        body: dict[str, object] = {name: half.as_dict() for name, half in halves.items()}
        if pages_report is not None:
            body["pages"] = pages_json(pages_report)
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    console = Console()
    for half in halves.values():
        console.print(half_table(half))
        if half.rejections:
            console.print(f"[yellow]{rejection_line(half.rejections)}[/yellow]")
    if pages_report is not None:
        console.print(scores_table(f"Held-out pages ({pages_report.pages})", pages_report.scores))
        noise = pages_report.noise_counts()
        console.print(f"not_an_offer: {noise_line(noise)}")
        if pages_report.other_rejections:
            console.print(f"[yellow]{rejection_line(pages_report.other_rejections)}[/yellow]")


def half_table(half: HalfReport) -> Table:
    """One half of the dev set: its role in the title, one row per field."""
    role = "headline, never tuned on" if half.name == "validation" else "rules may be tuned here"
    title = (
        f"Extraction, {half.name} half ({role}): {half.scores.records} offers, "
        f"{len(half.municipalities)} municipalities"
    )
    return scores_table(title, half.scores)


def scores_table(title: str, scores: Scores) -> Table:
    """Per-field support, claims, precision, recall and F1 (blank where undefined)."""
    table = Table(title=title)
    for column in ("field", "support", "claimed", "correct", "P", "R", "F1"):
        left = column == "field"
        table.add_column(column, justify="left" if left else "right", no_wrap=left)
    for name in ROW_ORDER:
        if (counts := scores.fields.get(name)) is None:
            continue
        table.add_row(
            ROW_LABELS[name],
            str(counts.support),
            str(counts.claimed),
            str(counts.claimed_correct),
            _ratio(counts.precision),
            _ratio(counts.recall),
            _ratio(counts.f1),
        )
    return table


def pages_json(report: PagesReport) -> dict[str, object]:
    fields = {n: report.scores.fields[n].as_dict() for n in ROW_ORDER if n in report.scores.fields}
    rejected = [{"local_id": r.local_id, "code": r.code} for r in report.other_rejections]
    return {"pages": report.pages, "fields": fields, "not_an_offer": report.noise_counts(),
            "rejected": rejected}  # fmt: skip


def rejection_line(rejections: list[Rejection]) -> str:
    """How many records the pipeline rejected, by code (every one is a missed offer)."""
    codes = Counter(r.code for r in rejections)
    by_code = ", ".join(f"{code}: {n}" for code, n in codes.most_common())
    return f"{len(rejections)} records rejected ({by_code})"


def noise_line(noise: dict[str, object]) -> str:
    if not noise["rejected_as_not_an_offer"]:
        return f"n/a (no page rejected as not_an_offer; {noise['noise_pages']} noise pages)"
    return (
        f"precision {_ratio(noise['precision'])}, recall {_ratio(noise['recall'])} "
        f"over {noise['noise_pages']} noise pages"
    )


def _ratio(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "–"
