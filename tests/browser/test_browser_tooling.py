"""The browser checks' own plumbing: what they cover, and when they skip or fail."""

from __future__ import annotations

import pytest

import booktools


def test_every_chapter_and_lab_is_a_checked_page():
    """Pages come from _toc.yml; every notebook in chapters/ and labs/ must be among them."""
    docs = set(booktools.toc_files())
    notebooks = {p.relative_to(booktools.ROOT).with_suffix("").as_posix()
                 for folder in ("chapters", "labs") for p in (booktools.ROOT / folder).glob("*.ipynb")}
    assert notebooks, "no chapters or labs found"
    assert notebooks <= docs, f"not in _toc.yml, so no reader reaches them: {sorted(notebooks - docs)}"
    assert {d for d in docs if d.startswith("labs/")} <= set(booktools.executable_docs())


def test_toc_files_reads_nested_parts_and_sections(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: A\n    chapters:\n"
        "      - file: chapters/01_a\n        sections:\n          - file: labs/lab01_a.ipynb\n"
        "  - caption: B\n    chapters:\n      - file: reference/glossary.md\n")
    assert booktools.toc_files(tmp_path) == ["intro", "chapters/01_a", "labs/lab01_a", "reference/glossary"]


def test_only_the_book_itself_counts_as_local():
    assert booktools.is_local("http://127.0.0.1:8000/_static/mathjax/tex-chtml.js")
    assert booktools.is_local("data:image/png;base64,AAAA")
    assert not booktools.is_local("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js")
    assert not booktools.is_local("https://unpkg.com/thebe@0.8.2/lib/index.js")


def test_no_chromium_skips_with_a_reason(monkeypatch):
    monkeypatch.setattr(booktools, "chromium_path", lambda: None)
    monkeypatch.delenv(booktools.REQUIRE_ENV, raising=False)
    assert "Chromium" in booktools.missing_browser_reason()
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        booktools.require_browser()


def test_no_chromium_fails_when_ci_requires_the_browser(monkeypatch):
    monkeypatch.setattr(booktools, "chromium_path", lambda: None)
    monkeypatch.setenv(booktools.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="ENERGYLAB_REQUIRE_BROWSER"):
        booktools.require_browser()
    monkeypatch.setenv(booktools.REQUIRE_ENV, "0")
    with pytest.raises(pytest.skip.Exception):
        booktools.require_browser()
