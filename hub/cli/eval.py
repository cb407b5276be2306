"""`hub eval …`: measure search quality against judged queries (nDCG@10 via `_rank_eval`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hub.core.settings import get_settings
from hub.dev.relevance import EvalReport, evaluate
from hub.search.engine import SearchEngine

app = typer.Typer(help="Measure search quality.", no_args_is_help=True)


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
) -> None:
    """Index the corpus into a fresh index and print nDCG@10 per query and overall."""
    corpus_path = corpus or file.with_name("corpus.jsonl")
    engine = SearchEngine(get_settings(), purpose="index")
    try:
        report = evaluate(engine, file, corpus_path, keep_index=keep_index)
    finally:
        engine.close()
    console = Console()
    console.print(report_table(report))
    if report.rejections:
        console.print(f"[yellow]{len(report.rejections)} corpus records rejected[/yellow]")
    if keep_index:
        console.print(f"index kept: {report.index}")
    if report.ndcg < min_ndcg:
        raise typer.Exit(1)


def report_table(report: EvalReport) -> Table:
    """Per-query nDCG@10 and recall@50 (grades ≥ 2), worst first, with the mean as footer."""
    table = Table(title="Relevance (nDCG@10)", show_footer=True)
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
