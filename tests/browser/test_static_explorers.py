"""Every explorer moves in the built book, offline, from ``file://``.

For every page of the book and every ``figure.wpt-explorer`` on it, headless Chromium
(every non-local request blocked) moves each of the explorer's HTML controls through
every value it offers, one control at a time, by keyboard for sliders (arrow keys, as a
reader without a mouse would) and by selecting options and clicking checkboxes, and
checks that

* the image switches to that state's frame (loaded, non-zero size) and its alt text and
  figures of merit change to that state's, as listed in the explorer's index;
* no JavaScript error and no failed request happens;

and, for the last state reached on each explorer, that the frame file has the pixels of
what the Python explorer draws live in that state (``factory(**values)``).
"""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

import booktools

pytestmark = pytest.mark.browser

STATE = """(fig) => {
  const img = fig.querySelector('img.wpt-ex-frame');
  return {src: img.getAttribute('src'), complete: img.complete, natural: img.naturalWidth,
          alt: img.getAttribute('alt'), readout: fig.querySelector('.wpt-ex-readout').textContent,
          key: fig.getAttribute('data-wpt-state'), id: fig.getAttribute('data-wpt-id'),
          base: fig.getAttribute('data-wpt-base')};
}"""

INDEX = """async (fig) => {
  const id = fig.getAttribute('data-wpt-id');
  for (let i = 0; i < 200 && !(window.WPT_EXPLORERS && window.WPT_EXPLORERS[id]); i++) {
    fig.dispatchEvent(new Event('pointerenter'));
    await new Promise(r => setTimeout(r, 25));
  }
  return window.WPT_EXPLORERS[id];
}"""


def _pages(html: Path) -> list[str]:
    return [p for p in booktools.book_pages(html) if "wpt-explorer" in (html / p).read_text(encoding="utf-8")]


#: Waits (in the page, one round trip) until the explorer shows ``src``, loaded, and returns
#: what it shows then (:data:`STATE`), or null after 10 s.
SHOWN = """async ([fig, src]) => {
  const img = fig.querySelector('img.wpt-ex-frame');
  for (const t0 = performance.now(); performance.now() - t0 < 10000; ) {
    if (img.getAttribute('src') === src && img.complete && img.naturalWidth > 0)
      return (""" + STATE + """)(fig);
    await new Promise(r => requestAnimationFrame(r));
  }
  return null;
}"""


def _key(index, chosen):
    return "-".join(str(chosen[name]) for name in index["keys"])


@pytest.fixture(scope="module")
def book(built_html):
    pages = _pages(built_html)
    assert pages, "no page of the built book has an explorer"
    return built_html, pages


def test_every_explorer_moves_offline_from_file_urls(browser, book):
    html, pages = book
    problems, moved, checked_live = [], 0, 0
    for rel in pages:
        context = browser.new_context(viewport=booktools.DESKTOP)
        blocked = booktools.block_remote(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
        page.goto((html / rel).resolve().as_uri(), wait_until="load")
        figures = page.query_selector_all("figure.wpt-explorer[data-wpt-id]")
        if not figures:
            problems.append(f"{rel}: explorers without pre-rendered states")
        for fig in figures:
            index = page.evaluate(INDEX, fig)
            if not index:
                problems.append(f"{rel}: index of {fig.get_attribute('data-wpt-id')} did not load")
                continue
            base = fig.get_attribute("data-wpt-base")
            chosen = dict(zip(index["keys"], (int(i) for i in index["default"].split("-"))))
            for name in index["keys"]:
                control = fig.query_selector(f'[data-name="{name}"]')
                if control is None:
                    continue
                kind, values = control.evaluate(
                    "e => [e.tagName.toLowerCase() + ':' + (e.type || ''), e.getAttribute('data-values')]")
                n = len(index["grid"][name])
                for step in range(1, n):
                    # press() focuses the control first, as a reader's Tab would
                    if kind == "input:range":
                        if chosen[name] == n - 1:
                            control.press("Home")
                            target = 0
                        else:
                            control.press("ArrowRight")
                            target = chosen[name] + 1
                    elif kind.startswith("select"):
                        target = (chosen[name] + 1) % n
                        control.select_option(index=target)   # by position: labels can be digits too
                    else:                                   # checkbox
                        control.press("Space")
                        target = json.loads(values).index(control.is_checked())
                    chosen[name] = target
                    key = _key(index, chosen)
                    frame, readout, alt = index["states"][key]
                    src = f"{base}{frame}.png"
                    state = page.evaluate(SHOWN, [fig, src])
                    if state is None:
                        problems.append(f"{rel}: {name} -> state {key}: frame {src} not shown")
                        continue
                    if state["readout"] != readout or state["alt"] != alt or state["key"] != key:
                        problems.append(f"{rel}: {name} -> {key}: readout/alt not the state's")
                    moved += 1
            # the frame now shown is the live explorer's picture of that state
            checked_live += _compare_with_live(html, rel, fig, index, chosen, problems)
        context.close()
        problems += [f"{rel}: {e}" for e in errors]
        problems += [f"{rel}: needs the internet: {u}" for u in blocked]
    assert moved > 100 and checked_live >= len(pages)
    assert not problems, "\n".join(problems[:40])


def _compare_with_live(html, rel, fig, index, chosen, problems) -> int:
    recipe_values, factory = _recipe(html, fig)
    if factory is None:
        problems.append(f"{rel}: explorer {fig.get_attribute('data-wpt-id')} has no recipe")
        return 0
    module, name = factory.split(":")
    state = {n: index["grid"][n][i] for n, i in chosen.items()}
    explorer = getattr(importlib.import_module(module), name)(**{**recipe_values, **state})
    frame = index["states"][_key(index, chosen)][0]
    shipped = (html / rel).parent / fig.get_attribute("data-wpt-base") / f"{frame}.png"
    if not np.array_equal(_pixels(shipped.resolve().read_bytes()), _pixels(explorer.png)):
        problems.append(f"{rel}: {factory} at {state}: shipped frame differs from the live render")
    return 1


def _pixels(png: bytes):
    """A PNG's pixels (the live view compresses less than the book's frames: the bytes differ)."""
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _recipe(html, fig):
    """The factory and values of an explorer, from the cache the build wrote next to it."""
    ident = fig.get_attribute("data-wpt-id")
    recipes = json.loads((html.parent / ".wpt_explorers" / "recipes.json").read_text())
    recipe = recipes.get(ident)
    return (recipe["values"], recipe["factory"]) if recipe else ({}, None)
