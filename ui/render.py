"""HTML for the browser app: chat messages, the sources panel, filter chips, the evidence map and explorer rows.

Every string that comes from the corpus, a user's document or a model passes through `esc` (HTML) or `md_text`
(Markdown and HTML) before it reaches the page, and links are built only from a validated DOI or PMID. The app's
own markup is limited to elements Gradio's sanitiser keeps (`a` with `class` and `href`, `mark`, `div`, `span`)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from rag import prompts
from rag.documents import Answer, Citation, surname

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_DOI = re.compile(r"^10\.\d{4,9}/[^\s\"<>]+$")
_PMID = re.compile(r"^\d{1,9}$")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]{3,}|[A-Za-z]+-?\d+[A-Za-z0-9-]*")
_PLAIN = frozenset("which what does that this from with into their there have been were they them about how why "
                   "when where cancer cells cell study studies exosome exosomes exosomal make makes made cause "
                   "causes resistance resistant".split())


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def md_text(text: str) -> str:
    """Text shown literally inside Markdown: HTML escaped, then every Markdown control character backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def doi_url(doi: str) -> str:
    return f"https://doi.org/{quote(doi, safe='/:;._-')}" if _DOI.match(doi or "") else ""


def pubmed_url(c: Citation | dict[str, Any]) -> str:
    """The PubMed page when the PMID is known, else a PubMed search for the DOI or the title."""
    get = c.get if isinstance(c, dict) else lambda k, d="": getattr(c, k, d)
    base = "https://pubmed.ncbi.nlm.nih.gov/"
    if _PMID.match(get("pmid", "") or ""):
        return f"{base}{get('pmid')}/"
    term = f"{get('doi')}[doi]" if doi_url(get("doi", "")) else get("title", "")
    return f"{base}?{urlencode({'term': term})}" if term else ""


def _link(url: str, label: str) -> str:
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(label)}</a>' if url else ""


# ------------------------------------------------------------------ chat


def chat_message(answer: Answer) -> str:
    """The assistant's message: retraction warnings first, then the answer with [n] links to the sources panel."""
    numbers = {c.n for c in answer.citations}
    parts = [f"> ⚠ {md_text(w)}" for w in answer.warnings if "retracted" in w]
    # a refusal's pointer to its closest sources is said once, as where they sit on this page
    text = answer.answer.replace(f" {prompts.SEE_ALSO_SENTENCE}", "") if answer.refused else answer.answer
    parts.append(md_answer(text, lambda n: f'<a class="cite" href="#src-{n}">[{n}]</a>' if n in numbers
                           else md_text(f"[{n}]")))
    if answer.refused and answer.see_also:
        parts.append("*The closest sources are listed beside the chat under 'See also'.*")
    return "\n\n".join(parts)


def md_answer(text: str, marker: Callable[[int], str] = lambda n: f"[{n}]") -> str:
    """Answer text as literal Markdown, each [n] citation marker written by `marker(n)`."""
    body, last = [], 0
    for match in MARKER.finditer(text):
        body.append(md_text(text[last:match.start()]))
        body.extend(marker(int(raw)) for raw in match.group(1).split(","))
        last = match.end()
    body.append(md_text(text[last:]))
    return "".join(body)


def progress_message(text: str) -> str:
    """Answer text while it is being produced (provisional)."""
    return md_text(text) + " ▍"


# ------------------------------------------------------------------ sources panel


def key_terms(question: str) -> list[str]:
    """Words of the question worth highlighting in a passage (names, genes, drugs; not 'which' or 'cancer')."""
    return sorted({w for w in _WORD.findall(question) if w.lower() not in _PLAIN}, key=len, reverse=True)


def highlighted(passage: str, terms: list[str]) -> str:
    if not terms:
        return esc(passage)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(passage):
        out += [esc(passage[last:match.start()]), f"<mark>{esc(match.group(0))}</mark>"]
        last = match.end()
    return "".join(out) + esc(passage[last:])


def _authors(authors: list[str]) -> str:
    named = [a for a in authors if a != "et al."]
    if not named:
        return ""
    return named[0] if len(named) == 1 and len(authors) == 1 else f"{surname(named[0])} et al."


def cited_list(c: Citation) -> str:
    """'Cites: [2] Bebawy et al. 2009, title (DOI)' for the review's own references in the passage."""
    if not c.references:
        return ""
    items = []
    for ref in c.references:
        authors = [a.strip() for a in ref.get("authors", "").split(";") if a.strip()]
        who = " ".join(x for x in (_authors(authors), ref.get("year", "")) if x)
        label = ", ".join(x for x in (who, ref.get("title", "")) if x) or ref.get("text", "") or "reference"
        url = doi_url(ref.get("doi", "")) or (pubmed_url(ref) if ref.get("pmid") else "")
        shown = _link(url, label) if url else esc(label)
        held = ' <span class="held">in corpus</span>' if ref.get("source_id") else ""
        items.append(f'<div class="cited">[{esc(ref.get("label", ""))}] {shown}{held}</div>')
    return f'<div class="cites"><div class="meta">Cites:</div>{"".join(items)}</div>'


def source_card(c: Citation, terms: list[str], numbered: bool = True) -> str:
    anchor = f' id="src-{c.n}"' if numbered else ""
    badge = '<span class="badge">Retracted</span> ' if c.retracted else ""
    note = f'<div class="note">{esc(c.retraction_note)}</div>' if c.retracted and c.retraction_note else ""
    meta = " · ".join(esc(x) for x in (_authors(c.authors), c.journal, c.year or "") if x)
    section = f'<div class="meta">Section: {esc(c.section)}</div>' if c.section else ""
    links = " ".join(x for x in (_link(doi_url(c.doi), "DOI"), _link(pubmed_url(c), "PubMed")) if x)
    number = f'<span class="num">{c.n}</span> ' if numbered else ""
    return (f'<div class="src"{anchor}>{number}{badge}<span class="title">{esc(c.title)}</span>'
            f'<div class="meta">{meta}</div>{note}{section}<div class="links">{links}</div>'
            f'<div class="passage">{highlighted(c.passage, terms)}</div>{cited_list(c)}</div>')


def sources_panel(answer: Answer | None, question: str = "") -> str:
    if answer is None:
        return '<div class="sources-empty">Sources of the answer appear here: each citation with its passage.</div>'
    terms = key_terms(question)
    if answer.citations:
        cards = "".join(source_card(c, terms) for c in answer.citations)
        return f'<div class="sources"><h3>Sources</h3>{cards}</div>'
    if answer.see_also:
        cards = "".join(source_card(c, terms, numbered=False) for c in answer.see_also)
        return f'<div class="sources"><h3>See also (closest sources, not citations)</h3>{cards}</div>'
    return '<div class="sources-empty">No sources for this answer.</div>'


# ------------------------------------------------------------------ filter chips


def chips(active: dict[str, Any]) -> str:
    """Active filters as chips; each chip's × removes that filter."""
    if not active:
        return '<div class="chips"><span class="meta">No filters: the whole corpus is searched.</span></div>'
    items = "".join(f'<span class="chip">{esc(k.replace("_", " "))}: {esc(v)} '
                     f'<a class="chip-x" href="#unfilter?{esc(urlencode({"key": k}))}" '
                     f'aria-label="Remove filter {esc(k)}">×</a></span>' for k, v in active.items())
    return f'<div class="chips">{items}</div>'


# ------------------------------------------------------------------ evidence map


def _cell(count: int, peak: int, pick: dict[str, str], label: str) -> str:
    if not count:
        return '<td class="zero"></td>'
    alpha = 0.15 + 0.85 * count / max(peak, 1)
    colour = "#fff" if alpha > 0.55 else "#13293d"
    return (f'<td style="background: rgba(31,78,121,{alpha:.2f}); color: {colour}">'
            f'<a class="cell" href="#pick?{esc(urlencode(pick))}" title="{esc(label)}">{count}</a></td>')


def heatmap(title: str, table: dict[str, Any], row_key: str, col_key: str) -> str:
    counts = table["counts"]
    peak = max((n for row in counts.values() for n in row.values()), default=1)
    head = "".join(f"<th>{esc(c)}</th>" for c in table["columns"])
    rows = []
    for r in table["rows"]:
        cells = "".join(_cell(counts.get(r, {}).get(c, 0), peak,
                              {row_key: r, **({col_key: c} if c != "other" else {})},
                              f"{counts.get(r, {}).get(c, 0)} studies: {r} × {c}") for c in table["columns"])
        rows.append(f"<tr><th class='row'>{esc(r)}</th>{cells}</tr>")
    return (f'<div class="map"><h3>{esc(title)}</h3><table class="heat"><thead><tr><th></th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def timeline(years: dict[int, int]) -> str:
    peak = max(years.values(), default=1)
    bars = "".join(f'<a class="cell bar" href="#pick?{esc(urlencode({"year": y}))}" title="{n} studies in {y}">'
                   f'<span style="height: {6 + 110 * n / peak:.0f}px"></span><small>{y}</small></a>'
                   for y, n in years.items())
    return f'<div class="map"><h3>Studies by year</h3><div class="timeline">{bars}</div></div>'


# ------------------------------------------------------------------ explorer

EXPLORER_COLUMNS = ["study", "year", "journal", "category", "cancer", "drug", "source cell", "cargo", "target",
                    "retracted", "link"]


def explorer_row(item: dict[str, Any]) -> list[Any]:
    """One catalogue row for the explorer table; only the link column is Markdown, built from a valid DOI/PMID."""
    facets = item.get("facets", {})
    url = doi_url(item.get("doi", "")) or pubmed_url(item)
    link = f"[{'DOI' if doi_url(item.get('doi', '')) else 'PubMed'}]({url})" if url else ""
    return [item["title"], item.get("year") or "", item.get("journal", ""), item.get("category", ""),
            "; ".join(facets.get("cancer_types", [])), "; ".join(facets.get("drugs", [])),
            "; ".join(facets.get("exosome_source", [])), "; ".join(facets.get("cargo", [])),
            "; ".join(facets.get("targets", [])), "retracted" if item.get("retracted") else "", link]
