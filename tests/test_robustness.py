"""Fixes that keep the assistant working on awkward input and under concurrency: non-Latin file names, HTML comments
at the top of Markdown, named entities in JATS, a new generation that cannot be opened, one LLM build for many first
requests, and answering while an ingest switches generations."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from rag.generation.llm import LLMBackend
from rag.index import IndexHandle, set_current
from rag.ingest import ingest
from rag.loaders import load_file
from rag.settings import Settings
from tests.conftest import BIN, make_settings, pack_records, rag_env, rag_server, write_records

JATS_ENTITIES = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN" "JATS-journalpublishing1.dtd">
<article><front><article-meta><title-group><article-title>Exosomal &beta;-catenin and cisplatin</article-title>
</title-group></article-meta></front><body><sec><title>Results</title>
<p>Resistance rose 5&ndash;10 fold in 2&nbsp;days &amp; stayed high.</p></sec></body></article>
"""


def test_non_latin_file_names_stay_distinct(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "论文.md").write_text("# 论文\n\nExosomal miR-21 made gastric cancer cells resist cisplatin.\n")
    (corpus / "статья.md").write_text("# статья\n\nExosomal miR-155 made breast cancer cells resist doxorubicin.\n")
    summary = ingest(make_settings(tmp_path), progress=False, log=lambda _m: None)
    assert summary.sources == 2 and not summary.failures


def test_markdown_opening_with_an_html_comment_is_text(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("<!-- draft -->\n# Notes\n\nExosomes carried P-gp between cells.\n")
    (source,) = load_file(note)
    assert source.format == "text" and "P-gp" in source.text


def test_named_entities_in_jats_become_characters(tmp_path: Path) -> None:
    path = tmp_path / "article.xml"
    path.write_text(JATS_ENTITIES)
    (source,) = load_file(path)
    assert source.title == "Exosomal β-catenin and cisplatin"
    assert "5–10 fold in 2 days & stayed high" in source.text and "&ndash;" not in source.text


def test_a_generation_that_cannot_open_leaves_the_previous_one_serving(small_corpus: Settings) -> None:
    ingest(small_corpus, progress=False, log=lambda _m: None)
    handle = IndexHandle(small_corpus)
    served = handle.get().manifest.generation
    broken = small_corpus.data_dir / "generations" / "20991231t000000-broken"
    broken.mkdir(parents=True)
    (broken / "manifest.json").write_text("{not json")
    set_current(small_corpus, broken.name)
    assert handle.get().manifest.generation == served  # still answering from the one in memory
    assert handle.get().sources


def test_concurrent_first_requests_build_the_llm_once() -> None:
    built: list[int] = []

    def factory() -> object:
        time.sleep(0.3)  # a slow load (a GGUF file) makes the race likely
        built.append(1)
        return object()

    backend = LLMBackend("llamacpp", factory)  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=8) as pool:
        models = list(pool.map(lambda _i: backend.model, range(8)))
    assert len(built) == 1 and all(m is models[0] for m in models)


def test_two_servers_on_one_data_directory_answer_through_two_switches(tmp_path: Path) -> None:
    """Two `rag serve` processes read one data directory while `rag ingest` switches generations twice (the second
    switch deletes the generation both served first): every request answers, and both end on the newest."""
    write_records(tmp_path / "corpus" / "pack" / "studies.jsonl", pack_records(20))
    settings = make_settings(tmp_path)
    first = ingest(settings, progress=False, log=lambda _m: None)
    question = {"question": "How do exosomes cause cisplatin resistance?"}
    statuses: list[int] = []
    generations: set[str] = set()
    stop = threading.Event()
    with rag_server(settings, RAG_RATE_LIMIT="") as one, rag_server(settings, RAG_RATE_LIMIT="") as two:
        def hammer(url: str) -> None:
            while not stop.is_set():
                response = httpx.post(f"{url}/api/ask", json=question, timeout=60)
                statuses.append(response.status_code)
                generations.add(httpx.get(f"{url}/api/health").json().get("generation", ""))

        threads = [threading.Thread(target=hammer, args=(url,)) for url in (one, two, one, two)]
        for t in threads:
            t.start()
        results = []
        for size in (25, 30):  # two real changes, two switches
            write_records(tmp_path / "corpus" / "pack" / "studies.jsonl", pack_records(size))
            results.append(subprocess.run([str(BIN / "rag"), "ingest", "-q"], env=rag_env(settings),
                                          capture_output=True, text=True, timeout=600))
            time.sleep(2)  # a few more requests on the new generation
        stop.set()
        for t in threads:
            t.join(timeout=120)
        final = [httpx.get(f"{url}/api/health").json()["generation"] for url in (one, two)]
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert not (settings.data_dir / "generations" / first.generation).exists()  # deleted under both servers
    assert statuses and set(statuses) == {200}, statuses
    assert first.generation in generations and len(generations) == 3  # all three generations answered
    assert final[0] == final[1] == json.loads((settings.data_dir / "CURRENT").read_text())["generation"]


def test_image_only_pdf_and_a_vanished_file_are_reported_by_name(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    from rag.loaders import load_paths

    scan = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(scan))
    pdf.rect(50, 50, 400, 600, fill=1)  # a page with a picture and no text, like a scan
    pdf.showPage()
    pdf.save()
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nExosomes carried P-gp between cells.\n")
    report = load_paths([scan, tmp_path / "vanished.md", note])  # listed, then deleted before it was read
    reasons = dict(report.failures)
    assert "no extractable text" in reasons[str(scan)]
    assert "cannot read file" in reasons[str(tmp_path / "vanished.md")]
    assert [s.format for s in report.sources] == ["text"]  # the rest still loads


def test_the_same_document_under_two_names_is_one_source(tmp_path: Path) -> None:
    from tests.conftest import make_pdf

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_pdf(corpus / "binenbaum.pdf", ["Macrophage exosomes carry miR-365 that blunts gemcitabine in pancreatic cancer."],
             title="Macrophage exosomes and gemcitabine")
    (corpus / "copy of binenbaum (1).pdf").write_bytes((corpus / "binenbaum.pdf").read_bytes())
    summary = ingest(make_settings(tmp_path), progress=False, log=lambda _m: None)
    assert summary.sources == 1
    assert summary.failures == [("copy of binenbaum (1).pdf", "same content as binenbaum.pdf: skipped")]
