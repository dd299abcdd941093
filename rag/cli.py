"""Command line: a thin layer over the library (ingest, fetch, stats, search, ask, eval, serve)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from rag.documents import Citation
from rag.index import Index, IndexStoreError
from rag.model_files import EmbeddingModelError
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
    except (IndexStoreError, EmbeddingModelError) as exc:
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


@app.command()
def fetch(
    doi: Annotated[Optional[str], typer.Option(help="The review (default: RAG_REVIEW_DOI).")] = None,
    email: Annotated[Optional[str], typer.Option(help="Contact address sent to NCBI (RAG_NCBI_EMAIL).")] = None,
    api_key: Annotated[Optional[str], typer.Option(help="NCBI API key: 10 requests/s (RAG_NCBI_API_KEY).")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Output folder (default: <corpus>/fetched).")] = None,
    review_url: Annotated[Optional[str], typer.Option(help="The review's JATS XML (RAG_REVIEW_URL).")] = None,
    review_html_url: Annotated[Optional[str], typer.Option(help="HTML fallback (RAG_REVIEW_HTML_URL).")] = None,
    eutils_url: Annotated[Optional[str], typer.Option(help="E-utilities base (RAG_EUTILS_URL).")] = None,
    europepmc_url: Annotated[Optional[str], typer.Option(help="Europe PMC REST base (RAG_EUROPEPMC_URL).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Download the review's full text and the abstracts of the references it cites (needs internet); then run
    `rag ingest`. Raw answers are cached in the output folder, so a re-run or a resumed run repeats no request."""
    from rag.fetching.builder import FetchOptions, build, pack_addresses
    from rag.fetching.polite import FetchError, NetworkUnavailable

    settings = _settings()
    doi = doi or settings.review_doi
    jats_default, html_default = pack_addresses(settings.corpus_dir, doi)
    key = api_key or (settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else "")
    options = FetchOptions(
        doi=doi, out=out_dir or settings.fetch_dir or settings.corpus_dir / "fetched",
        review_url=review_url or settings.review_url or jats_default,
        review_html_url=review_html_url or settings.review_html_url or html_default,
        eutils_url=eutils_url or settings.eutils_url, europepmc_url=europepmc_url or settings.europepmc_url,
        email=email or settings.ncbi_email, api_key=key, timeout_s=settings.fetch_timeout_s,
        retries=settings.fetch_retries, backoff_s=settings.fetch_backoff_s)
    if not (options.review_url or options.review_html_url):
        _fail(f"no full-text address is known for {doi}: pass --review-url (JATS XML) or --review-html-url", 2)
    if not options.email:
        console.print("[yellow]note:[/yellow] NCBI asks for a contact address: pass --email or set RAG_NCBI_EMAIL")
    try:
        report = build(options, progress=not quiet, log=lambda m: console.print(m, soft_wrap=True, highlight=False))
    except NetworkUnavailable as exc:
        _fail(f"{exc}. No network? Nothing was written; the offline pack still works (`rag ingest`).", 2)
    except FetchError as exc:
        _fail(f"{exc}. Nothing was written.", 2)
    for line in report.lines():
        out.print(line, soft_wrap=True, highlight=False)
    for line in report.errors:
        console.print(f"[yellow]warning:[/yellow] {line}", soft_wrap=True, highlight=False)
    out.print("next: `rag ingest` adds the fetched records to the index (one source per study).")


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
def search(
    query: Annotated[str, typer.Argument(help="The question or keywords.")],
    k: Annotated[int, typer.Option("--k", help="How many sources.")] = 5,
    filter_: Annotated[Optional[list[str]], typer.Option("--filter", help="key=value: category, cancer_type, drug, cargo, exosome_source, target, year=2015-2019, retracted=include|exclude|only")] = None,
    method: Annotated[str, typer.Option(help="hybrid, bm25 or dense.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Ranked sources with calibrated relevance scores and the matching passage."""
    from rag.assistant import Assistant
    from rag.filters import FilterError, Filters
    from rag.retrieval import RELEVANCE_THRESHOLD

    if method not in ("hybrid", "bm25", "dense"):
        _fail("--method must be hybrid, bm25 or dense")
    try:
        filters = Filters.parse(filter_)
        hits = Assistant(_settings()).search(query, k, filters, method)  # type: ignore[arg-type]
    except FilterError as exc:
        _fail(str(exc))
    except IndexStoreError as exc:
        _fail(str(exc), 2)
    if as_json:
        out.print_json(json.dumps({"query": query, "threshold": RELEVANCE_THRESHOLD, "results": [h.to_dict() for h in hits]}))
        return
    if not hits:
        out.print("No source matches these filters.")
    for rank, hit in enumerate(hits, start=1):
        flag = " [red](RETRACTED)[/red]" if hit.source.retracted else ""
        weak = "" if hit.score >= RELEVANCE_THRESHOLD else " [yellow](below relevance threshold)[/yellow]"
        out.print(f"[bold]{rank}. {hit.source.title}[/bold]{flag}  score {hit.score:.2f}{weak}", soft_wrap=True)
        out.print(f"   {hit.source.id} · {hit.source.year or 'n.d.'} · {hit.source.url or hit.source.doi}", soft_wrap=True)
        out.print(f"   {hit.chunk.text}\n", soft_wrap=True, highlight=False)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A mechanism question.")],
    backend: Annotated[Optional[str], typer.Option(help="extractive, openai, ollama or llamacpp (default: RAG_BACKEND).")] = None,
    k: Annotated[int, typer.Option("--k", help="Passages retrieved.")] = 5,
    filter_: Annotated[Optional[list[str]], typer.Option("--filter", help="key=value, as for `rag search`.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer JSON.")] = False,
) -> None:
    """A cited answer with a numbered reference list, or an honest refusal."""
    from rag.assistant import Assistant
    from rag.filters import FilterError, Filters
    from rag.generation import BackendError

    try:
        answer = Assistant(_settings()).ask(question, backend, k, Filters.parse(filter_))
    except (FilterError, BackendError) as exc:
        _fail(str(exc))
    except IndexStoreError as exc:
        _fail(str(exc), 2)
    if as_json:
        out.print_json(json.dumps(answer.to_dict()))
        return
    out.print(answer.answer + "\n", soft_wrap=True, highlight=False)
    for warning in answer.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}", soft_wrap=True, highlight=False)
    if answer.citations:
        out.print("\n[bold]References[/bold]")
        for c in answer.citations:
            out.print(f"{c.n}. {c.vancouver()}", soft_wrap=True, highlight=False)
            _print_cited(c)
    if answer.see_also:
        out.print("\n[bold]See also[/bold] (closest sources, not citations)")
        for c in answer.see_also:
            out.print(f"- {c.vancouver()}", soft_wrap=True, highlight=False)


def _print_cited(c: Citation) -> None:
    """Under a passage of the review: its section and the references it cites (with their corpus ids)."""
    if c.references or (c.section and c.section not in ("Summary", "Abstract")):
        out.print(f"   section: {c.section}", soft_wrap=True, highlight=False)
    for ref in c.references:
        first = ref.get("authors", "").split(";")[0].strip()
        held = f" -> {ref['source_id']}" if ref.get("source_id") else ""
        shown = f"{first} {ref.get('year', '')}. {ref.get('title', '')}" if ref.get("title") else ref.get("text", "")
        out.print(f"   cites [{ref.get('label')}] {shown}{held}", soft_wrap=True, highlight=False)


eval_app = typer.Typer(help="Evaluate retrieval and answers on a question set.")
app.add_typer(eval_app, name="eval")


@eval_app.callback(invoke_without_command=True)
def eval_all(
    ctx: typer.Context,
    questions: Annotated[Path, typer.Option("--questions", help="Question file (JSON lines, evals/README format).")] = Path("evals/questions/dev.jsonl"),
    backend: Annotated[Optional[str], typer.Option(help="Answer backend (default: RAG_BACKEND).")] = None,
    k: Annotated[int, typer.Option("--k", help="Passages per answer.")] = 5,
    out_dir: Annotated[Path, typer.Option("--out", help="Where summary.json, results.jsonl, report.md and plots go.")] = Path("evals/out"),
    floors: Annotated[Optional[Path], typer.Option("--floors", help="JSON of metric floors: exit 1 when one is missed.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Retrieval and answer quality, latency, and the baselines, on one question set."""
    if ctx.invoked_subcommand is not None:
        return
    from rag.assistant import Assistant
    from rag.evaluation import QuestionFileError, check_floors, load_questions, run_evaluation
    from rag.generation import BackendError
    from rag.reporting import summary_table, write_outputs

    try:
        qs = load_questions(questions)
        limits = json.loads(floors.read_text()) if floors else {}
        summary, rows, retrieval = run_evaluation(Assistant(_settings()), qs, backend, k, progress=not quiet)
    except (QuestionFileError, FileNotFoundError, json.JSONDecodeError, BackendError) as exc:
        _fail(str(exc))
    except IndexStoreError as exc:
        _fail(str(exc), 2)
    write_outputs(out_dir, summary, rows, retrieval, questions)
    out.print(summary_table(summary))
    out.print(f"written: {out_dir}/summary.json, results.jsonl, report.md, retrieval.json, recall_at_k.png, latency.png")
    problems = check_floors(summary, limits)
    for problem in problems:
        console.print(f"[red]quality gate:[/red] {problem}", soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    if floors:
        out.print(f"quality gate passed ({floors})")


@eval_app.command("retrieval")
def eval_retrieval(
    questions: Annotated[Path, typer.Option("--questions", help="Question file (JSON lines, evals/README format).")] = Path("evals/questions/dev.jsonl"),
    out_dir: Annotated[Path, typer.Option("--out", help="Where retrieval.json and retrieval.md go.")] = Path("evals/out"),
    k: Annotated[int, typer.Option("--k")] = 10,
) -> None:
    """recall@1/5/10, MRR, nDCG@10 and latency: hybrid vs bm25 vs dense vs the tutorial baseline, in one run."""
    from rag.assistant import Assistant
    from rag.evaluation import QuestionFileError, evaluate_retrieval, load_questions
    from rag.reporting import retrieval_table, write_retrieval_report

    try:
        qs = load_questions(questions)
        report = evaluate_retrieval(Assistant(_settings()), qs, k).metrics
    except (QuestionFileError, FileNotFoundError) as exc:
        _fail(str(exc))
    except IndexStoreError as exc:
        _fail(str(exc), 2)
    write_retrieval_report(report, out_dir, questions, sum(q.in_scope for q in qs))
    out.print(retrieval_table(report))
    out.print(f"written: {out_dir / 'retrieval.json'}, {out_dir / 'retrieval.md'}")


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Serve the HTTP API and the chat UI."""
    import uvicorn

    from rag.api import create_app
    from rag.logs import configure as configure_logs

    settings = _settings()
    configure_logs(settings.log_level)
    try:
        Index.open(settings)
    except IndexStoreError as exc:
        _fail(str(exc), 2)
    # open streams (SSE answers, the UI's queue) get 5 s to finish on Ctrl-C / SIGTERM, then the server stops
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_level=settings.log_level, timeout_graceful_shutdown=5)


if __name__ == "__main__":
    app()
