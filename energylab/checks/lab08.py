"""Questions of Lab 8 (models against meters). Expected values are computed with energylab."""

from __future__ import annotations

from ..constants import J_PER_MWH
from . import Question

#: BLOOM's training job as Luccioni et al. 2023 report it: 1,082,990 A100 GPU-hours
#: (384 GPUs), on a cluster with a PUE of 1.2.
BLOOM = {"gpu_hours": 1_082_990, "chip": "A100", "pue": 1.2}

#: The measured run to predict: Qwen 3 32B (dense, 16-bit weights) on two H100s serving
#: chat prompts at a maximum batch of 32, a row of the ML.ENERGY Benchmark that chapter 8
#: does not show :cite:p:`chung2025mlenergy`.
RUN = "mlenergy_qwen3_32b_h100x2_b32"
#: The model behind the run: 32 B parameters, 2 bytes each, on H100s.
DECODE = {"parameters": 32e9, "bytes_per_parameter": 2, "chip": "H100"}

#: Boundaries a figure can have, narrowest first.
BOUNDARIES = ("accelerator", "server", "facility")


def _bloom_tdp_w():
    from .. import datasets

    return float(datasets.chip(BLOOM["chip"])["tdp_w"])


def _mlco2_mwh():
    from .. import estimators

    return estimators.ml_co2_impact(BLOOM["gpu_hours"], 3600.0, _bloom_tdp_w()) / J_PER_MWH


def _green_default_mwh():
    from .. import estimators

    return estimators.green_algorithms(BLOOM["gpu_hours"] * 3600.0, 1, _bloom_tdp_w()) / J_PER_MWH


def _run():
    from .. import datasets

    return datasets.load("measurements").set_index("id").loc[RUN]


def _predicted_j():
    from .. import estimators

    return estimators.decode_energy_per_token(**DECODE, batch=int(_run()["max_batch"]))


def _measured_j():
    from .. import estimators

    return float(estimators.measurement(RUN).central)


def _power_fraction():
    from .. import datasets

    row = _run()
    return float(row["power_w"]) / (float(row["gpus"]) * float(datasets.chip(DECODE["chip"])["tdp_w"]))


def _time_factor():
    return _measured_j() / _predicted_j() / _power_fraction()


def _chain():
    from .. import estimators

    return estimators.devries_to_google()


def _devries_utilization():
    from .. import estimators

    return estimators.devries_inputs()["utilization"]


def _boundary(measurement_id: str) -> str:
    from .. import datasets

    scope = datasets.load("measurements").set_index("id").loc[measurement_id, "scope"]
    for b in BOUNDARIES:
        if scope.startswith(b):
            return b
    raise ValueError(f"scope {scope!r} of {measurement_id} names none of {BOUNDARIES}")


def _basis(measurement_id: str) -> str:
    from .. import datasets

    scope = datasets.load("measurements").set_index("id").loc[measurement_id, "scope"]
    return "market-based" if "market-based" in scope else "location-based"


QUESTIONS = {
    "lab08.mlco2_mwh": Question(
        _mlco2_mwh, rtol=0.01, unit="MWh",
        hint="estimators.ml_co2_impact(chips, seconds, tdp_w): GPU-hours can enter as chips with "
             "seconds = 3600; the A100's TDP is datasets.chip('A100')['tdp_w']; 1 MWh = 3.6e9 J."),
    "lab08.green_default_mwh": Question(
        _green_default_mwh, rtol=0.01, unit="MWh",
        hint="estimators.green_algorithms(seconds, cores, power_per_core_w) with its default PUE: "
             "one 'core' (a GPU) at 400 W for 1,082,990 hours."),
    "lab08.green_vs_mlco2": Question(
        lambda: "pue",
        hint="The two formulas differ by one default factor: which? (a lowercase name)"),
    "lab08.predicted_j_per_token": Question(
        _predicted_j, rtol=0.02, unit="J",
        hint="estimators.decode_energy_per_token(**DECODE, batch=...) with the run's max_batch "
             "(measurements.loc[RUN, 'max_batch'], as an int)."),
    "lab08.measured_over_predicted": Question(
        lambda: _measured_j() / _predicted_j(), rtol=0.02, unit="×",
        hint="measurements.loc[RUN, 'value'] (J per output token) divided by your prediction."),
    "lab08.power_fraction": Question(
        _power_fraction, rtol=0.02,
        hint="The run's power_w is the average of all its GPUs together: divide by gpus × the "
             "H100's tdp_w (datasets.chip('H100'))."),
    "lab08.time_factor": Question(
        _time_factor, rtol=0.02, unit="×",
        hint="measured ÷ predicted = power fraction × time factor: divide your ratio of 2b by "
             "the power fraction of 2c."),
    "lab08.devries_utilization": Question(
        _devries_utilization, rtol=0.02,
        hint="estimators.devries_inputs()['utilization']: the utilisation that makes de Vries's fleet "
             "deliver 2.9 Wh per 500-token answer of a 100 B model."),
    "lab08.waterfall_product": Question(
        lambda: _chain().product, rtol=0.001, unit="×",
        hint="Multiply the ratios of estimators.devries_to_google().factors (math.prod)."),
    "lab08.dominant_factor": Question(
        lambda: _chain().dominant().name,
        hint="The factor whose ratio is farthest from 1 in log terms: chain.dominant().name."),
    "lab08.residual": Question(
        lambda: _chain().factors[-1].ratio, rtol=0.01, unit="×",
        hint="The last factor of the chain, the one no named assumption explains."),
    "lab08.boundary_gpt3": Question(
        lambda: _boundary("gpt3_energy"),
        hint="Read the scope of 'gpt3_energy' in the measurements dataset: accelerator, server or facility?"),
    "lab08.boundary_bloom": Question(
        lambda: _boundary("bloom_energy_dynamic"),
        hint="Read the scope of 'bloom_energy_dynamic': accelerator, server or facility?"),
    "lab08.basis_llama3_zero": Question(
        lambda: _basis("llama3_carbon_market"),
        hint="Meta's 0 t: location-based or market-based?"),
}
