"""Answer-key fingerprints: what makes a version number mean something.

    python -m energylab.release            # print the fingerprint table for CHANGELOG.md

A lab's fingerprint is a short SHA-256 of its expected answers (rounded to 6 significant
digits) in the book's variant and two reference variants. ``CHANGELOG.md`` records the
table of the current version; ``tests/test_release.py`` recomputes it, so a change to any
expected answer, from a dataset row, a model or a lab's inputs, fails the tests until it
is recorded in the changelog with a new MINOR version. An instructor who pinned a term to
a release knows that its answers stay as they were.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from . import __version__

#: Variants whose keys make up a fingerprint.
FINGERPRINT_VARIANTS = ("book", "fingerprint-a", "fingerprint-b")
ROOT = Path(__file__).resolve().parent.parent


def _canonical(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return value
    arr = np.asarray(value, dtype=float)
    return [float(f"{x:.6g}") for x in np.ravel(arr)] + [list(arr.shape)]


def labs() -> list[str]:
    """Labs that have questions (``energylab/checks/labNN.py``)."""
    return sorted(p.stem for p in (Path(__file__).parent / "checks").glob("lab[0-9][0-9].py"))


def fingerprint(lab: str) -> str:
    """Twelve hex digits of the SHA-256 of ``lab``'s answer keys in the fingerprint variants."""
    from .grade import answer_key

    keys = {v: {q: _canonical(x) for q, x in answer_key(lab, v).items()} for v in FINGERPRINT_VARIANTS}
    return hashlib.sha256(json.dumps(keys, sort_keys=True).encode()).hexdigest()[:12]


def table() -> str:
    rows = [f"| {lab} | `{fingerprint(lab)}` |" for lab in labs()]
    return "\n".join(["| lab | answer-key fingerprint |", "|---|---|", *rows])


def main() -> int:
    print(f"energylab {__version__}\n")
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
