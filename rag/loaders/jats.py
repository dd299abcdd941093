"""JATS XML (publisher and PMC full text): title, authors, abstract, body sections, references."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from rag.documents import Section, Source
from rag.loaders.base import LoadError, clean_space, source_id_for
from rag.loaders.xmlutil import local, parse, raw_text, text_of


def _authors(meta: etree._Element) -> list[str]:
    names = []
    for contrib in meta.iterfind(".//contrib-group/contrib[@contrib-type='author']"):
        surname = text_of(contrib.find(".//surname"))
        given = text_of(contrib.find(".//given-names"))
        initials = "".join(part[0] for part in given.replace("-", " ").split() if part)
        if surname:
            names.append(f"{surname} {initials}".strip())
    return names


def _article_id(meta: etree._Element, kind: str) -> str:
    return text_of(meta.find(f"article-id[@pub-id-type='{kind}']"))


def _body_sections(body: etree._Element | None, top: str = "Body") -> list[Section]:
    """Each <sec> with its own paragraphs; nested sections get 'Parent / Child' headings."""
    sections: list[Section] = []

    def walk(sec: etree._Element, trail: list[str]) -> None:  # trail: headings of enclosing sections
        heading = " / ".join(trail + [text_of(sec.find("title"))]).strip(" /")
        paras = [paragraph_text(p) for p in sec if local(p.tag) == "p"]
        if any(paras):
            sections.append(Section(text="\n".join(p for p in paras if p), heading=heading))
        for child in sec:
            if local(child.tag) == "sec":
                walk(child, trail + [text_of(sec.find("title"))])

    if body is None:
        return sections
    loose = [paragraph_text(p) for p in body if local(p.tag) == "p"]
    if any(loose):
        sections.append(Section(text="\n".join(p for p in loose if p), heading=top))
    for sec in body.iterfind("sec"):
        walk(sec, [top] if top != "Body" else [])
    return sections


def paragraph_text(node: etree._Element) -> str:
    """A paragraph's text with every citation of the reference list written '[12]' (publishers also set them as
    superscripts or bare numbers), so a passage keeps the reference numbers it cites."""
    out: list[str] = []

    def inside_brackets() -> bool:
        joined = "".join(out)
        return joined.rfind("[") > joined.rfind("]")

    def cite(label: str) -> None:
        if out and out[-1][-1:].isalnum():  # 'within hours<sup>2</sup>' -> 'within hours [2]'
            out.append(" ")
        out.append(label)

    def walk(el: etree._Element) -> None:
        name = local(el.tag)
        if name == "xref" and el.get("ref-type") == "bibr":
            label = text_of(el)
            if "[" in label or inside_brackets():
                out.append(label)
            else:
                cite(f"[{label}]")
        elif name == "sup" and el.find(".//xref[@ref-type='bibr']") is not None and not inside_brackets():
            cite(f"[{text_of(el).strip('[]')}]")
        else:
            out.append(raw_text(el) if not isinstance(el.tag, str) else (el.text or ""))  # an entity: '&nbsp;' too
            for child in el if isinstance(el.tag, str) else []:
                walk(child)
                out.append(child.tail or "")

    walk(node)
    return clean_space("".join(out))


def _ref_authors(ref: etree._Element) -> list[str]:
    names = []
    authors = ref.findall(".//person-group[@person-group-type='author']/name") or ref.findall(".//name")
    for name in authors:
        surname, given = text_of(name.find("surname")), text_of(name.find("given-names"))
        if surname:
            names.append(f"{surname} {given.replace('.', '').replace(' ', '')}".strip())
    if ref.find(".//etal") is not None:
        names.append("et al.")
    return names


def _citation_of(ref: etree._Element) -> etree._Element:
    """The citation proper, without the <label> ('7') that would otherwise open its text."""
    for child in ref:
        if local(child.tag) in ("element-citation", "mixed-citation", "citation", "nlm-citation"):
            return child
    return ref


def _references(back: etree._Element | None) -> list[dict[str, str]]:
    """The reference list: number, authors, title, journal, year, DOI and PMID where the XML gives them."""
    refs: list[dict[str, str]] = []
    if back is None:
        return refs
    for position, ref in enumerate(back.iterfind(".//ref-list/ref"), start=1):
        refs.append(
            {
                "label": text_of(ref.find("label")).strip(".[] ") or str(position),
                "id": ref.get("id", ""),
                "authors": "; ".join(_ref_authors(ref)),
                "title": text_of(ref.find(".//article-title")),
                "journal": text_of(ref.find(".//source")),
                "year": text_of(ref.find(".//year"))[:4],
                "doi": text_of(ref.find(".//pub-id[@pub-id-type='doi']")),
                "pmid": text_of(ref.find(".//pub-id[@pub-id-type='pmid']")),
                "text": text_of(_citation_of(ref)),
            }
        )
    return refs


def _is_retracted(root: etree._Element, meta: etree._Element) -> bool:
    if root.get("article-type", "") in ("retracted-article",):
        return True
    subjects = " ".join(text_of(s) for s in meta.iterfind(".//article-categories//subject")).lower()
    return "retracted" in subjects


def load(path: Path, origin: str) -> list[Source]:
    return [from_root(parse(path), origin, path.stem)]


def from_root(root: etree._Element, origin: str, fallback_id: str) -> Source:
    """One JATS <article> as a Source (also used by `rag fetch` on the downloaded review)."""
    if local(root.tag) != "article":
        raise LoadError(f"XML root is <{local(root.tag)}>, expected JATS <article> or PubMed <PubmedArticleSet>")
    meta = root.find("front/article-meta")
    if meta is None:
        raise LoadError("JATS file has no <front>/<article-meta>")
    title = text_of(meta.find("title-group/article-title"))
    if not title:
        raise LoadError("JATS file has no article-title")
    sections = []
    for abstract in meta.iterfind("abstract"):
        sections.extend(_body_sections(abstract, top="Abstract"))
    sections.extend(_body_sections(root.find("body")))
    if not sections:
        raise LoadError("JATS file has neither abstract nor body text")
    doi, pmid = _article_id(meta, "doi"), _article_id(meta, "pmid")
    year_text = text_of(meta.find("pub-date/year"))
    retracted = _is_retracted(root, meta)
    return Source(
        id=source_id_for(doi, pmid, fallback_id),
        title=title,
        authors=_authors(meta),
        journal=text_of(root.find("front/journal-meta//journal-title")),
        year=int(year_text) if year_text.isdigit() else None,
        volume=text_of(meta.find("volume")),
        pages="-".join(filter(None, [text_of(meta.find("fpage")), text_of(meta.find("lpage"))])),
        doi=doi,
        pmid=pmid,
        pmcid=_article_id(meta, "pmc") or _article_id(meta, "pmcid"),
        sections=sections,
        retracted=retracted,
        retraction_note="Marked as retracted in the publisher's XML." if retracted else "",
        origin=origin,
        format="jats",
        references=_references(root.find("back")),
    )
