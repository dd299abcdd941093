"""One study, one source (rag.merging), a document's own reference markers (rag.refmarks), and what the loaders
keep for them: in-text citation numbers in JATS, retraction notices in PubMed XML."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from rag.documents import Section, Source
from rag.loaders import load_file
from rag.merging import merge_same_work
from rag.refmarks import cited_references, marker_numbers


def _source(id_: str, fmt: str, text: str, **fields: object) -> Source:
    return Source(id=id_, title=f"title of {id_}", sections=[Section(text=text)], format=fmt, origin=f"{id_}.x",
                  **fields)  # type: ignore[arg-type]


def test_pack_record_and_fetched_abstract_become_one_source_with_pack_id_and_facets() -> None:
    pack = _source("smith-2020", "pack", "project summary", doi="10.1/ABC", facets={"drugs": ["cisplatin"]},
                   authors=["Smith J", "et al."])
    fetched = _source("pmid-123", "fetched", "the authors' abstract", doi="10.1/abc", pmid="123",
                      authors=["Smith J", "Jones K", "Lee M"], retracted=True, retraction_note="PubMed says so.")
    other = _source("other", "pack", "unrelated", doi="10.1/other")
    merged, notes = merge_same_work([pack, other, fetched])
    assert [s.id for s in merged] == ["smith-2020", "other"] and len(notes) == 1
    one = merged[0]
    assert one.text == "the authors' abstract" and one.facets == {"drugs": ["cisplatin"]}
    assert one.pmid == "123" and one.authors == ["Smith J", "Jones K", "Lee M"]
    assert one.retracted and one.retraction_note == "PubMed says so."


def test_a_users_full_text_wins_over_an_abstract_and_a_pmid_joins_a_third_record() -> None:
    pack = _source("p", "pack", "summary", doi="10.1/x")
    abstract = _source("pmid-9", "fetched", "abstract", doi="10.1/x", pmid="9")
    pdf = _source("file-paper", "pdf", "the whole paper " * 50, pmid="9")
    merged, _ = merge_same_work([pdf, abstract, pack])
    assert len(merged) == 1 and merged[0].id == "p" and merged[0].text.startswith("the whole paper")


def test_reference_lists_are_relinked_to_the_merged_ids() -> None:
    review = _source("review", "fetched", "text [1]", doi="10.1/rev", references=[
        {"label": "1", "doi": "10.1/x", "source_id": "pmid-9"},
        {"label": "2", "title": "found by title", "source_id": "pmid-7"},
        {"label": "3", "source_id": "pmid-gone"}])
    pack = _source("p", "pack", "summary", doi="10.1/X")
    abstract = _source("pmid-9", "fetched", "abstract", doi="10.1/x", pmid="9")
    by_title = _source("pmid-7", "fetched", "abstract", pmid="7")
    pack7 = _source("q", "pack", "summary", pmid="7")
    merged, _ = merge_same_work([review, pack, abstract, by_title, pack7])
    links = {r["label"]: r["source_id"] for r in merged[0].references}
    assert links == {"1": "p", "2": "q", "3": ""}


def test_marker_numbers_expand_lists_and_ranges() -> None:
    assert marker_numbers("as shown [12], [3, 5] and [7–9]; not [a] nor [2020a]") == ["12", "3", "5", "7", "8", "9"]
    assert marker_numbers("[1-1000]") == ["1", "1000"]  # an absurd range is not expanded
    refs = [{"label": "3", "title": "T3", "source_id": "s3"}, {"label": "9", "title": "T9"}]
    assert [r["title"] for r in cited_references("see [9] and [3]", refs)] == ["T9", "T3"]


@given(st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=6))
def test_every_listed_number_is_found(numbers: list[int]) -> None:
    text = "Finding [" + ", ".join(map(str, numbers)) + "]."
    assert marker_numbers(text) == list(dict.fromkeys(map(str, numbers)))


def test_jats_citations_become_bracketed_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text("""<article><front><article-meta><title-group><article-title>T</article-title></title-group>
      </article-meta></front><body><sec><title>Results</title>
      <p>Superscript style<sup><xref ref-type="bibr" rid="r1">1</xref>,<xref ref-type="bibr" rid="r2">2</xref></sup>.
      Bare style <xref ref-type="bibr" rid="r2">2</xref>. Bracketed [<xref ref-type="bibr" rid="r1">1</xref>-<xref
      ref-type="bibr" rid="r2">2</xref>].</p></sec></body>
      <back><ref-list><ref id="r1"><label>1.</label><element-citation><person-group person-group-type="author">
      <name><surname>Doe</surname><given-names>J. A.</given-names></name></person-group><article-title>First</article-title>
      <source>J</source><year>2001</year></element-citation></ref><ref id="r2"><mixed-citation>Book 2.</mixed-citation></ref>
      </ref-list></back></article>""")
    source = load_file(path)[0]
    assert source.sections[0].text == "Superscript style [1,2]. Bare style [2]. Bracketed [1-2]."
    assert [(r["label"], r["authors"], r["year"]) for r in source.references] == [("1", "Doe JA", "2001"), ("2", "", "")]


def test_pubmed_retraction_notice_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "notice.xml"
    path.write_text("""<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>5</PMID><Article>
      <ArticleTitle>Retraction note: a study</ArticleTitle><Abstract><AbstractText>Withdrawn.</AbstractText></Abstract>
      <PublicationTypeList><PublicationType>Retraction of Publication</PublicationType></PublicationTypeList>
      </Article><CommentsCorrectionsList><CommentsCorrections RefType="RetractionOf"><RefSource>J. 2019;1:2</RefSource>
      </CommentsCorrections></CommentsCorrectionsList></MedlineCitation></PubmedArticle></PubmedArticleSet>""")
    source = load_file(path)[0]
    assert source.retracted and "Retraction of Publication notice (retracts: J. 2019;1:2)" in source.retraction_note
