"""Questions of Lab 1 (compute trends, scaling laws, DVFS). Expected values are computed."""

from __future__ import annotations

from . import Question


def _doubling_months(start, end, frontier_only=False):
    from .. import scaling
    from ..scaling import select_models

    df = select_models(start, end, "All", frontier_only)
    return scaling.fit_exponential(df["year"], df["training_compute_flop"]).doubling_time_months


#: The budget, efficiency and utilisation assumptions of task 2.
BUDGET_FLOP = 1e24
MFU = 0.4


def _training_mwh(chip_name):
    from .. import circuits, datasets
    from ..constants import J_PER_MWH

    chip = datasets.chip(chip_name)
    j_per_flop = circuits.joules_per_op(chip["tdp_w"], chip["fp16_flop_per_s"] * MFU)
    return BUDGET_FLOP * j_per_flop / J_PER_MWH


#: Task 3's chip: 200 W of dynamic power and 60 W of leakage at a 2 GHz reference clock.
DVFS_TASK = {"f_ref_hz": 2e9, "p_dynamic_ref_w": 200.0, "p_static_w": 60.0}


def _optimal_clock_ghz():
    from .. import circuits

    return float(circuits.optimal_frequency(1e12, **DVFS_TASK)) / 1e9


QUESTIONS = {
    "lab01.doubling_pre2010": Question(
        lambda: _doubling_months(1950, 2010), rtol=0.05, unit="months",
        hint="Select models published before 2010 and fit an exponential to their compute."),
    "lab01.doubling_since_2010": Question(
        lambda: _doubling_months(2010, 2026), rtol=0.05, unit="months",
        hint="All models published from 2010 on; fit_exponential(...).doubling_time_months."),
    "lab01.doubling_frontier_2012_2018": Question(
        lambda: _doubling_months(2012, 2019, frontier_only=True), rtol=0.05, unit="months",
        hint="Frontier models only (compute rank <= 10), published 2012 to 2018 inclusive."),
    "lab01.claim_holds_today": Question(
        lambda: abs(_doubling_months(2010, 2026) - 3.5) / 3.5 < 0.25, unit="",
        hint="Is the doubling time since 2010 within 25% of 3.5 months? Answer True or False."),
    "lab01.optimal_parameters": Question(
        lambda: float(__import__("energylab.scaling", fromlist=["x"]).compute_optimal(BUDGET_FLOP)[0]),
        rtol=0.01, unit="parameters",
        hint="scaling.compute_optimal(1e24) returns (parameters, tokens)."),
    "lab01.energy_v100_mwh": Question(
        lambda: _training_mwh("V100"), rtol=0.02, unit="MWh",
        hint="J/FLOP = TDP / (dense FP16 peak × MFU); energy = budget × J/FLOP; 1 MWh = 3.6e9 J."),
    "lab01.energy_h100_mwh": Question(
        lambda: _training_mwh("H100"), rtol=0.02, unit="MWh",
        hint="Same as for the V100, with the H100 SXM's TDP and dense FP16 peak."),
    "lab01.optimal_clock_ghz": Question(
        _optimal_clock_ghz, rtol=0.01, unit="GHz",
        hint="circuits.optimal_frequency(cycles, f_ref_hz, p_dynamic_ref_w, p_static_w) returns Hz."),
}
