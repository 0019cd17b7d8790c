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

#: The book variant's task inputs. Task 1: liquid helium, liquid nitrogen, a warm room.
#: Tasks 2 and 5: bits erased per 16-bit FLOP (the result register overwritten) at the
#: room temperature. Tasks 3 and 4: an H100 from first principles (circuit values are
#: stated assumptions; N and the 1.83 GHz tensor clock are NVIDIA's :cite:p:`nvidia2022hopper`).
BOOK_INPUTS = {
    "temperatures_k": (4.0, 77.0, 300.0),
    "bits_erased": 16,
    "room_k": 300.0,
    "transistors": 80e9,
    "activity": 0.1,
    "capacitance_per_transistor_f": 0.5e-15,
    "voltage_v": 0.75,
    "frequency_hz": 1.83e9,
    "leakage_per_transistor_w": 1e-9,
}
#: Kept for code that reads the book's values directly.
TEMPERATURES_K = BOOK_INPUTS["temperatures_k"]
BITS_ERASED = BOOK_INPUTS["bits_erased"]
CIRCUIT_KEYS = ("transistors", "activity", "capacitance_per_transistor_f", "voltage_v",
                "frequency_hz", "leakage_per_transistor_w")
H100 = {k: BOOK_INPUTS[k] for k in CIRCUIT_KEYS}
CHIPS = ("V100", "A100", "H100", "B200")


def draw_inputs(rng) -> dict:
    """Another variant: bits erased, room temperature and the circuit assumptions differ."""
    room = float(rng.choice([290.0, 295.0, 305.0, 310.0]))
    return {
        "temperatures_k": (4.0, 77.0, room),
        "room_k": room,
        "bits_erased": int(rng.choice([8, 32, 64])),
        "activity": float(rng.choice([0.05, 0.08, 0.12, 0.15])),
        "capacitance_per_transistor_f": float(rng.choice([0.4e-15, 0.6e-15, 0.7e-15])),
        "voltage_v": float(rng.choice([0.7, 0.8, 0.85])),
        "leakage_per_transistor_w": float(rng.choice([0.5e-9, 1.5e-9, 2e-9])),
    }


def _circuit(p, **override):
    return {**{k: p[k] for k in CIRCUIT_KEYS}, **override}


def _gpu_table(p):
    return thermo.gpu_energy_table(bits_erased=p["bits_erased"], temperature_k=p["room_k"])


def _years() -> np.ndarray:
    return np.array([datasets.chip(n)["year"] for n in CHIPS], dtype=float)


def _gap_factor(gaps) -> float:
    return 1.0 / scaling.fit_exponential(_years(), np.asarray(gaps, dtype=float)).growth_per_year


def _gap_factor_per_year(p) -> float:
    t = _gpu_table(p)
    return _gap_factor(t["gap"].to_numpy())


def _activity_for_tdp(p) -> float:
    tdp = float(datasets.chip("H100")["tdp_w"])
    full = circuits.chip_power(**_circuit(p, activity=1.0))
    return float((tdp - full.static_w) / full.dynamic_w)


def _gpt3_flop() -> float:
    models = datasets.load("models")
    return float(models.loc[models["name"].str.startswith("GPT-3 175B"), "training_compute_flop"].iloc[0])


def _landauer_j(p) -> float:
    return float(_gpt3_flop() * thermo.landauer_energy(p["room_k"], p["bits_erased"]))


def _ecf_factor(p, answers):
    gaps = answers.get("lab02.gaps")
    try:
        gaps = np.asarray(gaps, dtype=float)
        return _gap_factor(gaps) if gaps.shape == (len(CHIPS),) and np.all(gaps > 0) else None
    except (TypeError, ValueError):
        return None


def _ecf_gap(p, answers):
    try:
        e = float(answers.get("lab02.gpt3_landauer_j"))
    except (TypeError, ValueError):
        return None
    return constants.GPT3_TRAINING_ENERGY_J / e if e > 0 else None


QUESTIONS = {
    "lab02.kT_ln2": Question(
        expected=lambda p: thermo.landauer_energy(np.array(p["temperatures_k"])),
        rtol=0.01, unit="J",
        hint="E = k_B·T·ln 2 with k_B = 1.380649e-23 J/K; one energy per temperature, in order."),
    "lab02.gaps": Question(
        expected=lambda p: _gpu_table(p)["gap"].to_numpy(),
        rtol=0.02,
        hint="(TDP ÷ dense FP16 peak) ÷ (bits·k_B·T_room·ln 2), in the order V100, A100, H100, B200."),
    "lab02.gap_factor_per_year": Question(
        expected=_gap_factor_per_year, rtol=0.02, ecf=_ecf_factor,
        hint="scaling.fit_exponential(years, gaps); the gap shrinks by 1 / growth_per_year a year."),
    "lab02.h100_power_w": Question(
        expected=lambda p: float(circuits.chip_power(**_circuit(p)).total_w), rtol=0.01, unit="W",
        hint="N·α·C·V²·f for the dynamic part plus N × leakage per transistor."),
    "lab02.activity_for_tdp": Question(
        expected=_activity_for_tdp, rtol=0.02,
        hint="solve TDP = N·α·C·V²·f + static for α."),
    "lab02.gpt3_landauer_j": Question(
        expected=_landauer_j,
        rtol=0.01, unit="J",
        hint="training FLOP × bits erased × k_B·T_room·ln 2."),
    "lab02.gpt3_gap": Question(
        expected=lambda p: float(constants.GPT3_TRAINING_ENERGY_J / _landauer_j(p)),
        rtol=0.02, ecf=_ecf_gap,
        hint="1,287 MWh in joules (× 3.6e9) divided by your Landauer energy."),
}
