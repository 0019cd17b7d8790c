"""Answer checks for the labs.

``check(question_id, value)`` prints a tick or a cross with a hint and returns a bool.
Question ids are ``"labNN.name"``; the questions of lab NN live in
``energylab/checks/labNN.py`` as a dict ``QUESTIONS`` of :class:`Question`. Expected
values are *computed* from energylab's models and datasets (never typed in), so a
change to a dataset or model moves the expected answer with it.

An answer of ``None`` (the student has not answered yet) prints a reminder and
returns False without raising, so a student copy of a lab runs top to bottom.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Question", "check", "expected", "question_ids"]


@dataclass(frozen=True)
class Question:
    """One checkable answer.

    Attributes
    ----------
    expected : callable
        Returns the expected value (a number, an array, a string or a bool).
    rtol : float
        Relative tolerance for numbers.
    hint : str
        Shown when the answer is wrong.
    unit : str
        Unit the answer must be given in (shown with the verdict).
    """

    expected: Callable[[], object]
    rtol: float = 0.01
    hint: str = ""
    unit: str = ""
    atol: float = 0.0


def _questions(question_id: str) -> dict:
    if not isinstance(question_id, str) or "." not in question_id:
        raise ValueError(f"question_id must look like 'lab01.name', got {question_id!r}")
    lab = question_id.split(".", 1)[0]
    try:
        module = importlib.import_module(f"{__name__}.{lab}")
    except ModuleNotFoundError:
        raise ValueError(f"no questions for {lab!r} (question_id {question_id!r})") from None
    questions = module.QUESTIONS
    if question_id not in questions:
        raise ValueError(f"unknown question_id {question_id!r}; {lab} has {', '.join(sorted(questions))}")
    return questions


def question_ids(lab: str) -> list[str]:
    """All question ids of a lab, e.g. ``question_ids("lab01")``."""
    module = importlib.import_module(f"{__name__}.{lab}")
    return sorted(module.QUESTIONS)


def expected(question_id: str):
    """The expected answer of a question (for instructors and tests)."""
    return _questions(question_id)[question_id].expected()


def _matches(value, target, q: Question) -> bool:
    if isinstance(target, str):
        return isinstance(value, str) and value.strip().lower() == target.strip().lower()
    if isinstance(target, (bool, np.bool_)):
        return isinstance(value, (bool, np.bool_)) and bool(value) == bool(target)
    try:
        v = np.asarray(value, dtype=float)
        t = np.asarray(target, dtype=float)
    except (TypeError, ValueError):
        return False
    if v.shape != t.shape or not np.all(np.isfinite(v)):
        return False
    return bool(np.allclose(v, t, rtol=q.rtol, atol=q.atol))


def check(question_id: str, value) -> bool:
    """Check an answer; print ✔ or ✘ (with a hint) and return whether it is right.

    Parameters
    ----------
    question_id : str
        e.g. ``"lab01.doubling_2010"``.
    value : object
        The student's answer; ``None`` means "not answered yet".

    Raises
    ------
    ValueError
        If the question id is unknown (the message lists the lab's questions).
    """
    q = _questions(question_id)[question_id]
    if value is None:
        print(f"… {question_id}: not answered yet — replace None with your answer.")
        return False
    target = q.expected()
    unit = f" {q.unit}" if q.unit else ""
    if _matches(value, target, q):
        print(f"✔ {question_id}: correct ({_show(value)}{unit}).")
        return True
    tol = f" (tolerance {q.rtol:.0%})" if not isinstance(target, (str, bool)) and q.rtol else ""
    hint = f" Hint: {q.hint}" if q.hint else ""
    print(f"✘ {question_id}: {_show(value)}{unit} is not right{tol}.{hint}")
    return False


def _show(value) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.4g}"
    arr = np.asarray(value) if not isinstance(value, str) else None
    if arr is not None and arr.dtype.kind == "f" and arr.ndim > 0:
        return np.array2string(arr, precision=4)
    return repr(value)
