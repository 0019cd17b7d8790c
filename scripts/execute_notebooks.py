"""Execute notebooks in a fresh kernel and save them in a reproducible form.

    python scripts/execute_notebooks.py chapters/01_power_laws.ipynb labs/lab01_*.ipynb
    python scripts/execute_notebooks.py            # every chapter, lab and reference notebook
    python scripts/execute_notebooks.py --normalise-only FILES   # no kernel: tidy only

Executing the same notebook twice gives byte-identical files: no per-cell timing
metadata, and the ipywidgets model ids (random UUIDs in a kernel) renamed by their
order of creation. So a re-executed notebook differs from the committed one only where
an output really changed, which keeps diffs readable and merges of parallel branches
clean. ``make execute`` calls this script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ["chapters/*.ipynb", "labs/*.ipynb", "reference/*.ipynb"]


def _widget_ids(nb) -> list[str]:
    """Model ids in order of creation: the saved widget state first, then any view-only id."""
    ids: list[str] = []
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    ids.extend(state.get("state", {}).keys())
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view and view.get("model_id") not in ids:
                ids.append(view["model_id"])
    return ids


def _coalesce_streams(outputs):
    """Join consecutive stream outputs of the same name (stdout, stderr) into one.

    How a kernel splits printed text into messages depends on timing; joined, the
    output is the same on every run (nbval compares them joined too).
    """
    merged = []
    for out in outputs:
        if (merged and out.get("output_type") == "stream" and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")):
            merged[-1]["text"] = merged[-1]["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def normalise(nb, name: str):
    """Drop timing metadata, join split stream outputs and give widget models stable ids."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _coalesce_streams(cell.get("outputs", []))
            for out in cell.outputs:
                out.get("metadata", {}).pop("execution", None)
    ids = _widget_ids(nb)
    if not ids:
        return nb
    text = json.dumps(nb, ensure_ascii=False)
    for i, old in enumerate(ids):
        new = hashlib.sha1(f"{name}:{i}".encode()).hexdigest()[:32]
        text = text.replace(f'"{old}"', f'"{new}"').replace(f"IPY_MODEL_{old}", f"IPY_MODEL_{new}")
    return nbformat.from_dict(json.loads(text))


def execute(path: Path, timeout: int = 600):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--normalise-only", action="store_true", help="tidy the files without executing them")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted(p for pat in DEFAULT for p in ROOT.glob(pat))
    for path in paths:
        t0 = time.perf_counter()
        nb = nbformat.read(path, as_version=4) if args.normalise_only else execute(path, args.timeout)
        nb = normalise(nb, path.name)
        nbformat.write(nb, path)
        print(f"{'normalised' if args.normalise_only else 'executed'} {path} "
              f"({time.perf_counter() - t0:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
