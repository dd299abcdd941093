"""Headless Debian Chromium (/usr/bin/chromium) driven by Playwright: never a downloaded browser. Outside CI a
missing browser skips the browser tests; in CI (CI=true) it fails them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("RAG_TEST_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this network refuses.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps"]
ARTIFACTS = Path(os.environ.get("RAG_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))


@contextmanager
def chromium() -> Iterator[object]:
    """A Playwright Browser over the system Chromium."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: object, name: str) -> Path:
    """Save a PNG under test-artifacts/ (kept by CI as the run's evidence)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    return path


class Watch:
    """Everything a page does that it must not: dialogs, and requests to hosts other than ours (aborted)."""

    def __init__(self, page: object, allowed: set[str]) -> None:
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.allowed = allowed
        page.on("dialog", self._dialog)  # type: ignore[attr-defined]
        page.route("**/*", self._route)  # type: ignore[attr-defined]

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def _route(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if urlsplit(url).netloc in self.allowed:
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.foreign.append(url)
            route.abort()  # type: ignore[attr-defined]
