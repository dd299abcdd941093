"""Each loader on fixtures written for this project, including a malformed file of each kind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from rag.loaders import LoadError, discover, load_file, load_paths
from tests.conftest import FIXTURES, PACK, make_pdf


def test_pack_loads_every_record_with_metadata() -> None:
    sources = load_file(PACK / "studies.jsonl", "pack/studies.jsonl")
    assert len(sources) == 69
    by_id = {s.id: s for s in sources}
    au = by_id["au-yeung-2016-mir21"]
    assert au.doi == "10.1038/ncomms11150" and au.year == 2016 and au.category == "ncrna-mirna"
    assert au.facets["drugs"] == ["paclitaxel"] and au.facets["targets"] == ["APAF1"]
    assert "APAF1" in au.text and au.format == "pack"
    retracted = {s.id for s in sources if s.retracted}
    assert retracted == {"dong-2018-snhg14", "fu-2018-mir32-5p", "han-2020-mir567-trastuzumab-retracted", "kang-2018-part1"}
    assert all(by_id[i].retraction_note for i in retracted)
    assert by_id["wang-h19-doxorubicin"].year is None


def test_review_record_is_a_source() -> None:
    (review,) = load_file(PACK / "review.json")
    assert review.id == "zhang-2022-review" and review.type == "review"
    assert review.authors == ["Zhang H", "Wang X", "Yu Y", "Yang Z"] and review.journal == "Oncologie"


def test_malformed_pack_lines_are_reported_and_the_rest_loads() -> None:
    report = load_paths([FIXTURES / "mixed.jsonl"], root=FIXTURES)
    assert [s.id for s in report.sources] == ["ok-1", "ok-2"]
    where = [w for w, _ in report.failures]
    assert where == ["mixed.jsonl:2", "mixed.jsonl:3"]
    assert "title" in report.failures[0][1] and "invalid JSON" in report.failures[1][1]


def test_pdf_keeps_pages_and_metadata(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "paper.pdf",
        ["Exosomes from resistant cells carried a pump protein.", "On the second page, inhibitors restored sensitivity."],
        title="A Test Paper On Vesicles",
        author="Nakamura K; Silva P",
    )
    (source,) = load_file(pdf)
    assert source.title == "A Test Paper On Vesicles"
    assert source.authors == ["Nakamura K", "Silva P"]
    assert [s.page for s in source.sections] == [1, 2]
    assert "inhibitors restored" in source.sections[1].text


def test_pdf_without_metadata_takes_title_from_file_name(tmp_path: Path) -> None:
    (source,) = load_file(make_pdf(tmp_path / "my_vesicle_notes.pdf", ["Some text about exosomes."]))
    assert source.title == "my vesicle notes" and source.authors == []


def test_encrypted_pdf_is_refused_with_reason(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", ["Secret vesicle data."])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="hunter2", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(LoadError, match="encrypted"):
        load_file(locked)


@pytest.mark.parametrize(
    ("name", "reason"),
    [("corrupt.pdf", "corrupt|unreadable"), ("broken.jats.xml", "malformed XML"), ("broken.pubmed.xml", "malformed XML")],
)
def test_malformed_files_fail_clearly(name: str, reason: str) -> None:
    with pytest.raises(LoadError, match=reason):
        load_file(FIXTURES / name)


def test_empty_and_unsupported_files(tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "slides.pptx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "blank.txt").write_text("   \n")
    report = load_paths(sorted(tmp_path.iterdir()), root=tmp_path)
    reasons = dict(report.failures)
    assert report.sources == []
    assert "empty" in reasons["empty.pdf"] and "empty" in reasons["blank.txt"]
    assert "unsupported file type '.pptx'" in reasons["slides.pptx"]


def test_jats_article() -> None:
    (source,) = load_file(FIXTURES / "article.jats.xml")
    assert source.title == "Vesicle-borne miR-4242 lets glioma cells shrug off temozolomide"
    assert source.authors == ["Okonkwo AL", "Varga B"]
    assert (source.doi, source.pmid, source.year, source.journal) == ("10.9999/jio.2024.0001", "99000001", 2024, "Journal of Invented Oncology")
    assert source.pages == "101-115" and source.id == "pmid-99000001"
    headings = [s.heading for s in source.sections]
    assert headings == ["Abstract / Background", "Abstract / Results", "Introduction", "Methods / Vesicle isolation", "Discussion"]
    assert source.references[0]["doi"] == "10.9999/earlier.1" and source.references[0]["pmid"] == "99000002"
    assert source.references[1]["doi"] == "" and "book without identifiers" in source.references[1]["text"]
    assert not source.retracted


def test_pubmed_set_with_retraction() -> None:
    first, second = load_file(FIXTURES / "pubmed.xml")
    assert first.pmid == "99000010" and first.doi == "10.9999/icl.2021.33" and first.year == 2021
    assert first.authors == ["Moreau C", "Tanaka H"] and first.journal == "Invented Cancer Letters"
    assert [s.heading for s in first.sections] == ["Abstract / Background", "Abstract / Results"]
    assert not first.retracted
    assert second.retracted and "Retracted Publication" in second.retraction_note and "2022;3:9" in second.retraction_note
    assert second.year == 2019


def test_markdown_sections() -> None:
    (source,) = load_file(FIXTURES / "notes.md")
    assert source.title == "Lab notes on vesicle inhibitors"
    assert [s.heading for s in source.sections] == ["Lab notes on vesicle inhibitors", "Amiloride", "Sphingomyelinase"]
    assert "without killing" in source.sections[1].text


def test_binary_text_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "weird.txt").write_bytes(b"abc\x00\x01\x02")
    with pytest.raises(LoadError, match="binary"):
        load_file(tmp_path / "weird.txt")


def test_content_sniffing_beats_the_extension(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "real.pdf", ["Sniffed by its header."])
    mislabelled = tmp_path / "download.txt"
    shutil.copy(pdf, mislabelled)
    (source,) = load_file(mislabelled)
    assert source.format == "pdf"
    xml = tmp_path / "efetch_result"
    shutil.copy(FIXTURES / "pubmed.xml", xml)
    assert [s.format for s in load_file(xml)] == ["pubmed", "pubmed"]


def test_discover_skips_readme_and_hidden(tmp_path: Path) -> None:
    for name in ("README.md", ".hidden.md", "a.md", "sub/b.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# T\n\nx")
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)] == ["a.md", "sub/b.txt"]


XML_BOMB = """<?xml version="1.0"?>
<!DOCTYPE article [
  <!ENTITY a "exosome exosome exosome exosome exosome exosome exosome exosome exosome exosome">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"> <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"> <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY secret SYSTEM "file:///etc/passwd">
]>
<article><front><article-meta><title-group><article-title>Bomb &g; and &secret;</article-title></title-group>
</article-meta></front><body><sec><title>Results</title><p>Cells resisted cisplatin &g; &secret;.</p></sec></body></article>
"""


def test_xml_bombs_and_external_entities_are_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(XML_BOMB)
    try:
        sources = load_file(path)
    except LoadError:
        return  # refused outright is as good as loaded inert
    text = " ".join(s.title + " " + s.text for s in sources)
    assert len(text) < 10_000 and "root:" not in text  # not a billion exosomes, not /etc/passwd
