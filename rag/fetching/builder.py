"""`rag fetch`: the review's full text, each reference resolved to a PubMed (or Europe PMC) record, and the
abstracts written as pack-shaped records under the output folder, with a manifest and a final report."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from rag.atomic import write_atomic
from rag.documents import Source, surname
from rag.fetching.europepmc import EuropePMC
from rag.fetching.eutils import EUtils
from rag.fetching.polite import FetchError, NetworkUnavailable, PoliteClient, ResponseCache
from rag.fetching.publisher import fetch_review

Log = Callable[[str], None]
REVIEW_FILE, REFERENCES_FILE, MANIFEST_FILE = "review.json", "references.jsonl", "manifest.json"
CACHE_DIR = ".cache"  # hidden: the corpus loader skips it
_WORD = re.compile(r"[a-z0-9]+")
# Share of title words two records must have in common to be taken as the same work (titles differ in case,
# punctuation, Greek letters spelled out, a trailing subtitle).
SAME_TITLE = 0.8


@dataclass
class FetchOptions:
    doi: str
    out: Path
    review_url: str
    review_html_url: str = ""
    eutils_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    europepmc_url: str = "https://www.ebi.ac.uk/europepmc/webservices/rest"
    email: str = ""
    api_key: str = ""
    timeout_s: float = 30.0
    retries: int = 4
    backoff_s: float = 1.0


@dataclass
class Resolved:
    """What became of one reference of the review."""

    label: str
    status: str = "not-found"  # abstract | no-abstract | not-found
    source: Source | None = None
    via: str = ""  # pubmed | europepmc
    note: str = ""
    errors: list[str] = field(default_factory=list)  # requests that failed for good (not cached: retried next run)


@dataclass
class FetchReport:
    references: int = 0
    with_abstract: int = 0
    without_abstract: int = 0
    not_found: int = 0
    retracted: int = 0
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    review_format: str = ""
    out: Path = Path()
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [f"review full text: {self.review_format}",
                f"references: {self.references} found in the review, {self.with_abstract} with abstract, "
                f"{self.without_abstract} without abstract, {self.not_found} not found, {self.retracted} retracted",
                f"requests: {self.requests} made (the rest from the cache), {self.seconds:.0f} s; output in {self.out}"]


def build(options: FetchOptions, progress: bool = True, log: Log = print) -> FetchReport:
    """Fetch, resolve, write. NetworkUnavailable and FetchError (review unreadable) stop the run before anything
    is written to the output folder (the cache keeps what was already downloaded, for the next run)."""
    started = time.perf_counter()
    client = PoliteClient(ResponseCache(options.out / CACHE_DIR), options.timeout_s, options.retries,
                          options.backoff_s)
    try:
        review, review_format, review_url = fetch_review(client, options.review_url, options.review_html_url,
                                                          options.doi)
        log(f"review: '{review.title}' ({review_format}, {len(review.sections)} sections, "
            f"{len(review.references)} references)")
        eutils = EUtils(client, options.eutils_url, options.email, options.api_key)
        europepmc = EuropePMC(client, options.europepmc_url)
        resolved = _resolve_all(review.references, eutils, europepmc, progress)
    finally:
        client.close()
    report = _report(resolved, client.requests_made, review_format, options.out)
    _write(options, review, review_format, review_url, resolved, report)
    report.seconds = time.perf_counter() - started
    return report


def _resolve_all(refs: list[dict[str, str]], eutils: EUtils, europepmc: EuropePMC, progress: bool) -> list[Resolved]:
    candidates: dict[str, list[str]] = {}
    results: dict[str, Resolved] = {}
    for ref in tqdm(refs, desc="finding PMIDs", unit="ref", disable=not progress):
        results[ref["label"]] = Resolved(ref["label"])
        try:
            candidates[ref["label"]] = _pmid_candidates(ref, eutils)
        except NetworkUnavailable:
            raise
        except FetchError as exc:
            candidates[ref["label"]] = []
            results[ref["label"]].note = f"PubMed search failed: {exc}"
            results[ref["label"]].errors.append(results[ref["label"]].note)
    wanted = sorted({p for ids in candidates.values() for p in ids}, key=int)
    records, failed = eutils.fetch(wanted)
    failed_note = {p: reason for batch, reason in failed for p in batch}
    for ref in tqdm(refs, desc="matching records", unit="ref", disable=not progress):
        result = results[ref["label"]]
        match = next((records[p] for p in candidates[ref["label"]] if p in records and same_work(ref, records[p])),
                     None)
        if match is not None:
            result.source, result.via = match, "pubmed"
        else:
            unreadable = [failed_note[p] for p in candidates[ref["label"]] if p in failed_note]
            if unreadable:
                result.note = f"PubMed record unreadable: {unreadable[0]}"
                result.errors.append(result.note)
            _try_europepmc(ref, europepmc, result)
        _settle(result)
    return list(results.values())


def _pmid_candidates(ref: dict[str, str], eutils: EUtils) -> list[str]:
    """The PMID the reference gives, else the one its DOI finds, else title-and-author candidates."""
    if ref.get("pmid", "").isdigit():
        return [ref["pmid"]]
    if ref.get("doi"):
        pmid = eutils.pmid_for_doi(ref["doi"])
        if pmid:
            return [pmid]
    if ref.get("title"):
        return eutils.pmids_for_title(ref["title"], first_author(ref))
    return []


def _try_europepmc(ref: dict[str, str], europepmc: EuropePMC, result: Resolved) -> None:
    if not (ref.get("doi") or ref.get("title")):
        result.note = result.note or "the reference gives neither DOI, PMID nor title"
        return
    try:
        found = europepmc.find(ref.get("doi", ""), ref.get("title", ""), first_author(ref))
    except NetworkUnavailable:
        raise
    except FetchError as exc:
        result.errors.append(f"Europe PMC search failed: {exc}")
        result.note = "; ".join(filter(None, [result.note, result.errors[-1]]))
        return
    match = next((s for s in found if same_work(ref, s)), None)
    if match is not None:
        result.source, result.via = match, "europepmc"


def _settle(result: Resolved) -> None:
    if result.source is None:
        result.status = "not-found"
        result.note = result.note or "not found in PubMed or Europe PMC"
    elif result.source.sections and result.source.sections[0].heading != "Title only (no abstract)":
        result.status = "abstract"
    else:
        result.status = "no-abstract"
        result.note = f"{result.via} has this record but no abstract; kept with its bibliographic data"


def first_author(ref: dict[str, str]) -> str:
    authors = [a for a in ref.get("authors", "").split(";") if a.strip() and a.strip() != "et al."]
    return surname(authors[0].strip()) if authors else ""


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def same_work(ref: dict[str, str], source: Source) -> bool:
    """A found record is the cited work when an identifier agrees, or (no identifier) when the titles share
    most of their words; a title search alone may return a similar paper."""
    if ref.get("doi") and source.doi:
        return ref["doi"].strip().lower() == source.doi.strip().lower()
    if ref.get("pmid") and source.pmid:
        return ref["pmid"].strip() == source.pmid
    ref_words = _words(ref.get("title") or ref.get("text", ""))
    title_words = _words(source.title)
    if not title_words or not ref_words:
        return False
    return len(ref_words & title_words) / len(title_words) >= SAME_TITLE


def _report(resolved: list[Resolved], requests: int, review_format: str, out: Path) -> FetchReport:
    report = FetchReport(references=len(resolved), requests=requests, review_format=review_format, out=out)
    for r in resolved:
        report.with_abstract += r.status == "abstract"
        report.without_abstract += r.status == "no-abstract"
        report.not_found += r.status == "not-found"
        report.retracted += bool(r.source and r.source.retracted)
        if r.errors:
            report.errors.append(f"[{r.label}] " + "; ".join(r.errors))
    return report


def _stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _study_record(result: Resolved, labels: list[str], when: str) -> dict:
    source = result.source
    assert source is not None
    record = {
        "id": source.id, "type": "study", "title": source.title.rstrip("."), "authors": source.authors,
        "journal": source.journal, "year": source.year, "volume": source.volume, "pages": source.pages,
        "doi": source.doi, "pmid": source.pmid, "pmcid": source.pmcid, "url": source.url,
        "summary": _abstract_text(source) if result.status == "abstract" else "",
        "retracted": source.retracted, "retraction_note": source.retraction_note,
        "review_refs": labels, "fetched": {"from": result.via, "at": when},
    }
    if result.status != "abstract":
        record |= {"text_available": False, "note": result.note}
    return record


def _abstract_text(source: Source) -> str:
    """Structured abstracts keep their labels inline ('Results: ...')."""
    parts = []
    for section in source.sections:
        label = section.heading.removeprefix("Abstract").strip(" /")
        parts.append(f"{label}: {section.text}" if label else section.text)
    return "\n".join(parts)


def _review_record(review: Source, review_format: str, url: str, resolved: list[Resolved], when: str) -> dict:
    by_label = {r.label: r for r in resolved}
    abstract = [s for s in review.sections if s.heading.startswith("Abstract")]
    body = [s for s in review.sections if not s.heading.startswith("Abstract")]
    references = []
    for ref in review.references:
        r = by_label.get(ref["label"])
        entry = {k: ref.get(k, "") for k in ("label", "authors", "title", "journal", "year", "doi", "pmid", "text")}
        if r and r.source:  # identifiers the search found, so `rag ingest` can link the number to the record
            entry |= {"doi": entry["doi"] or r.source.doi, "pmid": entry["pmid"] or r.source.pmid}
        references.append(entry | {"source_id": r.source.id if r and r.source else "",
                                   "status": r.status if r else "", "note": r.note if r else ""})
    return {
        "id": review.id, "type": "review", "title": review.title, "authors": review.authors,
        "journal": review.journal, "year": review.year, "volume": review.volume, "pages": review.pages,
        "doi": review.doi, "pmid": review.pmid, "url": f"https://doi.org/{review.doi}" if review.doi else url,
        "summary": "\n".join(s.text for s in abstract) or body[0].text,
        "sections": [{"heading": s.heading, "text": s.text} for s in (body if abstract else body[1:])],
        "references": references, "retracted": review.retracted, "retraction_note": review.retraction_note,
        "fetched": {"from": f"publisher-{review_format}", "url": url, "at": when},
    }


def _write(options: FetchOptions, review: Source, review_format: str, review_url: str, resolved: list[Resolved],
           report: FetchReport) -> None:
    """Each file is replaced whole (temporary file, then rename); the manifest goes last and names the run."""
    when = _stamp()
    options.out.mkdir(parents=True, exist_ok=True)
    studies: dict[str, tuple[Resolved, list[str]]] = {}
    for r in resolved:
        if r.source is not None:  # two reference numbers citing one work give one record
            studies.setdefault(r.source.id, (r, []))[1].append(r.label)
    rows = [json.dumps(_study_record(r, labels, when), ensure_ascii=False) for r, labels in studies.values()]
    write_atomic(options.out / REFERENCES_FILE, "".join(row + "\n" for row in rows))
    write_atomic(options.out / REVIEW_FILE, json.dumps(_review_record(review, review_format, review_url, resolved,
                                                                       when), ensure_ascii=False, indent=1))
    manifest = {
        "doi": options.doi, "fetched_at": when, "review": {"format": review_format, "url": review_url},
        "endpoints": {"eutils": options.eutils_url, "europepmc": options.europepmc_url},
        "counts": {"references": report.references, "with_abstract": report.with_abstract,
                   "without_abstract": report.without_abstract, "not_found": report.not_found,
                   "retracted": report.retracted},
        "requests": report.requests,
        "references": [{"label": r.label, "status": r.status, "source_id": r.source.id if r.source else "",
                        "via": r.via, "note": r.note} for r in resolved],
    }
    write_atomic(options.out / MANIFEST_FILE, json.dumps(manifest, ensure_ascii=False, indent=1))


def pack_addresses(corpus_dir: Path, doi: str) -> tuple[str, str]:
    """(JATS address, HTML address) from the `fulltext` field of a JSON record with this DOI in the corpus."""
    for path in sorted(corpus_dir.rglob("*.json")):
        if CACHE_DIR in path.parts or path.name == MANIFEST_FILE:
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and str(record.get("doi", "")).lower() == doi.lower():
            fulltext = record.get("fulltext") or {}
            if isinstance(fulltext, dict) and (fulltext.get("jats_xml") or fulltext.get("html")):
                return str(fulltext.get("jats_xml") or ""), str(fulltext.get("html") or "")
    return "", ""
