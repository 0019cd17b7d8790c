"""Student copies of the labs, for instructors.

    python -m energylab.student_version labs/ student/
    python -m energylab.student_version labs/lab01_compute_trends.ipynb handout/
    python -m energylab.student_version labs/ handout/ --variant 2027-spring
    python -m energylab.student_version labs/ handout/ --variant 2027-spring --roster roster.csv

For every lab notebook it writes a copy in which

* every cell tagged ``solution`` is removed (the worked solutions, code or text);
* every cell tagged ``remove-cell`` (the book's hidden asserts) or ``book-only`` (text
  about the book, e.g. solutions behind a toggle) is removed, and every cell tagged
  ``student-only`` is kept (its tags dropped): text written for the copy;
* MyST roles, which JupyterLab shows raw, become plain text: ``{doc}`` a page's title,
  ``{cite:p}``/``{cite:t}`` "Author et al. (year)" from ``references.bib``, ``{ref}``,
  ``{term}`` and the like their text;
* with ``--variant V``, a first code cell ``set_variant("V")`` fixes the task inputs of
  the copy (recorded in the notebook metadata ``energylab.variant`` too); with
  ``--roster roster.csv`` (a column ``student``), one folder per student, each with the
  variant ``V/student``, so every student gets their own inputs;
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
import csv
import io
import json
import re
import sys
import tokenize
from pathlib import Path

__all__ = ["SOLUTION_TAG", "answer_names", "student_notebook", "write_student_copies", "main"]

#: Cells with this tag are worked solutions, removed from the student copy.
SOLUTION_TAG = "solution"
#: Cells removed from the copy besides solutions: hidden asserts, text about the book.
DROP_TAGS = ("remove-cell", "book-only")
#: Cells kept in the copy (and only there: they are also tagged remove-cell in the book).
STUDENT_TAG = "student-only"

ROOT = Path(__file__).resolve().parent.parent

_ROLE = re.compile(r"\{(?P<role>[a-z:]+)\}`(?P<body>[^`]*)`")


def _bib_entries(bib: Path) -> dict[str, tuple[str, str]]:
    """key -> (first author's surname [et al.], year) from a BibTeX file."""
    if not bib.is_file():
        return {}
    out = {}
    text = bib.read_text(encoding="utf-8")
    for m in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", text, flags=re.S):
        key, body = m.group(1), m.group(2)
        author = re.search(r"\bauthor\s*=\s*[{\"](.*?)[}\"]\s*,?\s*\n", body, flags=re.S)
        year = re.search(r"\byear\s*=\s*[{\"]?(\d{4})", body)
        names = [a.strip() for a in re.split(r"\s+and\s+", author.group(1))] if author else []
        first = names[0] if names else key
        if first.startswith("{"):  # a corporate author, e.g. {Epoch AI}
            first = first.strip("{}")
        else:
            first = first.split(",")[0] if "," in first else first.split()[-1] if first.split() else first
        first = first.strip("{} ")
        who = first + (" et al." if len(names) > 2 else f" and {names[1].split(',')[0].split()[-1].strip('{}')}"
                       if len(names) == 2 and "," not in names[1] else
                       f" and {names[1].split(',')[0].strip('{} ')}" if len(names) == 2 else "")
        out[key] = (who, year.group(1) if year else "n.d.")
    return out


def _page_title(target: str, base: Path) -> str:
    for suffix in (".ipynb", ".md", ""):
        path = (base / (target + suffix)).resolve()
        if path.is_file():
            if path.suffix == ".ipynb":
                cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
                text = "".join(_source(c) for c in cells if c["cell_type"] == "markdown")
            else:
                text = path.read_text(encoding="utf-8")
            m = re.search(r"(?m)^#\s+(.+)$", text)
            if m:
                return f"the book's page \u201c{m.group(1).strip()}\u201d"
    return f"the book's page {Path(target).name}"


def plain_text(markdown: str, base: Path | None = None, bib: Path | None = None) -> str:
    """``markdown`` with its MyST roles replaced by plain text (see the module docstring)."""
    base = ROOT / "labs" if base is None else base
    entries = _bib_entries(ROOT / "references.bib" if bib is None else bib)

    def cite(keys: str, textual: bool) -> str:
        parts = []
        for key in (k.strip() for k in keys.split(",")):
            who, year = entries.get(key, (key, ""))
            parts.append(f"{who} ({year})" if textual else f"{who} {year}".strip())
        return "; ".join(parts) if textual else "(" + "; ".join(parts) + ")"

    def repl(m: re.Match) -> str:
        role, body = m.group("role"), m.group("body")
        labelled = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", body)
        if role.startswith("cite"):
            return cite(body, textual=role in ("cite:t", "cite:ts"))
        if labelled:
            return labelled.group(1).strip()
        if role == "doc":
            return _page_title(body, base)
        return body

    return _ROLE.sub(repl, markdown)


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


def student_notebook(notebook: dict, name: str = "notebook", variant: str | None = None,
                     base: Path | None = None) -> dict:
    """The student copy of one lab notebook (a new dict; the input is not modified).

    Parameters
    ----------
    notebook : dict
        A notebook in nbformat 4 JSON form.
    name : str
        Used in error messages.
    variant : str or None
        If given, the copy starts with ``set_variant(variant)``.
    base : pathlib.Path or None
        Folder of the lab, to resolve ``{doc}`` links to page titles.

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
    if variant is not None:
        from .checks import _check_variant

        variant = _check_variant(variant)
        out_cells.append({"cell_type": "code", "execution_count": None, "id": "energylab-variant",
                          "metadata": {"tags": ["variant"]}, "outputs": [],
                          "source": "from energylab.checks import set_variant\n\n"
                                    f"set_variant({variant!r})  # your variant, set by your instructor: keep it"})
    for cell in cells:
        tags = _tags(cell)
        if SOLUTION_TAG in tags or (STUDENT_TAG not in tags and any(t in tags for t in DROP_TAGS)):
            continue
        cell = json.loads(json.dumps(cell))  # deep copy
        if STUDENT_TAG in tags:
            kept = [t for t in tags if t not in (STUDENT_TAG, *DROP_TAGS)]
            if kept:
                cell["metadata"]["tags"] = kept
            else:
                cell["metadata"].pop("tags", None)
        if cell["cell_type"] == "markdown":
            cell["source"] = plain_text(_source(cell), base)
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
    if variant is not None:
        student["metadata"]["energylab"] = {"variant": variant}
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


def read_roster(path: str | Path) -> list[str]:
    """Student ids from a CSV file with a ``student`` column (letters, digits, ``._-``)."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or "student" not in rows[0]:
        raise ValueError(f"roster {path} must be a CSV file with a 'student' column")
    ids = [r["student"].strip() for r in rows]
    bad = [s for s in ids if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", s)]
    if bad:
        raise ValueError(f"roster {path}: student ids must be 1-64 letters, digits, '.', '_' or '-', got {bad[:3]}")
    if len(set(ids)) != len(ids):
        raise ValueError(f"roster {path} lists a student twice")
    return ids


def write_student_copies(source: str | Path, out: str | Path, variant: str | None = None,
                         roster: str | Path | None = None) -> list[Path]:
    """Write the student copy of every lab in ``source`` (a folder or one .ipynb) to ``out``.

    With ``roster``, one sub-folder per student, each copy with the variant
    ``f"{variant}/{student}"`` (``variant`` is then required: the term).

    Returns
    -------
    list of pathlib.Path
        The notebooks written, one per lab (and student), with the lab's file name.
    """
    source, out = Path(source), Path(out)
    labs = _notebooks(source)
    if out.resolve() in {p.parent.resolve() for p in labs}:
        raise ValueError(f"out must not be the folder of the labs themselves ({out}): it would overwrite them")
    if roster is not None and variant is None:
        raise ValueError("roster needs variant (the term, e.g. '2027-spring'): each student gets 'term/student'")
    targets = ([(out / s, f"{variant}/{s}") for s in read_roster(roster)] if roster is not None
               else [(out, variant)])
    written = []
    for folder, var in targets:
        folder.mkdir(parents=True, exist_ok=True)
        for lab in labs:
            notebook = json.loads(lab.read_text(encoding="utf-8"))
            student = student_notebook(notebook, name=lab.name, variant=var, base=lab.parent)
            target = folder / lab.name
            target.write_text(json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m energylab.student_version",
        description="Write student copies of the labs: solutions removed, answers emptied, outputs cleared.")
    parser.add_argument("source", type=Path, help="the labs folder (labs/) or one lab notebook")
    parser.add_argument("out", type=Path, help="folder for the student copies (created if missing)")
    parser.add_argument("--variant", help="variant of the task inputs, e.g. the term '2027-spring' "
                        "(default: none written; the copy then follows $ENERGYLAB_VARIANT or the book)")
    parser.add_argument("--roster", type=Path, help="CSV with a 'student' column: one folder and "
                        "variant 'VARIANT/student' per student")
    args = parser.parse_args(argv)
    try:
        written = write_student_copies(args.source, args.out, variant=args.variant, roster=args.roster)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
