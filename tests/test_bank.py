"""The assessment bank: enough questions per chapter, every answer finite and computed."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from energylab import bank

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ("book", "2027-spring-quiz", "2027-spring-midterm", "2027-fall-final")


def test_at_least_eight_questions_per_chapter_with_unique_ids():
    per_chapter = Counter(q.chapter for q in bank.QUESTIONS)
    assert set(per_chapter) >= set(range(1, 8))
    assert min(per_chapter.values()) >= 8, per_chapter
    assert len({q.id for q in bank.QUESTIONS}) == len(bank.QUESTIONS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_answer_is_finite_in_every_variant(variant):
    for q in bank.QUESTIONS:
        value = bank.answer(q, variant)
        assert math.isfinite(value), q.id
        q.text.format(**bank.inputs_for(q, variant))  # every field of the text is an input


def test_answers_are_computed_from_the_inputs():
    """Each answer moves when its inputs move: solve() computes, it does not return a typed number."""
    frozen = []
    for q in bank.QUESTIONS:
        answers = {round(bank.answer(q, v), 12) for v in VARIANTS + tuple(f"x{i}" for i in range(8))}
        inputs = {tuple(sorted(bank.inputs_for(q, v).items())) for v in VARIANTS + tuple(f"x{i}" for i in range(8))}
        if len(inputs) > 1 and len(answers) == 1:
            frozen.append(q.id)
    assert not frozen, frozen
    assert all(q.choices for q in bank.QUESTIONS), [q.id for q in bank.QUESTIONS if not q.choices]


def test_command_writes_questions_and_solutions(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "energylab.bank", "--out", str(tmp_path), "--variant", "t"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((tmp_path / "answers.csv").open()))
    assert len(rows) == len(bank.QUESTIONS)
    questions = (tmp_path / "questions.md").read_text(encoding="utf-8")
    solutions = (tmp_path / "solutions.md").read_text(encoding="utf-8")
    assert "Answer" not in questions and solutions.count("**Answer:") == len(bank.QUESTIONS)
    for row in rows:
        assert float(row["answer"]) == pytest.approx(bank.answer(next(q for q in bank.QUESTIONS
                                                                      if q.id == row["id"]), "t"))
    bad = subprocess.run([sys.executable, "-m", "energylab.bank", "--out", str(tmp_path), "--variant", "a'b"],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "variant must be" in bad.stderr
