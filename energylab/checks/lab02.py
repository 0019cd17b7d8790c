"""Answer checks for Lab 2, "How far from the limit?".

The lab's stated assumptions live here once, so the lab's text, its solutions and these
checks cannot disagree: the temperatures of task 1, the bits erased per FLOP of tasks 2
and 5, and the H100 circuit parameters of tasks 3 and 4. Every expected value is computed
from :mod:`energylab.thermo`, :mod:`energylab.circuits` and the datasets.
"""

from __future__ import annotations

import numpy as np

from .. import circuits, constants, datasets, scaling, thermo
from . import Question

#: Task 1: liquid helium, liquid nitrogen, a warm room.
TEMPERATURES_K = (4.0, 77.0, 300.0)
#: Tasks 2 and 5: bits erased per 16-bit FLOP (the result register overwritten).
BITS_ERASED = 16
#: Tasks 3 and 4: an H100 from first principles (circuit values are stated assumptions;
#: N and the 1.83 GHz tensor clock are NVIDIA's :cite:p:`nvidia2022hopper`).
H100 = {
    "transistors": 80e9,
    "activity": 0.1,
    "capacitance_per_transistor_f": 0.5e-15,
    "voltage_v": 0.75,
    "frequency_hz": 1.83e9,
    "leakage_per_transistor_w": 1e-9,
}


def _gpu_table():
    return thermo.gpu_energy_table(bits_erased=BITS_ERASED, temperature_k=300.0)


def _gap_factor_per_year() -> float:
    t = _gpu_table()
    return 1.0 / scaling.fit_exponential(t["year"], t["gap"]).growth_per_year


def _activity_for_tdp() -> float:
    tdp = float(datasets.chip("H100")["tdp_w"])
    p = {**H100, "activity": 1.0}
    full = circuits.chip_power(**p)
    return float((tdp - full.static_w) / full.dynamic_w)


def _gpt3_flop() -> float:
    models = datasets.load("models")
    return float(models.loc[models["name"].str.startswith("GPT-3 175B"), "training_compute_flop"].iloc[0])


QUESTIONS = {
    "lab02.kT_ln2": Question(
        expected=lambda: thermo.landauer_energy(np.array(TEMPERATURES_K)),
        rtol=0.01, unit="J",
        hint="E = k_B·T·ln 2 with k_B = 1.380649e-23 J/K; give an array for 4, 77 and 300 K."),
    "lab02.gaps": Question(
        expected=lambda: _gpu_table()["gap"].to_numpy(),
        rtol=0.02,
        hint="energy per FLOP = TDP ÷ dense FP16 peak; divide by 16·k_B·(300 K)·ln 2. "
             "Order: V100, A100, H100, B200."),
    "lab02.gap_factor_per_year": Question(
        expected=_gap_factor_per_year, rtol=0.02,
        hint="scaling.fit_exponential(years, gaps) fits the trend; the gap shrinks by 1 / growth_per_year each year."),
    "lab02.h100_power_w": Question(
        expected=lambda: float(circuits.chip_power(**H100).total_w), rtol=0.01, unit="W",
        hint="N·α·C·V²·f for the dynamic part plus N × leakage per transistor."),
    "lab02.activity_for_tdp": Question(
        expected=_activity_for_tdp, rtol=0.02,
        hint="solve TDP = N·α·C·V²·f + static for α."),
    "lab02.gpt3_landauer_j": Question(
        expected=lambda: float(_gpt3_flop() * thermo.landauer_energy(300.0, BITS_ERASED)),
        rtol=0.01, unit="J",
        hint="training FLOP × 16 bits × k_B·(300 K)·ln 2."),
    "lab02.gpt3_gap": Question(
        expected=lambda: float(constants.GPT3_TRAINING_ENERGY_J
                               / (_gpt3_flop() * thermo.landauer_energy(300.0, BITS_ERASED))),
        rtol=0.02,
        hint="1,287 MWh in joules (× 3.6e9) divided by your Landauer energy."),
}
