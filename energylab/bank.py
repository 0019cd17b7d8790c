"""The assessment bank: exam-style questions whose answers energylab computes.

    python -m energylab.bank --out bank/                      # the book's variant
    python -m energylab.bank --out bank/ --variant 2027-midterm

writes, for instructors only, ``bank/questions.md`` (the questions, ready to paste into a
quiz or an exam) and ``bank/solutions.md`` (each question with its method and its answer),
plus ``bank/answers.csv``. Every answer is computed at that moment by energylab's models
and datasets, so it cannot drift from the book; a variant other than ``"book"`` draws other
inputs for every question (seeded), so a quiz can be new each term. Keep the output out of
anything students can see.

Each question is a :class:`BankQuestion`: a text with ``{input}`` fields, the book's
inputs, the alternatives a variant chooses from, and ``solve(inputs)`` that returns the
numeric answer by calling energylab.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .checks import BOOK_VARIANT, _check_variant, variant_rng

__all__ = ["BankQuestion", "QUESTIONS", "inputs_for", "answer", "write_bank", "main"]


@dataclass(frozen=True)
class BankQuestion:
    id: str
    chapter: int
    text: str
    inputs: dict
    solve: Callable[[dict], float]
    unit: str
    method: str
    choices: dict = field(default_factory=dict)


def _q(id, chapter, text, inputs, solve, unit, method, **choices):
    return BankQuestion(id, chapter, text, inputs, solve, unit, method, choices)


def _ds():
    from . import datasets

    return datasets


def _chip(name, key):
    return float(_ds().chip(name)[key])


# ---------------------------------------------------------------- chapter 1
def _c1():
    from . import circuits, scaling
    from .constants import J_PER_MWH

    return [
        _q("ch1.doubling", 1, "Training compute of frontier models grew {growth:g}-fold in {years:g} years. "
           "What is its doubling time, in months?", {"growth": 1000.0, "years": 5.0},
           lambda p: 12 * scaling.doubling_time(p["growth"], p["years"]), "months",
           "Doubling time = years × ln 2 / ln(growth); scaling.doubling_time.",
           growth=[100.0, 300.0, 3000.0, 10000.0], years=[4.0, 6.0, 8.0]),
        _q("ch1.optimal_params", 1, "By the Chinchilla fit, how many parameters (in billions) should a model "
           "trained with {budget:.0e} FLOP have?", {"budget": 1e24},
           lambda p: scaling.compute_optimal(p["budget"])[0] / 1e9, "billion parameters",
           "scaling.compute_optimal(C) returns (N*, D*).", budget=[1e22, 1e23, 3e24, 1e25, 1e26]),
        _q("ch1.optimal_tokens", 1, "And on how many tokens (in trillions) should it be trained, for a budget of "
           "{budget:.0e} FLOP?", {"budget": 1e24},
           lambda p: scaling.compute_optimal(p["budget"])[1] / 1e12, "trillion tokens",
           "The second element of scaling.compute_optimal(C).", budget=[1e22, 1e23, 3e24, 1e25, 1e26]),
        _q("ch1.training_flops", 1, "How many FLOP does it take to train a {params:.0e}-parameter model on "
           "{tokens:.0e} tokens (C ≈ 6ND)?", {"params": 7e9, "tokens": 2e12},
           lambda p: scaling.training_flops(p["params"], p["tokens"]), "FLOP",
           "C = 6·N·D (forward and backward pass); scaling.training_flops.",
           params=[1e9, 13e9, 70e9], tokens=[3e11, 1e12, 15e12]),
        _q("ch1.loss", 1, "What loss (nats per token) does the Chinchilla fit predict for {params:.0e} parameters "
           "trained on {tokens:.0e} tokens?", {"params": 70e9, "tokens": 1.4e12},
           lambda p: scaling.chinchilla_loss(p["params"], p["tokens"]), "nats",
           "L = E + A/N^α + B/D^β with Hoffmann et al.'s fitted constants; scaling.chinchilla_loss.",
           params=[1e9, 8e9, 175e9], tokens=[2e11, 3e12, 1e13]),
        _q("ch1.optimal_clock", 1, "A chip draws {pdyn:g} W dynamic and {pstat:g} W static power at {fref:g} GHz; "
           "dynamic power scales as f³. At which clock (GHz) is the energy per task lowest?",
           {"pdyn": 200.0, "pstat": 60.0, "fref": 2.0},
           lambda p: circuits.optimal_frequency(1e12, p["fref"] * 1e9, p["pdyn"], p["pstat"]) / 1e9, "GHz",
           "Minimise E(f) = cycles/f × (P_dyn(f/f_ref)³ + P_static): f* = f_ref·(P_static/(2 P_dyn))^(1/3).",
           pdyn=[100.0, 150.0, 300.0], pstat=[20.0, 40.0, 90.0], fref=[1.5, 2.5]),
        _q("ch1.task_energy", 1, "The same chip ({pdyn:g} W dynamic, {pstat:g} W static at {fref:g} GHz) runs a task "
           "of {cycles:.0e} cycles at {f:g} GHz. How many joules does the task take?",
           {"pdyn": 200.0, "pstat": 60.0, "fref": 2.0, "cycles": 1e12, "f": 1.0},
           lambda p: float(circuits.energy_per_task(p["cycles"], p["f"] * 1e9, p["fref"] * 1e9, p["pdyn"],
                                                   p["pstat"])), "J",
           "E = cycles/f × (P_dyn·(f/f_ref)³ + P_static); circuits.energy_per_task.",
           pdyn=[100.0, 300.0], pstat=[30.0, 90.0], cycles=[5e11, 2e12], f=[0.8, 1.5]),
        _q("ch1.budget_energy", 1, "A training budget of {budget:.0e} FLOP runs at {pj:g} pJ per FLOP (chips only). "
           "How many MWh is that?", {"budget": 1e25, "pj": 1.0},
           lambda p: p["budget"] * p["pj"] * 1e-12 / J_PER_MWH, "MWh",
           "E = C × energy per FLOP; 1 MWh = 3.6e9 J.", budget=[1e23, 1e24, 1e26], pj=[0.5, 2.0, 15.0]),
        _q("ch1.compute_for_loss", 1, "How much compute (FLOP) does the Chinchilla fit need, used optimally, to reach "
           "a loss of {loss:g} nats?", {"loss": 2.0},
           lambda p: float(scaling.compute_for_loss(p["loss"])), "FLOP",
           "Invert the optimal loss curve; scaling.compute_for_loss.", loss=[1.9, 2.1, 2.3, 2.5]),
    ]


# ---------------------------------------------------------------- chapter 2
def _c2():
    from . import circuits, thermo

    return [
        _q("ch2.landauer", 2, "What is the Landauer energy of erasing one bit at {t:g} K, in zeptojoules?",
           {"t": 300.0}, lambda p: float(thermo.landauer_energy(p["t"])) * 1e21, "zJ",
           "E = k_B·T·ln 2.", t=[4.0, 77.0, 250.0, 350.0]),
        _q("ch2.gap", 2, "A chip spends {pj:g} pJ per operation, which erases {bits:g} bits at {t:g} K. "
           "How many times the Landauer limit is that?", {"pj": 0.7, "bits": 16.0, "t": 300.0},
           lambda p: float(thermo.landauer_gap(p["pj"] * 1e-12, p["bits"], p["t"])), "×",
           "gap = E_op / (bits·k_B·T·ln 2); thermo.landauer_gap.",
           pj=[0.44, 1.28, 2.4, 15.0], bits=[1.0, 8.0, 32.0], t=[330.0]),
        _q("ch2.switching", 2, "How much energy (fJ) does one switching event of a {c:g} fF node at {v:g} V "
           "dissipate (½·C·V²)?", {"c": 1.0, "v": 0.75},
           lambda p: float(circuits.switching_energy(p["c"] * 1e-15, p["v"])) * 1e15, "fJ",
           "Half of C·V² per transition as in chapter 2; circuits.switching_energy.",
           c=[0.5, 2.0, 5.0], v=[0.6, 0.9, 1.1]),
        _q("ch2.dynamic", 2, "What dynamic power (W) do {n:.0e} transistors draw at activity {a:g}, {c:g} fF each, "
           "{v:g} V and {f:g} GHz?", {"n": 80e9, "a": 0.1, "c": 0.5, "v": 0.75, "f": 1.83},
           lambda p: float(circuits.dynamic_power(p["a"], p["n"] * p["c"] * 1e-15, p["v"], p["f"] * 1e9)), "W",
           "P = α·C_total·V²·f; circuits.dynamic_power.",
           n=[20e9, 208e9], a=[0.02, 0.05], v=[0.7, 0.85], f=[1.4, 2.0]),
        _q("ch2.joule", 2, "A current of {i:g} A flows through {r:g} mΩ of power delivery. How many watts turn "
           "into heat?", {"i": 1000.0, "r": 0.1},
           lambda p: float(thermo.joule_heating(p["i"], p["r"] * 1e-3)), "W",
           "P = I²R; thermo.joule_heating.", i=[500.0, 800.0, 1200.0], r=[0.05, 0.2, 0.3]),
        _q("ch2.density", 2, "A {p:g} W chip has a die of {a:g} mm². What is its heat flux in W/cm²?",
           {"p": 700.0, "a": 814.0}, lambda p: float(thermo.power_density(p["p"], p["a"] * 1e-6)) / 1e4, "W/cm²",
           "flux = P / area; thermo.power_density returns W/m².", p=[300.0, 1000.0, 1200.0], a=[400.0, 600.0]),
        _q("ch2.years", 2, "If the gap to the Landauer limit is {gap:.0e} and efficiency doubles every {d:g} years, "
           "in how many years would the gap close?", {"gap": 1.5e7, "d": 1.57},
           lambda p: float(thermo.years_to_close(p["gap"], p["d"])), "years",
           "years = d × log2(gap); thermo.years_to_close.", gap=[1e6, 5e7, 1e9], d=[2.0, 2.6]),
        _q("ch2.j_per_op", 2, "A {w:g} W accelerator performs {t:g} TFLOP/s at its peak. How many pJ per FLOP?",
           {"w": 700.0, "t": 989.0}, lambda p: float(circuits.joules_per_op(p["w"], p["t"] * 1e12)) * 1e12,
           "pJ/FLOP", "J per op = power / rate; circuits.joules_per_op.",
           w=[300.0, 400.0, 1000.0], t=[125.0, 312.0, 2250.0]),
    ]


# ---------------------------------------------------------------- chapter 3
def _c3():
    from . import sparsity

    return [
        _q("ch3.csr_bits", 3, "A {r:d}×{c:d} matrix of {b:d}-bit values is stored in CSR at density {d:g}. "
           "How many MiB does it take?", {"r": 4096, "c": 4096, "b": 16, "d": 0.3},
           lambda p: sparsity.storage_bits((p["r"], p["c"]), p["d"], p["b"], "csr") / 8 / 2**20, "MiB",
           "nnz·(value bits + ⌈log2 cols⌉) + (rows + 1)·pointer bits; sparsity.storage_bits.",
           r=[1024, 2048, 8192], c=[2048, 11008], b=[8, 32], d=[0.1, 0.2, 0.5]),
        _q("ch3.break_even", 3, "Below which density does CSR beat dense storage for a {r:d}×{c:d} matrix of "
           "{b:d}-bit values?", {"r": 4096, "c": 4096, "b": 16},
           lambda p: float(sparsity.csr_break_even_density((p["r"], p["c"]), p["b"])), "",
           "Solve nnz·(b + index bits) + pointers = size·b; sparsity.csr_break_even_density.",
           r=[1024, 8192], c=[2048, 11008], b=[8, 32]),
        _q("ch3.nm_bits", 3, "The same {r:d}×{c:d} matrix of {b:d}-bit values pruned to 2:4 and stored compressed: "
           "how many MiB?", {"r": 4096, "c": 4096, "b": 16},
           lambda p: sparsity.storage_bits((p["r"], p["c"]), 0.5, p["b"], "nm", n=2, m=4) / 8 / 2**20, "MiB",
           "Half of the values, each with a 2-bit position.", r=[1024, 8192], c=[2048, 11008], b=[8, 32]),
        _q("ch3.moe_fraction", 3, "A mixture of {e:d} experts of {x:g} B parameters each, {k:d} active per token, "
           "shares {s:g} B parameters. What fraction of its parameters does a token use?",
           {"e": 8, "x": 5.6, "k": 2, "s": 1.6},
           lambda p: float(sparsity.moe_active_parameters(p["e"], p["k"], p["x"] * 1e9, p["s"] * 1e9)
                           .active_fraction), "",
           "active = shared + k·expert; total = shared + E·expert.", e=[16, 64], x=[1.0, 3.0], k=[1, 4], s=[0.5, 5.0]),
        _q("ch3.moe_flops", 3, "For that mixture ({e:d} experts of {x:g} B, {k:d} active, {s:g} B shared), how many "
           "GFLOP does a forward pass cost per token?", {"e": 8, "x": 5.6, "k": 2, "s": 1.6},
           lambda p: float(sparsity.moe_active_parameters(p["e"], p["k"], p["x"] * 1e9, p["s"] * 1e9)
                           .flops_per_token) / 1e9, "GFLOP",
           "About 2 FLOP per active parameter.", e=[16, 64], x=[1.0, 3.0], k=[1, 4], s=[0.5, 5.0]),
        _q("ch3.expert_size", 3, "A mixture has {t:g} B parameters in total and {a:g} B active, with {e:d} experts of "
           "which {k:d} are active. How large (B) is one expert?", {"t": 46.7, "a": 12.9, "e": 8, "k": 2},
           lambda p: sparsity.moe_from_totals(p["t"] * 1e9, p["a"] * 1e9, p["e"], p["k"])[0] / 1e9, "B",
           "total − active = (E − k)·expert.",
           cases=[{"t": 141.0, "a": 39.0, "e": 8, "k": 2}, {"t": 1200.0, "a": 96.6, "e": 64, "k": 2},
                  {"t": 236.0, "a": 21.0, "e": 160, "k": 6}]),
        _q("ch3.gradual", 3, "Gradual pruning goes from 0 to {s:g} sparsity between steps {a:d} and {b:d} "
           "(cubic schedule). What is the sparsity at step {t:d}?", {"s": 0.9, "a": 1000, "b": 11000, "t": 3000},
           lambda p: float(sparsity.gradual_sparsity(p["t"], p["s"], p["a"], p["b"])), "",
           "s_t = s_f·(1 − (1 − (t − t0)/(t1 − t0))³); sparsity.gradual_sparsity.",
           s=[0.5, 0.75, 0.95], t=[2000, 5000, 8000]),
        _q("ch3.rigl", 3, "Training at {s:g} sparsity with RigL, dense gradients every {u:d} steps: what fraction "
           "of the dense training FLOP does it cost?", {"s": 0.9, "u": 100},
           lambda p: float(sparsity.rigl_flops_fraction(p["s"], p["u"])), "",
           "Sparse forward and backward, plus a dense gradient every u steps; sparsity.rigl_flops_fraction.",
           s=[0.5, 0.8, 0.95], u=[50, 1000]),
    ]


# ---------------------------------------------------------------- chapter 4
def _c4():
    from . import precision

    return [
        _q("ch4.memory_ratio", 4, "{n:.0e} weights in FP32 versus {fmt} with one FP32 scale per {g:d} weights: how "
           "many times smaller is the {fmt} copy?", {"n": 7e9, "fmt": "int4", "g": 128},
           lambda p: precision.memory_bytes(p["n"], "fp32")
           / precision.memory_bytes(p["n"], p["fmt"], n_scales=p["n"] / p["g"]), "×",
           "bytes = n·bits/8 + scales·4; precision.memory_bytes.", fmt=["int8", "int3"], g=[32, 64, 256]),
        _q("ch4.int_mac", 4, "By the 45 nm fit, how many pJ does one {b:d}-bit integer multiply–accumulate cost?",
           {"b": 8}, lambda p: float(precision.op_energy("mac", p["b"], "int")) * 1e12, "pJ",
           "precision.op_energy('mac', bits, 'int') (Horowitz's 45 nm figures).", b=[4, 6, 12, 16]),
        _q("ch4.mac_ratio", 4, "How many times cheaper is a {b:d}-bit integer MAC than an FP32 MAC, by the 45 nm fit?",
           {"b": 8}, lambda p: float(precision.op_energy("mac", 32, "fp") / precision.op_energy("mac", p["b"], "int")),
           "×", "Ratio of precision.op_energy values.", b=[4, 6, 12, 16]),
        _q("ch4.sqnr", 4, "What SQNR (dB) does a {b:d}-bit uniform quantizer reach on a full-scale uniform signal?",
           {"b": 8}, lambda p: float(precision.sqnr_theory_db(p["b"])), "dB",
           "About 6.02·b dB; precision.sqnr_theory_db.", b=[3, 4, 6, 10, 12]),
        _q("ch4.float_sqnr", 4, "What SQNR (dB) does the {fmt} format give a value in its normal range?",
           {"fmt": "bf16"}, lambda p: float(precision.float_sqnr_theory_db(p["fmt"])), "dB",
           "Set by the mantissa bits; precision.float_sqnr_theory_db.", fmt=["fp16", "fp8_e4m3", "fp8_e5m2"]),
        _q("ch4.chip_pj", 4, "At its dense {prec} peak and its TDP, how many pJ per operation does the {chip} spend?",
           {"chip": "H100", "prec": "fp8"},
           lambda p: float(precision.chip_energy_per_op(p["chip"], p["prec"])) * 1e12, "pJ",
           "TDP / dense peak; precision.chip_energy_per_op.", chip=["B200"], prec=["fp16", "int8"]),
        _q("ch4.model_gb", 4, "How many GB does a {n:g} B-parameter model occupy in {fmt} (no scales)?",
           {"n": 70.0, "fmt": "fp8_e4m3"}, lambda p: precision.memory_bytes(p["n"] * 1e9, p["fmt"]) / 1e9, "GB",
           "n·bits/8; precision.memory_bytes.", n=[8.0, 175.0, 405.0], fmt=["bf16", "int4"]),
        _q("ch4.peak_ratio", 4, "How many times higher is the {chip}'s dense FP8 peak than its dense FP16 peak?",
           {"chip": "H100"},
           lambda p: float(_ds().peak_flops(p["chip"], "fp8") / _ds().peak_flops(p["chip"], "fp16")), "×",
           "datasets.peak_flops(chip, precision).", chip=["B200"]),
    ]


# ---------------------------------------------------------------- chapter 5
def _c5():
    from . import pim

    return [
        _q("ch5.ridge", 5, "What is the ridge point (FLOP/byte) of the {chip} at its dense FP16 peak?",
           {"chip": "A100"},
           lambda p: float(pim.ridge_point(_ds().peak_flops(p["chip"], "fp16"),
                                           _chip(p["chip"], "memory_bandwidth_bytes_per_s"))), "FLOP/byte",
           "peak FLOP/s ÷ memory bandwidth.", chip=["V100", "H100", "B200"]),
        _q("ch5.decode_energy", 5, "Decoding a {n:g} B-parameter model in {b:g}-byte weights on an H100 at batch "
           "{batch:d}: how many mJ per token?", {"n": 7.0, "b": 2.0, "batch": 1},
           lambda p: pim.decode_step(p["n"] * 1e9, p["b"], p["batch"], "H100").energy_per_token_j * 1e3, "mJ",
           "(weight bytes × pJ/byte + batch × 2N × J/FLOP) / batch; pim.decode_step.",
           n=[3.0, 13.0, 70.0], b=[1.0], batch=[4, 16, 128]),
        _q("ch5.memory_share", 5, "In that decode step ({n:g} B parameters, {b:g} bytes each, batch {batch:d}, H100), "
           "what share of the energy is memory traffic?", {"n": 7.0, "b": 2.0, "batch": 64},
           lambda p: pim.decode_step(p["n"] * 1e9, p["b"], p["batch"], "H100").memory_share, "",
           "memory energy / total energy.", n=[3.0, 70.0], b=[1.0], batch=[8, 32, 256]),
        _q("ch5.kv_cache", 5, "How many GB is the key–value cache of a model with {l:d} layers of width {d:d} at a "
           "context of {ctx:d} tokens, in 2-byte values?", {"l": 32, "d": 4096, "ctx": 4096},
           lambda p: pim.kv_cache_bytes(p["l"], p["d"], p["ctx"]) / 1e9, "GB",
           "2 (K and V) × layers × width × context × bytes; pim.kv_cache_bytes.",
           l=[24, 80], d=[2048, 8192], ctx=[8192, 32768]),
        _q("ch5.movement", 5, "How many joules does moving {gb:g} GB across {level} cost?", {"gb": 14.0, "level": "hbm2"},
           lambda p: float(pim.movement_energy(p["gb"] * 1e9, p["level"])), "J",
           "bytes × energy per byte of that level; pim.movement_energy.", gb=[1.0, 70.0], level=["dram_45nm"]),
        _q("ch5.roofline", 5, "A kernel of intensity {i:g} FLOP/byte runs on a chip of {peak:g} TFLOP/s and "
           "{bw:g} TB/s. What throughput (TFLOP/s) can it reach?", {"i": 64.0, "peak": 989.0, "bw": 3.35},
           lambda p: float(pim.roofline(p["i"], p["peak"] * 1e12, p["bw"] * 1e12)) / 1e12, "TFLOP/s",
           "min(peak, intensity × bandwidth); pim.roofline.", i=[4.0, 16.0, 512.0], bw=[2.0, 8.0]),
        _q("ch5.adc", 5, "How many pJ does one {b:d}-bit conversion cost at a figure of merit of 10 fJ per step?",
           {"b": 8}, lambda p: float(pim.converter_energy(p["b"])) * 1e12, "pJ",
           "FoM × 2^bits; pim.converter_energy.", b=[4, 6, 10]),
        _q("ch5.drift", 5, "A phase-change device programmed to {g:g} µS drifts with ν = {nu:g}. What is its "
           "conductance (µS) after {t:g} s (t₀ = 1 s)?", {"g": 10.0, "nu": 0.05, "t": 3600.0},
           lambda p: float(pim.drift_conductance(p["g"] * 1e-6, p["t"], p["nu"])) * 1e6, "µS",
           "G(t) = G₀·(t/t₀)^(−ν); pim.drift_conductance.", g=[5.0, 25.0], nu=[0.02, 0.1], t=[60.0, 86400.0]),
    ]


# ---------------------------------------------------------------- chapter 6
def _c6():
    from . import cooling
    from .constants import ZERO_CELSIUS_K as K0

    return [
        _q("ch6.flow", 6, "A {kw:g} kW rack is cooled by water warming by {dt:g} K. What flow, in L/min?",
           {"kw": 120.0, "dt": 10.0},
           lambda p: float(cooling.heat_removal_flow(p["kw"] * 1e3, p["dt"]).volume_l_per_min), "L/min",
           "ṁ = Q/(c_p ΔT), ÷ density; cooling.heat_removal_flow.", kw=[40.0, 80.0, 132.0], dt=[5.0, 15.0]),
        _q("ch6.junction", 6, "A {w:g} W chip sits on a cooler of {r:g} K/W with coolant at {tc:g} °C. What is its "
           "junction temperature, in °C?", {"w": 700.0, "r": 0.05, "tc": 35.0},
           lambda p: float(cooling.junction_temperature(p["w"], p["r"], K0 + p["tc"])) - K0, "°C",
           "T_j = T_coolant + P·R_th.", w=[300.0, 1000.0], r=[0.03, 0.08], tc=[25.0, 45.0]),
        _q("ch6.sustained", 6, "A chip draws {pmax:g} W at {fmax:g} GHz ({pstat:g} W of it static; dynamic ∝ f³) "
           "and must stay below {tmax:g} °C on a {r:g} K/W cooler with {tc:g} °C coolant. Which clock (GHz) can it hold?",
           {"pmax": 1000.0, "fmax": 2.0, "pstat": 150.0, "tmax": 85.0, "r": 0.08, "tc": 35.0},
           lambda p: cooling.sustained_frequency(p["r"], K0 + p["tmax"], K0 + p["tc"], p["fmax"] * 1e9, p["pmax"],
                                                 p["pstat"]) / 1e9, "GHz",
           "Solve P(f) = (T_max − T_coolant)/R_th for f; cooling.sustained_frequency.",
           pmax=[800.0, 1200.0], pstat=[100.0, 200.0], r=[0.07, 0.1], tc=[30.0, 40.0]),
        _q("ch6.pue", 6, "If {c:.0%} of a data centre's electricity goes to cooling and nothing else but IT uses the "
           "rest, what is its PUE?", {"c": 0.4}, lambda p: float(cooling.pue_from_shares(p["c"])), "",
           "PUE = facility / IT = 1/(1 − cooling share).", c=[0.1, 0.25, 0.5, 0.6]),
        _q("ch6.overhead", 6, "At a PUE of {pue:g}, what share of the facility's electricity is overhead?",
           {"pue": 1.56}, lambda p: float(cooling.overhead_share(p["pue"])), "",
           "1 − 1/PUE.", pue=[1.1, 1.3, 1.8, 2.5]),
        _q("ch6.water", 6, "{mwh:g} MWh of IT energy, WUE {wue:g} L/kWh on site, PUE {pue:g}, {ewif:g} L/kWh off site: "
           "how many cubic metres of water in total?", {"mwh": 1170.0, "wue": 0.55, "pue": 1.1, "ewif": 3.14},
           lambda p: float(cooling.water_use(p["mwh"] * 1e3, p["wue"], p["pue"], p["ewif"]).total_l) / 1e3, "m³",
           "E_IT·(WUE + PUE·EWIF); cooling.water_use.", mwh=[100.0, 5000.0], wue=[0.2, 1.8], ewif=[1.0, 4.5]),
        _q("ch6.carbon", 6, "{mwh:g} MWh from a grid emitting {g:g} g CO₂ per kWh: how many tonnes of CO₂?",
           {"mwh": 1287.0, "g": 429.0}, lambda p: float(cooling.carbon_kg(p["mwh"] * 1e3, p["g"] / 1e3)) / 1e3, "t",
           "energy × intensity.", mwh=[50.0, 10000.0], g=[30.0, 580.0, 800.0]),
        _q("ch6.evaporation", 6, "How many litres of water must evaporate, at {t:g} °C, to carry away 1 kWh of heat?",
           {"t": 30.0}, lambda p: float(cooling.evaporative_water_per_kwh(K0 + p["t"])), "L/kWh",
           "3.6 MJ ÷ latent heat of vaporisation at that temperature.", t=[15.0, 25.0, 40.0]),
    ]


# ---------------------------------------------------------------- chapter 7
def _c7():
    from . import cooling, footprint
    from .constants import J_PER_MWH

    return [
        _q("ch7.topdown", 7, "{chips:g} accelerators ran for {days:g} days at {w:g} W each in a facility of PUE {pue:g}. "
           "How many MWh?", {"chips": 10000.0, "days": 14.8, "w": 330.0, "pue": 1.1},
           lambda p: float(footprint.training_energy(p["chips"], p["days"] * 24, p["w"], p["pue"])) / J_PER_MWH,
           "MWh", "chips × hours × W × PUE; footprint.training_energy.",
           chips=[1024.0, 16384.0], days=[30.0, 90.0], w=[700.0, 1000.0], pue=[1.2]),
        _q("ch7.chip_hours", 7, "How many {chip}-hours does {flop:.0e} FLOP of {prec} training take at an MFU of "
           "{mfu:g}?", {"flop": 3.14e23, "chip": "V100", "prec": "fp16", "mfu": 0.3},
           lambda p: float(footprint.training_chip_hours(p["flop"], p["chip"], p["prec"], p["mfu"])), "chip-hours",
           "FLOP / (peak × MFU) / 3600.", flop=[1e24, 4e25], chip=["A100", "H100"], mfu=[0.4, 0.5]),
        _q("ch7.bottom_up", 7, "And the energy (MWh) of that run ({flop:.0e} FLOP on {chip}s in {prec} at MFU {mfu:g}, "
           "chips at TDP, PUE {pue:g})?", {"flop": 3.14e23, "chip": "V100", "prec": "fp16", "mfu": 0.3, "pue": 1.1},
           lambda p: float(footprint.training_energy_from_flops(p["flop"], p["chip"], p["prec"], p["mfu"],
                                                                pue=p["pue"])) / J_PER_MWH, "MWh",
           "chip-hours × TDP × PUE; footprint.training_energy_from_flops.",
           flop=[1e24, 4e25], chip=["A100", "H100"], mfu=[0.4, 0.5]),
        _q("ch7.inference_flops", 7, "How many FLOP does generating {tokens:g} tokens with {active:g} B active "
           "parameters take?", {"tokens": 500.0, "active": 100.0},
           lambda p: float(footprint.inference_flops(p["tokens"], p["active"] * 1e9)), "FLOP",
           "2 × active parameters per token.", tokens=[200.0, 2000.0], active=[8.0, 37.0, 280.0]),
        _q("ch7.query", 7, "A {tokens:g}-token answer from {active:g} B active parameters on an H100 in BF16 at "
           "{u:.0%} utilisation, PUE {pue:g}: how many Wh?", {"tokens": 500.0, "active": 100.0, "u": 0.1, "pue": 1.2},
           lambda p: float(footprint.inference_energy(p["tokens"], p["active"] * 1e9, "H100", "bf16", p["u"],
                                                      pue=p["pue"])) / 3600, "Wh",
           "FLOP / (peak × utilisation) × power × PUE; footprint.inference_energy.",
           tokens=[250.0, 1000.0], active=[20.0, 200.0], u=[0.05, 0.3], pue=[1.1, 1.4]),
        _q("ch7.fleet", 7, "{q:g} million queries a day at {wh:g} Wh each: how many GWh per year?",
           {"q": 195.0, "wh": 0.3},
           lambda p: float(footprint.fleet_energy(p["q"] * 1e6, p["wh"] * 3600, days=365)) / (1e3 * J_PER_MWH),
           "GWh", "queries × energy per query × days.", q=[50.0, 1000.0], wh=[0.05, 3.0]),
        _q("ch7.carbon_run", 7, "A {mwh:g} MWh training run on a grid of {g:g} g CO₂/kWh, 30 % of it offset by "
           "clean power: how many tonnes of CO₂?", {"mwh": 1287.0, "g": 429.0},
           lambda p: float(cooling.carbon_kg(0.7 * p["mwh"] * 1e3, p["g"] / 1e3)) / 1e3, "t",
           "remaining grid energy × intensity.", mwh=[400.0, 5000.0], g=[100.0, 600.0]),
        _q("ch7.ratio", 7, "A training run's top-down estimate is {a:g} MWh; a bottom-up estimate that assumed an "
           "MFU of {mfu0:g} gives {b:g} MWh. Which MFU would make the bottom-up estimate equal the top-down one?",
           {"a": 1287.0, "b": 767.6, "mfu0": 0.3},
           lambda p: p["mfu0"] * p["b"] / p["a"], "MFU",
           "Energy ∝ 1/MFU: MFU = MFU₀ × bottom-up / top-down.", a=[500.0, 3000.0], b=[800.0, 6000.0]),
    ]


# ---------------------------------------------------------------- chapter 8
def _c8():
    from . import estimators
    from .constants import J_PER_MWH, J_PER_WH

    return [
        _q("ch8.mlco2", 8, "A training job used {gpu_hours:,.0f} {chip}-hours. What does ML CO2 Impact give for its "
           "energy (GPUs at their TDP), in MWh?", {"gpu_hours": 1_082_990.0, "chip": "A100"},
           lambda p: float(estimators.ml_co2_impact(p["gpu_hours"], 3600.0, _chip(p["chip"], "tdp_w"))) / J_PER_MWH,
           "MWh", "GPU-hours × TDP (no host, no PUE); estimators.ml_co2_impact with seconds = 3600.",
           gpu_hours=[250_000.0, 600_000.0, 2_500_000.0], chip=["V100", "H100"]),
        _q("ch8.green_default", 8, "The same job ({gpu_hours:,.0f} {chip}-hours), entered in Green Algorithms with "
           "each GPU as one core at its TDP and the tool's default PUE: how many MWh?",
           {"gpu_hours": 1_082_990.0, "chip": "A100"},
           lambda p: float(estimators.green_algorithms(p["gpu_hours"] * 3600.0, 1, _chip(p["chip"], "tdp_w")))
           / J_PER_MWH, "MWh",
           "runtime × cores × power per core × default PUE (1.67); estimators.green_algorithms.",
           gpu_hours=[250_000.0, 600_000.0, 2_500_000.0], chip=["V100", "H100"]),
        _q("ch8.codecarbon", 8, "CodeCarbon cannot read an energy counter on a server with {cpus:g} CPU sockets of "
           "unknown model and {gb:g} GB of RAM. What energy (kWh) does it report for {hours:g} hours (PUE 1)?",
           {"cpus": 2.0, "gb": 512.0, "hours": 24.0},
           lambda p: float(estimators.codecarbon_fallback(p["hours"] * 3600.0, p["cpus"],
                                                         memory_bytes=p["gb"] * 1e9)) / 3.6e6, "kWh",
           "Half of the default 85 W TDP per socket plus 3 W per 8 GB of RAM, times the hours; "
           "estimators.codecarbon_fallback.", cpus=[1.0, 4.0], gb=[64.0, 1024.0, 2048.0], hours=[1.0, 168.0]),
        _q("ch8.llmcarbon", 8, "LLMCarbon's operational energy (MWh) of training a dense {params:g} B-parameter model "
           "on {tokens:g} B tokens on {chip}s (16-bit dense peak) at {eff:.1%} efficiency, {power:g} W per device, "
           "PUE {pue:g}?", {"params": 175.0, "tokens": 300.0, "chip": "V100", "eff": 0.197, "power": 330.0,
                            "pue": 1.1},
           lambda p: float(estimators.llmcarbon(6 * p["params"] * 1e9 * p["tokens"] * 1e9,
                                                _ds().peak_flops(p["chip"], "fp16"), p["eff"], p["power"],
                                                pue=p["pue"])) / J_PER_MWH, "MWh",
           "C = 6·N·D; device-seconds C / (peak × efficiency) at the device power, times PUE; "
           "estimators.llmcarbon.", params=[7.0, 70.0], tokens=[1000.0, 2000.0], eff=[0.35, 0.45],
           cases=[{"chip": "A100", "power": 430.0}, {"chip": "H100", "power": 800.0}]),
        _q("ch8.ecologits", 8, "EcoLogits' energy (Wh) of one {tokens:g}-token answer of a dense {active:g} B-parameter "
           "model at PUE {pue:g}?", {"tokens": 500.0, "active": 70.0, "pue": 1.2},
           lambda p: float(estimators.ecologits(p["tokens"], p["active"] * 1e9, pue=p["pue"])) / J_PER_WH, "Wh",
           "GPUs to hold the weights × tokens × fitted energy per token, plus the server's share over the "
           "latency, times PUE; estimators.ecologits.", tokens=[150.0, 1000.0, 4000.0], active=[8.0, 405.0],
           pue=[1.1, 1.4]),
        _q("ch8.devries", 8, "A fleet of {servers:,.0f} servers rated {kw:g} kW serves {req:g} million requests a day. "
           "De Vries's method: how many Wh per request?", {"servers": 3617.0, "kw": 6.5, "req": 195.0},
           lambda p: float(estimators.devries2023(p["servers"], p["kw"] * 1e3, p["req"] * 1e6)) / J_PER_WH, "Wh",
           "servers × rated power × 24 h ÷ requests (fleet at rated power, no PUE); estimators.devries2023.",
           servers=[1000.0, 10000.0], kw=[5.0, 10.2], req=[100.0, 1000.0, 2500.0]),
        _q("ch8.epoch", 8, "Epoch AI's method: a {tokens:g}-token answer from {active:g} B active parameters on an "
           "H100 at {u:.0%} of its BF16 peak, 0.7 × 1,275 W per GPU, PUE 1.2. How many Wh?",
           {"tokens": 500.0, "active": 100.0, "u": 0.1},
           lambda p: float(estimators.epoch2025(p["tokens"], p["active"] * 1e9, utilisation=p["u"])) / J_PER_WH,
           "Wh", "2·N·T / (peak × utilisation) × power × PUE; estimators.epoch2025.",
           tokens=[200.0, 2000.0, 9000.0], active=[22.0, 37.0, 400.0], u=[0.05, 0.2]),
        _q("ch8.roofline", 8, "By the decoding roofline, what GPU energy per generated token (J) does a dense "
           "{params:g} B-parameter model in 16 bits need on {chip}s at their TDP, decoding {batch:g} sequences "
           "together?", {"params": 32.0, "chip": "H100", "batch": 32},
           lambda p: float(estimators.decode_energy_per_token(p["params"] * 1e9, 2, p["chip"],
                                                              batch=int(p["batch"]))), "J",
           "A step lasts max(N·b / bandwidth, 2·N·B / peak) at TDP and yields B tokens; "
           "estimators.decode_energy_per_token.", params=[8.0, 70.0], chip=["A100", "B200"],
           batch=[1, 8, 256, 2048]),
        _q("ch8.roofline_gap", 8, "The same roofline for a dense {params:g} B model on {chip}s: by what factor does "
           "decoding {batch:g} sequences together cut the energy per token compared with one at a time?",
           {"params": 70.0, "chip": "H100", "batch": 64},
           lambda p: float(estimators.decode_energy_per_token(p["params"] * 1e9, 2, p["chip"], batch=1)
                           / estimators.decode_energy_per_token(p["params"] * 1e9, 2, p["chip"],
                                                                batch=int(p["batch"]))), "×",
           "Memory-bound steps cost the same for any batch until 2·N·B / peak exceeds N·b / bandwidth; "
           "the ratio of two estimators.decode_energy_per_token calls.", params=[8.0, 32.0],
           chip=["A100", "B200"], batch=[8, 512, 4096]),
        _q("ch8.google", 8, "A provider measures {acc:g} Wh on its active accelerators per prompt, {host:g} Wh on the "
           "active host and {idle:g} Wh on machines idling in reserve, at PUE {pue:g}. Its comprehensive energy "
           "per prompt, in Wh?", {"acc": 0.1392, "host": 0.06, "idle": 0.024, "pue": 1.09},
           lambda p: float(estimators.google2025(p["acc"] * J_PER_WH, p["host"] * J_PER_WH,
                                                 p["idle"] * J_PER_WH, p["pue"])) / J_PER_WH, "Wh",
           "(accelerators + host + idle) × PUE; estimators.google2025.", acc=[0.05, 0.3], host=[0.02, 0.1],
           idle=[0.0, 0.05], pue=[1.1, 1.3]),
    ]


QUESTIONS: list[BankQuestion] = _c1() + _c2() + _c3() + _c4() + _c5() + _c6() + _c7() + _c8()


def inputs_for(q: BankQuestion, variant: str = BOOK_VARIANT) -> dict:
    """The question's inputs in ``variant`` (``"book"``: as written)."""
    values = dict(q.inputs)
    if variant != BOOK_VARIANT:
        rng = variant_rng(q.id, variant)
        for key, options in q.choices.items():
            if key == "cases":  # inputs that must change together
                pick = int(rng.integers(len(options) + 1))
                values.update(options[pick - 1] if pick else {})
            else:
                values[key] = [values[key], *options][int(rng.integers(len(options) + 1))]
    return values


def answer(q: BankQuestion, variant: str = BOOK_VARIANT) -> float:
    value = float(q.solve(inputs_for(q, variant)))
    if not math.isfinite(value):
        raise ValueError(f"bank question {q.id} has a non-finite answer {value} in variant {variant!r}")
    return value


def _fmt(x: float) -> str:
    return f"{x:.4g}" if 1e-3 <= abs(x) < 1e6 else f"{x:.4e}"


def write_bank(out: str | Path, variant: str = BOOK_VARIANT) -> list[Path]:
    """Write questions.md, solutions.md and answers.csv for ``variant`` into ``out``."""
    variant = _check_variant(variant)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    questions, solutions, rows = [f"# Question bank ({variant})\n"], [
        f"# Question bank with solutions ({variant}) — instructors only\n"], []
    for chapter in sorted({q.chapter for q in QUESTIONS}):
        questions.append(f"\n## Chapter {chapter}\n")
        solutions.append(f"\n## Chapter {chapter}\n")
        for n, q in enumerate((q for q in QUESTIONS if q.chapter == chapter), 1):
            p = inputs_for(q, variant)
            text = q.text.format(**p)
            value = answer(q, variant)
            unit = f" {q.unit}" if q.unit else ""
            questions.append(f"{chapter}.{n}. {text}\n")
            solutions.append(f"{chapter}.{n}. {text}\n\n   *Method.* {q.method}\n   **Answer: {_fmt(value)}{unit}** "
                             f"(`{q.id}`)\n")
            rows.append([q.id, chapter, n, variant, repr(value), q.unit])
    paths = [out / "questions.md", out / "solutions.md", out / "answers.csv"]
    paths[0].write_text("\n".join(questions), encoding="utf-8")
    paths[1].write_text("\n".join(solutions), encoding="utf-8")
    with paths[2].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "chapter", "number", "variant", "answer", "unit"])
        w.writerows(rows)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m energylab.bank",
                                     description="Write the assessment bank with computed answers (instructors only).")
    parser.add_argument("--out", type=Path, required=True, help="folder for questions.md, solutions.md, answers.csv")
    parser.add_argument("--variant", default=BOOK_VARIANT, help="variant of the inputs (default: book)")
    args = parser.parse_args(argv)
    try:
        paths = write_bank(args.out, args.variant)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{len(QUESTIONS)} questions; wrote " + ", ".join(str(p) for p in paths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
