"""PubMed XML as E-utilities efetch returns it (``PubmedArticleSet``): one Source per article."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from rag.documents import Section, Source
from rag.loaders.base import LoadError, SourceList, source_id_for
from rag.loaders.xmlutil import local, parse, text_of


def _authors(article: etree._Element) -> list[str]:
    names = []
    for author in article.iterfind("AuthorList/Author"):
        surname = text_of(author.find("LastName")) or text_of(author.find("CollectiveName"))
        if surname:
            names.append(f"{surname} {text_of(author.find('Initials'))}".strip())
    return names


def _abstract(article: etree._Element) -> list[Section]:
    """Structured abstracts keep their labels (BACKGROUND, RESULTS...) as section headings."""
    sections = []
    for part in article.iterfind("Abstract/AbstractText"):
        text = text_of(part)
        if text:
            label = part.get("Label", "").strip().title()
            sections.append(Section(text=text, heading=f"Abstract / {label}" if label else "Abstract"))
    return sections


def _year(article: etree._Element, citation: etree._Element) -> int | None:
    for path in ("Journal/JournalIssue/PubDate/Year", "ArticleDate/Year"):
        value = text_of(article.find(path))
        if value.isdigit():
            return int(value)
    medline = text_of(article.find("Journal/JournalIssue/PubDate/MedlineDate"))
    return int(medline[:4]) if medline[:4].isdigit() else None


def _doi(entry: etree._Element, article: etree._Element) -> str:
    for node in entry.iterfind("PubmedData/ArticleIdList/ArticleId"):
        if node.get("IdType") == "doi":
            return text_of(node)
    for node in article.iterfind("ELocationID"):
        if node.get("EIdType") == "doi":
            return text_of(node)
    return ""


def _retraction(entry: etree._Element, article: etree._Element) -> tuple[bool, str]:
    types = [text_of(t) for t in article.iterfind("PublicationTypeList/PublicationType")]
    notices = [
        text_of(c.find("RefSource"))
        for c in entry.iterfind(".//CommentsCorrectionsList/CommentsCorrections")
        if c.get("RefType") == "RetractionIn"
    ]
    if "Retracted Publication" in types or notices:
        note = "PubMed lists this article as a Retracted Publication"
        return True, note + (f" (retraction: {notices[0]})." if notices else ".")
    if "Retraction of Publication" in types:  # the notice itself: what it retracts is not a finding to rely on
        retracts = [text_of(c.find("RefSource")) for c in entry.iterfind(".//CommentsCorrectionsList/CommentsCorrections")
                    if c.get("RefType") == "RetractionOf"]
        return True, "PubMed lists this record as a Retraction of Publication notice" + (
            f" (retracts: {retracts[0]})." if retracts else ".")
    return False, ""


def article_to_source(entry: etree._Element, origin: str) -> Source:
    citation = entry.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    if article is None:
        raise LoadError("PubmedArticle without MedlineCitation/Article")
    pmid = text_of(citation.find("PMID"))
    title = text_of(article.find("ArticleTitle"))
    if not pmid or not title:
        raise LoadError("PubmedArticle without PMID or ArticleTitle")
    sections = _abstract(article) or [Section(text=title, heading="Title only (no abstract)")]
    doi = _doi(entry, article)
    retracted, note = _retraction(entry, article)
    return Source(
        id=source_id_for(pmid=pmid),
        title=title,
        authors=_authors(article),
        journal=text_of(article.find("Journal/Title")),
        year=_year(article, citation),
        volume=text_of(article.find("Journal/JournalIssue/Volume")),
        pages=text_of(article.find("Pagination/MedlinePgn")),
        doi=doi,
        pmid=pmid,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        sections=sections,
        retracted=retracted,
        retraction_note=note,
        origin=origin,
        format="pubmed",
    )


def load(path: Path, origin: str) -> list[Source]:
    root = parse(path)
    if local(root.tag) != "PubmedArticleSet":
        raise LoadError(f"XML root is <{local(root.tag)}>, expected <PubmedArticleSet>")
    sources = SourceList()
    for index, entry in enumerate(root.iterfind("PubmedArticle"), start=1):
        try:
            sources.append(article_to_source(entry, origin))
        except LoadError as exc:
            sources.failures.append((f"{origin}#article{index}", str(exc)))
    if not sources:
        raise LoadError("PubmedArticleSet holds no usable article")
    return sources
