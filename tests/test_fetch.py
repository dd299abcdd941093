"""`rag fetch` against a loopback server that plays the publisher, E-utilities and Europe PMC (no test touches the
internet): the happy path into the index, retries, timeouts, malformed answers, references without PMID,
retractions, the cache, resume after a kill, and no network at all."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from rag.fetching.builder import MANIFEST_FILE, REFERENCES_FILE, REVIEW_FILE, FetchOptions, FetchReport, build
from rag.settings import Settings
from tests.conftest import BIN, PACK, free_port, make_settings, rag_env
from tests.literature_server import Fault, LiteratureServer

REVIEW_DOI = "10.32604/oncologie.2022.020993"


@pytest.fixture
def server() -> LiteratureServer:
    with LiteratureServer() as running:
        yield running


def options(server: LiteratureServer, out: Path, **overrides: object) -> FetchOptions:
    values: dict[str, object] = {"doi": REVIEW_DOI, "out": out, "api_key": "test-key", "timeout_s": 2.0,
                                 "retries": 3, "backoff_s": 0.05, **server.urls()}
    values.update(overrides)
    return FetchOptions(**values)  # type: ignore[arg-type]


def run(server: LiteratureServer, out: Path, **overrides: object) -> FetchReport:
    return build(options(server, out, **overrides), progress=False, log=lambda _m: None)


def records(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in (out / REFERENCES_FILE).read_text().splitlines()]
    return {row["id"]: row for row in rows}


def manifest_status(out: Path) -> dict[str, str]:
    manifest = json.loads((out / MANIFEST_FILE).read_text())
    return {ref["label"]: ref["status"] for ref in manifest["references"]}


def test_fetch_builds_records_and_ingest_joins_them_with_the_pack(server: LiteratureServer, tmp_path: Path) -> None:
    from rag.assistant import Assistant
    from rag.ingest import ingest
    from rag.index import Index

    settings = make_settings(tmp_path)
    shutil.copytree(PACK, settings.corpus_dir / "pack")
    report = run(server, settings.corpus_dir / "fetched")
    assert (report.references, report.with_abstract, report.without_abstract, report.not_found,
            report.retracted) == (8, 6, 1, 1, 2)
    assert report.review_format == "jats" and not report.errors

    summary = ingest(settings, progress=False, log=lambda _m: None)
    assert not summary.failures
    index = Index.open(settings)
    by_doi = {s.doi.lower(): s for s in index.sources.values() if s.doi}
    # One study, one source: the pack's id and facets with the fetched abstract's text.
    au_yeung = by_doi["10.1038/ncomms11150"]
    assert au_yeung.id == "au-yeung-2016-mir21" and au_yeung.facets["drugs"] == ["paclitaxel"]
    assert au_yeung.text.startswith("Fixture abstract") and au_yeung.pmid == "90000001"
    assert sum(1 for s in index.sources.values() if "ncomms11150" in s.doi) == 1
    # The review's full text replaced its abstract-level record, sections and reference list included.
    review = by_doi[REVIEW_DOI]
    assert review.id == "zhang-2022-review" and review.type == "review"
    assert "Exosome-Mediated Drug Efflux" in [s.heading for s in review.sections]
    linked = {r["label"]: r["source_id"] for r in review.references}
    assert linked["2"] == "bebawy-2009-microparticles-pgp" and linked["4"] == "kang-2018-part1"
    # PubMed had no abstract for reference 6, but the pack holds that work: the number links to the pack record.
    assert linked["6"] == "valadi-2007-esrna" and "pmid-90000006" not in index.sources
    assert linked["7"] == "" and "Fixture Press" in review.references[6]["text"]  # not found: bibliographic data
    # A reference found only in Europe PMC and a retracted publication are their own sources.
    assert index.sources["pmid-90000008"].retracted
    assert "doi-10-1101-2021-01-01-000005" in index.sources

    answer = Assistant(settings).ask("According to the review, how do shed vesicles spread P-glycoprotein between "
                                     "leukaemia cells?")
    review_cites = [c for c in answer.citations if c.source_id == "zhang-2022-review"]
    assert review_cites and review_cites[0].section == "Exosome-Mediated Drug Efflux"
    assert {r["label"]: r["source_id"] for r in review_cites[0].references}["2"] == "bebawy-2009-microparticles-pgp"
    assert "[2]" not in answer.answer.split("[1]")[0]  # the review's own marker is not an answer marker


def test_a_rerun_is_served_from_the_cache(server: LiteratureServer, tmp_path: Path) -> None:
    run(server, tmp_path / "out")
    made = len(server.requests)
    first = (tmp_path / "out" / REFERENCES_FILE).read_text()
    report = run(server, tmp_path / "out")
    assert len(server.requests) == made and report.requests == 0
    second = (tmp_path / "out" / REFERENCES_FILE).read_text()
    # Each build stamps its own time; the two runs may fall in different seconds.
    assert second.replace(_stamp(second), "") == first.replace(_stamp(first), "")


def _stamp(text: str) -> str:
    return json.loads(text.splitlines()[0])["fetched"]["at"]


def test_429_and_500_are_retried_with_backoff(server: LiteratureServer, tmp_path: Path) -> None:
    server.faults += [Fault("/eutils/esearch.fcgi", "ncomms11150", status=429),
                      Fault("/eutils/efetch.fcgi", status=500, times=2)]
    started = time.monotonic()
    run(server, tmp_path / "out")
    assert server.count("/eutils/esearch.fcgi", "ncomms11150") == 2
    assert server.count("/eutils/efetch.fcgi") == 3
    assert time.monotonic() - started >= 1.0  # the 429's Retry-After: 1 was honoured
    assert records(tmp_path / "out")["pmid-90000001"]["summary"].startswith("Fixture abstract")


def test_a_persistent_500_leaves_that_reference_unresolved_and_the_rest_fetched(
        server: LiteratureServer, tmp_path: Path) -> None:
    server.faults.append(Fault("/eutils/esearch.fcgi", "ncb1596", status=500, times=-1))
    report = run(server, tmp_path / "out", retries=2)
    assert server.count("/eutils/esearch.fcgi", "ncb1596") == 3
    status = manifest_status(tmp_path / "out")
    assert status["6"] == "not-found" and status["1"] == "abstract"
    assert any("[6] PubMed search failed" in e and "HTTP 500" in e for e in report.errors)
    # Failures are not cached: the next run asks again and gets it.
    server.faults.clear()
    run(server, tmp_path / "out")
    assert manifest_status(tmp_path / "out")["6"] == "no-abstract"


def test_a_timeout_is_retried(server: LiteratureServer, tmp_path: Path) -> None:
    server.faults.append(Fault("/europepmc/search", delay=1.5))
    run(server, tmp_path / "out", timeout_s=0.5)
    assert server.count("/europepmc/search") == 2
    assert records(tmp_path / "out")["doi-10-1101-2021-01-01-000005"]["summary"].startswith("Fixture abstract")


def test_malformed_pubmed_xml_is_reported_and_asked_again_next_run(server: LiteratureServer, tmp_path: Path) -> None:
    server.faults.append(Fault("/eutils/efetch.fcgi", malformed=True))
    report = run(server, tmp_path / "out")
    assert any("unreadable" in e and "malformed PubMed XML" in e for e in report.errors)
    # Europe PMC still had one of them; the others are not made up.
    assert manifest_status(tmp_path / "out")["1"] == "abstract"
    assert records(tmp_path / "out")["pmid-90000001"]["fetched"]["from"] == "europepmc"
    assert manifest_status(tmp_path / "out")["2"] == "not-found"
    run(server, tmp_path / "out")  # the broken answer was not cached
    assert server.count("/eutils/efetch.fcgi") == 2 and manifest_status(tmp_path / "out")["2"] == "abstract"


def test_malformed_jats_falls_back_to_the_html_page(server: LiteratureServer, tmp_path: Path) -> None:
    server.faults.append(Fault("/publisher/review.xml", malformed=True))
    report = run(server, tmp_path / "out")
    assert report.review_format == "html" and report.references == 2
    review = json.loads((tmp_path / "out" / REVIEW_FILE).read_text())
    assert review["fetched"]["from"] == "publisher-html"
    assert [s["heading"] for s in review["sections"]] == ["Exosome-Mediated Drug Efflux"]
    assert {r["label"]: r["source_id"] for r in review["references"]} == {"1": "pmid-90000001", "2": "pmid-19369960"}


def test_references_without_pmid_and_retractions(server: LiteratureServer, tmp_path: Path) -> None:
    run(server, tmp_path / "out")
    found = records(tmp_path / "out")
    # Reference 4 gives only title and authors: the title search returns a look-alike first, which is rejected.
    assert found["pmid-90000004"]["review_refs"] == ["4"] and "pmid-90000044" not in found
    assert server.count("/eutils/esearch.fcgi", "[1au]") >= 1
    assert found["pmid-90000008"]["retracted"] and "Retracted Publication" in found["pmid-90000008"]["retraction_note"]
    assert "Cell Death Dis. 2023" in found["pmid-90000003"]["retraction_note"]
    assert found["pmid-90000006"]["text_available"] is False and found["pmid-90000006"]["summary"] == ""
    assert found["doi-10-1101-2021-01-01-000005"]["fetched"]["from"] == "europepmc"


def test_ncbi_rate_limit_is_kept(server: LiteratureServer, tmp_path: Path) -> None:
    run(server, tmp_path / "out", api_key="")
    times = [r.at for r in server.requests if r.path.startswith("/eutils/")]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(gaps) >= 5 and min(gaps) >= 0.30  # 3 requests/s without an API key
    assert all("tool=exorag" in r.query for r in server.requests if r.path.startswith("/eutils/"))


def _fetch_cli(server_env: dict[str, str], settings: Settings, *args: str) -> subprocess.Popen[str]:
    env = rag_env(settings, RAG_FETCH_BACKOFF_S="0.05", RAG_FETCH_TIMEOUT_S="5", **server_env)
    return subprocess.Popen([str(BIN / "rag"), "fetch", "-q", "--api-key", "k", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_resume_after_kill_repeats_no_request(server: LiteratureServer, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    out = settings.corpus_dir / "fetched"
    held = threading.Event()
    server.faults.append(Fault("/eutils/efetch.fcgi", block=held))
    proc = _fetch_cli(server.env(), settings)
    deadline = time.monotonic() + 60
    while server.count("/eutils/efetch.fcgi") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    held.set()
    assert not any((out / name).exists() for name in (REVIEW_FILE, REFERENCES_FILE, MANIFEST_FILE))
    assert not [p for p in out.iterdir() if p.name != ".cache"]
    searches = server.count("/eutils/esearch.fcgi")
    assert searches == 7  # every reference was searched before the kill

    proc = _fetch_cli(server.env(), settings)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert server.count("/eutils/esearch.fcgi") == searches  # every search came from the cache
    assert server.count("/publisher/review.xml") == 1
    assert "6 with abstract, 1 without abstract, 1 not found, 2 retracted" in stdout
    assert manifest_status(out)["4"] == "abstract"


def test_no_network_gives_one_clear_message_and_writes_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    dead = f"http://127.0.0.1:{free_port()}"
    env = {"RAG_REVIEW_URL": f"{dead}/review.xml", "RAG_REVIEW_HTML_URL": f"{dead}/review.html",
           "RAG_EUTILS_URL": f"{dead}/eutils", "RAG_EUROPEPMC_URL": f"{dead}/europepmc"}
    proc = _fetch_cli(env, settings)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "cannot reach 127.0.0.1" in stderr and "offline pack still works" in stderr
    assert "Traceback" not in stderr
    out = settings.corpus_dir / "fetched"
    assert not out.exists() or not any(out.rglob("*.json*"))
