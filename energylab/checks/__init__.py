"""Answer checks and task variants for the labs.

**For students.** ``task = task_inputs("lab03")`` returns the inputs of your variant of lab 3 (print it to
see them); ``check("lab03.break_even", break_even)`` prints ✔ or ✘ with a hint, never the
expected value, and returns None (so no stray ``True``/``False`` appears under it). An
answer of ``None`` prints "not answered yet", so a student copy runs top to bottom.

**Variants (for instructors).** Every lab's task inputs come from a *variant*, a short string. The variant ``"book"`` (the
default) holds the inputs the public book prints its worked solutions for; any other
string (a term, ``"2027-spring"``, or a term and a student, ``"2027-spring/ada"``) draws
the inputs from a seeded generator, so that last term's answers and a neighbour's do not
transfer. The variant in force is, first match wins:

1. ``set_variant("2027-spring/ada")`` called in the kernel (the student copies written by
   ``python -m energylab.student_version --variant ...`` start with that call);
2. the environment variable ``ENERGYLAB_VARIANT`` (set it once on a JupyterHub);
3. ``"book"``.

**Adding a lab (how labs 7 and 8 adopt this API).** A lab ``NN`` lives in ``energylab/checks/labNN.py`` and defines

* ``BOOK_INPUTS``: dict of the task inputs of the book variant (optional: a lab without
  it has fixed inputs and every variant gets the same answers);
* ``draw_inputs(rng)``: returns a dict overriding some of ``BOOK_INPUTS`` for another
  variant, drawn with the :class:`numpy.random.Generator` it is given (optional);
* ``QUESTIONS``: dict ``"labNN.name" -> Question``. ``Question.expected`` is called with
  the variant's inputs (a :class:`TaskInputs`); a callable taking no argument is accepted
  too, for questions whose answer does not depend on the variant.

Grading (``python -m energylab.grade``) uses ``Question.points`` (weight), gives partial
credit to array answers element by element (``partial=True``), and gives credit for an
error carried forward: ``Question.ecf(inputs, answers)`` returns the answer that is right
*given the student's own earlier answers* (``answers`` maps question ids to the values
the student gave).

The expected values are computed from energylab's models and datasets, never typed in:
a changed dataset moves the answers with it (``CHANGELOG.md`` records such changes).
The package is open, so a determined student can always compute an answer with it (that
is what the lab asks); what stays private is that no copy, output or message prints the
value, each variant has its own, and the grader computes the key outside the student's
kernel and flags a submission that reaches for it (``expected``, ``answer_key``,
``QUESTIONS``) or replaces ``check``.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["BOOK_VARIANT", "ENV_VAR", "Question", "TaskInputs", "check", "current_variant",
           "expected", "question_ids", "set_variant", "task_inputs", "verdict"]

#: The variant the public book is executed with.
BOOK_VARIANT = "book"
#: Environment variable that sets the variant of a whole hub or term.
ENV_VAR = "ENERGYLAB_VARIANT"

_variant: str | None = None


@dataclass(frozen=True)
class Question:
    """One checkable answer.

    Attributes
    ----------
    expected : callable
        ``expected(inputs)`` returns the expected value (a number, an array, a string or
        a bool) for a variant's inputs; ``expected()`` for variant-free questions.
    rtol, atol : float
        Tolerances for numbers.
    hint : str
        Shown when the answer is wrong. Must not state the answer.
    unit : str
        Unit the answer must be given in.
    points : float
        Weight of the question in the grade.
    partial : bool
        For array answers: credit in proportion to the elements that are right.
    ecf : callable or None
        ``ecf(inputs, answers)`` returns the answer that follows from the student's own
        earlier answers (error carried forward), or None if it cannot be computed.
    """

    expected: Callable[..., object]
    rtol: float = 0.01
    hint: str = ""
    unit: str = ""
    atol: float = 0.0
    points: float = 1.0
    partial: bool = True
    ecf: Callable[..., object] | None = None


class TaskInputs(dict):
    """A lab's task inputs for one variant: a dict that prints as a table."""

    def __init__(self, lab: str, variant: str, values: dict):
        super().__init__(values)
        self.lab = lab
        self.variant = variant

    def __repr__(self) -> str:
        lines = [f"Task inputs of {self.lab}, variant {self.variant!r}:"]
        width = max((len(k) for k in self), default=0)
        for key, value in self.items():
            lines.append(f"  {key:<{width}} = {_show_input(value)}")
        return "\n".join(lines)


def _show_input(value) -> str:
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, separator=", ").replace("\n", "\n" + " " * 6)
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def _check_variant(variant) -> str:
    if isinstance(variant, bool) or not isinstance(variant, (str, int)) or isinstance(variant, np.integer):
        raise ValueError(f"variant must be a string such as '2027-spring/ada', got {variant!r}")
    variant = str(variant).strip()
    if not variant or len(variant) > 200 or any(c in variant for c in "\n\r\t\"'\\"):
        raise ValueError(f"variant must be 1 to 200 characters without quotes, backslashes or "
                         f"line breaks, got {variant!r}")
    return variant


def set_variant(variant: str | None) -> str:
    """Set the variant for this kernel (None: back to ``ENERGYLAB_VARIANT`` or the book)."""
    global _variant
    _variant = None if variant is None else _check_variant(variant)
    return current_variant()


def current_variant() -> str:
    """The variant in force: :func:`set_variant`, else ``$ENERGYLAB_VARIANT``, else ``"book"``."""
    if _variant is not None:
        return _variant
    env = os.environ.get(ENV_VAR, "").strip()
    return _check_variant(env) if env else BOOK_VARIANT


def _module(lab: str):
    if not isinstance(lab, str) or not lab.startswith("lab"):
        raise ValueError(f"lab must look like 'lab01', got {lab!r}")
    try:
        return importlib.import_module(f"{__name__}.{lab}")
    except ModuleNotFoundError as err:
        if err.name != f"{__name__}.{lab}":
            raise
        raise ValueError(f"no questions for {lab!r}") from None


def variant_rng(lab: str, variant: str) -> np.random.Generator:
    """The seeded generator of a lab's variant (SHA-256 of ``"lab/variant"``)."""
    digest = hashlib.sha256(f"{lab}/{variant}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def task_inputs(lab: str, variant: str | None = None) -> TaskInputs:
    """The task inputs of ``lab`` for ``variant`` (default: :func:`current_variant`)."""
    module = _module(lab)
    variant = current_variant() if variant is None else _check_variant(variant)
    values = dict(getattr(module, "BOOK_INPUTS", {}))
    if variant != BOOK_VARIANT and hasattr(module, "draw_inputs"):
        drawn = module.draw_inputs(variant_rng(lab, variant))
        unknown = set(drawn) - set(values)
        if unknown:  # pragma: no cover - a lab module's own mistake
            raise RuntimeError(f"{lab}.draw_inputs returned unknown inputs {sorted(unknown)}")
        values.update(drawn)
    return TaskInputs(lab, variant, values)


def _questions(question_id: str) -> dict:
    if not isinstance(question_id, str) or "." not in question_id:
        raise ValueError(f"question_id must look like 'lab01.name', got {question_id!r}")
    lab = question_id.split(".", 1)[0]
    try:
        questions = _module(lab).QUESTIONS
    except ValueError:
        raise ValueError(f"no questions for {lab!r} (question_id {question_id!r})") from None
    if question_id not in questions:
        raise ValueError(f"unknown question_id {question_id!r}; {lab} has {', '.join(sorted(questions))}")
    return questions


def question_ids(lab: str) -> list[str]:
    """All question ids of a lab, e.g. ``question_ids("lab01")``."""
    return sorted(_module(lab).QUESTIONS)


def _call(fn: Callable, *args):
    """Call ``fn`` with as many of ``args`` as it takes (0 for variant-free questions)."""
    try:
        n = len(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # pragma: no cover
        n = len(args)
    return fn(*args[:n])


def expected(question_id: str, variant: str | None = None):
    """The expected answer of a question for a variant (for instructors, tests and the grader).

    Never call this in a lab: the grader flags any submission that does.
    """
    lab = question_id.split(".", 1)[0] if isinstance(question_id, str) else question_id
    q = _questions(question_id)[question_id]
    return _call(q.expected, task_inputs(lab, variant))


def element_credit(value, target, q: Question) -> float:
    """Share of the answer that is right: 0 or 1, or the share of right elements of an array."""
    if isinstance(target, str):
        return float(isinstance(value, str) and value.strip().lower() == target.strip().lower())
    if isinstance(target, (bool, np.bool_)):
        return float(isinstance(value, (bool, np.bool_)) and bool(value) == bool(target))
    if isinstance(value, (str, bool, np.bool_)) or value is None:
        return 0.0
    try:
        v = np.asarray(value, dtype=float)
        t = np.asarray(target, dtype=float)
    except (TypeError, ValueError):
        return 0.0
    if v.shape != t.shape:
        return 0.0
    ok = np.isfinite(v) & np.isclose(v, t, rtol=q.rtol, atol=q.atol)
    if t.ndim == 0 or not q.partial:
        return float(np.all(ok))
    return float(np.mean(ok))


def _matches(value, target, q: Question) -> bool:
    return element_credit(value, target, q) == 1.0


def verdict(question_id: str, value, variant: str | None = None) -> bool:
    """Whether ``value`` answers the question for the variant (no output)."""
    lab = question_id.split(".", 1)[0]
    q = _questions(question_id)[question_id]
    if value is None:
        return False
    return _matches(value, _call(q.expected, task_inputs(lab, variant)), q)


def check(question_id: str, value) -> None:
    """Check an answer for the current variant; print ✔ or ✘ (with a hint). Returns None.

    The message never shows the expected value. Use :func:`verdict` for a boolean.

    Raises
    ------
    ValueError
        If the question id is unknown (the message lists the lab's questions).
    """
    lab = question_id.split(".", 1)[0] if isinstance(question_id, str) else question_id
    q = _questions(question_id)[question_id]
    if value is None:
        print(f"… {question_id}: not answered yet — replace None with your answer.")
        return None
    target = _call(q.expected, task_inputs(lab))
    unit = f" (in {q.unit})" if q.unit else ""
    credit = element_credit(value, target, q)
    if credit == 1.0:
        print(f"✔ {question_id}: correct.")
        return None
    tol = ""
    if not isinstance(target, (str, bool, np.bool_)) and (q.rtol or q.atol):
        tol = f" (tolerance {q.rtol:.1%})" if q.rtol else f" (tolerance ±{q.atol:g})"
    part = ""
    if 0 < credit < 1:
        part = f" {credit:.0%} of the entries are right."
    hint = f" Hint: {q.hint}" if q.hint else ""
    print(f"✘ {question_id}: {_show(value)}{unit} is not right{tol}.{part}{hint}")
    return None


def _show(value) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.4g}"
    arr = np.asarray(value) if not isinstance(value, str) else None
    if arr is not None and arr.dtype.kind == "f" and arr.ndim > 0:
        return np.array2string(arr, precision=4)
    return repr(value)
