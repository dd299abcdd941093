"""The app's HTML and Markdown builders keep corpus text inert: escaped, with links only from valid identifiers."""

from __future__ import annotations

from rag import prompts
from rag.documents import Answer, Citation
from ui import render
from ui.app import render_plain

HOSTILE = "<img src=x onerror=alert(1)> ![t](http://tracker.invalid/t.png) [click](javascript:alert(1)) <script>x</script>"


def _citation(**overrides: object) -> Citation:
    base = dict(n=1, source_id="s", title=HOSTILE, authors=["Smith J"], year=2020, journal=HOSTILE, doi="10.1038/ncomms11150",
                pmid="", url="javascript:alert(1)", passage=HOSTILE, chunk_id="c", section=HOSTILE, page=None,
                retracted=True, retraction_note=HOSTILE)
    return Citation(**{**base, **overrides})  # type: ignore[arg-type]


def test_markdown_text_is_literal() -> None:
    text = render.md_text(HOSTILE)
    assert "<img" not in text and "<script" not in text and "](" not in text and "![" not in text


def test_chat_message_links_only_known_citations() -> None:
    answer = Answer(f"{HOSTILE} finding [1] and [7].", citations=[_citation()])
    html = render.chat_message(answer)
    assert '<a class="cite" href="#src-1">[1]</a>' in html and 'href="#src-7"' not in html
    assert "<img" not in html and "](javascript" not in html and "<script" not in html


def test_a_refusal_says_once_where_its_closest_sources_are() -> None:
    refusal = Answer(prompts.REFUSAL_UNMENTIONED.format(names="PD-L1", which="the name", one="it"),
                     see_also=[_citation()], refused=True,
                     refusal_reason="unmentioned-name")
    message = render.chat_message(refusal)
    assert message.count("closest sources") == 1 and "beside the chat" in message
    assert r"does not mention PD\-L1" in message  # Markdown-escaped


def test_source_card_escapes_everything_and_links_from_identifiers_only() -> None:
    html = render.sources_panel(Answer("x [1]", citations=[_citation()]), "onerror tracker")
    assert "<img" not in html and "<script" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="https://doi.org/10.1038/ncomms11150"' in html and 'href="javascript' not in html
    bad_doi = render.sources_panel(Answer("x [1]", citations=[_citation(doi='10.1038/x" onmouseover="alert(1)')]))
    assert "doi.org" not in bad_doi and 'onmouseover="' not in bad_doi


def test_respond_endpoint_markdown_is_escaped() -> None:
    markdown = render_plain(Answer(f"{HOSTILE} [1]", citations=[_citation()], warnings=["cites a retracted study"]))
    assert "[1]" in markdown and "<img" not in markdown and "![t](" not in markdown and "**References**" in markdown


def test_cited_references_of_a_review_passage_are_listed_escaped_and_linked_by_identifier() -> None:
    refs = [{"label": "2", "authors": "Bebawy M; Combes V", "title": HOSTILE, "year": "2009", "doi": "10.1038/leu.2009.76",
             "pmid": "", "source_id": "bebawy-2009"},
            {"label": "7", "authors": "", "title": "", "year": "", "doi": "javascript:alert(1)", "pmid": "",
             "source_id": "", "text": "Nobody N. A handbook. 2015."}]
    html = render.sources_panel(Answer("x [1]", citations=[_citation(references=refs)]))
    assert "Cites:" in html and "[2] " in html and "Bebawy et al. 2009" in html
    assert 'href="https://doi.org/10.1038/leu.2009.76"' in html and "in corpus" in html
    assert "Nobody N. A handbook. 2015." in html and "href=\"javascript" not in html and "<img" not in html
