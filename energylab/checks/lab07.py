"""Questions of Lab 7 (audit a claim). Expected values are computed with energylab."""

from __future__ import annotations

from ..constants import J_PER_MWH
from . import Question

#: Patterson et al. 2021's inputs for GPT-3 (Table 4).
GPT3 = {"chips": 10_000, "days": 14.8, "power_per_chip_w": 330.0, "pue": 1.1,
        "intensity_kg_per_kwh": 0.429}

#: Claim C120 (seed 003): 3,000 electric cars each driving 200,000 miles.
CARS, MILES = 3_000, 200_000

#: Claim C038 (seed 000): a Dojo ExaPOD, 3,000 D1 chips of 400 W, 1.1 EFLOPS (BF16/CFP8), "150 kW".
EXAPOD = {"chips": 3_000, "flop_per_s": 1.1e18, "claimed_power_w": 150e3}

#: Claim C009 (seed 000): de Vries's inputs (3,617 HGX A100 servers at 6.5 kW, 195 M requests
#: a day) and Epoch AI's (100 B active, 500 tokens, H100 at 10 %, 1,275 W × 0.7, PUE 1.2).
DEVRIES = {"servers": 3_617, "server_w": 6_500.0, "requests_per_day": 195e6}
EPOCH = {"tokens": 500, "active_parameters": 100e9, "chip": "H100", "precision": "bf16",
         "utilization": 0.10, "pue": 1.2, "power_per_chip_w": 0.7 * 1275.0}
EPOCH_RANGES = {"tokens": (250, 2000), "active_parameters": (20e9, 200e9),
                "utilization": (0.02, 0.4), "pue": (1.1, 1.5)}


def _gpt3_energy_j():
    from .. import footprint

    g = GPT3
    return footprint.training_energy(g["chips"], g["days"] * 24, g["power_per_chip_w"], g["pue"])


def _gpt3_carbon_t():
    from .. import footprint

    e = _gpt3_energy_j()
    fp = footprint.Footprint(e / GPT3["pue"], pue=GPT3["pue"],
                             intensity_kg_per_kwh=GPT3["intensity_kg_per_kwh"])
    return fp.carbon_kg / 1e3


def _teslas_mwh():
    from .. import footprint
    from ..constants import J_PER_KWH, J_PER_MWH

    return CARS * MILES * footprint.EV_KWH_PER_MILE * J_PER_KWH / J_PER_MWH


def _dojo_tflops_per_w():
    from .. import datasets

    chip_w = datasets.chip("D1")["tdp_w"]
    return EXAPOD["flop_per_s"] / (EXAPOD["chips"] * chip_w) / 1e12


def _devries_wh():
    from .. import footprint
    from ..constants import J_PER_WH

    day = footprint.training_energy(DEVRIES["servers"], 24, DEVRIES["server_w"])
    return day / DEVRIES["requests_per_day"] / J_PER_WH


def _epoch_wh():
    from .. import footprint
    from ..constants import J_PER_WH

    return footprint.inference_energy(**EPOCH) / J_PER_WH


def _ledger_verdict(claim_id: str) -> str:
    """The verdict the claims ledger's rule derives (energylab.claims), so the lab and the
    ledger cannot disagree."""
    from .. import claims

    return claims.evaluate(claim_id).verdict


def _most_sensitive():
    from .. import footprint

    return str(footprint.sensitivity(footprint.inference_energy, EPOCH, EPOCH_RANGES)["parameter"].iloc[0])


QUESTIONS = {
    "lab07.gpt3_energy_mwh": Question(
        lambda: _gpt3_energy_j() / J_PER_MWH, rtol=0.01, unit="MWh",
        hint="footprint.training_energy(chips, hours, power_per_chip_w, pue) returns joules; "
             "hours = 14.8 × 24; 1 MWh = 3.6e9 J."),
    "lab07.gpt3_carbon_t": Question(
        _gpt3_carbon_t, rtol=0.01, unit="t CO2e",
        hint="Footprint(it_energy_j, pue=..., intensity_kg_per_kwh=0.429).carbon_kg; the IT energy is "
             "the facility energy divided by the PUE."),
    "lab07.teslas_mwh": Question(
        _teslas_mwh, rtol=0.01, unit="MWh",
        hint="cars × miles × footprint.EV_KWH_PER_MILE gives kWh; divide by 1,000 for MWh."),
    "lab07.teslas_ratio": Question(
        lambda: _teslas_mwh() / (_gpt3_energy_j() / J_PER_MWH), rtol=0.02, unit="×",
        hint="The cars' energy divided by GPT-3's energy (both in MWh)."),
    "lab07.teslas_verdict": Question(
        lambda: _ledger_verdict("C120"),
        hint="Off by two orders of magnitude: correct, roughly right, misleading or wrong?"),
    "lab07.dojo_tflops_per_w": Question(
        _dojo_tflops_per_w, rtol=0.01, unit="TFLOPS/W",
        hint="1.1e18 FLOP/s divided by (3,000 chips × the D1's TDP from datasets.chip('D1')), in TFLOPS/W."),
    "lab07.dojo_verdict": Question(
        lambda: _ledger_verdict("C038"), hint="The silicon alone draws eight times the claimed power."),
    "lab07.devries_wh": Question(
        _devries_wh, rtol=0.01, unit="Wh",
        hint="Energy of 3,617 servers × 6.5 kW × 24 h, divided by 195 million requests, in Wh."),
    "lab07.epoch_wh": Question(
        _epoch_wh, rtol=0.01, unit="Wh",
        hint="footprint.inference_energy(500, 100e9, 'H100', 'bf16', 0.10, pue=1.2, "
             "power_per_chip_w=0.7 * 1275) / 3600."),
    "lab07.most_sensitive": Question(
        _most_sensitive,
        hint="footprint.sensitivity(footprint.inference_energy, EPOCH, EPOCH_RANGES): the first row's "
             "parameter name."),
    "lab07.per_query_verdict": Question(
        lambda: _ledger_verdict("C009"),
        hint="The 2.9 Wh follows exactly from de Vries's 2023 inputs, but it lies outside today's "
             "interval (4b with utilisation 5–20 %): right number, different quantity."),
}
