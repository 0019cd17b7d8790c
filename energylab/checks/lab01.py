"""Questions of Lab 1 (compute trends, scaling laws, DVFS). Expected values are computed.

The task inputs live in :data:`BOOK_INPUTS` (the book's variant); :func:`draw_inputs`
draws another variant's (see :mod:`energylab.checks`).
"""

from __future__ import annotations

from . import Question

#: The book variant's task inputs.
BOOK_INPUTS = {
    "early_end_year": 2010,         # task 1a: models from 1950 up to (not including) this year
    "recent_start_year": 2010,      # task 1b: models from this year to 2026
    "frontier_years": (2012, 2019),  # task 1c: frontier models in [start, end)
    "claim_months": 3.5,            # task 1d: the seed's doubling time
    "budget_flop": 1e24,            # task 2
    "mfu": 0.4,                     # task 2b
    "f_ref_hz": 2e9,                # task 3
    "p_dynamic_ref_w": 200.0,
    "p_static_w": 60.0,
    "window_years": 6,              # task 4: width of the sliding window
    "min_models": 5,                # task 4: fewest frontier models a window must hold
}
#: Task 3's work: cycles per task (the optimum clock does not depend on it).
CYCLES = 1e12
#: Task 4: window starts searched.
FIRST_START, LAST_END = 2000, 2026


def draw_inputs(rng) -> dict:
    """Another variant's inputs: eras, budget, utilisation, chip and window differ."""
    return {
        "early_end_year": int(rng.choice([2008, 2010, 2012])),
        "recent_start_year": int(rng.choice([2010, 2012, 2014, 2016])),
        "frontier_years": tuple(int(y) for y in [(2012, 2019), (2013, 2020), (2014, 2021)][rng.integers(3)]),
        "budget_flop": float(rng.choice([3e23, 1e24, 3e24, 1e25])),
        "mfu": float(rng.choice([0.3, 0.35, 0.45, 0.5])),
        "p_dynamic_ref_w": float(rng.choice([150.0, 175.0, 225.0, 250.0])),
        "p_static_w": float(rng.choice([30.0, 40.0, 50.0, 70.0, 80.0, 90.0])),
        "window_years": int(rng.choice([5, 6, 7, 8])),
    }


def doubling_months(start, end, frontier_only=False):
    from .. import scaling
    from ..scaling import select_models

    df = select_models(start, end, "All", frontier_only)
    return scaling.fit_exponential(df["year"], df["training_compute_flop"]).doubling_time_months


def training_mwh(chip_name, budget_flop, mfu):
    from .. import circuits, datasets
    from ..constants import J_PER_MWH

    chip = datasets.chip(chip_name)
    j_per_flop = circuits.joules_per_op(chip["tdp_w"], chip["fp16_flop_per_s"] * mfu)
    return budget_flop * j_per_flop / J_PER_MWH


def _optimal_clock_ghz(p):
    from .. import circuits

    return float(circuits.optimal_frequency(CYCLES, p["f_ref_hz"], p["p_dynamic_ref_w"], p["p_static_w"])) / 1e9


def fastest_window_start(window_years: int, min_models: int) -> int:
    """Start year of the ``window_years`` window (frontier models, at least ``min_models``)
    with the shortest doubling time, by brute force over every start year."""
    from ..scaling import select_models

    best = None
    for start in range(FIRST_START, LAST_END - window_years + 1):
        if len(select_models(start, start + window_years, "All", True)) < min_models:
            continue
        months = doubling_months(start, start + window_years, frontier_only=True)
        if best is None or months < best[0]:
            best = (months, start)
    return best[1]


def _claim(p, recent):
    return bool(abs(recent - p["claim_months"]) / p["claim_months"] < 0.25)


def _ecf_claim(p, answers):
    recent = answers.get("lab01.doubling_recent")
    try:
        return _claim(p, float(recent))
    except (TypeError, ValueError):
        return None


QUESTIONS = {
    "lab01.doubling_early": Question(
        lambda p: doubling_months(1950, p["early_end_year"]), rtol=0.05, unit="months",
        hint="Select the models published before the end year and fit an exponential to their compute."),
    "lab01.doubling_recent": Question(
        lambda p: doubling_months(p["recent_start_year"], 2026), rtol=0.05, unit="months",
        hint="All models published from the start year on; fit_exponential(...).doubling_time_months."),
    "lab01.doubling_frontier": Question(
        lambda p: doubling_months(*p["frontier_years"], frontier_only=True), rtol=0.05, unit="months",
        hint="Frontier models only (frontier_only=True), in [start, end): the end year is excluded."),
    "lab01.claim_holds_today": Question(
        lambda p: _claim(p, doubling_months(p["recent_start_year"], 2026)), unit="", ecf=_ecf_claim,
        hint="Is your answer to 1b within 25% of the claimed doubling time? Answer True or False."),
    "lab01.optimal_parameters": Question(
        lambda p: float(__import__("energylab.scaling", fromlist=["x"]).compute_optimal(p["budget_flop"])[0]),
        rtol=0.01, unit="parameters",
        hint="scaling.compute_optimal(budget) returns (parameters, tokens)."),
    "lab01.energy_v100_mwh": Question(
        lambda p: training_mwh("V100", p["budget_flop"], p["mfu"]), rtol=0.02, unit="MWh",
        hint="J/FLOP = TDP / (dense FP16 peak × MFU); energy = budget × J/FLOP; 1 MWh = 3.6e9 J."),
    "lab01.energy_h100_mwh": Question(
        lambda p: training_mwh("H100", p["budget_flop"], p["mfu"]), rtol=0.02, unit="MWh",
        hint="Same as for the V100, with the H100 SXM's TDP and dense FP16 peak."),
    "lab01.optimal_clock_ghz": Question(
        _optimal_clock_ghz, rtol=0.01, unit="GHz",
        hint="circuits.optimal_frequency(cycles, f_ref_hz, p_dynamic_ref_w, p_static_w) returns Hz."),
    "lab01.fastest_window_start": Question(
        lambda p: fastest_window_start(p["window_years"], p["min_models"]), rtol=0.0, points=2.0,
        hint="Each start from 2000: fit frontier models in [start, start + width); keep the fastest."),
}
