"""One place for the course plan: energylab.syllabus, which the labs and pages follow."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from energylab import syllabus

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted((ROOT / "labs").glob("lab*.ipynb"))


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_lab_time_line_follows_the_plan(lab):
    assert lab.stem in syllabus.LABS, f"add {lab.stem} to energylab/syllabus.py LABS"
    text = "\n".join("".join(c["source"]) for c in json.loads(lab.read_text(encoding="utf-8"))["cells"]
                   if c["cell_type"] == "markdown")
    lines = re.findall(r"\*\*Time\.\*\*[^\n]*", text)
    assert lines == [syllabus.time_line(lab.stem)], (lines, syllabus.time_line(lab.stem))


def test_instructors_table_and_syllabus_page_follow_the_plan():
    instructors = (ROOT / "reference" / "instructors.md").read_text(encoding="utf-8")
    assert syllabus.time_table() in instructors, "paste `python -m energylab.syllabus` into instructors.md"
    page = (ROOT / "reference" / "syllabus.md").read_text(encoding="utf-8")
    assert syllabus.syllabus_table() in page, "paste `python -m energylab.syllabus` into syllabus.md"


def test_twelve_weeks_every_chapter_and_lab_once_and_a_project():
    assert len(syllabus.WEEKS) == 12
    chapters = [w.chapter for w in syllabus.WEEKS if w.chapter is not None]
    assert chapters == sorted(set(chapters)) == list(range(1, 9))
    assert [i for i, w in enumerate(syllabus.WEEKS, 1) if w.chapter == 8] in ([9], [10], [11])
    labs = [w.lab for w in syllabus.WEEKS if w.lab]
    assert set(syllabus.LABS) <= set(labs)
    assert any("project" in w.assessment for w in syllabus.WEEKS[-3:])
    assert "final" in syllabus.WEEKS[-1].assessment


def test_readings_are_bibliography_keys():
    keys = set(re.findall(r"(?m)^@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(encoding="utf-8")))
    missing = {k for w in syllabus.WEEKS for k in w.readings} - keys
    assert not missing, missing
