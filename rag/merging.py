"""One study, one source: records of the same work (same DOI or PMID) from different files become one Source.

The typical case is a pack record and the abstract `rag fetch` downloaded for it: the merged source keeps the
pack's id (questions, evaluations and bookmarks name it), category and facets, and takes its text from the
fuller record (fetched abstract over pack summary, full text over abstract). A review's reference list is then
re-pointed at the merged ids, so reference 12 links to the source that now holds it."""

from __future__ import annotations

from dataclasses import replace

from rag.documents import Source

# Which record's text wins: a full text over a fetched abstract over a user's file over the pack's summary.
_TEXT_RANK = {"jats": 4, "html": 4, "pdf": 3, "fetched": 2, "pubmed": 2, "europepmc": 2, "text": 1, "pack": 0}


def work_keys(doi: str, pmid: str) -> list[str]:
    """What identifies a work: its DOI (case and a doi.org prefix aside) and its PMID."""
    keys = []
    if doi:
        keys.append("doi:" + doi.strip().lower().removeprefix("https://doi.org/"))
    if pmid:
        keys.append("pmid:" + pmid.strip())
    return keys


def merge_same_work(sources: list[Source]) -> tuple[list[Source], list[str]]:
    """(sources with one per work, in first-seen order; a line per merge saying what was joined)."""
    groups = _group(sources)
    merged: list[Source] = []
    notes: list[str] = []
    renamed: dict[str, str] = {}
    for members in groups:
        if len(members) == 1:
            merged.append(members[0])
            continue
        one = _merge(members)
        merged.append(one)
        renamed |= {m.id: one.id for m in members}
        notes.append(f"{one.id}: one source from " + ", ".join(f"{m.origin} ({m.format})" for m in members))
    return _relink(merged, renamed), notes


def _group(sources: list[Source]) -> list[list[Source]]:
    """Union of records that share any key (a DOI on one pair, a PMID on another still join all three)."""
    parent = list(range(len(sources)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, source in enumerate(sources):
        for key in work_keys(source.doi, source.pmid):
            if key in owner:
                parent[find(i)] = find(owner[key])
            else:
                owner[key] = i
    groups: dict[int, list[Source]] = {}
    for i, source in enumerate(sources):
        groups.setdefault(find(i), []).append(source)
    return list(groups.values())


def _merge(members: list[Source]) -> Source:
    curated = next((m for m in members if m.format == "pack"), members[0])
    text = max(members, key=lambda m: (_TEXT_RANK.get(m.format, 1), len(m.text)))
    fill = {name: next((getattr(m, name) for m in (curated, text, *members) if getattr(m, name)), "")
            for name in ("doi", "pmid", "pmcid", "journal", "volume", "pages", "url")}
    authors = max((m.authors for m in members), key=lambda a: len([x for x in a if x != "et al."]))
    retracted = [m for m in members if m.retracted]
    return replace(
        curated,
        sections=list(text.sections),
        authors=list(authors),
        year=curated.year or text.year,
        facets=curated.facets or text.facets,
        references=text.references or curated.references,
        retracted=bool(retracted),
        retraction_note="; ".join(dict.fromkeys(m.retraction_note for m in retracted if m.retraction_note)),
        origin=" + ".join(dict.fromkeys(m.origin for m in members)),
        format=text.format,
        **fill,
    )


def _relink(sources: list[Source], renamed: dict[str, str]) -> list[Source]:
    """Point each reference of a reference list at the source that holds that work now (by DOI or PMID, else by
    the id the fetcher gave it)."""
    by_key = {key: s.id for s in sources for key in work_keys(s.doi, s.pmid)}
    present = {s.id for s in sources}
    out = []
    for source in sources:
        if source.references:
            refs = []
            for ref in source.references:
                keys = work_keys(ref.get("doi", ""), ref.get("pmid", ""))
                old = ref.get("source_id", "")
                target = next((by_key[k] for k in keys if k in by_key), "") or renamed.get(old, old)
                refs.append(ref | {"source_id": target if target in present else ""})
            source = replace(source, references=refs)
        out.append(source)
    return out
