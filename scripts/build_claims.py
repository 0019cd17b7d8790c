"""Build energylab/data/claims.csv from the claims ledger (section 1).

Run from the repository root with the shared material beside it::

    python scripts/build_claims.py ../shared/data/claims_ledger.md

Each ledger row (C001 ... C146) becomes one row: id, seeds and seed files, topic, the
claim in English, the verdict as written and its class (the first of correct · roughly
right · misleading · wrong · unverifiable that the verdict names), the better figure
with its source markers removed, the source URLs, the confidence of the check (V =
checked against a copy, K = as commonly cited) and how a student can recompute it.
The committed CSV is this script's output; the course never reads the ledger at run
time. Provenance: energylab/data/sources.toml, table [claims].
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "energylab" / "data" / "claims.csv"

#: Verdict classes and topics as the ledger defines them.
VERDICTS = ["correct", "roughly right", "misleading", "wrong", "unverifiable"]
TOPICS = ["power-laws", "landauer-joule", "sparsity", "low-precision", "pim", "cooling-water",
          "energy-bill"]

ROW = re.compile(r"^\| (C\d{3}) \|")
SEED_FILE = re.compile(r"^\| (\d{3}) \| `([^`]+)` \|")
URL = re.compile(r"https?://[^\s\];,)]+")
MARKER = re.compile(r"\s*\[(?:V|K)\b[^\]]*\]")


def verdict_class(verdict: str) -> str:
    """The first verdict keyword named in a verdict (``"wrong / unverifiable"`` → wrong)."""
    text = verdict.lower()
    found = [(text.find(v), v) for v in VERDICTS if v in text]
    if not found:
        raise ValueError(f"verdict {verdict!r} names none of {VERDICTS}")
    # "roughly right" must win over a later plain keyword; earliest position wins
    return min(found)[1]


def confidence(text: str) -> str:
    if "[V" in text:
        return "V"
    if "[K" in text:
        return "K"
    return ""


def parse(ledger: str) -> pd.DataFrame:
    seed_files = {}
    rows = []
    for line in ledger.splitlines():
        m = SEED_FILE.match(line)
        if m:
            seed_files[m.group(1)] = m.group(2)
            continue
        if not ROW.match(line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) != 7:
            raise ValueError(f"ledger row has {len(cells)} cells, expected 7: {line[:80]}")
        cells = ["" if c == "n/a" else c for c in cells]  # "not applicable" -> empty cell
        cid, seeds, claim, topic, verdict, best, check = cells
        seeds = [s.strip() for s in seeds.split(",")]
        if topic not in TOPICS:
            raise ValueError(f"{cid}: unknown topic {topic!r}")
        rows.append({
            "id": cid,
            "seeds": ";".join(seeds),
            "seed_files": ";".join(seed_files[s] for s in seeds),
            "topic": topic,
            "claim": claim,
            "verdict": verdict,
            "verdict_class": verdict_class(verdict),
            "better_figure": re.sub(r"\s+", " ", MARKER.sub("", best)).strip(),
            "source_urls": ";".join(dict.fromkeys(URL.findall(best))),
            "confidence": confidence(best),
            "how_to_check": check,
        })
    df = pd.DataFrame(rows)
    if df["id"].duplicated().any():
        raise ValueError("duplicate claim ids in the ledger")
    return df


def main(path: str) -> None:
    df = parse(Path(path).read_text(encoding="utf-8"))
    df.to_csv(OUT, index=False)
    print(f"wrote {len(df)} claims to {OUT.relative_to(OUT.parents[2])}")
    print(df["verdict_class"].value_counts().to_string())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/claims_ledger.md")
