"""The grader (energylab.grade) on a mock class of lab 1 submissions, and variants.

The mock class: an untouched student copy (unanswered), a copy with some answers right,
one wrong, one right only given the student's own wrong earlier answer (error carried
forward) and one left empty (partly right), the lab with its worked solutions (all
right), and a copy that imports ``expected`` and replaces ``check`` (tampering). The
class has a roster, so every student has a variant of their own; the all-right notebook
is graded again under a second variant, whose answers differ.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from energylab import checks
from energylab.grade import answer_key, grade_folder, score, tampering
from energylab.student_version import student_notebook

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "lab01_compute_trends.ipynb"
TERM = "2027-test"


def _copy(variant: str) -> dict:
    return student_notebook(json.loads(LAB.read_text(encoding="utf-8")), "lab01", variant=variant)


def _answer(nb: dict, name: str, code: str) -> None:
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith(f"{name} = None"):
            cell["source"] = code
            return
    raise AssertionError(f"no answer cell for {name}")


def _reflect(nb: dict, rid: str, text: str) -> None:
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("energylab", {}).get("reflection") == rid:
            cell["source"] = text
            return
    raise AssertionError(rid)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    subs, out = base / "submissions", base / "grades"
    subs.mkdir()
    students = ["ada", "bo", "cy", "dee"]
    (base / "roster.csv").write_text("student\n" + "\n".join(students) + "\n")
    key_bo = answer_key("lab01", f"{TERM}/bo")

    (subs / "ada.ipynb").write_text(json.dumps(_copy(f"{TERM}/ada")))          # unanswered

    bo = _copy(f"{TERM}/bo")                                                   # partly right
    wrong_recent = key_bo["lab01.doubling_recent"] * 1.15
    p = checks.task_inputs("lab01", f"{TERM}/bo")
    carried = bool(abs(wrong_recent - p["claim_months"]) / p["claim_months"] < 0.25)
    if carried == key_bo["lab01.claim_holds_today"]:   # make the carried answer differ from the key
        wrong_recent = p["claim_months"] * 1.1
        carried = True
    assert carried != key_bo["lab01.claim_holds_today"]
    _answer(bo, "doubling_early", f"doubling_early = {key_bo['lab01.doubling_early']!r}")
    _answer(bo, "doubling_recent", f"doubling_recent = {wrong_recent!r}")
    _answer(bo, "claim_holds_today", f"claim_holds_today = {carried!r}")
    _answer(bo, "optimal_parameters", f"optimal_parameters = {key_bo['lab01.optimal_parameters'] * 2!r}")
    _answer(bo, "energy_v100_mwh", "energy_v100_mwh = training_mwh_guess = "
                                   f"{key_bo['lab01.energy_v100_mwh']!r}\nenergy_h100_mwh = None")
    _reflect(bo, "lab01.r4", "The fastest window moves when I change the width.")
    (subs / "bo.ipynb").write_text(json.dumps(bo))

    (subs / "cy").mkdir()                                                      # all right
    shutil.copy(LAB, subs / "cy" / "lab01_compute_trends.ipynb")

    dee = _copy(f"{TERM}/dee")                                                 # tampering
    _answer(dee, "optimal_parameters", "from energylab.checks import expected\n"
                                       "optimal_parameters = expected('lab01.optimal_parameters')")
    for cell in dee["cells"]:
        if "".join(cell["source"]).startswith('check("lab01.optimal_parameters"'):
            cell["source"] = "check = lambda *args: print('✔ correct.')\n" + "".join(cell["source"])
    (subs / "dee.ipynb").write_text(json.dumps(dee))

    results = grade_folder(subs, "lab01", out, term=TERM, roster=base / "roster.csv", cell_timeout=300)
    other = grade_folder(subs / "cy", "lab01", base / "other", term="2028-other", cell_timeout=300)
    return {r.student: r for r in results}, out, other[0]


def test_mock_class_grades_to_the_expected_table(graded):
    results, out, _ = graded
    rows = {r["student"]: r for r in csv.DictReader((out / "lab01_students.csv").open())}
    assert set(rows) == {"ada", "bo", "cy", "dee"}
    assert all(rows[s]["variant"] == f"{TERM}/{s}" for s in rows)
    total = sum(q.points for q in checks._module("lab01").QUESTIONS.values())
    assert {s: float(rows[s]["max_points"]) for s in rows} == dict.fromkeys(rows, total)
    # expected points by construction (see the fixture)
    assert float(rows["ada"]["points"]) == 0
    assert float(rows["cy"]["points"]) == total
    assert float(rows["bo"]["points"]) == 3            # early right, claim by ECF, V100 right
    assert float(rows["dee"]["points"]) == 1           # the value it took from expected() is right...
    assert "expected" in rows["dee"]["flags"] and "not energylab's check" in rows["dee"]["flags"]  # ...flagged
    assert rows["ada"]["flags"] == rows["bo"]["flags"] == rows["cy"]["flags"] == ""
    statuses = {(r["student"], r["question"]): r["status"] for r in csv.DictReader((out / "lab01_questions.csv").open())}
    assert statuses[("bo", "lab01.doubling_early")] == "correct"
    assert statuses[("bo", "lab01.doubling_recent")] == "wrong"
    assert statuses[("bo", "lab01.claim_holds_today")] == "ecf"
    assert statuses[("bo", "lab01.optimal_parameters")] == "wrong"
    assert statuses[("bo", "lab01.energy_h100_mwh")] == "unanswered"
    assert all(statuses[("ada", q)] == "unanswered" for q in checks.question_ids("lab01"))
    assert all(statuses[("cy", q)] == "correct" for q in checks.question_ids("lab01"))
    reflections = list(csv.DictReader((out / "lab01_reflections.csv").open()))
    bo_r4 = [r for r in reflections if r["student"] == "bo" and r["reflection"] == "lab01.r4"]
    assert bo_r4[0]["answer"] == "The fastest window moves when I change the width."
    assert "Task 4" in bo_r4[0]["prompt"]
    assert all(r["answer"] == "" for r in reflections if r["student"] == "ada")


def test_two_variants_have_different_keys_and_both_grade_correctly(graded):
    results, _, other = graded
    a, b = answer_key("lab01", f"{TERM}/cy"), answer_key("lab01", "2028-other")
    differ = [q for q in a if not np.allclose(np.asarray(a[q], float), np.asarray(b[q], float))]
    assert len(differ) >= 3, differ
    assert results["cy"].points == results["cy"].max_points
    assert other.points == other.max_points and other.variant == "2028-other"


def test_partial_credit_for_arrays_and_weights():
    key = answer_key("lab03", "x")
    answers = {"lab03.storage_bits": key["lab03.storage_bits"] * np.array([1, 1, 2]),
               "lab03.break_even": key["lab03.break_even"]}
    got = {r.question: r for r in score("lab03", "x", answers)}
    assert got["lab03.storage_bits"].status == "partial"
    assert got["lab03.storage_bits"].points == pytest.approx(2 / 3, abs=1e-3)
    assert got["lab03.break_even"].status == "correct"
    assert got["lab03.accuracies"].status == "unanswered"


def test_tampering_is_found_in_the_code():
    nb = {"cells": [{"cell_type": "code", "source": "import energylab.checks as c\nc.check = print"},
                    {"cell_type": "code", "source": "from energylab.checks import QUESTIONS"},
                    {"cell_type": "code", "source": "def check(q, v):\n    pass"},
                    {"cell_type": "code", "source": "set_variant('book')"},
                    {"cell_type": "code", "source": "from energylab.checks import check, task_inputs"}]}
    flags = tampering(nb, "2027/ada")
    assert any("c.check" in f for f in flags) and any("QUESTIONS" in f for f in flags)
    assert any("redefines check" in f for f in flags)
    assert any("set_variant" in f for f in flags)
    assert not any("cell 4" in f for f in flags)
    # ordinary student code is not flagged: a variable named expected, a verdict column
    fine = {"cells": [{"cell_type": "code", "source": "expected = 3.5\nclaims = datasets.load('claims')\n"
                                                      "v = claims.verdict\ngrade = 2"}]}
    assert tampering(fine, "2027/ada") == []
    sneaky = {"cells": [{"cell_type": "code", "source": "import energylab.checks as c\nf = getattr(c, 'expected')"}]}
    assert any("getattr" in f for f in tampering(sneaky, "2027/ada"))


def test_bad_arguments_are_refused(tmp_path):
    from energylab.grade import main

    assert main([str(tmp_path / "missing"), "--lab", "lab01", "--out", str(tmp_path / "o")]) == 2
    with pytest.raises(ValueError, match="lab must look like"):
        checks.task_inputs("chapter1")
    with pytest.raises(ValueError, match="variant must be"):
        checks.set_variant("bad'quote")


LAB7 = ROOT / "labs" / "lab07_audit_a_claim.ipynb"


@pytest.fixture(scope="module")
def graded_lab07(tmp_path_factory):
    """Lab 7: a student whose 1a is wrong but whose 2b follows from it (error carried
    forward), and the lab with its worked solutions, graded in a student's own variant."""
    base = tmp_path_factory.mktemp("class07")
    subs, out = base / "submissions", base / "grades"
    subs.mkdir()
    (base / "roster.csv").write_text("student\neve\nfay\n")
    key = answer_key("lab07", f"{TERM}/eve")
    eve = student_notebook(json.loads(LAB7.read_text(encoding="utf-8")), "lab07", variant=f"{TERM}/eve")
    _answer(eve, "gpt3_energy_mwh", f"gpt3_energy_mwh = {key['lab07.gpt3_energy_mwh'] * 1.1!r}")
    _answer(eve, "teslas_mwh", f"teslas_mwh = {key['lab07.teslas_mwh']!r}\n"
                               "teslas_ratio = teslas_mwh / gpt3_energy_mwh\n"
                               f"teslas_verdict = {key['lab07.teslas_verdict']!r}")
    _reflect(eve, "lab07.r2", "The claimed power, against 3,000 chips at their TDP.")
    # task 5 (open): the upper bound right, the lower one 10 % off: half the pair is right
    low, high = key["lab07.dc_growth_range"]
    _answer(eve, "dc_growth_range", f"dc_growth_range = [{float(low) * 0.9!r}, {float(high)!r}]\n"
                                    "dc_growth_verdict = None")
    (subs / "eve.ipynb").write_text(json.dumps(eve))
    (subs / "fay").mkdir()
    shutil.copy(LAB7, subs / "fay" / LAB7.name)
    results = grade_folder(subs, "lab07", out, term=TERM, roster=base / "roster.csv", cell_timeout=300)
    return {r.student: r for r in results}, out


def test_lab07_grades_with_error_carried_forward_and_in_any_variant(graded_lab07):
    results, out = graded_lab07
    eve = {q.question: q for q in results["eve"].questions}
    assert eve["lab07.gpt3_energy_mwh"].status == "wrong"
    assert eve["lab07.teslas_mwh"].status == "correct"
    assert eve["lab07.teslas_ratio"].status == "ecf"          # right given her own 1a
    assert eve["lab07.teslas_verdict"].status == "correct"
    assert eve["lab07.dojo_verdict"].status == "unanswered"
    assert eve["lab07.dc_growth_range"].status == "partial"
    assert eve["lab07.dc_growth_verdict"].status == "unanswered"
    assert results["eve"].points == 1 + 1 + 2 + 1              # verdicts and task 5 weigh 2
    assert results["eve"].flags == [] and results["fay"].flags == []
    # the worked solutions read the task inputs, so they are right in fay's variant too...
    assert results["fay"].points == results["fay"].max_points
    # ...whose key differs from the book's
    a, b = answer_key("lab07", f"{TERM}/fay"), answer_key("lab07", "book")
    assert sum(not np.array_equal(a[q], b[q]) for q in a) >= 3
    reflections = list(csv.DictReader((out / "lab07_reflections.csv").open()))
    assert [r["answer"] for r in reflections if r["student"] == "eve" and r["reflection"] == "lab07.r2"] == [
        "The claimed power, against 3,000 chips at their TDP."]


def test_lab07_task5_is_the_data_not_a_typed_number():
    """Task 5's key is the ratio of the dataset's rows (IEA 2025's 415 TWh over Masanet et
    al.'s 2010 and 2018 levels), and its verdict follows the ledger's rule in every variant."""
    from energylab import claims, datasets
    from energylab.checks import lab07

    twh = datasets.load("reference_figures").set_index("id")["value"] / 3.6e15
    now, a, b = twh["dc_electricity_2024"], twh["dc_electricity_2010"], twh["dc_electricity_2018"]
    assert (round(now), round(a), round(b)) == (415, 194, 205)      # the published TWh
    low, high = checks.expected("lab07.dc_growth_range")
    assert low == pytest.approx(now / max(a, b)) and high == pytest.approx(now / min(a, b))
    assert checks.expected("lab07.dc_growth_verdict") == claims.evaluate("C131").verdict == "wrong"
    # a factor inside the range is correct, one within 1.5x roughly right, beyond it wrong
    verdict = {x: lab07._dc_growth_verdict({"dc_claimed_factor": x}) for x in (2.1, 3.0, 3.3, 10.0)}
    assert verdict == {2.1: "correct", 3.0: "roughly right", 3.3: "wrong", 10.0: "wrong"}
    for student in ("ada", "bob", "cy", "eve", "fay"):
        inputs = checks.task_inputs("lab07", f"{TERM}/{student}")
        assert inputs["dc_claimed_factor"] in (2.0, 3.0, 5.0, 10.0)
        assert checks.expected("lab07.dc_growth_verdict", f"{TERM}/{student}") in claims.VERDICTS


@pytest.mark.parametrize("lab", ["lab07", "lab08"])
def test_hints_fit_on_the_page(lab):
    """A hint prints after the answer on the ✘ line; it alone must fit in 88 characters."""
    import importlib

    questions = importlib.import_module(f"energylab.checks.{lab}").QUESTIONS
    assert {q: len(v.hint) for q, v in questions.items() if len(v.hint) > 88} == {}
