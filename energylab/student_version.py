"""Student copies of the labs, for instructors.

    python -m energylab.student_version labs/ student/
    python -m energylab.student_version labs/lab01_compute_trends.ipynb handout/

For every lab notebook it writes a copy in which

* every cell tagged ``solution`` is removed (the worked solutions);
* every *answer cell* is emptied back to ``name = None``: an answer cell is a code cell
  made only of assignments to names that the lab passes to ``check("labNN.id", name)``
  (the comment after the answer, e.g. ``# MWh``, is kept);
* every output and execution count is cleared, and the saved widget state dropped.

The copy runs top to bottom: each ``check`` prints "not answered yet" until the student
replaces ``None``. A lab whose check uses a name that no remaining cell defines is
refused (the student copy would stop with a NameError), as is a lab with no solution
cells at all (nothing would be hidden).
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import sys
import tokenize
from pathlib import Path

__all__ = ["SOLUTION_TAG", "answer_names", "student_notebook", "write_student_copies", "main"]

#: Cells with this tag are worked solutions, removed from the student copy.
SOLUTION_TAG = "solution"


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _parse(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except SyntaxError:  # IPython magics or shell escapes: not an answer cell
        return None


def answer_names(notebook: dict) -> list[str]:
    """Names passed as the answer to ``check("...", name)`` anywhere in a notebook."""
    names: list[str] = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code" or (tree := _parse(_source(cell))) is None:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "check"
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Name)
                    and node.args[1].id not in names):
                names.append(node.args[1].id)
    return names


def _assigned(target: ast.expr) -> list[str] | None:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        names = [_assigned(t) for t in target.elts]
        return None if any(n is None for n in names) else [x for n in names for x in n]
    return None


def _comments(code: str) -> dict[int, str]:
    """Line number -> the comment on that line."""
    found: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.COMMENT:
                found[tok.start[0]] = tok.string
    except (tokenize.TokenError, IndentationError):
        pass
    return found


def _empty_answer_cell(code: str, answers: set[str]) -> str | None:
    """``code`` with every answer reset to None, or None if it is not an answer cell."""
    tree = _parse(code)
    if tree is None or not tree.body:
        return None
    comments = _comments(code)
    lines: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            names = _assigned(stmt.targets[0])
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            names = _assigned(stmt.target)
        else:
            return None
        if not names or not set(names) <= answers:
            return None
        comment = next((comments[n] for n in range(stmt.lineno, stmt.end_lineno + 1) if n in comments),
                       "# replace None with your answer")
        if isinstance(stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target, ast.Name):
            lines.append(f"{names[0]} = None  {comment}")
        else:
            lines.append(f"{', '.join(names)} = {', '.join(['None'] * len(names))}  {comment}")
    return "\n".join(lines)


def _defined_names(code: str) -> set[str]:
    tree = _parse(code)
    if tree is None:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def student_notebook(notebook: dict, name: str = "notebook") -> dict:
    """The student copy of one lab notebook (a new dict; the input is not modified).

    Parameters
    ----------
    notebook : dict
        A notebook in nbformat 4 JSON form.
    name : str
        Used in error messages.

    Returns
    -------
    dict
        The notebook without solution cells, with emptied answer cells and no outputs.

    Raises
    ------
    ValueError
        If the notebook has no cell tagged ``solution``, or a ``check`` uses a name that
        no remaining cell defines.
    """
    if notebook.get("nbformat") != 4:
        raise ValueError(f"{name}: nbformat must be 4, got {notebook.get('nbformat')!r}")
    cells = notebook["cells"]
    if not any(SOLUTION_TAG in _tags(c) for c in cells):
        raise ValueError(f"{name}: no cell is tagged {SOLUTION_TAG!r}; nothing to remove")
    answers = set(answer_names(notebook))
    out_cells = []
    defined: set[str] = set()
    for cell in cells:
        if SOLUTION_TAG in _tags(cell):
            continue
        cell = json.loads(json.dumps(cell))  # deep copy
        if cell["cell_type"] == "code":
            code = _source(cell)
            emptied = _empty_answer_cell(code, answers)
            if emptied is not None:
                code = emptied
            cell["source"] = code
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.get("metadata", {}).pop("execution", None)
            tree = _parse(code)
            if tree is not None:
                for node in ast.walk(tree):
                    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "check"
                            and len(node.args) >= 2 and isinstance(node.args[1], ast.Name)
                            and node.args[1].id not in defined):
                        raise ValueError(
                            f"{name}: check(...) uses {node.args[1].id!r}, which only a solution cell "
                            f"defines; add an answer cell '{node.args[1].id} = None' before the solution")
            defined |= _defined_names(code)
        out_cells.append(cell)
    student = {k: json.loads(json.dumps(v)) for k, v in notebook.items() if k != "cells"}
    student["metadata"].pop("widgets", None)
    student["cells"] = out_cells
    return student


def _notebooks(source: Path) -> list[Path]:
    if source.is_dir():
        found = sorted(p for p in source.glob("*.ipynb") if not p.name.startswith("."))
        if not found:
            raise ValueError(f"source {source} holds no .ipynb files")
        return found
    if source.suffix == ".ipynb" and source.is_file():
        return [source]
    raise ValueError(f"source must be a folder of labs or a .ipynb file, got {source}")


def write_student_copies(source: str | Path, out: str | Path) -> list[Path]:
    """Write the student copy of every lab in ``source`` (a folder or one .ipynb) to ``out``.

    Returns
    -------
    list of pathlib.Path
        The notebooks written, one per lab, with the lab's file name.
    """
    source, out = Path(source), Path(out)
    labs = _notebooks(source)
    if out.resolve() in {p.parent.resolve() for p in labs}:
        raise ValueError(f"out must not be the folder of the labs themselves ({out}): it would overwrite them")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for lab in labs:
        notebook = json.loads(lab.read_text(encoding="utf-8"))
        student = student_notebook(notebook, name=lab.name)
        target = out / lab.name
        target.write_text(json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m energylab.student_version",
        description="Write student copies of the labs: solutions removed, answers emptied, outputs cleared.")
    parser.add_argument("source", type=Path, help="the labs folder (labs/) or one lab notebook")
    parser.add_argument("out", type=Path, help="folder for the student copies (created if missing)")
    args = parser.parse_args(argv)
    try:
        written = write_student_copies(args.source, args.out)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
