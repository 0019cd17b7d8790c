"""Time a fresh run of each lab's student copy, as a student starts it.

    python benchmarks/student_runs.py [--variant 2027-spring] [--labs lab07 lab08]

Writes the student copies to a scratch folder, runs each top to bottom in a fresh kernel
(nbclient) from that folder, and prints a Markdown table of wall-clock seconds: the
machine's share of a lab session (imports, the digits network, every explorer drawn).
The human share, reading and thinking, is the estimate in ``energylab/syllabus.py``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from energylab.student_version import write_student_copies

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="2027-spring")
    parser.add_argument("--labs", nargs="*", default=None,
                        help="only these labs (e.g. lab07 lab08); default: every lab")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        copies = write_student_copies(ROOT / "labs", Path(scratch), variant=args.variant)
        print(f"| lab | fresh run of the student copy (s), variant {args.variant!r} |\n|---|---|")
        for path in copies:
            if args.labs and not any(path.stem.startswith(lab) for lab in args.labs):
                continue
            nb = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": scratch}}).execute()
            print(f"| {path.stem} | {time.perf_counter() - start:.1f} |", flush=True)


if __name__ == "__main__":
    main()
