"""Answer checks for Lab 6, *Keep it cool*.

Every expected value is computed from :mod:`energylab.cooling` and the course datasets,
so a corrected dataset row moves the answer with it.
"""

from __future__ import annotations

import numpy as np

from .. import cooling, datasets, footprint
from ..constants import GPT3_TRAINING_ENERGY_J, J_PER_KWH, ZERO_CELSIUS_K
from . import Question

#: GPT-3's training electricity (facility, PUE 1.1), Patterson et al. 2021, in kWh (from
#: the package's one home of each figure: ``constants`` and ``footprint.GPT3``).
GPT3_FACILITY_KWH = GPT3_TRAINING_ENERGY_J / J_PER_KWH
GPT3_PUE = footprint.GPT3["pue"]
#: Li et al.'s US-average on-site WUE and grid water intensity (L/kWh), read from the
#: ``datacenter_efficiency`` dataset by :func:`energylab.footprint.li2023_water_factors`.
LI_WUE, LI_EWIF = footprint.li2023_water_factors()

#: The book variant's task inputs. Task 1: the rack's heat (W) and the water's warming (K).
#: Task 2: a 1 kW accelerator with 150 W of leakage, 2.0 GHz peak, T_max 85 °C, and two
#: coolers (thermal resistance K/W, coolant temperature °C). Task 5: the share of the
#: baseline's carbon the new site may emit.
BOOK_INPUTS = {
    "rack_power_w": 120e3,
    "rack_delta_t_k": 10.0,
    "f_max_hz": 2.0e9,
    "p_at_f_max_w": 1000.0,
    "p_static_w": 150.0,
    "t_max_c": 85.0,
    "air": (0.08, 35.0),
    "liquid": (0.035, 40.0),
    "carbon_fraction": 0.5,
}
#: Kept for code that reads the book's values directly.
CHIP = {"f_max_hz": 2.0e9, "p_at_f_max_w": 1000.0, "p_static_w": 150.0,
        "t_max_k": ZERO_CELSIUS_K + 85.0}
AIR = (0.08, ZERO_CELSIUS_K + 35.0)
LIQUID = (0.035, ZERO_CELSIUS_K + 40.0)


def draw_inputs(rng) -> dict:
    """Another variant: the rack, the chip, the coolers and the carbon target differ."""
    return {
        "rack_power_w": float(rng.choice([80e3, 100e3, 132e3, 140e3])),
        "rack_delta_t_k": float(rng.choice([8.0, 12.0, 15.0])),
        "p_at_f_max_w": float(rng.choice([800.0, 900.0, 1200.0])),
        "p_static_w": float(rng.choice([100.0, 120.0, 200.0])),
        "air": (float(rng.choice([0.06, 0.07, 0.09])), float(rng.choice([30.0, 40.0]))),
        "liquid": (float(rng.choice([0.03, 0.04])), float(rng.choice([35.0, 45.0]))),
        "carbon_fraction": float(rng.choice([0.25, 0.4, 0.6])),
    }


#: The three sites of task 3 (rows of grid_intensity).
SITES = [("United States", 2023), ("World", 2022), ("China", 2022)]


def _intensity_kg_per_kwh(region: str, year: int) -> float:
    grid = datasets.load("grid_intensity")
    row = grid[(grid.region == region) & (grid.year == year)]
    return float(row.intensity_g_per_kwh.item()) / 1000.0


def _pue(name: str, year: int) -> float:
    eff = datasets.load("datacenter_efficiency")
    return float(eff[(eff.operator_or_region == name) & (eff.year == year)].pue.item())


def _sustained_ghz(p, cooler: str) -> float:
    r_th, t_cool_c = p[cooler]
    return cooling.sustained_frequency(r_th, ZERO_CELSIUS_K + p["t_max_c"], ZERO_CELSIUS_K + t_cool_c,
                                       p["f_max_hz"], p["p_at_f_max_w"], p["p_static_w"]) / 1e9


def _gpt3_water():
    it_kwh = GPT3_FACILITY_KWH / GPT3_PUE
    return cooling.water_use(it_kwh, LI_WUE, GPT3_PUE, LI_EWIF)


def _baseline_carbon_per_it_kwh() -> float:
    return _pue("Global average (Uptime survey)", 2024) * _intensity_kg_per_kwh("China", 2022)


def _max_intensity_g(p) -> float:
    return p["carbon_fraction"] * _baseline_carbon_per_it_kwh() / _pue("Google fleet", 2023) * 1000.0


QUESTIONS = {
    "lab06.rack_flow_l_per_min": Question(
        expected=lambda p: float(cooling.heat_removal_flow(p["rack_power_w"], p["rack_delta_t_k"], "water")
                                  .volume_l_per_min),
        rtol=0.02, unit="L/min",
        hint="ṁ = Q/(c_p·ΔT), then divide by the density; 1 m³/s = 60,000 L/min."),
    "lab06.sustained_ghz_air": Question(
        expected=lambda p: _sustained_ghz(p, "air"), rtol=0.01, unit="GHz",
        hint="The cooler removes at most (T_max − T_coolant)/R_th; solve P(f) = that for f."),
    "lab06.sustained_ghz_liquid": Question(
        expected=lambda p: _sustained_ghz(p, "liquid"), rtol=0.01, unit="GHz",
        hint="If the cooler can remove more than the chip draws at f_max, it never throttles."),
    "lab06.gpt3_onsite_l": Question(
        expected=lambda: float(_gpt3_water().onsite_l), rtol=0.01, unit="L",
        hint="WUE is per kWh of IT energy: divide Patterson's facility energy by the PUE first."),
    "lab06.gpt3_total_l": Question(
        expected=lambda: float(_gpt3_water().total_l), rtol=0.01, unit="L",
        hint="Total = E_IT × (WUE + PUE × EWIF)."),
    "lab06.gpt3_carbon_t": Question(
        expected=lambda: np.array([cooling.carbon_kg(GPT3_FACILITY_KWH, _intensity_kg_per_kwh(*s))
                                   for s in SITES]) / 1000.0,
        rtol=0.01, unit="t CO₂(e)",
        hint="The grid supplies the facility energy; multiply 1,287 MWh by each site's intensity."),
    "lab06.pue_from_60pct_cooling": Question(
        expected=lambda: cooling.pue_from_shares(0.6), rtol=0.005,
        hint="If 60% goes to cooling, at most 40% reaches IT; PUE = facility ÷ IT."),
    "lab06.max_intensity_g_per_kwh": Question(
        expected=_max_intensity_g, rtol=0.01, unit="g/kWh",
        hint="Carbon per IT kWh = PUE × intensity: set it to the allowed share of the baseline."),
}
