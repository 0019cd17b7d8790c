"""Grade submitted lab notebooks.

    python -m energylab.grade SUBMISSIONS/ --lab lab03 --out grades/
    python -m energylab.grade SUBMISSIONS/ --lab lab03 --out grades/ --variant 2027-spring
    python -m energylab.grade SUBMISSIONS/ --lab lab03 --out grades/ --variant 2027-spring --roster roster.csv

``SUBMISSIONS`` holds one notebook per student: ``SUBMISSIONS/<student>.ipynb``, or
``SUBMISSIONS/<student>/lab03*.ipynb`` (the layout nbgitpuller or an LMS export gives).
For each submission the grader

1. reads the code the student wrote and flags tampering: a call to or an import of
   ``expected``, ``verdict``, ``answer_key`` or ``QUESTIONS``, a redefinition of ``check``,
   ``task_inputs`` or ``set_variant``, an assignment to an attribute of a module,
   ``setattr``/``__import__``/``importlib``, or a ``set_variant`` other than the student's;
2. runs the notebook in a fresh kernel (nbclient), in a scratch folder, with the student's
   variant in ``ENERGYLAB_VARIANT``, a time limit per cell and one for the whole notebook,
   errors allowed (a broken cell costs its own answers, not the rest);
3. reads the student's answers from the kernel: the names that the lab passes to
   ``check("labNN.id", name)`` (taken from the lab in ``labs/``, not from the submission),
   and checks that ``check`` is still energylab's own and the package files unchanged;
4. scores them, *outside* the student's kernel, against the key of that student's variant
   (:func:`answer_key`): ``Question.points`` per question, partial credit for array
   answers (the share of right elements), full credit for an error carried forward
   (``Question.ecf``: right given the student's own earlier answer);
5. collects the reflection answers (markdown cells with metadata
   ``energylab.reflection``) verbatim, with their prompts, for a rubric.

It writes ``labNN_students.csv`` (one row per student: variant, points, maximum, per
question points, flags, seconds), ``labNN_questions.csv`` (one row per student and
question: answer, key, status, points) and ``labNN_reflections.csv``.

Variants: ``--roster`` (a CSV with a ``student`` column and optionally ``variant``)
with ``--variant TERM`` gives student ``s`` the variant ``TERM/s`` unless the roster names
one (the same rule as ``energylab.student_version --roster``); ``--variant`` alone gives
every student that variant; with neither, the variant recorded in the submission's
metadata (``energylab.variant``), else ``"book"``.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import checks
from .checks import ENV_VAR, _call, _questions, element_credit, task_inputs

__all__ = ["answer_key", "answer_names", "grade_notebook", "grade_folder", "tampering", "main"]

ROOT = Path(__file__).resolve().parent.parent
#: Names a lab never needs: reaching for them is reaching for the key.
KEY_NAMES = {"expected", "verdict", "answer_key", "QUESTIONS", "_questions", "element_credit",
             "_call", "_matches"}
#: Attributes that reach the key (``.verdict`` is left out: datasets have such a column).
KEY_ATTRIBUTES = KEY_NAMES - {"verdict"}
#: Built-ins that can reach anything by name.
DYNAMIC = {"setattr", "__import__", "exec", "eval"}
#: Names the lab provides and a submission must not rebind.
PROTECTED = {"check", "task_inputs", "set_variant"}
HARVEST_MARK = "<<energylab-answers>>"
STATUSES = ("correct", "ecf", "partial", "wrong", "unanswered")


def answer_key(lab: str, variant: str) -> dict:
    """Question id -> expected answer of ``lab`` for ``variant`` (computed here, not in a kernel)."""
    inputs = task_inputs(lab, variant)
    module = checks._module(lab)
    return {qid: _call(q.expected, inputs) for qid, q in sorted(module.QUESTIONS.items())}


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def answer_names(notebook: dict) -> dict[str, str]:
    """Question id -> the name the notebook passes to ``check(qid, name)``."""
    found: dict[str, str] = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "check"
                    and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str) and isinstance(node.args[1], ast.Name)):
                found.setdefault(node.args[0].value, node.args[1].id)
    return found


def tampering(notebook: dict, variant: str | None = None) -> list[str]:
    """Reasons to look at a submission by hand (empty if none), from its code alone."""
    flags: list[str] = []
    package_names: set[str] = set()  # names the notebook binds to energylab modules

    def flag(text):
        if text not in flags:
            flags.append(text)

    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            try:
                for node in ast.walk(ast.parse(_source(cell))):
                    if isinstance(node, ast.Import):
                        package_names.update((a.asname or a.name).split(".")[0] for a in node.names
                                             if a.name.startswith("energylab"))
                    elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("energylab"):
                        package_names.update(a.asname or a.name for a in node.names)
            except SyntaxError:
                pass

    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        code = _source(cell)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            # IPython magics or shell escapes: fall back to words
            for name in sorted(KEY_NAMES | DYNAMIC | {"importlib"}):
                if re.search(rf"\b{re.escape(name)}\b", code):
                    flag(f"cell {i}: mentions {name} (unparsed cell)")
            if re.search(r"(?m)^\s*[!%]", code):
                flag(f"cell {i}: shell or magic command")
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = getattr(node, "module", None) or ""
                names = [a.name for a in node.names]
                if module.startswith("energylab.grade") or any(n.startswith("energylab.grade") for n in names):
                    flag(f"cell {i}: imports energylab.grade")
                if module == "energylab" and "grade" in names:
                    flag(f"cell {i}: imports energylab.grade")
                if module.startswith("energylab.checks"):
                    for a in node.names:
                        if a.name in KEY_NAMES or a.name == "*":
                            flag(f"cell {i}: imports {a.name} from {module}")
                        elif a.name.startswith("lab") and module == "energylab.checks":
                            flag(f"cell {i}: imports the question module {a.name}")
                        elif module != "energylab.checks" and a.name not in ("MIXTRAL", "WAYS", "SIGMA_GRID",
                                                                               "SIGMA_SEEDS"):
                            flag(f"cell {i}: imports {a.name} from {module}")
                for a in node.names:
                    bound = (a.asname or a.name).split(".")[0]
                    if bound in PROTECTED and not (module == "energylab.checks" and a.name == bound):
                        flag(f"cell {i}: rebinds {bound} by an import")
                    if a.name in ("importlib", "builtins"):
                        flag(f"cell {i}: imports {a.name}")
            elif isinstance(node, ast.Name) and node.id in DYNAMIC:
                flag(f"cell {i}: uses {node.id}")
            elif isinstance(node, ast.Attribute) and node.attr in KEY_ATTRIBUTES:
                flag(f"cell {i}: uses .{node.attr}")
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                  and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                  and node.args[1].value in KEY_NAMES | PROTECTED):
                flag(f"cell {i}: getattr(..., {node.args[1].value!r})")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in PROTECTED:
                flag(f"cell {i}: redefines {node.name}")
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for sub in ast.walk(t):
                        if isinstance(sub, ast.Name) and sub.id in PROTECTED and isinstance(sub.ctx, ast.Store):
                            flag(f"cell {i}: assigns to {sub.id}")
                        if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store) and (
                                sub.attr in PROTECTED or (isinstance(sub.value, ast.Name) and sub.value.id in
                                                          package_names | {"builtins", "np", "numpy"})):
                            flag(f"cell {i}: assigns to {ast.unparse(sub)}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "set_variant":
                arg = node.args[0] if node.args else None
                value = arg.value if isinstance(arg, ast.Constant) else None
                if variant is None or value != variant:
                    flag(f"cell {i}: set_variant({ast.unparse(arg) if arg is not None else ''}) "
                         f"is not the student's variant {variant!r}")
    return flags


_HARVEST = """
import json as _el_json, numpy as _el_np, energylab.checks as _el_checks, inspect as _el_inspect

def _el_value(v):
    if v is None:
        return {"type": "none"}
    if isinstance(v, (bool, _el_np.bool_)):
        return {"type": "bool", "value": bool(v)}
    if isinstance(v, str):
        return {"type": "str", "value": v}
    try:
        a = _el_np.asarray(v, dtype=float)
        return {"type": "number" if a.ndim == 0 else "array", "value": a.tolist()}
    except Exception:
        return {"type": "other", "value": repr(v)[:200]}

_el_g = globals()
print(%(mark)r + _el_json.dumps({
    "answers": {n: _el_value(_el_g.get(n)) for n in %(names)r},
    "variant": _el_checks.current_variant(),
    "check_is_energylab": _el_g.get("check", _el_checks.check) is _el_checks.check
        and _el_checks.check.__module__ == "energylab.checks"
        and _el_inspect.getsourcefile(_el_checks.check) == _el_checks.__file__,
    "checks_file": _el_checks.__file__,
}, allow_nan=True))
"""


def _decode(entry: dict):
    kind = entry.get("type")
    if kind == "none":
        return None
    if kind in ("bool", "str"):
        return entry["value"]
    if kind in ("number", "array"):
        value = np.asarray(entry["value"], dtype=float)
        return float(value) if kind == "number" else value
    return entry.get("value")  # "other": a repr, which no key matches


def _package_hash() -> str:
    h = hashlib.sha256()
    for path in sorted((Path(__file__).parent).rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def run_submission(notebook: dict, names: dict[str, str], variant: str, cell_timeout: float,
                   total_timeout: float, kernel_name: str = "python3") -> dict:
    """Execute ``notebook`` in a fresh kernel and return what the harvest cell printed."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_HARVEST % {"mark": HARVEST_MARK,
                                                          "names": sorted(set(names.values()))}))
    old = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = variant
    errors, timed_out = 0, False
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="energylab-grade-") as scratch:
            client = NotebookClient(nb, timeout=cell_timeout, kernel_name=kernel_name, allow_errors=True,
                                    interrupt_on_timeout=True, resources={"metadata": {"path": scratch}})
            with client.setup_kernel():
                last = len(nb.cells) - 1
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    if index < last and time.perf_counter() - start > total_timeout:
                        timed_out = True
                        continue  # skip the rest, still harvest
                    client.execute_cell(cell, index)
                    errors += any(o.get("output_type") == "error" for o in cell.outputs) and index < last
    finally:
        if old is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = old
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    result = {"answers": {}, "variant": None, "check_is_energylab": None}
    if HARVEST_MARK in printed:
        result = json.loads(printed.split(HARVEST_MARK, 1)[1].strip().splitlines()[0])
    result["errors"] = int(errors)
    result["timed_out"] = timed_out
    result["seconds"] = time.perf_counter() - start
    return result


@dataclass
class QuestionResult:
    question: str
    points: float
    max_points: float
    status: str
    answer: object
    key: object


@dataclass
class SubmissionResult:
    student: str
    variant: str
    questions: list[QuestionResult]
    flags: list[str]
    reflections: list[tuple[str, str, str]]
    seconds: float
    errors: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def max_points(self) -> float:
        return sum(q.max_points for q in self.questions)


def score(lab: str, variant: str, answers: dict) -> list[QuestionResult]:
    """Score answers (question id -> value) against the key of ``variant``."""
    inputs = task_inputs(lab, variant)
    key = answer_key(lab, variant)
    results = []
    for qid, target in key.items():
        q = _questions(qid)[qid]
        value = answers.get(qid)
        if value is None:
            results.append(QuestionResult(qid, 0.0, q.points, "unanswered", None, target))
            continue
        credit = element_credit(value, target, q)
        status = "correct" if credit == 1 else "partial" if credit > 0 else "wrong"
        if credit < 1 and q.ecf is not None:
            carried = q.ecf(inputs, answers)
            if carried is not None and element_credit(value, carried, q) == 1:
                credit, status = 1.0, "ecf"
        results.append(QuestionResult(qid, round(q.points * credit, 4), q.points, status, value, target))
    return results


def _reflections(notebook: dict, original: dict | None) -> list[tuple[str, str, str]]:
    prompts = {}
    if original is not None:
        previous = ""
        for cell in original["cells"]:
            rid = cell.get("metadata", {}).get("energylab", {}).get("reflection")
            if rid:
                prompts[rid] = previous
            previous = _source(cell).strip()
    out = []
    for cell in notebook["cells"]:
        rid = cell.get("metadata", {}).get("energylab", {}).get("reflection")
        if rid:
            text = _source(cell).strip()
            out.append((rid, prompts.get(rid, ""), "" if text == "*Your answer.*" else text))
    return out


def grade_notebook(path: str | Path, lab: str, variant: str, original: dict | None = None,
                   cell_timeout: float = 300, total_timeout: float = 900, student: str | None = None
                   ) -> SubmissionResult:
    """Grade one submitted notebook of ``lab`` for ``variant``."""
    path = Path(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    names = answer_names(original if original is not None else notebook)
    module_ids = set(checks.question_ids(lab))
    names = {q: n for q, n in names.items() if q in module_ids}
    flags = tampering(notebook, variant)
    before = _package_hash()
    run = run_submission(notebook, names, variant, cell_timeout, total_timeout)
    if _package_hash() != before:
        flags.append("the energylab package changed on disk while the notebook ran")
    if run.get("check_is_energylab") is False:
        flags.append("check in the kernel is not energylab's check")
    if run.get("variant") not in (None, variant):
        flags.append(f"the kernel ran variant {run['variant']!r}, not {variant!r}")
    if run.get("timed_out"):
        flags.append("time limit reached: later cells skipped")
    if run.get("variant") is None:
        flags.append("answers could not be read (the notebook did not run to the end)")
    by_name = {n: _decode(v) for n, v in run.get("answers", {}).items()}
    answers = {qid: by_name.get(name) for qid, name in names.items()}
    return SubmissionResult(student or path.stem, variant, score(lab, variant, answers), flags,
                            _reflections(notebook, original), run["seconds"], run.get("errors", 0))


def find_lab(lab: str, labs_dir: str | Path | None = None) -> Path | None:
    folder = Path(labs_dir) if labs_dir is not None else ROOT / "labs"
    found = sorted(folder.glob(f"{lab}_*.ipynb")) + sorted(folder.glob(f"{lab}.ipynb"))
    return found[0] if found else None


def submissions(folder: Path, lab: str) -> list[tuple[str, Path]]:
    """(student, notebook) pairs of a submissions folder."""
    if not folder.is_dir():
        raise ValueError(f"submissions must be a folder, got {folder}")
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and not entry.name.startswith("."):
            nbs = sorted(p for p in entry.glob(f"{lab}*.ipynb")) or sorted(entry.glob("*.ipynb"))
            if len(nbs) == 1:
                found.append((entry.name, nbs[0]))
            elif len(nbs) > 1:
                raise ValueError(f"{entry} holds {len(nbs)} notebooks for {lab}; keep one")
        elif entry.suffix == ".ipynb" and not entry.name.startswith("."):
            found.append((entry.stem, entry))
    if not found:
        raise ValueError(f"no submitted notebooks in {folder}")
    return found


def _roster(path: Path | None) -> dict[str, str | None]:
    if path is None:
        return {}
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or "student" not in rows[0]:
        raise ValueError(f"roster {path} must be a CSV file with a 'student' column")
    return {r["student"].strip(): (r.get("variant") or "").strip() or None for r in rows}


def student_variant(student: str, notebook_path: Path, term: str | None, roster: dict) -> str:
    if student in roster and roster[student]:
        return roster[student]
    if roster and term:
        return f"{term}/{student}"
    if term:
        return term
    meta = json.loads(notebook_path.read_text(encoding="utf-8")).get("metadata", {})
    return meta.get("energylab", {}).get("variant") or checks.BOOK_VARIANT


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, np.ndarray):
        return json.dumps(np.round(value.astype(float), 12).tolist())
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.8g}"
    return str(value)


def grade_folder(folder: str | Path, lab: str, out: str | Path, term: str | None = None,
                 roster: str | Path | None = None, labs_dir: str | Path | None = None,
                 cell_timeout: float = 300, total_timeout: float = 900) -> list[SubmissionResult]:
    """Grade every submission in ``folder`` and write the three CSV files to ``out``."""
    folder, out = Path(folder), Path(out)
    checks._module(lab)  # unknown lab: clear error before any work
    lab_path = find_lab(lab, labs_dir)
    original = json.loads(lab_path.read_text(encoding="utf-8")) if lab_path else None
    roster_map = _roster(Path(roster) if roster else None)
    subs = submissions(folder, lab)
    if roster_map:
        missing = sorted(set(roster_map) - {s for s, _ in subs})
        unknown = sorted({s for s, _ in subs} - set(roster_map))
    else:
        missing, unknown = [], []
    results = []
    for student, path in subs:
        variant = student_variant(student, path, term, roster_map)
        result = grade_notebook(path, lab, variant, original, cell_timeout, total_timeout, student)
        if student in unknown:
            result.flags.append("not on the roster")
        results.append(result)
    out.mkdir(parents=True, exist_ok=True)
    qids = checks.question_ids(lab)
    with (out / f"{lab}_students.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "variant", "points", "max_points", "percent", *qids, "errors", "flags", "seconds"])
        for r in results:
            pts = {q.question: q.points for q in r.questions}
            w.writerow([r.student, r.variant, f"{r.points:g}", f"{r.max_points:g}",
                        f"{100 * r.points / r.max_points:.1f}", *(f"{pts[q]:g}" for q in qids), r.errors,
                        "; ".join(r.flags), f"{r.seconds:.1f}"])
        for s in missing:
            w.writerow([s, "", 0, "", "0.0", *([""] * len(qids)), "", "no submission", ""])
    with (out / f"{lab}_questions.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "variant", "question", "status", "points", "max_points", "answer", "key"])
        for r in results:
            for q in r.questions:
                w.writerow([r.student, r.variant, q.question, q.status, f"{q.points:g}", f"{q.max_points:g}",
                            _show(q.answer), _show(q.key)])
    with (out / f"{lab}_reflections.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "reflection", "prompt", "answer"])
        for r in results:
            for rid, prompt, text in r.reflections:
                w.writerow([r.student, rid, prompt, text])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m energylab.grade",
                                     description="Run and score submitted lab notebooks; write CSV grades.")
    parser.add_argument("submissions", type=Path, help="folder of submissions (one notebook or folder per student)")
    parser.add_argument("--lab", required=True, help="the lab, e.g. lab03")
    parser.add_argument("--out", type=Path, required=True, help="folder for the CSV files")
    parser.add_argument("--variant", help="the term's variant (with --roster: 'TERM/student' per student)")
    parser.add_argument("--roster", type=Path, help="CSV with a 'student' column (and optionally 'variant')")
    parser.add_argument("--labs", type=Path, help="folder of the labs with solutions (default: the repository's)")
    parser.add_argument("--cell-timeout", type=float, default=300, help="seconds per cell (default 300)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per notebook (default 900)")
    args = parser.parse_args(argv)
    try:
        results = grade_folder(args.submissions, args.lab, args.out, args.variant, args.roster, args.labs,
                               args.cell_timeout, args.timeout)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for r in results:
        flags = f"  FLAGS: {'; '.join(r.flags)}" if r.flags else ""
        print(f"{r.student}: {r.points:g}/{r.max_points:g} ({r.variant}, {r.seconds:.1f} s){flags}")
    print(f"wrote {args.out / (args.lab + '_students.csv')}, {args.lab}_questions.csv, {args.lab}_reflections.csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
