"""How ``pytest --nbval`` shares the work between its two worker processes (pytest-xdist).

``pyproject.toml`` runs the suite with ``-n 2 --dist loadgroup``: xdist hands each worker
one group of tests at a time, the next group when a worker is nearly done. Here every test
gets its group, so that whatever must share a process does:

* every test that reads the built book (``built_html``, ``book_url``, or ``_build`` when
  it exists: :data:`READS_BUILD`) is in group ``book``: the book is built once, in one
  worker, while the other worker runs everything else, and nothing reads a half-written
  ``_build``;
* every notebook is one group (nbval runs its cells in order in one kernel);
* every other test module is one group (module-scoped fixtures, such as the lab server of
  the live-lab tests or the graded mock class, are set up once).

Groups are sent longest first (the book, then the live labs, the notebooks, the unit
tests), so that the two workers finish close together. ``pytest -n 0`` runs everything
in one process, in this order.
"""

from __future__ import annotations

import pytest

#: Groups sent first, in this order (the rest follow in collection order).
FIRST = ("book", "tests/browser/test_live_labs.py", "tests/browser/test_launch_buttons.py")


#: Tests that compare with ``_build`` when it exists (without asking for a build).
READS_BUILD = ("tests/test_all_explorers.py::test_exported_frames_equal_the_live_render",)


def _group(item) -> str:
    if {"built_html", "book_url"} & set(getattr(item, "fixturenames", ())):
        return "book"
    if item.nodeid.split("[", 1)[0] in READS_BUILD:
        return "book"
    return item.nodeid.split("::", 1)[0]


def _rank(group: str) -> int:
    if group in FIRST:
        return FIRST.index(group)
    if group.endswith(".ipynb"):
        return len(FIRST)
    return len(FIRST) + 1


@pytest.hookimpl(tryfirst=True)   # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    groups = {item: _group(item) for item in items}
    for item, group in groups.items():
        item.add_marker(pytest.mark.xdist_group(group))
    order = {item: i for i, item in enumerate(items)}
    items.sort(key=lambda item: (_rank(groups[item]), order[item]))
