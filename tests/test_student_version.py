"""The instructors' kit: student copies of the labs (energylab.student_version).

Unit tests on small notebooks, then every lab in ``labs/`` (discovered, never listed):
its student copy is a valid notebook with no solution left, no output, every answer
reset to None, and it runs top to bottom with every check saying "not answered yet".
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from energylab.student_version import answer_names, student_notebook, write_student_copies

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted((ROOT / "labs").glob("lab*.ipynb"))


def _lab(*cells) -> dict:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return json.loads(nbformat.writes(nb))


def _solution(src: str) -> dict:
    cell = new_code_cell(src, metadata={"tags": ["hide-cell", "solution"]})
    cell.outputs = [new_output("stream", name="stdout", text="42\n")]
    cell.execution_count = 3
    return cell


def _code(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_solutions_removed_answers_emptied_outputs_cleared():
    nb = _lab(
        new_markdown_cell("# Lab 99"),
        new_code_cell("from energylab.checks import check\ndata = [1, 2, 3]"),
        new_code_cell("energy_mwh = 12.5  # MWh"),  # an instructor's filled-in answer
        _solution("energy_mwh = sum(data)\nprint(energy_mwh)"),
        new_code_cell('check("lab99.energy", energy_mwh)'),
        new_code_cell("a, b = 1, 2"),
        _solution("a, b = 3, 4"),
        new_code_cell('check("lab99.a", a)\ncheck("lab99.b", b)'),
        new_code_cell("ratio: float = 0.5"),
        new_code_cell('check("lab99.ratio", ratio)'),
    )
    nb["cells"][1]["outputs"] = [new_output("stream", name="stdout", text="hi\n")]
    nb["cells"][1]["execution_count"] = 1
    student = student_notebook(nb, "lab99")
    code = _code(student)
    assert not any("solution" in c["metadata"].get("tags", []) for c in student["cells"])
    assert "energy_mwh = sum(data)" not in json.dumps(student)
    assert code[1] == "energy_mwh = None  # MWh"
    assert code[3] == "a, b = None, None  # replace None with your answer"
    assert code[5] == "ratio = None  # replace None with your answer"
    assert code[0] == "from energylab.checks import check\ndata = [1, 2, 3]"  # not an answer cell
    assert all(c["outputs"] == [] and c["execution_count"] is None
               for c in student["cells"] if c["cell_type"] == "code")
    assert "widgets" not in student["metadata"]
    assert len(student["cells"]) == len(nb["cells"]) - 2
    nbformat.validate(nbformat.reads(json.dumps(student), as_version=4))
    # the input is untouched
    assert "".join(nb["cells"][2]["source"]) == "energy_mwh = 12.5  # MWh"
    assert answer_names(nb) == ["energy_mwh", "a", "b", "ratio"]


def test_cells_that_only_mention_answers_are_kept():
    nb = _lab(
        new_code_cell("x = None  # J"),
        _solution("x = 1.0"),
        new_code_cell('check("lab99.x", x)'),
        new_code_cell("y = x * 2 if x is not None else None\nprint(y)"),
    )
    code = _code(student_notebook(nb))
    assert code[-1] == "y = x * 2 if x is not None else None\nprint(y)"


def test_check_without_answer_cell_is_refused():
    nb = _lab(_solution("x = 1.0"), new_code_cell('check("lab99.x", x)'))
    with pytest.raises(ValueError, match="'x'.*only a solution cell"):
        student_notebook(nb, "lab99")


def test_lab_without_solutions_is_refused():
    nb = _lab(new_code_cell("x = None"), new_code_cell('check("lab99.x", x)'))
    with pytest.raises(ValueError, match="no cell is tagged 'solution'"):
        student_notebook(nb, "lab99")


def test_refuses_to_overwrite_the_labs(tmp_path):
    lab = tmp_path / "lab99.ipynb"
    lab.write_text(json.dumps(_lab(new_code_cell("x = None"), _solution("x = 1"),
                                   new_code_cell('check("lab99.x", x)'))))
    with pytest.raises(ValueError, match="overwrite"):
        write_student_copies(tmp_path, tmp_path)
    with pytest.raises(ValueError, match="folder of labs or a .ipynb"):
        write_student_copies(tmp_path / "missing.txt", tmp_path / "out")


def test_command_line_writes_one_copy_per_lab(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "energylab.student_version", str(ROOT / "labs"),
                           str(tmp_path / "student")], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "student").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "labs").glob("*.ipynb"))
    bad = subprocess.run([sys.executable, "-m", "energylab.student_version", str(tmp_path / "nope"),
                          str(tmp_path / "x")], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "error:" in bad.stderr


VARIANT = "2027-test/ada"


@pytest.fixture(scope="module")
def student_copies(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    return {p.name: p for p in write_student_copies(ROOT / "labs", out, variant=VARIANT)}


def test_book_only_student_only_and_hidden_cells():
    nb = _lab(
        new_markdown_cell("Solutions hide behind a toggle.", metadata={"tags": ["book-only"]}),
        new_markdown_cell("Your inputs are your own.", metadata={"tags": ["student-only", "remove-cell"]}),
        new_markdown_cell("See {doc}`../chapters/01_power_laws` and {cite:p}`patterson2021`, "
                          "{ref}`claim C083 <claim-c083>`."),
        new_code_cell("x = None"),
        _solution("x = 1.0"),
        new_code_cell("from energylab.checks import expected\nassert expected('lab99.x') == 1",
                      metadata={"tags": ["remove-cell"]}),
        new_code_cell('check("lab99.x", x)'),
    )
    student = student_notebook(nb, "lab99", variant="2027/ada", base=ROOT / "labs")
    text = json.dumps(student)
    assert "toggle" not in text and "expected" not in text
    assert student["cells"][0]["source"].startswith("from energylab.checks import set_variant")
    assert "set_variant('2027/ada')" in student["cells"][0]["source"]
    assert student["metadata"]["energylab"] == {"variant": "2027/ada"}
    kept = [c for c in student["cells"] if c["source"] == "Your inputs are your own."]
    assert kept and "tags" not in kept[0]["metadata"]
    prose = [c["source"] for c in student["cells"] if c["source"].startswith("See ")][0]
    assert prose == ("See the book's page \u201cPower laws: how fast the appetite grows\u201d and "
                     "(Patterson et al. 2021), claim C083.")
    with pytest.raises(ValueError, match="variant must be"):
        student_notebook(nb, "lab99", variant="a'b")


def _number_forms(x: float) -> set[str]:
    forms = {f"{x:.3g}", f"{x:.4g}", f"{x:.2f}", f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3f}"}
    if 0 < abs(x) < 1:
        forms |= {f"{100 * x:.1f}", f"{100 * x:.0f}%", f"{100 * x:.0f} %"}
    return {f for f in forms if len(re.sub(r"\D", "", f).lstrip("0")) >= 2}


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_student_copy_holds_no_expected_value(lab, student_copies):
    """Every numeric answer of the copy's variant, in the usual printed forms, is absent.

    Integers (years, bit widths) and categorical answers (True/False, a name from a list
    the task gives) are left out: a task has to name the candidates.
    """
    from energylab.checks import expected, question_ids

    name = lab.name[:5]
    if not hasattr(__import__(f"energylab.checks.{name}", fromlist=["x"]), "BOOK_INPUTS"):
        pytest.skip(f"{name} has no variants yet")
    text = student_copies[lab.name].read_text(encoding="utf-8")
    cells = json.loads(text)["cells"]
    prose_and_code = "\n".join("".join(c["source"]) for c in cells)
    assert "{doc}" not in prose_and_code and "{cite" not in prose_and_code and "toggle" not in prose_and_code
    assert not re.search(r"\bexpected\(|import expected|\bassert\b", prose_and_code)
    assert "remove-cell" not in text
    leaks = []
    for qid in question_ids(name):
        value = expected(qid, VARIANT)
        if isinstance(value, (bool, np.bool_, str)):
            continue
        for x in np.ravel(np.asarray(value, dtype=float)):
            if x == round(x):
                continue
            for form in _number_forms(float(x)):
                if re.search(rf"(?<![\d.]){re.escape(form)}(?!\d)", prose_and_code):
                    leaks.append((qid, form))
    assert not leaks, leaks


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_student_copy_of_each_lab(lab, student_copies):
    original = json.loads(lab.read_text(encoding="utf-8"))
    copy_path = student_copies[lab.name]
    student = nbformat.read(copy_path, as_version=4)
    nbformat.validate(student)

    # No solution left: no tagged cell, and no solution's code anywhere in the copy.
    text = copy_path.read_text(encoding="utf-8")
    solutions = ["".join(c["source"]) for c in original["cells"] if "solution" in c["metadata"].get("tags", [])]
    assert solutions, f"{lab.name} has no solution cells"
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
    for sol in solutions:
        assert json.dumps(sol)[1:-1] not in text, f"solution still in the student copy:\n{sol}"
    assert all(not c.outputs and c.execution_count is None for c in student.cells if c.cell_type == "code")

    # Every answer cell says None.
    answers = answer_names(original)
    assert answers, f"{lab.name} checks no answers"
    for name in answers:
        assigned = [c.source for c in student.cells if c.cell_type == "code"
                    and any(line.startswith(f"{name} = ") for line in c.source.splitlines())]
        assert assigned and all(f"{name} = None" in src for src in assigned), (name, assigned)

    # It runs top to bottom, and every check says "not answered yet".
    NotebookClient(student, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(lab.parent)}}).execute()
    n_checks = sum(len(re.findall(r"(?m)^\s*check\(", c.source)) for c in student.cells
                   if c.cell_type == "code")
    printed = "".join(o.get("text", "") for c in student.cells if c.cell_type == "code"
                      for o in c.outputs if o.output_type == "stream")
    errors = [o for c in student.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error" or o.get("name") == "stderr"]
    assert not errors, errors
    assert printed.count("not answered yet") == n_checks > 0, printed
    assert "✔" not in printed and "✘" not in printed
