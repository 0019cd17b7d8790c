"""A version that means something: answer keys, changelog, citation and environments agree."""

from __future__ import annotations

import re
from pathlib import Path

import energylab
from energylab import release

ROOT = Path(__file__).resolve().parents[1]


def _section(version: str) -> str:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    m = re.search(rf"(?ms)^## {re.escape(version)}\n(.*?)(?=^## |\Z)", text)
    assert m, f"CHANGELOG.md has no section '## {version}'"
    return m.group(1)


def test_changelog_records_the_answer_keys_of_this_version():
    section = _section(energylab.__version__)
    recorded = dict(re.findall(r"\| (lab\d\d) \| `([0-9a-f]{12})` \|", section))
    current = {lab: release.fingerprint(lab) for lab in release.labs()}
    changed = sorted(lab for lab in current if recorded.get(lab) != current[lab])
    assert not changed, (
        f"expected answers of {changed} changed (or are new) since CHANGELOG.md's {energylab.__version__} "
        "entry. Raise the MINOR version in energylab/__init__.py, add a CHANGELOG section that says "
        "'Expected answers changed' and lists the questions, and paste `python -m energylab.release`.")


def test_fingerprint_moves_with_an_answer(monkeypatch):
    from energylab.checks import lab06

    before = release.fingerprint("lab06")
    monkeypatch.setitem(lab06.BOOK_INPUTS, "rack_power_w", 121e3)
    assert release.fingerprint("lab06") != before


def test_citation_and_student_environment_name_this_version():
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf'(?m)^version: "{re.escape(energylab.__version__)}"$', cff)
    student = (ROOT / "requirements-student.txt").read_text(encoding="utf-8")
    assert f"@v{energylab.__version__}" in student.split("energylab @", 1)[1].splitlines()[0]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s#]+)", line.strip())
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_student_environment_is_a_pinned_subset_without_book_or_test_tooling():
    full, student = _pins(ROOT / "requirements.txt"), _pins(ROOT / "requirements-student.txt")
    assert student and all(full.get(name) == version for name, version in student.items()), (student, full)
    assert not set(student) & {"jupyter-book", "pytest", "nbval", "hypothesis", "playwright",
                               "sphinx-exercise", "sphinxcontrib-bibtex"}
    # every third-party import of the package is installed
    needed = {"numpy", "scipy", "pandas", "matplotlib", "ml-dtypes", "scikit-learn", "ipywidgets"}
    assert needed <= set(student)
    text = (ROOT / "requirements-student.txt").read_text(encoding="utf-8")
    assert "-e ." not in text and not re.search(r"(?m)^-r ", text)


def test_no_recipe_installs_an_unpublished_package():
    for page in ("README.md", "reference/instructors.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert not re.search(r"pip install energylab(?![\w@ ]*@)", text), page
        assert "requirements.txt" not in text.replace("requirements-student.txt", "") or \
            "from the repository root" in text or "cd " in text, page
