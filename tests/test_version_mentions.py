"""Every release tag the README and the book's pages tell a reader to install is this version."""

import re
from pathlib import Path

import energylab

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "intro.md", "requirements-student.txt", *sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "reference").glob("*.md"))]


def test_every_release_tag_named_is_this_version():
    found = {}
    for name in PAGES:
        for tag in re.findall(r"(?<![\w.])v(\d+\.\d+\.\d+)\b", (ROOT / name).read_text(encoding="utf-8")):
            found.setdefault(tag, []).append(name)
    assert found, "no release tag found: the install recipes moved?"
    assert set(found) == {energylab.__version__}, found
