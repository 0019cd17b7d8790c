"""Answer checks of lab 5, "Compute where the data lives".

Every expected value is computed from :mod:`energylab.pim`, the ``chips`` dataset and
the digits workload, never typed in.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import datasets, pim, workloads
from . import Question

#: The layer students map by hand (task 3): rows are inputs, columns outputs.
LAYER_WEIGHTS = np.array([[0.5, -1.0], [0.25, 0.75], [-0.5, 0.0]])
#: Its row voltages (V) and device range (S).
LAYER_VOLTAGES_V = np.array([0.1, 0.2, 0.05])
LAYER_G_MIN, LAYER_G_MAX = 1e-6, 1e-4
#: Grid of programming variations and seeds of task 4.
SIGMA_GRID = np.round(np.arange(0.0, 0.51, 0.02), 2)
SIGMA_SEEDS = (0, 1, 2, 3, 4)


def _ridge(name: str) -> float:
    row = datasets.chip(name)
    return float(pim.ridge_point(datasets.peak_flops(name, "fp16"), row["memory_bandwidth_bytes_per_s"]))


@functools.cache
def _decode(batch: int) -> pim.DecodeStep:
    return pim.decode_step(7e9, 2, batch, "H100")


def _conductances():
    return pim.weights_to_conductances(LAYER_WEIGHTS, LAYER_G_MIN, LAYER_G_MAX)


def _currents():
    g_pos, g_neg, _ = _conductances()
    return pim.column_currents(LAYER_VOLTAGES_V, g_pos) - pim.column_currents(LAYER_VOLTAGES_V, g_neg)


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
        expected=lambda: _decode(1).energy_per_token_j, rtol=0.02, unit="J",
        hint="Bytes: 7e9 weights × 2 bytes, each at 31.76 pJ; FLOP: 2 × 7e9, each at TDP/peak."),
    "lab05.decode_j_per_token_b64": Question(
        expected=lambda: _decode(64).energy_per_token_j, rtol=0.02, unit="J",
        hint="The weights are read once for all 64 sequences, the FLOP grow 64-fold; divide by 64."),
    "lab05.memory_share_b1": Question(
        expected=lambda: _decode(1).memory_share, rtol=0.01,
        hint="Memory energy divided by total energy, a fraction between 0 and 1."),
    "lab05.memory_share_b64": Question(
        expected=lambda: _decode(64).memory_share, rtol=0.02,
        hint="Memory energy divided by total energy, a fraction between 0 and 1."),
    "lab05.g_pos": Question(
        expected=lambda: _conductances()[0], rtol=1e-6, unit="S",
        hint="s = (g_max − g_min)/max|w|; G+ = g_min + s·max(w, 0)."),
    "lab05.g_neg": Question(
        expected=lambda: _conductances()[1], rtol=1e-6, unit="S",
        hint="G− = g_min + s·max(−w, 0)."),
    "lab05.currents": Question(
        expected=_currents, rtol=1e-6, atol=1e-12, unit="A",
        hint="I_j = Σ_i V_i·G+_ij − Σ_i V_i·G−_ij (Ohm's law, then Kirchhoff on each column)."),
    "lab05.sigma_one_point": Question(
        expected=sigma_for_one_point, rtol=0.0, atol=0.03,
        hint="Sweep sigma over the grid, average the accuracy over the five seeds, stop at the "
             "first that is one point (0.01) below the ideal accuracy."),
    "lab05.pim_bound_b1": Question(
        expected=lambda: 1.0 / (1.0 - _decode(1).memory_share), rtol=0.02,
        hint="If data movement cost nothing, only the non-memory share would remain: 1/(1 − m)."),
    "lab05.pim_bound_b64": Question(
        expected=lambda: 1.0 / (1.0 - _decode(64).memory_share), rtol=0.02,
        hint="Same bound, 1/(1 − m), with the batch-64 memory share."),
}
