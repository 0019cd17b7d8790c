"""The course plan in one place: labs (with their time estimates) and the 12-week syllabus.

    python -m energylab.syllabus          # print the tables of reference/syllabus.md and
                                          # the time table of reference/instructors.md

The labs' "**Time.**" lines, the instructors' time table and the syllabus page are checked
against :data:`LABS` and :data:`WEEKS` by ``tests/test_syllabus.py``: change a time here,
then in the lab, and paste the printed tables.

The class times are estimates for a second-year engineering student working alone with the
chapter read beforehand; ``benchmarks/student_runs.md`` records the measured machine time
of a fresh run of each student copy (the part of the time that is not thinking).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Lab:
    title: str
    chapter: int
    topic: str
    minutes: tuple[int, int]      # in class
    home_minutes: int             # reflections and the rest at home


LABS = {
    "lab01_compute_trends": Lab(
        "Measure the exponent", 1,
        "doubling times, compute-optimal models, the energy-optimal clock, the fastest window (open)",
        (75, 90), 30),
    "lab02_how_far_from_the_limit": Lab(
        "How far from the limit?", 2,
        "the Landauer limit, the gap of four GPU generations, an H100 from first principles",
        (45, 60), 30),
    "lab03_prune_a_network": Lab(
        "Prune a network", 3,
        "a 2:4 mask by hand, three ways to prune to 50 %, storage formats and break-even, "
        "an MoE's active share, a seed claim",
        (60, 75), 30),
    "lab04_squeeze_the_bits": Lab(
        "Squeeze the bits", 4,
        "decode FP8 by hand, INT8 per tensor vs per channel, the fewest bits for the digits "
        "network, energy and memory saved",
        (60, 75), 30),
    "lab05_compute_where_the_data_lives": Lab(
        "Compute where the data lives", 5,
        "a ridge point, decode energy per token at batch 1 and 64, a layer on a crossbar by "
        "hand, the variation that costs one point",
        (60, 75), 30),
    "lab06_keep_it_cool": Lab(
        "Keep it cool", 6,
        "rack water flow, throttling under two coolers, GPT-3's water and carbon at three "
        "sites, a greener site",
        (60, 75), 30),
    "lab07_audit_a_claim": Lab(
        "Audit a claim", 7,
        "reproduce GPT-3's energy and carbon; audit three seed claims end to end; "
        "a claim the chapter does not cover, inputs found in the datasets (open)",
        (75, 90), 45),
    "lab08_models_against_meters": Lab(
        "Models against meters", 8,
        "two calculators on BLOOM, a per-token prediction against a meter, the 2.9 → 0.24 Wh "
        "waterfall, reading a figure's boundary",
        (75, 90), 45),
}

CHAPTERS = {
    1: ("01_power_laws", "Power laws"),
    2: ("02_landauer_joule", "The Landauer limit and Joule heating"),
    3: ("03_sparsity", "Sparsity"),
    4: ("04_low_precision", "Low precision"),
    5: ("05_processing_in_memory", "Processing in memory"),
    6: ("06_cooling_and_water", "Cooling and water"),
    7: ("07_the_whole_bill", "The whole bill"),
    8: ("08_models_against_meters", "Models against meters"),
}


@dataclass(frozen=True)
class Week:
    chapter: int | None
    lab: str | None
    readings: tuple[str, ...]     # references.bib keys
    assessment: str


WEEKS = (
    Week(1, "lab01_compute_trends", ("sevilla2022", "hoffmann2022"), "quiz 1 (bank, chapter 1)"),
    Week(2, "lab02_how_far_from_the_limit", ("landauer1961", "horowitz2014"), "quiz 2; lab 1 due"),
    Week(3, "lab03_prune_a_network", ("han2015learning", "frantar2023sparsegpt"), "quiz 3; lab 2 due"),
    Week(4, "lab04_squeeze_the_bits", ("micikevicius2022fp8", "rouhani2023mx"),
         "quiz 4; lab 3 due; project: claim chosen"),
    Week(5, "lab05_compute_where_the_data_lives", ("williams2009roofline", "sebastian2020memory"),
         "quiz 5; lab 4 due"),
    Week(None, None, (), "midterm exam (bank, chapters 1–5); lab 5 due; project proposal due"),
    Week(6, "lab06_keep_it_cool", ("li2023thirsty", "uptime2024"), "quiz 6"),
    Week(7, "lab07_audit_a_claim", ("patterson2021", "luccioni2023bloom"), "quiz 7; lab 6 due"),
    Week(None, None, ("devries2023",), "project checkpoint: inputs and sources; lab 7 due"),
    Week(8, "lab08_models_against_meters", ("khan2018rapl", "nvml_api"), "quiz 8; project draft due"),
    Week(None, None, (), "project: peer review of drafts; lab 8 due"),
    Week(None, None, (), "project presentations and final report; final exam (bank, all chapters)"),
)


def _lab_no(lab: str) -> int:
    return int(lab[3:5])


def _shipped(lab: str) -> bool:
    """Whether the lab's notebook is in this checkout (pages link only to what exists)."""
    return (ROOT / "labs" / f"{lab}.ipynb").is_file()


def time_table() -> str:
    rows = ["| lab | topic | time in class | at home |", "|---|---|---|---|"]
    for lab, info in LABS.items():
        if not _shipped(lab):
            continue
        lo, hi = info.minutes
        rows.append(f"| {{doc}}`../labs/{lab}` | {info.topic} | {lo}–{hi} min | {info.home_minutes} min |")
    return "\n".join(rows)


def time_line(lab: str) -> str:
    lo, hi = LABS[lab].minutes
    return f"**Time.** About {lo}–{hi} minutes."


def syllabus_table() -> str:
    rows = ["| week | chapter | lab | readings | assessment |", "|---|---|---|---|---|"]
    for number, week in enumerate(WEEKS, 1):
        if week.chapter is None:
            chapter = "—"
        else:
            name, title = CHAPTERS[week.chapter]
            chapter = f"{week.chapter}. {title}"
        if week.lab is None:
            lab = "project work"
        else:
            lab = f"Lab {_lab_no(week.lab)}: {LABS[week.lab].title}"
        readings = "; ".join(f"{{cite:t}}`{key}`" for key in week.readings) or "—"
        rows.append(f"| {number} | {chapter} | {lab} | {readings} | {week.assessment} |")
    return "\n".join(rows)


def main() -> int:
    print("Syllabus (reference/syllabus.md):\n")
    print(syllabus_table())
    print("\nTime per lab (reference/instructors.md):\n")
    print(time_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
