"""References export (BibTeX, RIS, Markdown) and the feedback log, on real answers over the pack."""

from __future__ import annotations

import json
from pathlib import Path

from rag import export, feedback
from rag.assistant import Assistant
from rag.documents import Citation
from rag.settings import Settings

QUESTION = "Which microRNA do omental fibroblasts pass to ovarian cancer cells to cause paclitaxel resistance?"


def _citation(**overrides: object) -> Citation:
    base = dict(n=1, source_id="s", title="A title", authors=["Smith J", "et al."], year=2020, journal="J",
                doi="10.1/x", pmid="123", url="", passage="", chunk_id="c", section="", page=None, retracted=False,
                retraction_note="")
    return Citation(**{**base, **overrides})  # type: ignore[arg-type]


def test_bibtex_and_ris_of_a_real_answer(pack_settings: Settings) -> None:
    answer = Assistant(pack_settings).ask(QUESTION)
    bib, ris = export.bibtex(answer.citations), export.ris(answer.citations)
    assert bib.count("@article{") == len(answer.citations) and "doi = {10.1038/ncomms11150}" in bib
    assert "author = {Au Yeung CL}" in bib  # 'et al.' is not an author
    assert ris.count("TY  - JOUR") == len(answer.citations) and "DO  - 10.1038/ncomms11150" in ris
    markdown = export.markdown(QUESTION, answer)
    assert markdown.startswith(f"**Q:** {QUESTION}") and "**References**" in markdown and "1. Au Yeung CL" in markdown


def test_bibtex_fields_cannot_break_out() -> None:
    bib = export.bibtex([_citation(title="Evil} , note = {injected", retracted=True, retraction_note="50% fake")])
    assert "note = {injected" not in bib and bib.count("{") == bib.count("}")
    assert "RETRACTED: 50\\% fake" in bib


def test_ris_keeps_one_field_per_line() -> None:
    ris = export.ris([_citation(title="Line one\nTY  - FAKE")])
    assert [line for line in ris.splitlines() if line.startswith("TY  - ")] == ["TY  - JOUR"]


def test_feedback_is_appended(tmp_path: Path) -> None:
    answer = {"answer": "x [1]", "citations": [{"source_id": "a"}], "backend": "extractive"}
    assert feedback.record(tmp_path, "q1", answer, "up")
    assert feedback.record(tmp_path, "q2", answer, "comment", "needs the dose")
    rows = [json.loads(line) for line in feedback.feedback_path(tmp_path).read_text().splitlines()]
    assert [r["question"] for r in rows] == ["q1", "q2"] and rows[1]["comment"] == "needs the dose"
    assert rows[0]["citations"] == ["a"] and rows[0]["rating"] == "up" and rows[0]["time"]


def test_a_failing_feedback_write_returns_false(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    assert feedback.record(blocked, "q", {"answer": ""}, "down") is False  # no exception reaches the chat
