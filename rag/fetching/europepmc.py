"""Europe PMC's REST search: the fallback that finds references PubMed does not (preprints, some journals), with
their abstracts in the same answer (resultType=core)."""

from __future__ import annotations

import re

from rag.documents import Section, Source
from rag.fetching.polite import FetchError, Pacer, PoliteClient
from rag.loaders.base import clean_space, source_id_for

EUROPEPMC_URL = "https://www.ebi.ac.uk/europepmc/webservices/rest"
_TAGS = re.compile(r"<[^>]+>")
_QUOTE = re.compile(r"[\"]")


class EuropePMC:
    def __init__(self, client: PoliteClient, base_url: str = EUROPEPMC_URL) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.pacer = Pacer(5.0)

    def search(self, query: str) -> list[dict]:
        url = f"{self.base_url}/search"
        params = {"query": query, "format": "json", "resultType": "core", "pageSize": "5"}
        response = self.client.get(url, params, self.pacer)
        try:
            results = response.json()["resultList"]["result"]  # type: ignore[index]
            return [r for r in results if isinstance(r, dict)]
        except (ValueError, KeyError, TypeError) as exc:
            self.client.forget(url, params)
            raise FetchError(f"Europe PMC answered something that is not its JSON for '{query}'") from exc

    def find(self, doi: str, title: str, first_author: str) -> list[Source]:
        """Candidates by DOI, else by title and first author."""
        found: list[dict] = []
        if doi:
            found = self.search(f'DOI:"{_QUOTE.sub("", doi)}"')
        if not found and title:
            query = f'TITLE:"{_QUOTE.sub("", title)}"' + (f' AND AUTH:"{_QUOTE.sub("", first_author)}"'
                                                           if first_author else "")
            found = self.search(query)
        return [to_source(r) for r in found if r.get("title")]


def to_source(result: dict) -> Source:
    """One Europe PMC result as a Source (empty sections when it has no abstract)."""
    pmid, doi = str(result.get("pmid") or ""), str(result.get("doi") or "")
    abstract = clean_space(_TAGS.sub(" ", str(result.get("abstractText") or "")))
    types = [t.lower() for t in (result.get("pubTypeList") or {}).get("pubType", []) if isinstance(t, str)]
    retracted = "retracted publication" in types or "retraction of publication" in types
    year = str(result.get("pubYear") or "")
    journal = ((result.get("journalInfo") or {}).get("journal") or {}).get("title", "")
    authors = [a.strip().rstrip(".") for a in str(result.get("authorString") or "").split(",") if a.strip()]
    return Source(
        id=source_id_for(doi, pmid, str(result.get("id") or "")),
        title=clean_space(_TAGS.sub(" ", str(result["title"]))).rstrip("."),
        sections=[Section(text=abstract, heading="Abstract")] if abstract else [],
        authors=authors,
        journal=str(journal),
        year=int(year) if year.isdigit() else None,
        doi=doi,
        pmid=pmid,
        pmcid=str(result.get("pmcid") or ""),
        url=f"https://europepmc.org/article/{result.get('source', 'MED')}/{result.get('id', '')}",
        retracted=retracted,
        retraction_note="Europe PMC lists this record as retracted." if retracted else "",
        format="europepmc",
    )
