"""References of an answer as BibTeX, RIS and Markdown (what the UI's export buttons download or copy)."""

from __future__ import annotations

import re

from rag.documents import Answer, Citation, surname

_KEY = re.compile(r"[^A-Za-z0-9]+")


def _bibtex_value(text: str) -> str:
    """Braces balanced and TeX specials escaped, so a title cannot break out of its field."""
    text = text.replace("\\", " ").replace("{", "(").replace("}", ")")
    return re.sub(r"([&%$#_])", r"\\\1", text)


def _key(c: Citation) -> str:
    first = surname(c.authors[0]) if c.authors else "anon"
    return _KEY.sub("", first.lower()) + str(c.year or "nd") + f"n{c.n}"


def bibtex(citations: list[Citation]) -> str:
    entries = []
    for c in citations:
        fields = {"title": c.title, "author": " and ".join(a for a in c.authors if a != "et al."),
                  "journal": c.journal, "year": str(c.year or ""), "doi": c.doi, "pmid": c.pmid, "url": c.url,
                  "note": f"RETRACTED: {c.retraction_note}" if c.retracted else ""}
        body = ",\n".join(f"  {k} = {{{_bibtex_value(v)}}}" for k, v in fields.items() if v)
        entries.append(f"@article{{{_key(c)},\n{body}\n}}")
    return "\n\n".join(entries) + ("\n" if entries else "")


def ris(citations: list[Citation]) -> str:
    records = []
    for c in citations:
        lines = ["TY  - JOUR", f"TI  - {c.title}"]
        lines += [f"AU  - {a}" for a in c.authors if a != "et al."]
        lines += [f"{tag}  - {value}" for tag, value in (("JO", c.journal), ("PY", str(c.year or "")), ("DO", c.doi),
                                                          ("AN", c.pmid), ("UR", c.url)) if value]
        if c.retracted:
            lines.append(f"N1  - RETRACTED: {c.retraction_note}")
        lines.append("ER  - ")
        records.append("\n".join(line.replace("\n", " ") for line in lines))
    return "\n\n".join(records) + ("\n" if records else "")


def markdown(question: str, answer: Answer) -> str:
    """The answer with its numbered reference list, for pasting into notes (plain text, not rendered here)."""
    parts = [f"**Q:** {question}", "", answer.answer]
    parts += [f"> Warning: {w}" for w in answer.warnings if "retracted" in w]
    if answer.citations:
        parts += ["", "**References**", ""] + [f"{c.n}. {c.vancouver()}" for c in answer.citations]
    return "\n".join(parts) + "\n"
