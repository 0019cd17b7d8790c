"""Fixtures for checking the book and the labs the way readers use them.

* ``built_html``: the book built with the README's command (or, with
  ``ENERGYLAB_USE_BUILT_BOOK=1``, the existing ``_build/html`` as it is).
* ``browser``: headless Debian Chromium driven by Playwright. Without Chromium (or
  without the playwright package) the browser tests are skipped with the reason, unless
  ``ENERGYLAB_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which makes that a failure.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import booktools  # noqa: E402


@pytest.fixture(scope="session")
def built_html() -> Path:
    """``_build/html``, freshly built unless ENERGYLAB_USE_BUILT_BOOK is set."""
    if os.environ.get(booktools.NO_BUILD_ENV):
        html = booktools.HTML
        if not (html / "index.html").exists():
            pytest.fail(f"{booktools.NO_BUILD_ENV} is set but {html} has no index.html", pytrace=False)
        return html
    try:
        return booktools.build_book()
    except RuntimeError as err:
        pytest.fail(str(err), pytrace=False)


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium per test module, closed at the module's end whatever happens.

    Module scope, not session: Playwright's sync API must be stopped before the notebook
    tests (nbval, nbclient) run their own event loops later in the same session.
    """
    booktools.require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = booktools.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def book_url(built_html):
    """Base URL of the built book served on 127.0.0.1."""
    with booktools.serve(built_html) as url:
        yield url
