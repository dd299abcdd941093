"""The browser app in headless Chromium: ask, follow the [n] link to its highlighted passage, a follow-up, export
BibTeX, feedback, filters (and the message naming the filter that excludes everything), the explorer and the map;
hostile corpus text stays text. The network beyond loopback is cut off for every page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from rag.settings import Settings
from tests.browser import Watch, chromium, screenshot
from tests.conftest import rag_server

pytestmark = pytest.mark.slow

OVARIAN = "Which microRNA do omental fibroblasts pass to ovarian cancer cells to cause paclitaxel resistance?"
HOSTILE = "Which exosomal microRNA makes osteosarcoma cells resist carboplatin?"


@pytest.fixture(scope="module")
def app(hostile_settings: Settings) -> Iterator[str]:
    with rag_server(hostile_settings) as url:
        yield url


def _page(browser: object, url: str, width: int = 1400, height: int = 1000) -> tuple[object, Watch]:
    page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    watch = Watch(page, {url.split("//")[1]})
    page.goto(url, wait_until="load")  # with foreign hosts cut off, "load" must still come
    page.wait_for_selector("#question textarea")
    return page, watch


def _ask(page: object, question: str, expect: str = "#sources .src") -> None:
    before = page.locator("#chat .message-row, #chat [data-testid=bot]").count()  # type: ignore[attr-defined]
    page.fill("#question textarea", question)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "n => document.querySelectorAll('#chat [data-testid=bot]').length > n "
        "&& !document.querySelector('#chat [data-testid=bot]:last-of-type')?.textContent.includes('Searching')",
        arg=before // 2 if before else 0, timeout=60_000)
    page.wait_for_timeout(300)  # type: ignore[attr-defined]


def _last_answer(page: object) -> str:
    return page.locator("#chat [data-testid=bot]").last.inner_text()  # type: ignore[attr-defined]


def _tab(page: object, tab: str) -> None:
    page.click(f"button[role=tab][data-tab-id={tab}]")  # type: ignore[attr-defined]


def test_chat_sources_follow_up_export_feedback(app: str, hostile_settings: Settings) -> None:
    with chromium() as browser:
        page, watch = _page(browser, app)
        assert "Research use only" in page.inner_text("body")
        _ask(page, OVARIAN)
        cite = page.locator("#chat a.cite").first
        assert cite.inner_text() == "[1]"
        assert page.locator("#src-1 .links a", has_text="DOI").get_attribute("href") == "https://doi.org/10.1038/ncomms11150"
        assert "Au Yeung" in page.inner_text("#src-1") and page.locator("#src-1 mark").count() >= 2
        cite.click()
        page.wait_for_timeout(300)
        assert "hl" in page.get_attribute("#src-1", "class")
        screenshot(page, "ui-chat")

        _ask(page, "Which gene does it suppress there?")  # depends on the first turn
        assert "APAF1" in _last_answer(page) and "Au Yeung" in page.inner_text("#src-1")

        page.click("#export button")  # open the accordion
        with page.expect_download() as download:
            page.click("#bibtex")
        bibtex = download.value.path().read_text()
        assert bibtex.startswith("@article{") and "doi = {10.1038/ncomms11150}" in bibtex
        assert "APAF1" in page.input_value("#export-md textarea")

        page.fill("textarea[aria-label='Comment on the last answer (optional)'], #export textarea >> nth=1", "useful")
        page.click("text=Send feedback")
        page.wait_for_selector("text=Thanks: comment saved.")
        page.locator("#chat button[aria-label=Like]").last.click()  # thumbs up on the follow-up's answer
        page.wait_for_selector("text=Thanks: feedback saved.")
        saved = [json.loads(line) for line in (hostile_settings.data_dir / "feedback.jsonl").read_text().splitlines()]
        assert saved[-2]["comment"] == "useful" and saved[-2]["citations"][0] == "au-yeung-2016-mir21"
        assert saved[-1]["rating"] == "up" and saved[-1]["question"] == "Which gene does it suppress there?"
        assert not watch.dialogs and not watch.foreign, watch.foreign


def test_filters_chips_and_the_filter_that_excludes_everything(app: str) -> None:
    with chromium() as browser:
        page, watch = _page(browser, app)
        page.click("#filters button")  # open the accordion
        page.click("#filter-drug input")
        page.keyboard.type("aspirin")
        page.keyboard.press("Enter")
        page.locator("#filter-drug input").blur()
        page.wait_for_selector("#chips .chip")
        assert "drug: aspirin" in page.inner_text("#chips")
        _ask(page, "How do exosomes cause cisplatin resistance?", expect="#chat")
        answer = _last_answer(page)
        assert "drug = 'aspirin'" in answer and "corpus does not cover" not in answer
        page.click("#chips a.chip-x")
        page.wait_for_function("!document.querySelector('#chips .chip')")
        assert page.input_value("#filter-drug input") == ""
        _ask(page, "How do exosomes cause cisplatin resistance?")
        assert page.locator("#chat a.cite").count() >= 1
        assert not watch.dialogs and not watch.foreign


def test_explorer_and_map(app: str) -> None:
    with chromium() as browser:
        page, watch = _page(browser, app)
        _tab(page, "explorer")
        page.wait_for_function("document.querySelector('#explorer-note')?.textContent.includes('71 of 71')")
        _tab(page, "map")
        page.wait_for_selector("#evidence-map table.heat a.cell")
        screenshot(page, "ui-map")
        page.click("#evidence-map a.cell[href*='cancer_type=ovarian']")
        page.wait_for_function("document.querySelector('button[role=tab][aria-selected=true]')?.dataset.tabId === 'explorer'")
        page.wait_for_function("(t => t.includes(' of 71 sources') && !t.includes('71 of 71'))"
                               "(document.querySelector('#explorer-note')?.textContent || '')")
        assert "ovarian" in page.inner_text("#explorer").lower()
        screenshot(page, "ui-explorer")
        page.locator("#explorer").get_by_text(re.compile("ovarian", re.I)).locator("visible=true").first.click()
        page.wait_for_selector("#sources #src-1", timeout=60_000)
        assert "What did the study" in page.inner_text("#chat")
        assert not watch.dialogs and not watch.foreign


def test_hostile_corpus_text_stays_text(app: str) -> None:
    with chromium() as browser:
        page, watch = _page(browser, app)
        _ask(page, HOSTILE)
        panel = page.inner_text("#sources")
        assert "<img src=x onerror=" in panel and "<script>window.__xss='script'</script>" in panel
        assert "Retracted" in panel and "![t](http://tracker.invalid/title.png)" in panel
        chat = _last_answer(page)
        assert "[click here](javascript:window.__xss='link')" in chat or "javascript:window.__xss" in chat
        assert page.evaluate("document.querySelectorAll('#chat img, #sources img, #sources script, #chat script').length") == 0
        links = page.evaluate("[...document.querySelectorAll('#chat a, #sources a')].map(a => a.getAttribute('href'))")
        assert not any(h and h.lower().startswith("javascript") for h in links), links
        _tab(page, "explorer")
        page.wait_for_function("document.querySelector('#explorer-note')?.textContent.includes('of 71')")
        assert "<img src=x onerror=" in page.inner_text("#explorer")
        assert page.evaluate("document.querySelectorAll('#explorer img').length") == 0
        page.mouse.move(300, 400)
        page.wait_for_timeout(500)
        assert page.evaluate("typeof window.__xss") == "undefined"
        screenshot(page, "ui-hostile")
        assert not watch.dialogs and not watch.foreign, (watch.dialogs, watch.foreign)


def test_empty_question_gets_a_gentle_prompt(app: str) -> None:
    with chromium() as browser:
        page, _ = _page(browser, app)
        page.click("#send")
        page.wait_for_selector("text=Please type a question first")
        assert page.locator("#chat [data-testid=bot]").count() == 0
