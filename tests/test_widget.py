"""The embeddable widget in headless Chromium: a host page on one loopback port embeds /widget.js from the API on
another, asks, shows a cited answer with working links, keeps hostile corpus text inert, and fits 360 px."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rag.settings import Settings
from tests.browser import Watch, chromium, screenshot
from tests.conftest import rag_server

pytestmark = pytest.mark.slow

OVARIAN = "Which microRNA do omental fibroblasts pass to ovarian cancer cells to cause paclitaxel resistance?"
HOSTILE = "Which exosomal microRNA makes osteosarcoma cells resist carboplatin?"
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Lab page</title></head>
<body><h1>Our lab's journal club</h1><p>Questions about exosomes and drug resistance? Use the button.</p>
<script src="{api}/widget.js" data-api="{api}" data-title="Ask about exosome chemoresistance" defer></script>
</body></html>"""


@pytest.fixture(scope="module")
def api(hostile_settings: Settings) -> Iterator[str]:
    with rag_server(hostile_settings, RAG_RATE_LIMIT="10000/minute") as url:  # default CORS: localhost origins
        yield url


@pytest.fixture(scope="module")
def host(api: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A third-party page on another loopback port that embeds the widget."""
    root = tmp_path_factory.mktemp("host")
    (root / "index.html").write_text(HOST_PAGE.format(api=api))
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *_a: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def _open_page(browser: object, host: str, api: str, width: int, height: int) -> tuple[object, Watch]:
    page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    watch = Watch(page, {urlsplit(host).netloc, urlsplit(api).netloc})
    page.goto(host)
    page.wait_for_selector("button.launcher")
    return page, watch


def _ask(page: object, question: str) -> None:
    page.fill("#exorag-q", question)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_selector(".result .answer, .result .error", timeout=60_000)  # type: ignore[attr-defined]


def test_widget_answers_with_citations_and_links(host: str, api: str) -> None:
    with chromium() as browser:
        page, watch = _open_page(browser, host, api, 1280, 800)
        launcher = page.locator("button.launcher")
        assert launcher.get_attribute("aria-expanded") == "false" and launcher.get_attribute("aria-label")
        launcher.focus()
        page.keyboard.press("Enter")  # keyboard only
        assert launcher.get_attribute("aria-expanded") == "true"
        assert page.evaluate("document.querySelector('#exorag-widget').shadowRoot.activeElement.id") == "exorag-q"
        _ask(page, OVARIAN)
        assert page.locator(".result .error").count() == 0
        cite = page.locator(".answer button.cite").first
        assert cite.inner_text() == "[1]" and cite.get_attribute("aria-label") == "Show reference 1"
        doi = page.locator("#exorag-ref-1 .links a", has_text="DOI")
        assert doi.get_attribute("href") == "https://doi.org/10.1038/ncomms11150"
        assert doi.get_attribute("rel") == "noopener noreferrer"
        assert page.locator("#exorag-ref-1 .links a", has_text="PubMed").get_attribute("href").startswith(
            "https://pubmed.ncbi.nlm.nih.gov/")
        cite.click()
        assert "hl" in page.locator("#exorag-ref-1").get_attribute("class")
        assert page.locator("footer a").get_attribute("href") == f"{api}/"
        screenshot(page, "widget-desktop")
        page.keyboard.press("Escape")
        assert launcher.get_attribute("aria-expanded") == "false" and page.locator("#exorag-panel").is_hidden()
        assert not watch.dialogs and not watch.foreign


def test_widget_keeps_hostile_corpus_text_inert(host: str, api: str) -> None:
    with chromium() as browser:
        page, watch = _open_page(browser, host, api, 1280, 900)
        page.click("button.launcher")
        _ask(page, HOSTILE)
        root = "document.querySelector('#exorag-widget').shadowRoot"
        text = page.evaluate(f"{root}.textContent")
        assert "<img src=x onerror=" in text and "<script>window.__xss='script'</script>" in text
        assert "Retracted" in text and "miR-4711" in text
        assert page.evaluate(f"{root}.querySelectorAll('img, script, iframe, object, b').length") == 0
        hrefs = page.evaluate(f"[...{root}.querySelectorAll('a')].map(a => a.getAttribute('href'))")
        assert all(h.startswith(("https://", "http://127.0.0.1")) for h in hrefs) and not any("javascript" in h for h in hrefs)
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        assert page.evaluate("typeof window.__xss") == "undefined"
        page.mouse.move(640, 400)
        page.wait_for_timeout(500)  # any onerror / onmouseover handler would have fired by now
        assert page.evaluate("typeof window.__xss") == "undefined"
        screenshot(page, "widget-hostile")
        assert not watch.dialogs and not watch.foreign, (watch.dialogs, watch.foreign)


def test_widget_fits_a_360px_screen(host: str, api: str) -> None:
    with chromium() as browser:
        page, watch = _open_page(browser, host, api, 360, 740)
        page.click("button.launcher")
        _ask(page, OVARIAN)
        box = page.locator("#exorag-panel").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["y"] >= 0
        assert page.locator("#exorag-ref-1").is_visible() or page.locator("#exorag-ref-1").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no horizontal scrolling
        screenshot(page, "widget-360px")
        assert not watch.dialogs and not watch.foreign


def test_demo_page_embeds_the_widget_same_origin(api: str) -> None:
    with chromium() as browser:
        page, watch = _open_page(browser, f"{api}/widget/demo", api, 1024, 768)
        page.click("button.launcher")
        _ask(page, OVARIAN)
        assert page.locator(".answer button.cite").count() >= 1
        assert not watch.dialogs and not watch.foreign


def test_widget_source_never_parses_html() -> None:
    source = (Path(__file__).resolve().parent.parent / "ui" / "static" / "widget.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source, sink
    for external in ("@import", "url(", "<link", "fonts.", "cdn."):  # nothing loaded from elsewhere (CSS url() too)
        assert external not in source, external
