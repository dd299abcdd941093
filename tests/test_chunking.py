"""Sentence-aware chunking and content-derived chunk ids."""

from __future__ import annotations

from rag.chunking import chunk_source, split_sentences
from rag.documents import Section, Source
from rag.loaders import load_file
from tests.conftest import PACK


def _long_source(text: str) -> Source:
    return Source(id="doc", title="Long", sections=[Section(text=text, heading="Results", page=3)])


def test_chunk_ids_are_stable_across_runs() -> None:
    first = [c.id for s in load_file(PACK / "studies.jsonl") for c in chunk_source(s)]
    second = [c.id for s in load_file(PACK / "studies.jsonl") for c in chunk_source(s)]
    assert first == second and len(set(first)) == len(first)


def test_pack_summaries_stay_one_chunk() -> None:
    for source in load_file(PACK / "studies.jsonl"):
        (chunk,) = chunk_source(source)
        assert chunk.text == source.sections[0].text.strip() or chunk.text.replace(" ", "") == source.text.replace(" ", "")
        assert len(chunk.sentences) >= 2


def test_long_text_splits_on_sentences_and_keeps_section_and_page() -> None:
    sentences = [f"Sentence number {i} says that vesicles carried cargo {i} into cells." for i in range(60)]
    chunks = chunk_source(_long_source(" ".join(sentences)), max_chars=400, overlap=1)
    assert len(chunks) > 5
    for chunk in chunks:
        assert len(chunk.text) <= 400
        assert chunk.section == "Results" and chunk.page == 3
        assert chunk.text.endswith(".")
    # one sentence of overlap between neighbours
    assert chunks[1].sentences[0] == chunks[0].sentences[-1]


def test_editing_text_changes_only_that_chunk_id() -> None:
    base = "First finding about miR-21. Second finding about APAF1."
    a = chunk_source(_long_source(base))[0].id
    b = chunk_source(_long_source(base.replace("APAF1", "PTEN")))[0].id
    assert a != b and chunk_source(_long_source(base))[0].id == a


def test_sentence_splitter_keeps_abbreviations() -> None:
    text = "Au Yeung et al. showed transfer of miR-21 (approx. 2.5-fold). It targets APAF1, e.g. in SKOV3 cells."
    assert split_sentences(text) == [
        "Au Yeung et al. showed transfer of miR-21 (approx. 2.5-fold).",
        "It targets APAF1, e.g. in SKOV3 cells.",
    ]


def test_surname_keeps_compound_names() -> None:
    from rag.documents import surname

    assert surname("Au Yeung CL") == "Au Yeung" and surname("Zhang H") == "Zhang" and surname("et al.") == "et al."
