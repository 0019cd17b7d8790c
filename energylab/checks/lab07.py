"""Questions of Lab 7 (audit a claim). Expected values are computed with energylab.

The book's variant audits the seed articles' own claims (C120, C038, C009) with their
authors' inputs. Another variant re-sites GPT-3's training on another grid of the
``grid_intensity`` dataset (task 1) and audits claims *of the same form* with other
numbers: other cars and miles (task 2), another claimed ExaPOD power (task 3), another
fleet and request count in de Vries's method (task 4), another claimed growth of global
data-centre electricity (task 5, open: the student finds the inputs in the datasets). Every verdict comes from the
ledger's one rule (:func:`energylab.claims.rule`) applied to the variant's stated figure
and the ledger's check of the claim, so the book's verdicts are the ledger's.
"""

from __future__ import annotations

import dataclasses
import math

from .. import footprint
from ..constants import J_PER_KWH, J_PER_MWH, J_PER_WH
from . import Question

#: Patterson et al. 2021's inputs for GPT-3 (Table 4), taken from their one home,
#: :data:`energylab.footprint.GPT3`; the grid is a row of the ``grid_intensity`` dataset
#: (the book's variant: GPT-3's own site, 0.429 kg/kWh).
GPT3 = {k: footprint.GPT3[k] for k in ("chips", "days", "power_per_chip_w", "pue")}

#: Claim C120 (seed 003): 3,000 electric cars each driving 200,000 miles, at the
#: 0.25–0.30 kWh per mile the ledger reads into the claim.
CARS, MILES = 3_000, 200_000
EV_KWH_PER_MILE_HIGH = 0.30

#: Claim C038 (seed 000): a Dojo ExaPOD, 3,000 D1 chips, 1.1 EFLOPS (BF16/CFP8), "150 kW".
EXAPOD = {"chips": 3_000, "flop_per_s": 1.1e18, "claimed_power_w": 150e3}

#: Claim C009 (seed 000): de Vries's inputs (3,617 HGX A100 servers at 6.5 kW, 195 M requests
#: a day) and Epoch AI's (100 B active, 500 tokens, H100 at 10 %, 1,275 W × 0.7, PUE 1.2).
DEVRIES = {"servers": 3_617, "server_w": 6_500.0, "requests_per_day": 195e6}
EPOCH = {"tokens": 500, "active_parameters": 100e9, "chip": "H100", "precision": "bf16",
         "utilisation": 0.10, "pue": 1.2, "power_per_chip_w": 0.7 * 1275.0}
EPOCH_RANGES = {"tokens": (250, 2000), "active_parameters": (20e9, 200e9),
                "utilisation": (0.02, 0.4), "pue": (1.1, 1.5)}

#: Claim C131 (seed 003): global data-centre electricity is "nearly 10×" what it was ten
#: years ago. Task 5 gives no inputs: the figures are rows of ``reference_figures``.
DC_CLAIMED_FACTOR = 10.0

#: The book variant's task inputs (the seed claims and their authors' inputs).
BOOK_INPUTS = {
    "grid": ("GPT-3 training site (Microsoft)", 2020),
    "cars": CARS,
    "miles": MILES,
    "exapod_claimed_power_w": EXAPOD["claimed_power_w"],
    "devries_servers": DEVRIES["servers"],
    "devries_requests_per_day": DEVRIES["requests_per_day"],
    "dc_claimed_factor": DC_CLAIMED_FACTOR,
}


def draw_inputs(rng) -> dict:
    """Another variant: another grid, and claims of the same form with other numbers."""
    from .. import datasets

    grid = datasets.load("grid_intensity")
    row = grid.iloc[int(rng.integers(len(grid)))]
    return {
        "grid": (str(row.region), int(row.year)),
        "cars": int(rng.choice([25, 40, 100, 300, 1_000, 3_000, 5_000])),
        "miles": int(rng.choice([50_000, 100_000, 150_000, 200_000])),
        "exapod_claimed_power_w": float(rng.choice([150e3, 300e3, 1.0e6, 1.5e6, 2.0e6])),
        "devries_servers": int(rng.choice([2_000, 3_617, 5_000, 8_000])),
        "devries_requests_per_day": float(rng.choice([100e6, 195e6, 400e6, 1e9, 2e9])),
        # drawn last, so the draws above stay what they were before task 5 existed
        "dc_claimed_factor": float(rng.choice([2.0, 3.0, 5.0, 10.0])),
    }


def _round2(x: float) -> float:
    """``x`` to two significant digits, as a claim would state it."""
    return float(f"{x:.2g}")


def intensity_kg_per_kwh(p) -> float:
    """The grid intensity of the variant's site (kg CO2e per kWh), from ``grid_intensity``."""
    from .. import datasets

    grid = datasets.load("grid_intensity")
    region, year = p["grid"]
    return float(grid[(grid.region == region) & (grid.year == year)].intensity_g_per_kwh.item()) / 1000.0


def _gpt3_energy_j():
    g = GPT3
    return footprint.training_energy(g["chips"], g["days"] * 24, g["power_per_chip_w"], g["pue"])


def _gpt3_carbon_t(p):
    fp = footprint.Footprint(_gpt3_energy_j() / GPT3["pue"], pue=GPT3["pue"],
                             intensity_kg_per_kwh=intensity_kg_per_kwh(p))
    return fp.carbon_kg / 1e3


def _teslas_mwh(p, kwh_per_mile=None):
    per_mile = footprint.EV_KWH_PER_MILE if kwh_per_mile is None else kwh_per_mile
    return p["cars"] * p["miles"] * per_mile * J_PER_KWH / J_PER_MWH


def _rule(claim_id: str, low: float, high: float, alternative=None) -> str:
    """The ledger's rule on a stated figure of the claim's form (the ledger's own check)."""
    from .. import claims

    res = claims.evaluate(claim_id)
    stated = dataclasses.replace(res.stated, low=low, high=high)
    check = res.check if alternative is None else dataclasses.replace(res.check, alternative=alternative)
    return claims.rule(stated, check)[0]


def _teslas_verdict(p):
    from ..claims import UNITS

    per_gwh = UNITS["GWh"][1] / J_PER_MWH  # MWh in a GWh
    return _rule("C120", _teslas_mwh(p) / per_gwh, _teslas_mwh(p, EV_KWH_PER_MILE_HIGH) / per_gwh)


def _dojo_tflops_per_w():
    from .. import datasets

    chip_w = datasets.chip("D1")["tdp_w"]
    return EXAPOD["flop_per_s"] / (EXAPOD["chips"] * chip_w) / 1e12


def dojo_claimed_tflops_per_w(p) -> float:
    """The efficiency the claim states: 1.1 EFLOPS over the claimed power, to two digits."""
    return _round2(EXAPOD["flop_per_s"] / p["exapod_claimed_power_w"] / 1e12)


def _dojo_verdict(p):
    x = dojo_claimed_tflops_per_w(p)
    return _rule("C038", x, x)


def _devries_wh(p):
    day = footprint.training_energy(p["devries_servers"], 24, DEVRIES["server_w"])
    return day / p["devries_requests_per_day"] / J_PER_WH


def claimed_wh(p) -> float:
    """The per-answer figure the claim states: de Vries's method on the variant's fleet,
    to two digits (the book's: 2.9 Wh)."""
    return _round2(_devries_wh(p))


def _per_query_verdict(p):
    from .. import footprint
    from ..estimate import Estimate, propagate

    # de Vries's estimate for the variant's fleet, with the ledger's ±50 W on the server power
    day = propagate(lambda w: footprint.training_energy(p["devries_servers"], 24, w), unit="J",
                    w=Estimate(DEVRIES["server_w"] - 50, DEVRIES["server_w"], DEVRIES["server_w"] + 50))
    alternative = day.scaled(1 / p["devries_requests_per_day"])
    x = claimed_wh(p)
    half = 0.5 * 10 ** (math.floor(math.log10(x)) - 1)  # half a unit of the second digit
    return _rule("C009", x - half, x + half, alternative)


def _epoch_wh():
    return footprint.inference_energy(**EPOCH) / J_PER_WH


def _most_sensitive():
    return str(footprint.sensitivity(footprint.inference_energy, EPOCH, EPOCH_RANGES)["parameter"].iloc[0])


def dc_growth_range():
    """Task 5: global data-centre electricity in 2024 over its level ten years earlier, as
    ``[lowest, highest]``. The data hold 2010 and 2018 (Masanet et al.) and 2024 (IEA); the
    2010–2018 level was nearly flat, so 2014 lies between them. This is the ledger's check
    of C131 (its one home), which reads the ``reference_figures`` rows."""
    import numpy as np

    from .. import claims

    better = claims.evaluate("C131").check.better
    return np.array([float(better.low), float(better.high)])


def _dc_growth_verdict(p):
    x = p["dc_claimed_factor"]
    return _rule("C131", x, x)


def _ecf_ratio(p, answers):
    try:
        return float(answers["lab07.teslas_mwh"]) / float(answers["lab07.gpt3_energy_mwh"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


# Hints print after the answer on a ✘ line: each is at most 88 characters (tests/test_grade.py).

QUESTIONS = {
    "lab07.gpt3_energy_mwh": Question(
        lambda: _gpt3_energy_j() / J_PER_MWH, rtol=0.01, unit="MWh",
        hint="training_energy(chips, hours, power_per_chip_w, pue) returns J; 1 MWh = 3.6e9 J."),
    "lab07.gpt3_carbon_t": Question(
        _gpt3_carbon_t, rtol=0.01, unit="t CO2e",
        hint="IT energy = facility ÷ PUE; the dataset's g/kWh ÷ 1,000 is kg/kWh; read .carbon_kg."),
    "lab07.teslas_mwh": Question(
        lambda p: _teslas_mwh(p), rtol=0.01, unit="MWh",
        hint="cars × miles × footprint.EV_KWH_PER_MILE gives kWh; divide by 1,000 for MWh."),
    "lab07.teslas_ratio": Question(
        lambda p: _teslas_mwh(p) / (_gpt3_energy_j() / J_PER_MWH), rtol=0.02, unit="×", ecf=_ecf_ratio,
        hint="The cars' energy divided by GPT-3's energy (both in MWh)."),
    "lab07.teslas_verdict": Question(
        _teslas_verdict, points=2,
        hint="Apply the ledger's rule (chapter 7 §5) to the cars' energy range and GPT-3's."),
    "lab07.dojo_tflops_per_w": Question(
        lambda: _dojo_tflops_per_w(), rtol=0.01, unit="TFLOPS/W",
        hint="1.1e18 FLOP/s ÷ (3,000 × the D1's TDP, datasets.chip('D1')), then ÷ 1e12."),
    "lab07.dojo_claimed_tflops_per_w": Question(
        dojo_claimed_tflops_per_w, rtol=0.02, unit="TFLOPS/W",
        hint="1.1e18 FLOP/s divided by the claimed power in W, then by 1e12."),
    "lab07.dojo_verdict": Question(
        _dojo_verdict, points=2,
        hint="Compare the claim with what the chips alone allow; apply the ledger's rule."),
    "lab07.devries_wh": Question(
        _devries_wh, rtol=0.002, unit="Wh",  # tighter than the claim's two digits
        hint="Energy of servers × 6.5 kW × 24 h, divided by the requests of one day, in Wh."),
    "lab07.epoch_wh": Question(
        lambda: _epoch_wh(), rtol=0.01, unit="Wh",
        hint="footprint.inference_energy(**EPOCH) returns joules; 1 Wh = 3,600 J."),
    "lab07.most_sensitive": Question(
        lambda: _most_sensitive(),
        hint="footprint.sensitivity(...) sorts its rows by swing: the first row's parameter."),
    "lab07.per_query_verdict": Question(
        _per_query_verdict, points=2,
        hint="Compare the claim with today's range (4b at 5–20 % utilisation), then with 4a."),
    "lab07.dc_growth_range": Question(
        lambda: dc_growth_range(), rtol=0.01, unit="×", points=2,
        hint="datasets.names() lists the datasets; 2014 is not in the data: bound it."),
    "lab07.dc_growth_verdict": Question(
        _dc_growth_verdict, points=2,
        hint="Apply the ledger's rule (chapter 7 §5) to the claimed factor and your range."),
}
