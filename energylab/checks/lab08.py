"""Questions of Lab 8 (models against meters). Expected values are computed with energylab.

The book's variant runs the calculators on BLOOM's training job and predicts the Qwen 3
32B run of the ML.ENERGY Benchmark. Another variant runs them on a training job of other
GPU-hours on another GPU, and predicts another dense 16-bit run of the benchmark (one that
chapter 8 does not work through). The waterfall (task 3) and the reading checklist
(task 4) are the same in every variant.
"""

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

#: Dense 16-bit runs of the ML.ENERGY Benchmark a variant may predict (measurement id ->
#: (parameters, chip)); parameter counts are the models' nominal sizes, as in
#: :data:`energylab.estimators.WORKLOADS`. Chapter 8 works through Llama 3.1 70B on H100s at
#: batches 8 and 64, so those runs are not offered.
RUNS = {
    RUN: (32e9, "H100"),
    "mlenergy_llama31_8b_h100x1_b8": (8e9, "H100"),
    "mlenergy_llama31_8b_h100x1_b64": (8e9, "H100"),
    "mlenergy_llama31_8b_b200x1_b64": (8e9, "B200"),
    "mlenergy_llama31_70b_b200x2_b8": (70e9, "B200"),
    "mlenergy_llama31_70b_b200x2_b64": (70e9, "B200"),
    "mlenergy_llama31_70b_h100x4_b1024": (70e9, "H100"),
}

#: The book variant's task inputs: BLOOM's job (task 1) and the Qwen 3 32B run (task 2).
BOOK_INPUTS = {
    "job_gpu_hours": BLOOM["gpu_hours"],
    "job_chip": BLOOM["chip"],
    "run": RUN,
    "parameters": DECODE["parameters"],
    "chip": DECODE["chip"],
}


def draw_inputs(rng) -> dict:
    """Another variant: another training job (task 1) and another measured run (task 2)."""
    run = str(rng.choice(sorted(RUNS)))
    parameters, chip = RUNS[run]
    return {
        "job_gpu_hours": int(rng.choice([250_000, 600_000, 1_082_990, 2_500_000])),
        "job_chip": str(rng.choice(["V100", "A100", "H100"])),
        "run": run,
        "parameters": parameters,
        "chip": chip,
    }


#: Boundaries a figure can have, narrowest first.
BOUNDARIES = ("accelerator", "server", "facility")


def _job_tdp_w(p):
    from .. import datasets

    return float(datasets.chip(p["job_chip"])["tdp_w"])


def _mlco2_mwh(p):
    from .. import estimators

    return estimators.ml_co2_impact(p["job_gpu_hours"], 3600.0, _job_tdp_w(p)) / J_PER_MWH


def _green_default_mwh(p):
    from .. import estimators

    return estimators.green_algorithms(p["job_gpu_hours"] * 3600.0, 1, _job_tdp_w(p)) / J_PER_MWH


def _run(p):
    from .. import datasets

    return datasets.load("measurements").set_index("id").loc[p["run"]]


def _predicted_j(p):
    from .. import estimators

    return estimators.decode_energy_per_token(p["parameters"], DECODE["bytes_per_parameter"], p["chip"],
                                              batch=int(_run(p)["max_batch"]))


def _measured_j(p):
    from .. import estimators

    return float(estimators.measurement(p["run"]).central)


def _power_fraction(p):
    from .. import datasets

    row = _run(p)
    return float(row["power_w"]) / (float(row["gpus"]) * float(datasets.chip(p["chip"])["tdp_w"]))


def _time_factor(p):
    return _measured_j(p) / _predicted_j(p) / _power_fraction(p)


def _ecf_ratio(p, answers):
    try:
        return _measured_j(p) / float(answers["lab08.predicted_j_per_token"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def _ecf_time(p, answers):
    try:
        return float(answers["lab08.measured_over_predicted"]) / float(answers["lab08.power_fraction"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def _chain():
    from .. import estimators

    return estimators.devries_to_google()


def _devries_utilisation():
    from .. import estimators

    return estimators.devries_inputs()["utilisation"]


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
        hint="ml_co2_impact(chips, seconds, tdp_w): GPU-hours as chips, seconds = 3600."),
    "lab08.green_default_mwh": Question(
        _green_default_mwh, rtol=0.01, unit="MWh",
        hint="green_algorithms(seconds, cores, power_per_core_w), default PUE; a GPU is a core."),
    "lab08.green_vs_mlco2": Question(
        lambda: "pue",
        hint="The two formulas differ by one default factor: which? (a lowercase name)"),
    "lab08.predicted_j_per_token": Question(
        _predicted_j, rtol=0.02, unit="J",
        hint="decode_energy_per_token(parameters, 2, chip, batch=the run's max_batch, an int)."),
    "lab08.measured_over_predicted": Question(
        lambda p: _measured_j(p) / _predicted_j(p), rtol=0.02, unit="×", ecf=_ecf_ratio,
        hint="measurements.loc[task['run'], 'value'] (J per output token) divided by your prediction."),
    "lab08.power_fraction": Question(
        _power_fraction, rtol=0.02,
        hint="The run's power_w is all its GPUs together: divide by gpus × the GPU's tdp_w."),
    "lab08.time_factor": Question(
        _time_factor, rtol=0.02, unit="×", ecf=_ecf_time,
        hint="measured ÷ predicted = power fraction × time factor: divide 2b by 2c."),
    "lab08.devries_utilization": Question(
        _devries_utilisation, rtol=0.02,
        hint="The utilisation at which a 100 B, 500-token answer fills de Vries's GPU-seconds."),
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
        hint="Find GPT-3's training energy in measurements: what does the row include?"),
    "lab08.boundary_bloom": Question(
        lambda: _boundary("bloom_energy_dynamic"),
        hint="Find BLOOM's training energy in measurements: what does the row include?"),
    "lab08.basis_llama3_zero": Question(
        lambda: _basis("llama3_carbon_market"),
        hint="What does the row of Meta's 0 t net out of its electricity?"),
}
