"""Sphinx extension: the scripts each page of the book loads, cleaned up for readers.

Two fixes, both found by the browser test (``tests/browser/test_book_pages.py``):

* **No script twice.** Sphinx 7.4 re-adds inline scripts registered after the builder
  starts (``_JavaScript(None, body=...)`` and ``_JavaScript('', body=...)`` compare
  unequal), so sphinx-thebe's ``const THEBE_JS_URL = ...`` appeared twice on every
  notebook page and the second copy threw "Identifier 'THEBE_JS_URL' has already been
  declared" in the reader's console. Identical scripts are kept once.
* **No dead widget state.** myst-nb embeds each notebook's ipywidgets state (including
  every explorer's PNG, again, as base64) for a widget manager to read. The book loads
  no widget manager (``nb_ipywidgets_js: {}``: explorers render as their PNG), so the
  state is never read; dropping it roughly halves the size of a page with explorers.
"""

from __future__ import annotations

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    return (str(getattr(script, "filename", script) or ""),
            tuple(sorted((k, str(v)) for k, v in attributes.items())))


def clean_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    keep_widget_state = bool(getattr(app.config, "nb_ipywidgets_js", None))
    seen: set[tuple] = set()
    cleaned = []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        if not keep_widget_state and attributes.get("type") == WIDGET_STATE:
            continue
        key = _key(script)
        if key in seen:
            continue
        seen.add(key)
        cleaned.append(script)
    context["script_files"] = cleaned


def setup(app):
    # After every other html-page-context handler has added its scripts.
    app.connect("html-page-context", clean_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
