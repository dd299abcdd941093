"""Sentence-aware chunking. Chunk ids come from content, so they are stable across runs."""

from __future__ import annotations

from functools import lru_cache

import pysbd

from rag.documents import Chunk, Section, Source, content_id, surname

# Bump when the chunking rules change: recorded in the index so a rebuild can be detected.
CHUNKER_VERSION = "sent-v1"


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage (rule-based: keeps 'et al.', 'e.g.', decimals and gene names intact)."""
    return [s.strip() for s in _segmenter().segment(text) if s.strip()]


def _hard_wrap(sentence: str, limit: int) -> list[str]:
    """A sentence longer than a chunk (tables, run-on PDF text) is cut at spaces."""
    pieces, current = [], ""
    for word in sentence.split():
        if current and len(current) + 1 + len(word) > limit:
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return pieces + ([current] if current else [])


def _windows(sentences: list[str], max_chars: int, overlap: int) -> list[list[str]]:
    """Greedy packing of sentences into windows of at most max_chars, repeating `overlap` sentences."""
    windows: list[list[str]] = []
    current: list[str] = []
    for sentence in sentences:
        if current and len(" ".join(current + [sentence])) > max_chars:
            windows.append(current)
            keep = current[-overlap:] if 0 < overlap < len(current) else []
            current = keep if len(" ".join(keep + [sentence])) <= max_chars else []
        current.append(sentence)
    if current:
        windows.append(current)
    return windows


def source_context(source: Source) -> str:
    """What the passage is about and where it was published, prepended when embedding and indexing: questions
    name the title's entities, the facets (drug, cargo, cancer), and sometimes the journal, year or first author."""
    facets = "; ".join(v for values in source.facets.values() for v in values)
    surnames = " ".join(surname(a) for a in source.authors[:3] if a != "et al.")
    kind = "Review. " if source.is_review else ""
    published = " ".join(str(p) for p in (surnames, source.journal, source.year) if p)
    return " ".join(p for p in (f"{source.title}.", kind, f"{facets}." if facets else "", published) if p)


def chunk_section(section: Section, max_chars: int, overlap: int) -> list[list[str]]:
    sentences = split_sentences(section.text)
    if len(section.text) <= max_chars:
        return [sentences]  # short records (pack summaries) stay one chunk
    wrapped = [piece for s in sentences for piece in (_hard_wrap(s, max_chars) if len(s) > max_chars else [s])]
    return _windows(wrapped, max_chars, overlap)


def chunk_source(source: Source, max_chars: int = 1200, overlap: int = 1) -> list[Chunk]:
    context = source_context(source)
    chunks: list[Chunk] = []
    for section in source.sections:
        for sentences in chunk_section(section, max_chars, overlap):
            text = " ".join(sentences)
            chunks.append(
                Chunk(
                    id=content_id(source.id, context, section.heading, str(section.page), text),
                    source_id=source.id,
                    text=text,
                    sentences=sentences,
                    ordinal=len(chunks),
                    section=section.heading,
                    page=section.page,
                    context=context,
                )
            )
    return _unique(chunks)


def _unique(chunks: list[Chunk]) -> list[Chunk]:
    """A passage repeated inside one source (boilerplate footers) is kept once."""
    seen: set[str] = set()
    return [c for c in chunks if not (c.id in seen or seen.add(c.id))]
