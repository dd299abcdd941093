"""NCBI E-utilities: find a reference's PMID (esearch by DOI, then by title and first author) and fetch PubMed
records (efetch, at most 200 ids a request). NCBI asks for <= 3 requests/s (10 with an API key) and for `tool` and
`email` on every request."""

from __future__ import annotations

import re

from rag.documents import Source
from rag.fetching.polite import FetchError, NetworkUnavailable, Pacer, PoliteClient
from rag.loaders.base import LoadError
from rag.loaders.pubmed import article_to_source
from rag.loaders.xmlutil import local, parse_bytes

EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
EFETCH_BATCH = 200
TOOL = "exorag"
# Characters with a meaning in PubMed's query syntax; a title is searched as a plain phrase without them.
_QUERY_SYNTAX = re.compile(r"[\"\[\]()#*:]")


class MalformedResponse(FetchError):
    pass


class EUtils:
    def __init__(self, client: PoliteClient, base_url: str = EUTILS_URL, email: str = "",
                 api_key: str = "") -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.identity = {"tool": TOOL, **({"email": email} if email else {}), **({"api_key": api_key} if api_key else {})}
        self.pacer = Pacer(10.0 if api_key else 3.0)

    def search(self, term: str, retmax: int = 5) -> list[str]:
        """PMIDs matching a PubMed query."""
        url = f"{self.base_url}/esearch.fcgi"
        params = {"db": "pubmed", "term": term, "retmode": "json", "retmax": str(retmax), **self.identity}
        response = self.client.get(url, params, self.pacer)
        try:
            result = response.json()["esearchresult"]  # type: ignore[index]
            if "ERROR" in result:
                raise FetchError(f"esearch refused '{term}': {result['ERROR']}")
            return [str(pmid) for pmid in result.get("idlist", [])]
        except (ValueError, KeyError, TypeError) as exc:
            self.client.forget(url, params)
            raise MalformedResponse(f"esearch answered something that is not its JSON for '{term}'") from exc

    def pmid_for_doi(self, doi: str) -> str | None:
        ids = self.search(f'"{doi}"[doi]')
        return ids[0] if len(ids) == 1 else None

    def pmids_for_title(self, title: str, first_author: str = "") -> list[str]:
        """Candidates by title words and first author; the caller checks which one is the reference."""
        phrase = _QUERY_SYNTAX.sub(" ", title).strip()
        if not phrase:
            return []
        term = f"{phrase}[ti]" + (f" AND {_QUERY_SYNTAX.sub(' ', first_author)}[1au]" if first_author else "")
        return self.search(term)

    def fetch(self, pmids: list[str]) -> tuple[dict[str, Source], list[tuple[list[str], str]]]:
        """PubMed records by PMID, in batches; a batch that comes back malformed is reported, the rest still
        load (the bad answer is dropped from the cache so the next run asks again)."""
        records: dict[str, Source] = {}
        failed: list[tuple[list[str], str]] = []
        for start in range(0, len(pmids), EFETCH_BATCH):
            batch = pmids[start:start + EFETCH_BATCH]
            url = f"{self.base_url}/efetch.fcgi"
            params = {"db": "pubmed", "id": ",".join(batch), "retmode": "xml", **self.identity}
            try:
                body = self.client.get(url, params, self.pacer).body
                root = parse_bytes(body, "PubMed XML")
                if local(root.tag) != "PubmedArticleSet":
                    raise LoadError(f"efetch answered <{local(root.tag)}>, not <PubmedArticleSet>")
            except LoadError as exc:
                self.client.forget(url, params)
                failed.append((batch, str(exc)))
                continue
            except NetworkUnavailable:
                raise
            except FetchError as exc:
                failed.append((batch, str(exc)))
                continue
            for entry in root.iterfind("PubmedArticle"):
                try:
                    source = article_to_source(entry, "pubmed")
                except LoadError:
                    continue
                records[source.pmid] = source
        return records, failed
