"""How ``pytest --nbval`` shares the work between its two worker processes (pytest-xdist).

``pyproject.toml`` runs the suite with ``-n 2``: the scheduler below hands each worker one
group of tests at a time, the next group when a worker is nearly done. A test's group
(:func:`group_of`, from its node id) keeps together what must share a process:

* every test that reads the built book (``built_html``, ``book_url``, or ``_build`` when
  it exists) is in group ``book``: the book is built once, in one worker, while the other
  worker runs everything else, and nothing reads a half-written ``_build``;
* every notebook is one group (nbval runs its cells in order in one kernel);
* every other test module is one group (module-scoped fixtures, such as the lab server of
  the live-lab tests or the graded mock class, are set up once), except the modules in
  :data:`SPLIT`, whose tests go one by one to whichever worker is free.

Collection checks that the node-id rules agree with the fixtures each test asks for, so a
new test cannot silently land in the wrong group. Groups are sent longest first (the book,
the live labs, the notebooks, then the modules and single tests), so that the two workers
finish close together. ``pytest -n 0`` runs everything in one process, in this order.

(xdist's own ``--dist loadgroup`` cannot be used: with pytest 9 it silently ignores the
groups, because it renames node ids through an attribute pytest no longer reads.)
"""

from __future__ import annotations

import gc

import pytest

#: Test modules whose tests all read the built book.
BOOK_MODULES = ("tests/browser/test_book_pages.py", "tests/browser/test_static_explorers.py")
#: Single tests that read the built book (``built_html``), or ``_build`` when it exists.
BOOK_TESTS = ("tests/browser/test_launch_buttons.py::test_launch_buttons",
              "tests/test_all_explorers.py::test_exported_frames_equal_the_live_render")
#: Modules without module-scoped fixtures whose tests are long: sent one test at a time.
SPLIT = ("tests/test_all_explorers.py",)
#: Groups sent first, in this order.
FIRST = ("book", "tests/browser/test_live_labs.py")
BOOK_FIXTURES = {"built_html", "book_url"}


def group_of(nodeid: str) -> str:
    """The group of a test, from its node id."""
    path = nodeid.split("::", 1)[0]
    if path in BOOK_MODULES or nodeid.split("[", 1)[0] in BOOK_TESTS:
        return "book"
    if path in SPLIT:
        return nodeid
    return path


def _rank(group: str) -> int:
    if group in FIRST:
        return FIRST.index(group)
    if group.endswith(".ipynb"):
        return len(FIRST)
    if "::" not in group:                # a whole module
        return len(FIRST) + 1
    return len(FIRST) + 2                # single tests last: they fill the gaps


def _shared_fixtures(item) -> set[str]:
    info = getattr(item, "_fixtureinfo", None)
    return {name for name, defs in (info.name2fixturedefs.items() if info else ())
            if defs and defs[-1].scope in ("class", "module", "package")}


def pytest_itemcollected(item):
    """The node-id rules must agree with the fixtures the test asks for."""
    group = group_of(item.nodeid)
    if BOOK_FIXTURES & set(getattr(item, "fixturenames", ())) and group != "book":
        raise pytest.UsageError(f"{item.nodeid} reads the built book: add it to BOOK_TESTS "
                                f"or BOOK_MODULES in conftest.py")
    if "::" in group and (shared := _shared_fixtures(item)):
        raise pytest.UsageError(f"{item.nodeid} uses the shared fixture(s) {sorted(shared)}: "
                                f"its module cannot be in SPLIT (conftest.py)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Longest groups first; the order within a group stays as collected."""
    order = {item: i for i, item in enumerate(items)}
    items.sort(key=lambda item: (_rank(group_of(item.nodeid)), order[item]))


def pytest_xdist_make_scheduler(config, log):
    """xdist's scope scheduler, with :func:`group_of` as the scope of a test."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return GroupScheduling(config, log)


def pytest_collection_finish(session):
    """Leave what collection loaded (energylab, matplotlib, pandas, the test modules) out of
    the garbage collector's full passes, in each worker: the explorer tests make and drop
    millions of matplotlib objects, and every full pass walked all of those modules too
    (measured on the random walks: collection 11-14 s of 38-46 s CPU, 6.5-8 s after)."""
    gc.collect()
    gc.freeze()
