"""Command line: a thin layer over the library (ingest, stats, search, ask, eval, serve)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from rag.index import Index, IndexStoreError
from rag.settings import Settings, get_settings

app = typer.Typer(help="Cited question answering over exosome-mediated chemoresistance literature.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()


def _fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(code)


def _settings() -> Settings:
    return get_settings()


@app.command()
def ingest(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders to add to the corpus first.")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything (after changing the model).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Add PATHs to the corpus (if given) and bring the index up to date with the corpus folder."""
    from rag.ingest import add_files, ingest as run_ingest

    settings = _settings()
    added: list[str] = []
    failures: list[tuple[str, str]] = []
    if paths:
        added, failures = add_files(settings, paths)
        if not added:
            _report_failures(failures)
            _fail("none of the given files could be read; nothing was added", 2)
    try:
        summary = run_ingest(settings, rebuild=rebuild, progress=not quiet, log=lambda m: console.print(m))
    except IndexStoreError as exc:
        _fail(str(exc), 2)
    summary.failures = failures + summary.failures
    table = Table(title="rag ingest", show_header=False)
    for key, value in [
        ("corpus", str(settings.corpus_dir)),
        ("files added", ", ".join(added) if added else "-"),
        ("sources", summary.sources),
        ("chunks", summary.chunks),
        ("embedded now", summary.embedded),
        ("reused", summary.reused),
        ("removed", summary.removed),
        ("failed", len(summary.failures)),
        ("index", f"{summary.generation or '-'}" + (" (already up to date)" if summary.up_to_date else "")),
        ("seconds", f"{summary.seconds:.1f}"),
    ]:
        table.add_row(key, str(value))
    out.print(table)
    _report_failures(summary.failures)
    if not summary.ok:
        _fail("nothing could be ingested", 2)


def _report_failures(failures: list[tuple[str, str]]) -> None:
    for where, reason in failures:
        console.print(f"[yellow]failed:[/yellow] {where}: {reason}", soft_wrap=True)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """What the index holds and which model built it."""
    try:
        info = Index.open(_settings()).stats()
    except IndexStoreError as exc:
        _fail(str(exc), 2)
    if as_json:
        out.print_json(json.dumps(info))
        return
    table = Table(title="rag stats", show_header=False)
    for key, value in info.items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
    out.print(table)


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Serve the HTTP API and the chat UI."""
    import uvicorn

    from rag.api import create_app

    settings = _settings()
    try:
        Index.open(settings)
    except IndexStoreError as exc:
        _fail(str(exc), 2)
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_level=settings.log_level)


if __name__ == "__main__":
    app()
