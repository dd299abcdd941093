"""A loopback HTTP server that plays the publisher, NCBI E-utilities and Europe PMC for `rag fetch` tests.

It answers from fixture files in tests/fixtures/fetch (JATS, efetch PubmedArticleSet XML, Europe PMC JSON) and
builds esearch JSON from the PubMed fixture, so the real client code runs over real HTTP. A test adds `Fault`s
(a status, a delay, a malformed body, or a block until released) and reads `requests` afterwards."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lxml import etree

FIXTURES = Path(__file__).parent / "fixtures" / "fetch"
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Fault:
    path: str  # e.g. "/eutils/esearch.fcgi"
    contains: str = ""  # a substring of the decoded query string; "" matches every request to the path
    status: int = 0  # send this status instead of the answer
    delay: float = 0.0  # sleep before answering
    malformed: bool = False  # send a truncated body with status 200
    block: threading.Event | None = None  # hold the request until the event is set
    times: int = 1  # how many matching requests it applies to (-1: all)


@dataclass
class Seen:
    at: float
    path: str
    query: str


class LiteratureServer:
    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._articles = etree.parse(str(FIXTURES / "pubmed.xml")).getroot().findall("PubmedArticle")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def urls(self) -> dict[str, str]:
        """The settings that point `rag fetch` here."""
        return {"review_url": f"{self.base}/publisher/review.xml", "review_html_url": f"{self.base}/publisher/review.html",
                "eutils_url": f"{self.base}/eutils", "europepmc_url": f"{self.base}/europepmc"}

    def env(self) -> dict[str, str]:
        return {f"RAG_{k.upper()}": v for k, v in self.urls().items()}

    def count(self, path: str, contains: str = "") -> int:
        return sum(1 for r in self.requests if r.path == path and contains in r.query)

    def __enter__(self) -> LiteratureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for fault in self.faults:
            if fault.block is not None:
                fault.block.set()
        self._server.shutdown()
        self._server.server_close()

    # --- what each service answers ---
    def answer(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
        if path == "/publisher/review.xml":
            return 200, "application/xml", (FIXTURES / "review.xml").read_bytes()
        if path == "/publisher/review.html":
            return 200, "text/html", (FIXTURES / "review.html").read_bytes()
        if path == "/eutils/esearch.fcgi":
            ids = self._esearch(query.get("term", ""))
            body = {"header": {"type": "esearch", "version": "0.3"},
                    "esearchresult": {"count": str(len(ids)), "retmax": str(len(ids)), "retstart": "0", "idlist": ids,
                                      "translationset": [], "querytranslation": query.get("term", "")}}
            return 200, "application/json", json.dumps(body).encode()
        if path == "/eutils/efetch.fcgi":
            wanted = set(query.get("id", "").split(","))
            root = etree.Element("PubmedArticleSet")
            for article in self._articles:
                if article.findtext("MedlineCitation/PMID") in wanted:
                    root.append(etree.fromstring(etree.tostring(article)))
            return 200, "text/xml", etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        if path == "/europepmc/search":
            return 200, "application/json", json.dumps(self._europepmc(query.get("query", ""))).encode()
        return 404, "text/plain", b"not found"

    def _esearch(self, term: str) -> list[str]:
        doi = re.fullmatch(r'"(.+)"\[doi\]', term.strip())
        if doi:
            return [a.findtext("MedlineCitation/PMID") for a in self._articles
                    if a.findtext("PubmedData/ArticleIdList/ArticleId[@IdType='doi']") == doi.group(1)]
        title = re.match(r"(.+?)\[ti\](?: AND (.+?)\[1au\])?$", term.strip())
        if not title:
            return []
        words = set(_WORD.findall(title.group(1).lower()))
        hits = []
        for a in self._articles:  # loose like PubMed: most title words, first author when given
            found = set(_WORD.findall(a.findtext("MedlineCitation/Article/ArticleTitle").lower()))
            first = a.findtext("MedlineCitation/Article/AuthorList/Author/LastName") or ""
            if len(words & found) >= 0.6 * len(words) and (not title.group(2) or title.group(2).strip() == first):
                hits.append(a.findtext("MedlineCitation/PMID"))
        return sorted(hits, reverse=True)  # the decoy (a higher PMID) comes first, as a real search may

    def _europepmc(self, query: str) -> dict:
        data = json.loads((FIXTURES / "europepmc.json").read_text())
        doi = re.match(r'DOI:"(.+)"', query)
        title = re.match(r'TITLE:"(.+?)"', query)
        keep = [r for r in data["resultList"]["result"]
                if (doi and r.get("doi") == doi.group(1)) or (title and title.group(1).lower() in r["title"].lower())]
        data["hitCount"], data["resultList"]["result"] = len(keep), keep
        return data

    def _fault(self, path: str, query: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path == path and fault.contains in query and fault.times != 0:
                    fault.times -= 1 if fault.times > 0 else 0
                    return fault
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                split = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(split.query).items()}
                decoded = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
                with server._lock:
                    server.requests.append(Seen(time.monotonic(), split.path, decoded))
                fault = server._fault(split.path, decoded)
                status, kind, body = server.answer(split.path, query)
                if fault is not None:
                    if fault.block is not None:
                        fault.block.wait(60)
                    time.sleep(fault.delay)
                    if fault.status:
                        status, body = fault.status, b"try again later"
                    if fault.malformed:
                        body = body[: len(body) // 2]
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    if status == 429:
                        self.send_header("Retry-After", "1")
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler
