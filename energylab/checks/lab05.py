"""Answer checks of lab 5, "Compute where the data lives".

Every expected value is computed from :mod:`energylab.pim`, the ``chips`` dataset and
the digits workload, never typed in.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import datasets, pim, workloads
from . import Question

#: The book variant's task inputs: the model decoded in task 2 (parameters, bytes per
#: parameter), the layer students map by hand in task 3 (rows are inputs, columns
#: outputs), its row voltages (V) and device range (S).
BOOK_INPUTS = {
    "model_parameters": 7e9,
    "bytes_per_parameter": 2,
    "layer_weights": np.array([[0.5, -1.0], [0.25, 0.75], [-0.5, 0.0]]),
    "layer_voltages_v": np.array([0.1, 0.2, 0.05]),
    "g_min_s": 1e-6,
    "g_max_s": 1e-4,
}
#: Kept for code that reads the book's values directly.
LAYER_WEIGHTS = BOOK_INPUTS["layer_weights"]
LAYER_VOLTAGES_V = BOOK_INPUTS["layer_voltages_v"]
LAYER_G_MIN, LAYER_G_MAX = BOOK_INPUTS["g_min_s"], BOOK_INPUTS["g_max_s"]
#: The decoding chip of task 2 and the batches compared.
DECODE_CHIP = "H100"
BIG_BATCH = 64


def draw_inputs(rng) -> dict:
    """Another variant: the model of task 2 and the layer of task 3 differ."""
    weights = rng.choice([-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0], size=(3, 2))
    weights[int(rng.integers(3)), int(rng.integers(2))] = float(rng.choice([-1.0, 1.0]))  # max |w| = 1
    return {
        "model_parameters": float(rng.choice([3e9, 8e9, 13e9, 34e9])),
        "bytes_per_parameter": int(rng.choice([1, 2])),
        "layer_weights": weights,
        "layer_voltages_v": rng.choice([0.05, 0.1, 0.15, 0.2, 0.25], size=3),
        "g_max_s": float(rng.choice([5e-5, 2e-4])),
    }
#: Grid of programming variations and seeds of task 4.
SIGMA_GRID = np.round(np.arange(0.0, 0.51, 0.02), 2)
SIGMA_SEEDS = (0, 1, 2, 3, 4)


def _ridge(name: str) -> float:
    row = datasets.chip(name)
    return float(pim.ridge_point(datasets.peak_flops(name, "fp16"), row["memory_bandwidth_bytes_per_s"]))


@functools.cache
def _decode_step(parameters: float, bytes_per_parameter: int, batch: int) -> pim.DecodeStep:
    return pim.decode_step(parameters, bytes_per_parameter, batch, DECODE_CHIP)


def _decode(p, batch: int) -> pim.DecodeStep:
    return _decode_step(float(p["model_parameters"]), int(p["bytes_per_parameter"]), batch)


def _conductances(p):
    return pim.weights_to_conductances(p["layer_weights"], p["g_min_s"], p["g_max_s"])


def _currents(p):
    g_pos, g_neg, _ = _conductances(p)
    v = p["layer_voltages_v"]
    return pim.column_currents(v, g_pos) - pim.column_currents(v, g_neg)


def _bound_ecf(qid):
    def ecf(p, answers):
        try:
            m = float(answers.get(qid))
        except (TypeError, ValueError):
            return None
        return 1.0 / (1.0 - m) if 0 <= m < 1 else None
    return ecf


@functools.cache
def sigma_for_one_point() -> float:
    """Smallest σ of :data:`SIGMA_GRID` whose mean accuracy (over :data:`SIGMA_SEEDS`)
    is at least one percentage point below the ideal network's."""
    net = workloads.digits_mlp()
    for sigma in SIGMA_GRID:
        acc = pim.analog_accuracy(net, sigma=float(sigma), seeds=SIGMA_SEEDS)
        if acc <= net.test_accuracy - 0.01:
            return float(sigma)
    raise RuntimeError("no sigma in the grid loses one point")  # pragma: no cover


QUESTIONS = {
    "lab05.ridge_a100": Question(
        expected=lambda: _ridge("A100"), rtol=0.01, unit="FLOP/byte",
        hint="Divide the dense FP16 peak (FLOP/s) by the memory bandwidth (bytes/s)."),
    "lab05.decode_j_per_token_b1": Question(
        expected=lambda p: _decode(p, 1).energy_per_token_j, rtol=0.02, unit="J",
        hint="Bytes: parameters × bytes each, at 31.8 pJ a byte; FLOP: 2 per parameter at TDP/peak."),
    "lab05.decode_j_per_token_b64": Question(
        expected=lambda p: _decode(p, BIG_BATCH).energy_per_token_j, rtol=0.02, unit="J",
        hint="The weights are read once for all 64 sequences, the FLOP grow 64-fold; divide by 64."),
    "lab05.memory_share_b1": Question(
        expected=lambda p: _decode(p, 1).memory_share, rtol=0.01,
        hint="Memory energy divided by total energy, a fraction between 0 and 1."),
    "lab05.memory_share_b64": Question(
        expected=lambda p: _decode(p, BIG_BATCH).memory_share, rtol=0.02,
        hint="Memory energy divided by total energy, a fraction between 0 and 1."),
    "lab05.g_pos": Question(
        expected=lambda p: _conductances(p)[0], rtol=1e-6, unit="S",
        hint="s = (g_max − g_min)/max|w|; G+ = g_min + s·max(w, 0)."),
    "lab05.g_neg": Question(
        expected=lambda p: _conductances(p)[1], rtol=1e-6, unit="S",
        hint="G− = g_min + s·max(−w, 0)."),
    "lab05.currents": Question(
        expected=_currents, rtol=1e-6, atol=1e-12, unit="A",
        hint="I_j = Σ_i V_i·G+_ij − Σ_i V_i·G−_ij (Ohm's law, then Kirchhoff on each column)."),
    "lab05.sigma_one_point": Question(
        expected=sigma_for_one_point, rtol=0.0, atol=0.03,
        hint="Sweep sigma, average over the five seeds; stop at the first 0.01 below the ideal."),
    "lab05.pim_bound_b1": Question(
        expected=lambda p: 1.0 / (1.0 - _decode(p, 1).memory_share), rtol=0.02,
        ecf=_bound_ecf("lab05.memory_share_b1"),
        hint="If data movement cost nothing, only the non-memory share would remain: 1/(1 − m)."),
    "lab05.pim_bound_b64": Question(
        expected=lambda p: 1.0 / (1.0 - _decode(p, BIG_BATCH).memory_share), rtol=0.02,
        ecf=_bound_ecf("lab05.memory_share_b64"),
        hint="Same bound, 1/(1 − m), with the batch-64 memory share."),
}
