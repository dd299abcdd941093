"""A document's own reference markers ('[12]', '[3, 5]', '[4-7]', '[4–7]') and the reference-list entries they
name, so a cited passage of the review can link the studies it cites."""

from __future__ import annotations

import re

_MARK = re.compile(r"\[(\d{1,4}(?:\s*[,;\u2013\u2014-]\s*\d{1,4})*)\]")
_RANGE = re.compile(r"(\d+)\s*[\u2013\u2014-]\s*(\d+)")
MAX_RANGE = 50  # '[1-2000]' is a typo or a table, not 2,000 citations


def marker_numbers(text: str) -> list[str]:
    """Reference numbers in order of first mention, ranges expanded."""
    seen: dict[str, None] = {}
    for match in _MARK.finditer(text):
        for part in re.split(r"[,;]", match.group(1)):
            span = _RANGE.fullmatch(part.strip())
            if span and 0 <= int(span.group(2)) - int(span.group(1)) <= MAX_RANGE:
                numbers = range(int(span.group(1)), int(span.group(2)) + 1)
            else:
                numbers = [int(n) for n in re.findall(r"\d+", part)]
            seen.update((str(n), None) for n in numbers)
    return list(seen)


def cited_references(passage: str, references: list[dict[str, str]]) -> list[dict[str, str]]:
    """The reference-list entries a passage cites (label, authors, title, year, doi, pmid, source_id)."""
    if not references:
        return []
    by_label = {ref.get("label", ""): ref for ref in references}
    keys = ("label", "authors", "title", "journal", "year", "doi", "pmid", "source_id", "text")
    return [{k: by_label[n].get(k, "") for k in keys} for n in marker_numbers(passage) if n in by_label]
