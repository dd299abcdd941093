"""Citation checking for every backend: markers must point at retrieved passages, and each sentence must be
supported by the passage it cites (lexical and embedding overlap), else it is re-cited or dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rag.chunking import split_sentences
from rag.documents import Chunk, Citation
from rag.lexical import tokenize
from rag.refmarks import cited_references
from rag.retrieval import Hit, HybridSearch

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")  # <source ...> tags a weak model may echo
_MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_BRACKETED = re.compile(r"\[([^\[\]\n]{1,60})\]")
_NOWHERE = "[0]"  # a marker no hit has: the claim it follows counts as citing a source that was not retrieved
# See support() for the calibration.
SUPPORT_THRESHOLD = 0.62


@dataclass
class Checked:
    text: str
    cited: list[int]  # indices into hits, in order of first citation
    warnings: list[str] = field(default_factory=list)


def citation_for(n: int, hit: Hit) -> Citation:
    b = hit.source.bibliographic()
    return Citation(n=n, passage=hit.chunk.text, chunk_id=hit.chunk.id, section=hit.chunk.section,
                    page=hit.chunk.page, references=cited_references(hit.chunk.text, hit.source.references), **b)


def support(sentence: str, chunk: Chunk, search: HybridSearch, vector: np.ndarray | None = None) -> float:
    """How well a passage supports a claim: the mean of term overlap and the best sentence cosine, minus a penalty
    for each specific term (anything with a digit: miR-365, APAF1, 2.5-fold) the passage does not contain.

    Calibrated on the pack: claims made of another study's sentences score 0.56 at the 95th percentile, while
    compressed versions of the passage's own sentences (a third of the words dropped) score >= 0.67 in 99%.
    """
    terms = set(tokenize(sentence))
    passage = set(tokenize(chunk.embed_text))
    lexical = len(terms & passage) / max(len(terms), 1)
    missing = sum(1 for t in terms - passage if any(ch.isdigit() for ch in t))
    if lexical == 1.0:
        return 1.0  # every term is in the passage: a quotation
    if vector is None:
        vector = np.asarray(search.embeddings.embed_query(sentence), dtype=np.float32)
    sentences = search.index.sentence_vectors(search.index.row_of[chunk.id])
    cosine = float((sentences @ vector).max()) if len(sentences) else 0.0
    return 0.5 * cosine + 0.5 * lexical - 0.15 * missing


def claims(text: str) -> list[tuple[str, list[int]]]:
    """Split answer text into claims, each with the markers that follow it. Splitting at markers (not at sentence
    ends) keeps '... cells. [1] Next ...' from handing [1] to the next sentence; unmarked sentences stand alone."""
    out: list[tuple[str, list[int]]] = []
    position = 0
    for match in _MARKER.finditer(text):
        piece = text[position : match.start()].strip()
        sentences = split_sentences(piece) if piece else []
        out.extend((s, []) for s in sentences[:-1])
        if sentences:
            out.append((sentences[-1], [int(n) for n in match.group(1).split(",")]))
        elif out:  # consecutive marker groups: "[1] [2]"
            out[-1][1].extend(int(n) for n in match.group(1).split(","))
        position = match.end()
    tail = text[position:].strip()
    out.extend((s, []) for s in (split_sentences(tail) if tail else []))
    return out


def _foreign_markers(text: str, hits: list[Hit]) -> str:
    """A bracketed label that is no answer marker and no quotation of a retrieved passage ("[fake-2099]",
    "[WHO 2020]") is a citation of something that was not retrieved: it becomes a marker no hit has."""
    passages = " ".join(h.chunk.text for h in hits)

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        if re.fullmatch(r"\d+(?:\s*,\s*\d+)*", inner) or match.group(0) in passages:
            return match.group(0)
        return _NOWHERE

    return _BRACKETED.sub(replace, text)


def _claim_vectors(texts: list[str], hits: list[Hit], search: HybridSearch) -> dict[str, np.ndarray]:
    """One batched embedding call for every claim that is not a plain quotation of a retrieved passage."""
    passages = [set(tokenize(h.chunk.embed_text)) for h in hits]
    pending = [t for t in dict.fromkeys(texts) if not any(set(tokenize(t)) <= p for p in passages)]
    return dict(zip(pending, search.embeddings.encode(pending))) if pending else {}


def check(text: str, hits: list[Hit], search: HybridSearch) -> Checked:
    """Keep supported, validly cited sentences; renumber later by first citation."""
    kept: list[str] = []
    cited: list[int] = []
    warnings: list[str] = []
    seen: set[str] = set()
    parts = claims(_foreign_markers(_TAG.sub(" ", text), hits))
    vectors = _claim_vectors([bare for bare, _ in parts], hits, search)
    for bare, markers in parts:
        if not _BRACKETED.sub("", bare).strip(" .;,") or bare.rstrip().endswith("?") or bare in seen:
            continue  # a stray label is no claim; nor is a question a model echoes; a repeated claim is kept once
        valid = [n - 1 for n in dict.fromkeys(markers) if 1 <= n <= len(hits)]
        if markers and not valid:  # it cites only what was not retrieved: a made-up source, not a slip
            warnings.append(f"dropped a sentence citing only sources that were not retrieved: '{bare[:80]}'")
            continue
        if len(valid) < len(set(markers)):
            warnings.append(f"removed citation marker(s) to no retrieved source in: '{bare[:80]}'")
        vector = vectors.get(bare)
        supported = [i for i in valid if support(bare, hits[i].chunk, search, vector) >= SUPPORT_THRESHOLD]
        if not supported:
            scores = [support(bare, h.chunk, search, vector) for h in hits]
            best = int(np.argmax(scores)) if scores else -1
            if best >= 0 and scores[best] >= SUPPORT_THRESHOLD:
                supported = [best]
                warnings.append(f"re-cited a sentence to the passage that supports it: '{bare[:80]}'")
            else:
                warnings.append(f"dropped a sentence no retrieved passage supports: '{bare[:80]}'")
                continue
        seen.add(bare)
        for i in supported:
            if i not in cited:
                cited.append(i)
        kept.append(bare + " " + "".join(f"[{i}]" for i in supported))
    return Checked(joined_claims(kept), cited, warnings)


def joined_claims(parts: list[str]) -> str:
    """Cited claims as one text: a claim that goes on the one before (", HOTTIP [3]" in a gathered list) follows
    its marker without a space."""
    return "".join(part if not i or part.startswith((",", ";")) else " " + part for i, part in enumerate(parts))


def renumber(checked: Checked, hits: list[Hit]) -> tuple[str, list[Citation]]:
    """Number citations 1..n in order of first appearance; markers rewritten to match."""
    number = {hit_index: n for n, hit_index in enumerate(checked.cited, start=1)}
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{number[int(m.group(1))]}]", checked.text)
    return text, [citation_for(n, hits[i]) for i, n in number.items()]
