"""The review's full text from its publisher: JATS XML first, the article's HTML page as the fallback."""

from __future__ import annotations

import logging

import lxml.html
from lxml import etree

from rag.documents import Section, Source
from rag.fetching.polite import FetchError, NetworkUnavailable, Pacer, PoliteClient
from rag.loaders import jats
from rag.loaders.base import LoadError, clean_space, source_id_for
from rag.loaders.xmlutil import parse_bytes

logger = logging.getLogger("rag.fetch")


def fetch_review(client: PoliteClient, jats_url: str, html_url: str, doi: str) -> tuple[Source, str, str]:
    """(the review as a Source, 'jats' or 'html', the address it came from). Raises FetchError when neither
    address gives a usable article; NetworkUnavailable passes straight through."""
    pacer = Pacer(1.0)
    problems: list[str] = []
    for kind, url in (("jats", jats_url), ("html", html_url)):
        if not url:
            continue
        try:
            body = client.get(url, pacer=pacer).body
            source = _from_jats(body, doi) if kind == "jats" else _from_html(body, doi)
            return source, kind, url
        except NetworkUnavailable:
            raise
        except (FetchError, LoadError) as exc:
            client.forget(url)
            problems.append(f"{kind} ({url}): {exc}")
            logger.warning("review %s unusable: %s", kind, exc)
    raise FetchError("the review's full text could not be read: " + "; ".join(problems or ["no address known"]))


def _from_jats(body: bytes, doi: str) -> Source:
    return jats.from_root(parse_bytes(body, "JATS XML"), "fetched", doi)


def _from_html(body: bytes, doi: str) -> Source:
    """An article page: citation_* meta tags for the bibliography, h2/h3 headings with their paragraphs for the
    text, and the list under a 'References' heading for the reference list."""
    try:
        page = lxml.html.fromstring(body)
    except (etree.ParserError, ValueError) as exc:
        raise LoadError(f"malformed HTML: {exc}") from exc
    meta = {m.get("name", "").lower(): m.get("content", "") for m in page.iterfind(".//meta") if m.get("name")}
    title = clean_space(meta.get("citation_title", "") or page.findtext(".//h1") or "")
    if not title:
        raise LoadError("HTML page has no article title")
    authors = [clean_space(m.get("content", "")) for m in page.iterfind(".//meta[@name='citation_author']")]
    sections, references = _html_body(page)
    if not sections:
        raise LoadError("HTML page has no article text")
    year = meta.get("citation_publication_date", "")[:4] or meta.get("citation_date", "")[:4]
    found_doi = meta.get("citation_doi", "") or doi
    return Source(id=source_id_for(found_doi, "", "review"), title=title, authors=authors,
                  journal=meta.get("citation_journal_title", ""), year=int(year) if year.isdigit() else None,
                  volume=meta.get("citation_volume", ""), doi=found_doi, sections=sections, origin="fetched",
                  format="html", references=references)


def _html_body(page: lxml.html.HtmlElement) -> tuple[list[Section], list[dict[str, str]]]:
    sections: list[Section] = []
    references: list[dict[str, str]] = []
    heading, paragraphs = "", []
    for node in page.iter("h2", "h3", "p", "ol", "ul"):
        if node.tag in ("h2", "h3"):
            if paragraphs:
                sections.append(Section(text="\n".join(paragraphs), heading=heading))
            heading, paragraphs = clean_space(node.text_content()), []
        elif node.tag == "p" and heading.lower() != "references" and node.getparent().tag != "li":
            text = clean_space(node.text_content())
            if text:
                paragraphs.append(text)
        elif node.tag in ("ol", "ul") and heading.lower() == "references":
            references = [_html_reference(li, n) for n, li in enumerate(node.iterfind("li"), start=1)]
    if paragraphs:
        sections.append(Section(text="\n".join(paragraphs), heading=heading))
    return sections, references


def _html_reference(item: lxml.html.HtmlElement, position: int) -> dict[str, str]:
    doi = ""
    for link in item.iterfind(".//a"):
        href = link.get("href", "")
        if "doi.org/" in href:
            doi = href.split("doi.org/", 1)[1]
    pmid = item.get("data-pmid", "")
    text = clean_space(item.text_content())
    return {"label": item.get("value", "") or str(position), "id": item.get("id", ""), "authors": "",
            "title": clean_space(item.findtext(".//*[@class='title']") or ""), "journal": "", "year": "",
            "doi": doi, "pmid": pmid, "text": text}
