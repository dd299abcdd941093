"""Plain data classes that flow through the pipeline: Source -> Chunk -> (retrieval) -> Answer."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

FACET_FIELDS = ("cancer_types", "drugs", "cargo", "targets", "models", "exosome_source")


@dataclass
class Section:
    """A run of text with the heading and page it came from."""

    text: str
    heading: str = ""
    page: int | None = None


@dataclass
class Source:
    """One citable document (a study, the review, or a file a user added)."""

    id: str
    title: str
    sections: list[Section]
    type: str = "study"
    authors: list[str] = field(default_factory=list)
    journal: str = ""
    year: int | None = None
    volume: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    url: str = ""
    category: str = ""
    facets: dict[str, list[str]] = field(default_factory=dict)
    retracted: bool = False
    retraction_note: str = ""
    origin: str = ""  # the file it was read from, relative to the corpus folder
    format: str = ""  # loader that read it: pack, pdf, jats, pubmed, text
    references: list[dict[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections)

    @property
    def is_review(self) -> bool:
        """A review by its type (the subject review) or its category (the reviews it cites)."""
        return self.type == "review" or self.category == "review"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        data = dict(data)
        data["sections"] = [Section(**s) for s in data.get("sections", [])]
        return cls(**data)

    def bibliographic(self) -> dict[str, Any]:
        """The fields a citation shows."""
        return {
            "source_id": self.id,
            "title": self.title,
            "authors": list(self.authors),
            "year": self.year,
            "journal": self.journal,
            "doi": self.doi,
            "pmid": self.pmid,
            "url": self.url or _default_url(self.doi, self.pmid),
            "retracted": self.retracted,
            "retraction_note": self.retraction_note,
        }


SHORT_NAME_WORDS = 5  # a study without authors is named by its journal or title in at most this many words


def unnamed(source: Source) -> str:
    """A record without authors is named by its journal, or by the start of its title: the citation gives the rest,
    and a 20-word title would take a fifth of an answer."""
    if source.journal and len(source.journal.split()) <= SHORT_NAME_WORDS:
        return source.journal
    words = source.title.split()
    return " ".join(words[:SHORT_NAME_WORDS]) + ("…" if len(words) > SHORT_NAME_WORDS else "")


def surname(author: str) -> str:
    """'Au Yeung CL' -> 'Au Yeung' (authors are written 'Surname Initials')."""
    parts = author.split()
    return " ".join(parts[:-1]) if len(parts) > 1 and parts[-1].isupper() else author


def _default_url(doi: str, pmid: str) -> str:
    if doi:
        return f"https://doi.org/{doi}"
    if pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    return ""


@dataclass
class Chunk:
    """A passage of a source: the unit that is embedded, searched and cited."""

    id: str
    source_id: str
    text: str
    sentences: list[str]
    ordinal: int
    section: str = ""
    page: int | None = None
    context: str = ""  # title and facets, prepended to the text for embedding and BM25

    @property
    def embed_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(**data)


def content_id(*parts: str) -> str:
    """A stable id derived from content, so the same passage gets the same id on every run."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:24]


@dataclass
class Citation:
    """A numbered reference in an answer: the passage that supports the sentences marked [n]."""

    n: int
    source_id: str
    title: str
    authors: list[str]
    year: int | None
    journal: str
    doi: str
    pmid: str
    url: str
    passage: str
    chunk_id: str
    section: str
    page: int | None
    retracted: bool
    retraction_note: str
    # Entries of the source's own reference list that the passage cites ('[12]'), each with the id of the
    # corpus source holding that work when there is one.
    references: list[dict[str, str]] = field(default_factory=list)

    def vancouver(self) -> str:
        """'Au Yeung CL, et al. Title. Journal. 2016. doi:...' for reference lists."""
        authors = ", ".join(self.authors[:6]) + (", et al" if len(self.authors) > 6 else "")
        parts = [p for p in (authors.rstrip("."), self.title.rstrip("."), self.journal, str(self.year or "n.d.")) if p]
        link = f"doi:{self.doi}" if self.doi else (f"PMID: {self.pmid}" if self.pmid else self.url)
        retracted = " [RETRACTED]" if self.retracted else ""
        return ". ".join(parts) + "." + (f" {link}" if link else "") + retracted


@dataclass
class Answer:
    """The one answer schema for the CLI, the HTTP API and the UI (external scripts read these key names)."""

    answer: str
    citations: list[Citation] = field(default_factory=list)
    see_also: list[Citation] = field(default_factory=list)
    refused: bool = False
    refusal_reason: str = ""
    backend: str = "extractive"
    warnings: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
