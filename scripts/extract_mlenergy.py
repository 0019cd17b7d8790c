"""Maintainer's tool: refresh the ML.ENERGY rows of energylab/data/measurements.csv.

    python scripts/extract_mlenergy.py PATH [--verified YYYY-MM-DD] [--write]

PATH is either the ``public/data`` folder of a checkout of the ML.ENERGY leaderboard
(https://github.com/ml-energy/leaderboard; it holds ``index.json`` and ``models/``) or a
git directory of that repository (read with ``git show HEAD:public/data/...``). The
script picks the configurations listed in SELECTION below, converts each into one row of
the measurements dataset (per-token GPU energy in J, with the run's GPUs, batch, mean
output length, energy per request and average power), prints the rows, and with
``--write`` replaces the rows whose source is ``chung2025mlenergy`` in measurements.csv.

The course never runs this script: the committed CSV rows are the data, and the book and
its tests never read the leaderboard's files. Only numbers (facts) are taken, with the
citation; the ML.ENERGY Benchmark V3 dataset is published under Apache-2.0
(data_publishing/DATASET_CARD.md of github.com/ml-energy/data).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

CSV = Path(__file__).resolve().parents[1] / "energylab" / "data" / "measurements.csv"
SOURCE = "chung2025mlenergy"
EXTRA = ["gpus", "max_batch", "mean_batch", "output_tokens", "request_j", "power_w"]

#: (leaderboard model id, task, short id, subject, GPU, number of GPUs, max_num_seqs values)
SELECTION = [
    ("meta-llama/Llama-3.1-8B-Instruct", "lm-arena-chat", "llama31_8b", "Llama 3.1 8B Instruct",
     "H100", 1, (8, 64, 512)),
    ("meta-llama/Llama-3.1-8B-Instruct", "lm-arena-chat", "llama31_8b", "Llama 3.1 8B Instruct",
     "B200", 1, (8, 64, 2048)),
    ("meta-llama/Llama-3.1-70B-Instruct", "lm-arena-chat", "llama31_70b", "Llama 3.1 70B Instruct",
     "H100", 4, (8, 64, 1024)),
    ("meta-llama/Llama-3.1-70B-Instruct", "lm-arena-chat", "llama31_70b", "Llama 3.1 70B Instruct",
     "B200", 2, (8, 64, 2048)),
    ("meta-llama/Llama-3.1-405B-Instruct-FP8", "lm-arena-chat", "llama31_405b_fp8",
     "Llama 3.1 405B Instruct FP8", "H100", 8, (8, 64, 256)),
    ("meta-llama/Llama-3.1-405B-Instruct-FP8", "lm-arena-chat", "llama31_405b_fp8",
     "Llama 3.1 405B Instruct FP8", "B200", 4, (8, 64, 512)),
    ("Qwen/Qwen3-235B-A22B-Thinking-2507", "gpqa", "qwen3_235b_thinking",
     "Qwen 3 235B A22B Thinking", "H100", 8, (8, 16, 32)),
    ("Qwen/Qwen3-235B-A22B-Thinking-2507", "gpqa", "qwen3_235b_thinking",
     "Qwen 3 235B A22B Thinking", "B200", 4, (8, 64, 256)),
    # Lab 8's row, not shown in chapter 8
    ("Qwen/Qwen3-32B", "lm-arena-chat", "qwen3_32b", "Qwen 3 32B", "H100", 2, (32,)),
]

EXCLUDES = "host CPU and DRAM, idle and reserve capacity, data-centre overhead (PUE), network, embodied hardware"
LICENCE = "Apache-2.0 (ML.ENERGY Benchmark V3 dataset); facts quoted for teaching"


def reader(path: Path):
    """A function name -> parsed JSON for a data folder or a git directory."""
    if (path / "index.json").exists():
        return lambda name: json.loads((path / name).read_text(encoding="utf-8"))

    def from_git(name):
        out = subprocess.run(["git", "--git-dir", str(path), "show", f"HEAD:public/data/{name}"],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    return from_git


def rows(path: Path, verified: str) -> list[dict]:
    read = reader(path)
    updated = read("index.json")["last_updated"]
    out = []
    for model, task, short, subject, gpu, n, batches in SELECTION:
        data = read(f"models/{model.replace('/', '__')}__{task}.json")
        for b in batches:
            (c,) = [c for c in data["configurations"]
                    if c["gpu_model"] == gpu and c["num_gpus"] == n and c["max_num_seqs"] == b]
            par = c.get("parallelization", {})
            out.append({
                "id": f"mlenergy_{short}_{gpu.lower()}x{n}_b{b}",
                "subject": subject, "workload": "inference", "quantity": "energy",
                "value": f"{c['energy_per_token_joules']:.6g}", "low": "", "high": "",
                "unit": "J", "per": "output token", "scope": f"accelerators ({n} GPUs)",
                "includes": (f"GPU energy of {n} {gpu} GPUs serving {task} requests, read from the "
                             f"GPUs' counters at steady state with up to {b} requests in flight "
                             f"(mean batch {c['avg_batch_size']:.1f}), divided by the output tokens; "
                             "prefill of the prompts included"),
                "excludes": EXCLUDES, "method": "measured (GPU counters, steady state)",
                "hardware": f"{n} x NVIDIA {gpu}", "source": SOURCE, "published": updated,
                "verified": f"{verified} (leaderboard data files)", "confidence": "V",
                "licence": LICENCE,
                "notes": (f"task {task}; {data['weight_precision']} weights; tensor parallel "
                          f"{par.get('tensor_parallel', 1)}, expert parallel "
                          f"{par.get('expert_parallel', 1)}"),
                "gpus": n, "max_batch": b, "mean_batch": f"{c['avg_batch_size']:.4g}",
                "output_tokens": f"{c['avg_output_len']:.5g}",
                "request_j": f"{c['energy_per_request_joules']:.6g}",
                "power_w": f"{c['avg_power_watts']:.5g}",
            })
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", type=Path, help="leaderboard public/data folder or git directory")
    p.add_argument("--verified", default="2026-11-29", help="date the figures were checked")
    p.add_argument("--write", action="store_true", help="replace the rows in measurements.csv")
    a = p.parse_args(argv)
    new = rows(a.path, a.verified)
    with CSV.open(encoding="utf-8", newline="") as fh:
        r = csv.DictReader(fh)
        fields = list(r.fieldnames)
        old = [row for row in r if row["source"] != SOURCE]
    fields += [f for f in EXTRA if f not in fields]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows([{**{f: "" for f in fields}, **row} for row in old + new])
    if a.write:
        CSV.write_text(buf.getvalue(), encoding="utf-8")
        print(f"wrote {len(new)} rows to {CSV}", file=sys.stderr)
    else:
        sys.stdout.write(buf.getvalue())


if __name__ == "__main__":
    main()
