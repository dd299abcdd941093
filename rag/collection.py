"""Questions about the collection itself ("Which of these studies were retracted?", "How many studies used
cisplatin?", "Which papers cover gastric cancer?"), answered from the index metadata as a cited list in the same
Answer schema. A question is about the collection when it asks for studies (a list or a count) and everything it
says beyond that is a facet value the index knows: a cancer, a drug, a cargo, a year, or retraction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.citations import citation_for
from rag.conversation import EntityTypes
from rag.documents import Answer, Source, surname
from rag.filters import Filters, source_metadata
from rag.index import Index
from rag.lexical import STOPWORDS
from rag.normalize import normalize
from rag.retrieval import Hit

SHOWN = 15  # sources listed in full; the rest are counted
_DOCUMENTS = re.compile(r"\b(stud(y|ies)|papers?|articles?|sources?|records?|publications?|references?|reports?)\b",
                        re.IGNORECASE)
_ASKS = re.compile(r"^\s*(which|what|how many|list|show|name|are there|is there|do any|does any)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
# words that only say "studies about": they may surround the facet value without making a question about content
_FRAME = frozenset({"which", "what", "how", "many", "list", "show", "name", "are", "is", "there", "any", "these",
                    "this", "those", "collection", "corpus", "included", "include", "cover", "covered", "covers",
                    "about", "on", "use", "used", "using", "look", "looked", "looking", "examine", "examined",
                    "investigate", "investigated", "test", "tested", "study", "studies", "paper", "papers",
                    "article", "articles", "source", "sources", "record", "records", "publication", "publications",
                    "reference", "references", "report", "reports", "were", "was", "been", "have", "has", "do",
                    "does", "did", "retracted", "retraction", "retractions", "published", "from", "year", "years",
                    "cancer", "cancers", "drug", "drugs", "cargo", "exosome", "mirna", "involve", "involving",
                    "deal", "concern", "mention", "mentioned", "count", "number", "withdrawn", "in", "with"})


@dataclass(frozen=True)
class CollectionQuery:
    filters: Filters
    described: str  # "retracted", "cancer type 'gastric'", ...


def parse(question: str, types: EntityTypes) -> CollectionQuery | None:
    """The facet filter a collection question asks for, or None for a question about findings."""
    if not (_DOCUMENTS.search(question) and _ASKS.search(question)):
        return None
    words = [w for w in normalize(question).split() if w not in STOPWORDS]
    found = types.of(set(words))
    retracted = any(w.startswith(("retract", "withdrawn")) for w in words)
    year = _YEAR.search(question)
    known = set().union(*found.values()) | ({year.group(0)} if year else set())
    if any(w not in _FRAME and w not in known for w in words):
        return None  # it says something beyond a facet: a question about content
    values: dict[str, object] = {}
    said: list[str] = []
    for kind, field in (("cancer", "cancer_type"), ("drug", "drug"), ("cargo", "cargo")):
        if found[kind]:
            value = " ".join(sorted(found[kind]))
            values[field] = value
            said.append(f"{field.replace('_', ' ')} '{value}'")
    if year:
        values["year_min"] = values["year_max"] = int(year.group(0))
        said.append(f"year {year.group(0)}")
    if retracted:
        values["retracted"] = "only"
        said.append("retracted")
    if not values:
        return None
    return CollectionQuery(Filters.from_mapping(values), " and ".join(said))


def matching(index: Index, query: CollectionQuery) -> list[Source]:
    found = [s for s in index.sources.values() if query.filters.matches(source_metadata(s))]
    return sorted(found, key=lambda s: (-(s.year or 0), s.title.lower()))


def answer(index: Index, query: CollectionQuery) -> Answer:
    """'3 studies in the collection are retracted: Title (Han et al., 2020) [1]; ...', each item cited."""
    sources = matching(index, query)
    if not sources:
        return Answer(f"No study in the collection matches {query.described}.", refused=True,
                      refusal_reason="collection-empty", backend="collection")
    citations, items = [], []
    for n, source in enumerate(sources[:SHOWN], start=1):
        chunk = next(c for c in index.chunks if c.source_id == source.id)
        citations.append(citation_for(n, Hit(chunk=chunk, source=source, score=1.0, fused=0.0)))
        year = f", {source.year}" if source.year else ""
        note = " (retracted)" if source.retracted else ""
        items.append(f"{source.title}{note} ({_first_author(source)}{year}) [{n}]")
    noun = "study" if len(sources) == 1 else "studies"
    more = f"; and {len(sources) - SHOWN} more" if len(sources) > SHOWN else ""
    text = f"{len(sources)} {noun} in the collection match {query.described}: " + "; ".join(items) + more + "."
    return Answer(text, citations=citations, backend="collection")


def _first_author(source: Source) -> str:
    first = source.authors[0] if source.authors and source.authors[0] != "et al." else ""
    return f"{surname(first)} et al." if first else "unknown authors"
