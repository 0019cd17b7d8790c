"""Answer checks for Lab 6, *Keep it cool*.

Every expected value is computed from :mod:`energylab.cooling` and the course datasets,
so a corrected dataset row moves the answer with it.
"""

from __future__ import annotations

import numpy as np

from .. import cooling, datasets
from ..constants import ZERO_CELSIUS_K
from . import Question

#: GPT-3's training electricity (facility, PUE 1.1), Patterson et al. 2021, in kWh.
GPT3_FACILITY_KWH = 1287e3
GPT3_PUE = 1.1
#: Li et al.'s US-average on-site WUE and grid water intensity (L/kWh).
LI_WUE, LI_EWIF = 0.55, 3.14

#: The lab's chip: a 1 kW accelerator with 150 W of leakage, 2.0 GHz peak, T_max 85 °C.
CHIP = {"f_max_hz": 2.0e9, "p_at_f_max_w": 1000.0, "p_static_w": 150.0,
        "t_max_k": ZERO_CELSIUS_K + 85.0}
#: The two coolers: (thermal resistance K/W, coolant temperature K).
AIR = (0.08, ZERO_CELSIUS_K + 35.0)
LIQUID = (0.035, ZERO_CELSIUS_K + 40.0)

#: The three sites of task 3 (rows of grid_intensity).
SITES = [("United States", 2023), ("World", 2022), ("China", 2022)]


def _intensity_kg_per_kwh(region: str, year: int) -> float:
    grid = datasets.load("grid_intensity")
    row = grid[(grid.region == region) & (grid.year == year)]
    return float(row.intensity_g_per_kwh.item()) / 1000.0


def _pue(name: str, year: int) -> float:
    eff = datasets.load("datacenter_efficiency")
    return float(eff[(eff.operator_or_region == name) & (eff.year == year)].pue.item())


def _sustained_ghz(cooler) -> float:
    r_th, t_cool = cooler
    return cooling.sustained_frequency(r_th, CHIP["t_max_k"], t_cool, CHIP["f_max_hz"],
                                       CHIP["p_at_f_max_w"], CHIP["p_static_w"]) / 1e9


def _gpt3_water():
    it_kwh = GPT3_FACILITY_KWH / GPT3_PUE
    return cooling.water_use(it_kwh, LI_WUE, GPT3_PUE, LI_EWIF)


def _baseline_carbon_per_it_kwh() -> float:
    return _pue("Global average (Uptime survey)", 2024) * _intensity_kg_per_kwh("China", 2022)


def _max_intensity_g() -> float:
    return 0.5 * _baseline_carbon_per_it_kwh() / _pue("Google fleet", 2023) * 1000.0


QUESTIONS = {
    "lab06.rack_flow_l_per_min": Question(
        expected=lambda: float(cooling.heat_removal_flow(120e3, 10.0, "water").volume_l_per_min),
        rtol=0.02, unit="L/min",
        hint="ṁ = Q/(c_p·ΔT), then divide by the density; 1 m³/s = 60,000 L/min."),
    "lab06.sustained_ghz_air": Question(
        expected=lambda: _sustained_ghz(AIR), rtol=0.01, unit="GHz",
        hint="The cooler removes at most (T_max − T_coolant)/R_th; solve P(f) = that for f."),
    "lab06.sustained_ghz_liquid": Question(
        expected=lambda: _sustained_ghz(LIQUID), rtol=0.01, unit="GHz",
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
        hint="Carbon per IT kWh = PUE × intensity; set it to half the baseline and solve."),
}
