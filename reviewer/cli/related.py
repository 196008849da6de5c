"""``reviewer related``: the earlier papers most similar to each paper of INPUT, as JSONL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reviewer.cli.options import EXIT_PARTIAL, err, say, user_errors
from reviewer.errors import InputError, require_extra
from reviewer.inputs.paper import Paper


@click.command("related")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--corpus",
    metavar="NAME|FILE",
    help="Where to look: a reference set (default neurips_2023_2025), a papers file (.jsonl, "
    ".csv, .json), or an online source: openalex, arxiv, semanticscholar (the [online] extra; "
    "offline, the local set alone is used and a line says so).",
)
@click.option("--k", "-k", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Earlier papers per paper.")  # fmt: skip
@click.option("--out", "-o", type=click.Path(path_type=Path), help="JSONL file (default: stdout).")
@click.option("--no-cache", is_flag=True, help="Rebuild the corpus index instead of reading it.")
def related_command(
    input_path: Path, corpus: str | None, k: int, out: Path | None, no_cache: bool
) -> None:
    """For each paper of INPUT, the K most similar papers of strictly earlier years in the
    corpus (never the paper itself), best first.

    INPUT is any input `reviewer batch` reads (.jsonl, .csv, .json, ids, .bib, PDFs). Each
    output line is {"paper_id", "related": [{"paper_id", "title", "year", "venue", "score",
    "url"}, ...]}; score is the hybrid of BM25 and MiniLM cosine (for an online source, the
    cosine alone). A paper without a year is compared with every corpus paper. The corpus is
    indexed once (minutes for the 13,171 NeurIPS papers on 2 cores) and cached by its content.
    """
    from reviewer.inputs.sources import read_inputs

    with user_errors():
        require_extra("reviewer related", "related")  # before anything imports numpy
        require_extra("reviewer related", "embeddings")
        from reviewer.related.find import open_related

        items = list(read_inputs(input_path))
        papers = [p for p in items if isinstance(p, Paper)]
        for item in items:
            if isinstance(item, InputError):
                err.print(f"[yellow]rejected:[/yellow] {escape(str(item))}", soft_wrap=True)
        with _bar() as bar:
            task = bar.add_task("indexing the corpus", total=None)
            source = open_related(corpus, k, cache=not no_cache,
                                  progress=lambda done, total: bar.update(
                                      task, completed=done, total=total))  # fmt: skip
            bar.console.print(f"related work: {source.label}", markup=False, soft_wrap=True)
            bar.update(task, description="finding related work", completed=0, total=len(papers))
            lines: list[dict[str, object]] = []
            for paper in papers:
                hits = source.for_paper(paper)
                lines.append({"paper_id": paper.id, "related": [h.to_record() for h in hits]})
                bar.advance(task)
        _write(lines, out)
        for note in source.notes:
            say(note)
    if out is not None:
        say(f"related work of {len(lines)} papers in {out}")
    if len(papers) != len(items):
        sys.exit(EXIT_PARTIAL)


def _bar() -> Progress:
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]  # fmt: skip
    return Progress(*columns, console=err, transient=True)


def _write(lines: list[dict[str, object]], out: Path | None) -> None:
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if out is None:
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
