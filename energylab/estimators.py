"""Published energy calculators, one function each, and the factor chains between them.

Every calculator of AI energy documents only itself. This module puts their published
methods side by side, with the same SI inputs (seconds, watts, bytes, FLOP, tokens,
parameters) and the same output, joules:

* :func:`ml_co2_impact`: chips × TDP × t (the chips at rated power, no PUE);
* :func:`green_algorithms`: t × (n·P·u + M × 0.3725 W/GB) × PUE × PSF (cores, memory, PUE);
* :func:`codecarbon_fallback`: t × (½ CPU TDP + M × 3 W/8 GB) × PUE (CPU and memory only);
* :func:`llmcarbon`: C / (R_peak × eff) × P_system × PUE (devices from the FLOPs, PUE);
* :func:`ecologits`: PUE × (GPUs × T_out × f_E(N, B) + server share) (GPUs and server);
* :func:`devries2023`: servers × P_server × 24 h ÷ requests per day (a whole fleet);
* :func:`epoch2025`: 2·N_active·T / (R_peak × u) × P × PUE (busy chips, PUE);
* :func:`google2025`: (accelerators + host + idle) × PUE, or the accelerators alone.

The de Vries and Epoch methods are :func:`energylab.footprint.training_energy` and
:func:`energylab.footprint.inference_energy` with their authors' inputs (one home for
that arithmetic); this module only names them.

:func:`factor_chain` explains the gap between two figures as a product of named
factors: it walks a model from one set of inputs to another, one named change at a
time, so the factors telescope and multiply back to the gap exactly; a residual factor
carries whatever the model does not explain.

>>> from energylab import estimators
>>> round(estimators.ml_co2_impact(1_082_990, 3600.0, 400.0) / 3.6e9, 1)   # BLOOM, MWh
433.2
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import footprint, validate
from .constants import J_PER_WH

__all__ = [
    "ml_co2_impact",
    "green_algorithms",
    "codecarbon_fallback",
    "llmcarbon",
    "ecologits",
    "devries2023",
    "epoch2025",
    "google2025",
    "GREEN_ALGORITHMS_MEMORY_W_PER_GB",
    "GREEN_ALGORITHMS_DEFAULT_PUE",
    "CODECARBON_CPU_LOAD",
    "CODECARBON_DEFAULT_CPU_TDP_W",
    "CODECARBON_MEMORY_W_PER_GB",
    "ECOLOGITS_ENERGY_ALPHA_WH",
    "ECOLOGITS_ENERGY_BETA",
    "ECOLOGITS_ENERGY_GAMMA_WH",
    "ECOLOGITS_LATENCY",
    "ECOLOGITS_BATCH",
    "ecologits_gpus",
    "GEMINI_SHARES",
    "CALCULATORS",
    "Factor",
    "FactorChain",
    "factor_chain",
    "per_answer_energy",
    "mlenergy_runs",
]

_GB = 1e9  # the tools' "GB" of memory, bytes
_SAME = 1e-12  # relative difference below which a published figure equals the model

# ---------------------------------------------------------------- published constants
#: Green Algorithms: power drawn by memory, 0.3725 W per GB :cite:p:`lannelongue2021green`.
GREEN_ALGORITHMS_MEMORY_W_PER_GB = 0.3725
#: Green Algorithms: PUE used when the user does not know it, 1.67 (the Uptime Institute's
#: 2019 survey average) :cite:p:`lannelongue2021green`.
GREEN_ALGORITHMS_DEFAULT_PUE = 1.67
#: CodeCarbon without a readable counter: the CPU is assumed to draw half its TDP
#: :cite:p:`codecarbon2024`.
CODECARBON_CPU_LOAD = 0.5
#: CodeCarbon: TDP assumed for a CPU missing from its table, 85 W :cite:p:`codecarbon2024`.
CODECARBON_DEFAULT_CPU_TDP_W = 85.0
#: CodeCarbon 2.x: memory power, 3 W per 8 GB :cite:p:`codecarbon2024` (version 3 counts
#: 5 W per memory module instead, at least 10 W; pass ``memory_bytes=0`` and add it to
#: ``cpu_tdp_w`` if you follow version 3).
CODECARBON_MEMORY_W_PER_GB = 3.0 / 8.0
#: EcoLogits (v0.9.1): GPU energy per output token and per GPU, in Wh, is
#: ``α·exp(β·B)·N_active + γ`` with N_active in billions and B the batch, a fit to
#: ML.ENERGY leaderboard measurements on H100 80 GB GPUs :cite:p:`ecologits2024`.
ECOLOGITS_ENERGY_ALPHA_WH = 1.1665273170451914e-06
#: EcoLogits: the batch coefficient β of the energy fit (per request in the batch).
ECOLOGITS_ENERGY_BETA = -0.011205921025579175
#: EcoLogits: the intercept γ of the energy fit, Wh per token per GPU.
ECOLOGITS_ENERGY_GAMMA_WH = 4.052928146734005e-05
#: EcoLogits: generation latency per output token, ``α·N_active + β·B + γ`` seconds.
ECOLOGITS_LATENCY = (0.0006785088094353663, 0.0003119310311688259, 0.019473717579473387)
#: EcoLogits: batch size assumed for every request (64), GPU memory (80 GB), weights in
#: 16 bits with 20 % overhead, and a server drawing 1.2 kW without its 8 GPUs
#: :cite:p:`ecologits2024`.
ECOLOGITS_BATCH = 64
ECOLOGITS_GPU_MEMORY_BYTES = 80e9
ECOLOGITS_SERVER_W = 1200.0
ECOLOGITS_SERVER_GPUS = 8
#: Google's breakdown of the comprehensive median Gemini Apps text prompt (0.24 Wh):
#: active AI accelerators 58 %, active host CPU and DRAM 25 %, idle machines held in
#: reserve 10 %, data-centre overhead (PUE) 8 % :cite:p:`elsworth2025gemini`.
GEMINI_SHARES = {"accelerator": 0.58, "host": 0.25, "idle": 0.10, "overhead": 0.08}


# ---------------------------------------------------------------- the calculators
def ml_co2_impact(chips, seconds, tdp_w):
    """ML CO2 Impact: the accelerators at their rated power for the job's duration (J).

    ``E = chips × TDP × t`` :cite:p:`lacoste2019mlco2`. No host, no PUE, no idle: the
    calculator multiplies the result by the cloud region's carbon intensity
    (:func:`energylab.cooling.carbon_kg`). Luccioni et al. used the same product for
    BLOOM's training (GPU-hours × 400 W) :cite:p:`luccioni2023bloom`.

    Parameters
    ----------
    chips : float or array
        Accelerators (or GPU-hours with ``seconds = 3600``), > 0.
    seconds : float or array
        Wall-clock duration, s, > 0.
    tdp_w : float or array
        Rated power per accelerator, W, > 0.

    Returns
    -------
    float or numpy.ndarray
        Joules.

    Raises
    ------
    ValueError
        If an argument is not a positive finite number.

    Examples
    --------
    >>> round(ml_co2_impact(10_000, 14.8 * 86400, 300.0) / 3.6e9, 1)   # GPT-3 at V100 TDP, MWh
    1065.6
    """
    n = validate.positive("chips", chips)
    t = validate.positive("seconds", seconds)
    p = validate.positive("tdp_w", tdp_w)
    return n * p * t


def green_algorithms(seconds, cores, power_per_core_w, usage=1.0, memory_bytes=0.0,
                     pue=GREEN_ALGORITHMS_DEFAULT_PUE, psf=1.0):
    """Green Algorithms: cores and memory for the runtime, times PUE and repeats (J).

    ``E = t × (n_c × P_c × u_c + n_m × P_m) × PUE × PSF`` with memory power
    ``P_m = 0.3725 W/GB`` and, by default, PUE 1.67; PSF is the number of times the job
    was run (the "pragmatic scaling factor") :cite:p:`lannelongue2021green`. A GPU job
    enters its GPUs as the cores, at their TDP.

    Parameters
    ----------
    seconds : float or array
        Runtime, s, > 0.
    cores : float or array
        Number of cores (CPU cores or GPUs), > 0.
    power_per_core_w : float or array
        Power per core (the tool uses TDP ÷ cores for CPUs, TDP for GPUs), W, > 0.
    usage : float or array
        Core usage factor, in (0, 1].
    memory_bytes : float or array
        Memory available to the job, bytes, >= 0.
    pue : float or array
        Power usage effectiveness, >= 1.
    psf : float or array
        Pragmatic scaling factor (runs), >= 1.

    Returns
    -------
    float or numpy.ndarray
        Joules.

    Examples
    --------
    One hour on 12 cores of 10.8 W each at full use, 64 GB of memory, default PUE:

    >>> round(green_algorithms(3600, 12, 10.8, memory_bytes=64e9) / 3.6e3, 1)   # Wh
    256.2
    """
    t = validate.positive("seconds", seconds)
    n = validate.positive("cores", cores)
    p = validate.positive("power_per_core_w", power_per_core_w)
    u = validate.fraction("usage", usage, allow_zero=False)
    m = validate.nonnegative("memory_bytes", memory_bytes)
    pue = validate.in_range("pue", pue, 1.0, 10.0)
    psf = validate.in_range("psf", psf, 1.0, 1e6)
    return t * (n * p * u + m / _GB * GREEN_ALGORITHMS_MEMORY_W_PER_GB) * pue * psf


def codecarbon_fallback(seconds, cpus=1, cpu_tdp_w=CODECARBON_DEFAULT_CPU_TDP_W, memory_bytes=0.0,
                        pue=1.0):
    """CodeCarbon when no energy counter is readable: half the CPU's TDP plus RAM (J).

    Without RAPL (or the operating system's equivalent) CodeCarbon assumes each CPU draws
    50 % of its TDP, 85 W when the CPU model is not in its table of TDPs, and memory
    3 W per 8 GB (CodeCarbon 2.x); GPUs are read through NVML only, so a GPU it cannot read
    is not counted at all; PUE defaults to 1 :cite:p:`codecarbon2024`.

    Parameters
    ----------
    seconds : float or array
        Duration, s, > 0.
    cpus : float or array
        CPU sockets, > 0.
    cpu_tdp_w : float or array
        TDP per socket, W, > 0.
    memory_bytes : float or array
        RAM, bytes, >= 0.
    pue : float or array
        Power usage effectiveness, >= 1.

    Returns
    -------
    float or numpy.ndarray
        Joules.

    Examples
    --------
    One hour of an unknown CPU with 16 GB: (42.5 W + 6 W) × 1 h.

    >>> round(codecarbon_fallback(3600, memory_bytes=16e9) / 3600, 1)   # Wh
    48.5
    """
    t = validate.positive("seconds", seconds)
    n = validate.positive("cpus", cpus)
    tdp = validate.positive("cpu_tdp_w", cpu_tdp_w)
    m = validate.nonnegative("memory_bytes", memory_bytes)
    pue = validate.in_range("pue", pue, 1.0, 10.0)
    return t * (n * CODECARBON_CPU_LOAD * tdp + m / _GB * CODECARBON_MEMORY_W_PER_GB) * pue


def llmcarbon(flops, peak_flop_per_s, efficiency, power_w, pue=1.0):
    """LLMCarbon's operational energy of training: device-seconds from FLOPs (J).

    ``t_dev = C / (R_peak × eff)`` device-seconds, each at the device's average system
    power (LLMCarbon's database gives 330 W for GPT-3's V100s, against a 300 W TDP), times
    the PUE; ``C = 6·N·D`` for a dense model :cite:p:`faiz2024llmcarbon`. LLMCarbon
    predicts ``eff`` from the parallelism settings; here it is an input (the MFU). The
    embodied part (die area × carbon per area, amortised over the device's life) is
    outside this function.

    Parameters
    ----------
    flops : float or array
        Training compute, FLOP, > 0.
    peak_flop_per_s : float or array
        Dense peak per device, FLOP/s, > 0.
    efficiency : float or array
        Achieved share of the peak, in (0, 1].
    power_w : float or array
        Average system power per device (host share included), W, > 0; the TDP when
        nothing better is known.
    pue : float or array
        Power usage effectiveness, >= 1.

    Returns
    -------
    float or numpy.ndarray
        Joules.

    Examples
    --------
    GPT-3 as LLMCarbon's validation table has it (175 B parameters, 300 B tokens, V100
    at 125 TFLOPS and 19.7 % efficiency, 330 W, PUE 1.1):

    >>> round(llmcarbon(6 * 175e9 * 300e9, 125e12, 0.197, 330.0, pue=1.1) / 3.6e9)   # MWh
    1290
    """
    c = validate.positive("flops", flops)
    r = validate.positive("peak_flop_per_s", peak_flop_per_s)
    e = validate.fraction("efficiency", efficiency, allow_zero=False)
    p = validate.positive("power_w", power_w)
    pue = validate.in_range("pue", pue, 1.0, 10.0)
    return c / (r * e) * p * pue


def ecologits_gpus(total_parameters):
    """GPUs EcoLogits assumes for a model: 1.2 × 16-bit weights over 80 GB, rounded up to a
    power of two :cite:p:`ecologits2024`.

    >>> [ecologits_gpus(n) for n in (7e9, 70e9, 405e9)]
    [1, 4, 16]
    """
    n = np.asarray(validate.positive("total_parameters", total_parameters), dtype=float)
    memory = 1.2 * n * 16 / 8
    count = np.ceil(memory / ECOLOGITS_GPU_MEMORY_BYTES)
    if np.any(count > 2.0 ** 62):  # beyond int64: no real model is within a factor 1e9 of it
        raise ValueError(f"total_parameters must be < {2.0 ** 62 * ECOLOGITS_GPU_MEMORY_BYTES / 2.4:g}"
                         f" (2**62 GPUs), got {n.max():g}")
    out = (2 ** np.ceil(np.log2(count))).astype(np.int64)
    return int(out) if out.ndim == 0 else out


def ecologits(tokens_out, active_parameters, total_parameters=None, pue=1.0,
              batch=ECOLOGITS_BATCH, request_latency_s=None):
    """EcoLogits' energy of one request to a language model (J).

    ``E = PUE × (GPUs × T_out × f_E + ΔT × P_server × GPUs/8 ÷ B)`` where
    ``f_E = α·exp(β·B)·N_active + γ`` is the GPU energy per output token fitted to
    ML.ENERGY leaderboard measurements, ``ΔT = T_out × (α_L·N_active + β_L·B + γ_L)`` the
    generation latency (capped by a measured request latency), GPUs the count
    :func:`ecologits_gpus` needs to hold the weights, and ``P_server = 1.2 kW`` the
    server without its eight GPUs, shared by a batch of ``B = 64`` requests
    :cite:p:`ecologits2024`. Embodied impacts are outside this function.

    Parameters
    ----------
    tokens_out : float
        Generated tokens, > 0.
    active_parameters : float
        Parameters used per token, > 0.
    total_parameters : float, optional
        Parameters stored (default: ``active_parameters``, a dense model).
    pue : float
        Power usage effectiveness, >= 1 (EcoLogits takes each provider's).
    batch : int
        Requests served together, >= 1 (EcoLogits fixes 64).
    request_latency_s : float, optional
        Measured latency of the request, s, > 0 (an upper bound for ΔT).

    Returns
    -------
    float
        Joules.

    Examples
    --------
    >>> round(ecologits(500, 70e9, pue=1.2) / 3600, 3)   # a 500-token answer of a 70 B model, Wh
    0.329
    """
    t = validate.positive("tokens_out", tokens_out)
    n_active = validate.positive("active_parameters", active_parameters)
    n = np.asarray(n_active, dtype=float) / 1e9
    total = n_active if total_parameters is None else \
        validate.positive("total_parameters", total_parameters)
    gpus = ecologits_gpus(total)
    pue = validate.pue("pue", pue)
    b = validate.integer("batch", batch, minimum=1)
    latency_cap = None if request_latency_s is None else \
        validate.positive("request_latency_s", request_latency_s)
    validate.broadcast(tokens_out=t, active_parameters=n_active, total_parameters=total, pue=pue,
                       **({} if latency_cap is None else {"request_latency_s": latency_cap}))
    per_token_wh = ECOLOGITS_ENERGY_ALPHA_WH * math.exp(ECOLOGITS_ENERGY_BETA * b) * n \
        + ECOLOGITS_ENERGY_GAMMA_WH
    gpu_j = gpus * np.multiply(t, per_token_wh) * J_PER_WH
    a_l, b_l, g_l = ECOLOGITS_LATENCY
    latency = np.multiply(t, a_l * n + b_l * b + g_l)
    if latency_cap is not None:
        latency = np.minimum(latency, latency_cap)
    server_j = latency * ECOLOGITS_SERVER_W * gpus / ECOLOGITS_SERVER_GPUS / b
    out = np.multiply(pue, gpu_j + server_j)
    return out.item() if np.ndim(out) == 0 else out


def devries2023(servers, server_power_w, requests_per_day):
    """De Vries's top-down energy per request: a fleet's day over its requests (J).

    ``E = servers × P_server × 24 h ÷ requests`` :cite:p:`devries2023`: the whole fleet at
    rated power, busy or not, no PUE. :func:`energylab.footprint.training_energy` does
    the product.

    Examples
    --------
    ChatGPT in early 2023: 3,617 HGX A100 servers at 6.5 kW, 195 million requests a day:

    >>> round(devries2023(3617, 6500.0, 195e6) / 3600, 2)   # Wh
    2.89
    """
    n = validate.positive("servers", servers)
    p = validate.positive("server_power_w", server_power_w)
    q = validate.positive("requests_per_day", requests_per_day)
    validate.broadcast(servers=n, server_power_w=p, requests_per_day=q)
    return footprint.training_energy(n, 24.0, p) / q


def epoch2025(tokens, active_parameters, chip="H100", precision="bf16", utilisation=0.10,
              power_per_chip_w=0.7 * 1275.0, pue=1.2):
    """Epoch AI's bottom-up energy per query (J): :func:`energylab.footprint.inference_energy`.

    ``E = 2·N_active·T / (R_peak × u) × P × PUE`` with Epoch's defaults: H100 at 10 %
    of its dense 16-bit peak, 1,275 W of DGX H100 power per GPU at 70 % load, PUE 1.2
    :cite:p:`you2025chatgpt`.

    Examples
    --------
    >>> round(epoch2025(500, 100e9) / 3600, 2)   # GPT-4o, 500 output tokens, Wh
    0.3
    """
    u = validate.utilisation("utilisation", utilisation)
    p = validate.positive("power_per_chip_w", power_per_chip_w)
    return footprint.inference_energy(tokens, active_parameters, chip, precision, u,
                                      pue=pue, power_per_chip_w=p)


def google2025(accelerator_j, host_j=0.0, idle_j=0.0, pue=1.0, comprehensive=True):
    """Google's 2025 accounting of a prompt: comprehensive or active accelerators only (J).

    The comprehensive figure adds to the active accelerators' energy the active host
    (CPU and DRAM), the machines idling in reserve for the traffic, and the data centre's
    overhead through its PUE; the narrower convention counts only the active
    accelerators :cite:p:`elsworth2025gemini`.

    Parameters
    ----------
    accelerator_j : float or array
        Energy of the active TPUs/GPUs, J, > 0.
    host_j, idle_j : float or array
        Active host CPU and DRAM; reserve machines' idle energy; J, >= 0.
    pue : float or array
        Fleet PUE, >= 1.
    comprehensive : bool
        True for the full boundary, False for active accelerators only.

    Returns
    -------
    float or numpy.ndarray
        Joules.

    Examples
    --------
    Google's shares of the 0.24 Wh median prompt put back together (PUE 1.09):

    >>> s = GEMINI_SHARES
    >>> round(google2025(s["accelerator"] * 0.24, s["host"] * 0.24, s["idle"] * 0.24, 1.09), 2)
    0.24
    """
    a = validate.positive("accelerator_j", accelerator_j)
    h = validate.nonnegative("host_j", host_j)
    i = validate.nonnegative("idle_j", idle_j)
    pue = validate.in_range("pue", pue, 1.0, 10.0)
    comprehensive = validate.flag("comprehensive", comprehensive)
    return (a + h + i) * pue if comprehensive else a * 1.0


#: Every calculator: what it is for, its source and what its figure includes.
CALCULATORS = {
    "ML CO2 Impact": {"function": ml_co2_impact, "applies_to": "training", "cite": "lacoste2019mlco2",
                      "includes": "accelerators at TDP × time"},
    "Green Algorithms": {"function": green_algorithms, "applies_to": "training",
                         "cite": "lannelongue2021green",
                         "includes": "cores at TDP × usage, memory, PUE (default 1.67)"},
    "CodeCarbon (no counter)": {"function": codecarbon_fallback, "applies_to": "training",
                                "cite": "codecarbon2024",
                                "includes": "CPU at half TDP and RAM; unreadable GPUs left out"},
    "LLMCarbon": {"function": llmcarbon, "applies_to": "training", "cite": "faiz2024llmcarbon",
                  "includes": "device-seconds from FLOPs at average system power, PUE"},
    "EcoLogits": {"function": ecologits, "applies_to": "inference", "cite": "ecologits2024",
                  "includes": "GPUs per output token (fit to measurements) and a server share, PUE"},
    "de Vries 2023": {"function": devries2023, "applies_to": "inference", "cite": "devries2023",
                      "includes": "whole fleet at rated power ÷ requests, no PUE"},
    "Epoch AI 2025": {"function": epoch2025, "applies_to": "inference", "cite": "you2025chatgpt",
                      "includes": "busy chip-seconds × average server power, PUE"},
    "Google 2025": {"function": google2025, "applies_to": "inference", "cite": "elsworth2025gemini",
                    "includes": "accelerators, host, idle reserve, PUE (or accelerators only)"},
}


# ---------------------------------------------------------------- factor chains
@dataclass(frozen=True)
class Factor:
    """One named step of a chain: the value before and after it, and their ratio."""

    name: str
    before: float
    after: float

    @property
    def ratio(self) -> float:
        """``after / before``."""
        return self.after / self.before


@dataclass(frozen=True)
class FactorChain:
    """From one figure to another by named factors whose product is the gap.

    Attributes
    ----------
    start_label, end_label : str
        What the two figures are.
    start, end : float
        The two figures (same unit).
    factors : tuple of Factor
        In order; ``factors[0].before == start`` and ``factors[-1].after == end``.
    """

    start_label: str
    end_label: str
    start: float
    end: float
    factors: tuple

    @property
    def gap(self) -> float:
        """``end / start``."""
        return self.end / self.start

    @property
    def product(self) -> float:
        """The product of the factors' ratios (equal to :attr:`gap` up to rounding)."""
        return math.prod(f.ratio for f in self.factors)

    def ratios(self) -> dict:
        """Factor name -> ratio, in order."""
        return {f.name: f.ratio for f in self.factors}

    def dominant(self) -> Factor:
        """The factor with the largest ``|log ratio|`` (the longest bar of the waterfall).

        >>> chain = factor_chain(lambda a: a, {"a": 1.0}, [("x10", {"a": 10.0}), ("/2", {"a": 5.0})])
        >>> chain.dominant().name, chain.ratios()
        ('x10', {'x10': 10.0, '/2': 0.5})
        """
        return max(self.factors, key=lambda f: abs(math.log(f.ratio)))

    def table(self):
        """The chain as a DataFrame: factor, before, after, ratio."""
        import pandas as pd

        return pd.DataFrame([(f.name, f.before, f.after, f.ratio) for f in self.factors],
                            columns=["factor", "before", "after", "ratio"])


def factor_chain(model: Callable, start_inputs: Mapping, steps: Sequence, start_value=None,
                 end_value=None, start_label: str = "start", end_label: str = "end",
                 residual_label: str = "unexplained residual") -> FactorChain:
    """Explain ``end_value / start_value`` as a product of named factors.

    The model is evaluated at ``start_inputs``, then after each step, where a step is a
    pair ``(name, {input: new value, ...})`` that changes some inputs; each factor is the
    ratio of consecutive model values, so the ratios telescope. When ``start_value`` (a
    published figure) differs from the model at the start, a first factor
    ``"<start_label> → the model"`` bridges them; when ``end_value`` differs from the
    model after the last step, a last factor ``residual_label`` does. The product of all
    factors is therefore exactly ``end_value / start_value`` (up to floating-point
    rounding).

    Parameters
    ----------
    model : callable
        ``model(**inputs)`` returns a positive finite number.
    start_inputs : mapping
        The model's keyword arguments for the first figure.
    steps : sequence of (str, mapping)
        Named changes of inputs, applied in order; names must be unique and each change
        must name existing inputs.
    start_value, end_value : float, optional
        Published figures at the two ends (default: the model's own values).
    start_label, end_label, residual_label : str
        Labels for the figures and the residual factor.

    Returns
    -------
    FactorChain

    Raises
    ------
    ValueError
        If a step is malformed, names an unknown input, or the model returns a value that
        is not a positive finite number.

    Examples
    --------
    >>> chain = factor_chain(lambda a, b: a * b, {"a": 2.0, "b": 3.0},
    ...                      [("double a", {"a": 4.0}), ("halve b", {"b": 1.5})], end_value=7.0)
    >>> [(f.name, round(f.ratio, 3)) for f in chain.factors]
    [('double a', 2.0), ('halve b', 0.5), ('unexplained residual', 1.167)]
    >>> round(chain.product, 12) == round(7.0 / 6.0, 12)
    True
    """
    validate.callable_("model", model)
    inputs = validate.mapping("start_inputs", start_inputs)
    for key in inputs:
        validate.text("start_inputs (its keys)", key)
    start_label = validate.text("start_label", start_label)
    end_label = validate.text("end_label", end_label)
    residual_label = validate.text("residual_label", residual_label)

    def run(args, where):
        value = model(**args)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"model must return a number, got {value!r} ({where})") from None
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"model must return a positive finite number, got {value!r} ({where})")
        return value

    current = run(inputs, "at the start")
    factors = []
    start = current
    if start_value is not None:
        start = validate.positive("start_value", validate.scalar("start_value", start_value))
        if abs(current / start - 1.0) > _SAME:
            factors.append(Factor(f"{start_label} → the model", start, current))
    names = set()
    if isinstance(steps, (str, bytes)) or not isinstance(steps, Sequence):
        raise ValueError(f"steps must be a sequence of (name, changes) pairs, got {steps!r}")
    for step in steps:
        if isinstance(step, (str, bytes)) or not isinstance(step, Sequence) or len(step) != 2:
            raise ValueError(f"each step must be a (name, changes) pair, got {step!r}")
        name, changes = step
        if not isinstance(name, str) or not name or name in names:
            raise ValueError(f"step names must be unique non-empty strings, got {name!r}")
        if not isinstance(changes, Mapping) or not changes:
            raise ValueError(f"step {name!r} must change at least one input, got {changes!r}")
        unknown = [k for k in changes if k not in inputs]
        if unknown:
            raise ValueError(f"step {name!r} changes unknown inputs {unknown}; inputs are "
                             f"{', '.join(inputs)}")
        names.add(name)
        inputs.update(changes)
        after = run(inputs, f"after step {name!r}")
        factors.append(Factor(name, current, after))
        current = after
    end = current
    if end_value is not None:
        end = validate.positive("end_value", validate.scalar("end_value", end_value))
        if abs(end / current - 1.0) > _SAME:
            factors.append(Factor(residual_label, current, end))
    if not factors:
        raise ValueError("the chain is empty: give at least one step or a differing end_value")
    return FactorChain(start_label, end_label, start, end, tuple(factors))


def per_answer_energy(tokens, active_parameters, peak_flop_per_s, utilisation, chip_power_w,
                      host_overhead=1.0, power_fraction=1.0, pue=1.0, batch=1, tokens_in=0.0,
                      prefill_utilisation=0.5):
    """The reconciliation's common model of one answer (J).

    ``E = 2·N_active·(T / u_dec + T_in / u_pre) / R_peak × P_chip × host × (average ÷
    rated power) × PUE`` with ``u_dec = min(batch × utilisation, 1)``: footprint's
    per-query model (:func:`energylab.footprint.inference_energy`) with each factor that
    separates published figures as its own argument, so :func:`factor_chain` can move
    them one at a time. Generated tokens are decoded at the (batched) utilisation; the
    ``tokens_in`` of the prompt are processed in parallel (prefill) at the higher
    ``prefill_utilisation``.

    Examples
    --------
    Epoch AI's GPT-4o baseline (H100, 10 %, 1,275 W per GPU at 70 %, PUE 1.2):

    >>> round(per_answer_energy(500, 100e9, 989.4e12, 0.1, 700.0, 1275 / 700, 0.7, 1.2) / 3600, 2)
    0.3
    """
    t = validate.positive("tokens", tokens)
    n = validate.positive("active_parameters", active_parameters)
    r = validate.positive("peak_flop_per_s", peak_flop_per_s)
    u = validate.fraction("utilisation", utilisation, allow_zero=False)
    p = validate.positive("chip_power_w", chip_power_w)
    k = validate.in_range("host_overhead", host_overhead, 1.0, 10.0)
    f = validate.fraction("power_fraction", power_fraction, allow_zero=False)
    pue = validate.in_range("pue", pue, 1.0, 10.0)
    b = validate.integer("batch", batch, minimum=1)
    t_in = validate.nonnegative("tokens_in", tokens_in)
    u_pre = validate.fraction("prefill_utilisation", prefill_utilisation, allow_zero=False)
    u_dec = np.minimum(b * np.asarray(u, dtype=float), 1.0)
    seconds = 2.0 * n * (t / u_dec + t_in / u_pre) / r
    out = seconds * p * k * f * pue
    return out.item() if np.ndim(out) == 0 else out


def decode_energy_per_token(parameters, bytes_per_parameter, chip, batch=1, power_fraction=1.0):
    """Accelerator energy per generated token of a dense model, from the roofline (J).

    One decoding step reads every weight once for the whole batch and does ``2·N`` FLOP
    per sequence, so it lasts ``max(N·b / BW, 2·N·B / R_peak)`` on the accelerators that
    hold the model; they draw ``power_fraction × TDP`` meanwhile, and the step yields
    ``B`` tokens. The number of accelerators cancels: ``E = P·max(N·b/BW, 2·N·B/R)/B``
    per token for a model spread over any number of them :cite:p:`williams2009roofline`.
    This is the GPU-only boundary of a leaderboard measurement (no host, no PUE).

    Parameters
    ----------
    parameters : float or array
        Dense parameters N, > 0.
    bytes_per_parameter : float or array
        Bytes per weight (2 for 16-bit), > 0.
    chip : str
        A chip of the ``chips`` dataset (its TDP, memory bandwidth and 16-bit peak).
    batch : int
        Sequences decoded together, >= 1.
    power_fraction : float or array
        Average power ÷ TDP, in (0, 1].

    Returns
    -------
    float or numpy.ndarray
        Joules per token.

    Examples
    --------
    A 65 B model in 16 bits on A100s: memory-bound, so the batch divides the energy.

    >>> [round(decode_energy_per_token(65e9, 2, "A100", b), 1) for b in (1, 8)]
    [25.5, 3.2]
    """
    from . import datasets

    n = validate.positive("parameters", parameters)
    b = validate.positive("bytes_per_parameter", bytes_per_parameter)
    batch = validate.integer("batch", batch, minimum=1)
    f = validate.fraction("power_fraction", power_fraction, allow_zero=False)
    row = datasets.chip(chip)
    bw = float(row["memory_bandwidth_bytes_per_s"])
    peak = datasets.peak_flops(chip, "fp16")
    step = np.maximum(n * b / bw, 2.0 * n * batch / peak)
    out = f * float(row["tdp_w"]) * step / batch
    return out.item() if np.ndim(out) == 0 else out


# ---------------------------------------------------------------- the reconciliation
#: The workloads every calculator is run on, with the published facts each needs.
#: GPT-3: Patterson et al. (Table 4) :cite:p:`patterson2021`; BLOOM: Luccioni et al.
#: (384 A100 80 GB, 1,082,990 GPU-hours, PUE 1.2, 176 B parameters, 366 B tokens)
#: :cite:p:`luccioni2023bloom`. The answers are the ML.ENERGY Benchmark's runs
#: :cite:p:`chung2025mlenergy`: a 500-token chat answer of Llama 3.1 70B (dense, 70 B
#: parameters), measured on four H100s at a maximum batch of 64; and a long reasoning
#: answer of Qwen 3 235B A22B Thinking (a mixture of experts, 22 B of its 235 B parameters
#: active per token) on GPQA, 9,000 output tokens (the benchmark's mean is 8,955 to
#: 9,199), measured on eight H100s at a maximum batch of 32, the largest the benchmark
#: ran on H100s. ``band`` lists the rows the measurement band spans (both GPUs, every
#: batch entered). The calculators take Epoch AI's PUE of 1.2. CPU sockets (two per
#: eight-GPU server) are the course's assumption for CodeCarbon's fallback; no paper
#: gives them.
WORKLOADS = {
    "GPT-3 training": {"kind": "training", "chips": 10_000, "chip": "V100", "hours": 14.8 * 24,
                       "flops": 3.14e23, "achieved_flop_per_s": 24.6e12, "pue": 1.1,
                       "system_power_w": 330.0, "cpus": 2_500, "measurement": "gpt3_energy"},
    "BLOOM training": {"kind": "training", "chips": 384, "chip": "A100", "hours": 1_082_990 / 384,
                       "flops": 6 * 176e9 * 366e9, "achieved_flop_per_s": None, "pue": 1.2,
                       "system_power_w": None,
                       "cpus": 96, "measurement": "bloom_energy_dynamic"},
    "Llama-class chat answer": {"kind": "inference", "tokens": 500, "active_parameters": 70e9,
                                "total_parameters": 70e9, "pue": 1.2,
                                "measurement": "mlenergy_llama31_70b_h100x4_b64",
                                "band": "Llama 3.1 70B Instruct"},
    "long reasoning answer": {"kind": "inference", "tokens": 9_000, "active_parameters": 22e9,
                              "total_parameters": 235e9, "pue": 1.2,
                              "measurement": "mlenergy_qwen3_235b_thinking_h100x8_b32",
                              "band": "Qwen 3 235B A22B Thinking"},
}

#: Keys of a workload that are not calculator inputs.
_NOT_INPUTS = ("kind", "measurement", "band")

#: De Vries's ChatGPT inputs: 3,617 HGX A100 servers, 6.5 kW each, 195 M requests a day
#: :cite:p:`devries2023`.
DEVRIES_CHATGPT = {"servers": 3_617, "server_power_w": 6_500.0, "requests_per_day": 195e6}


def measurement(name: str):
    """One row of the ``measurements`` dataset as an :class:`~energylab.estimate.Estimate`
    (SI units; exact unless the source gives a range)."""
    from . import datasets
    from .estimate import Estimate

    m = datasets.load("measurements").set_index("id")
    name = validate.one_of("name", name, list(m.index), normalise=str)
    row = m.loc[name]
    if row["low"] == row["low"]:  # a published range
        return Estimate(row["low"], row["value"], row["high"], row["unit"], (row["source"],))
    return Estimate.exact(row["value"], row["unit"], (row["source"],))


def mlenergy_runs():
    """The ML.ENERGY Benchmark rows of the ``measurements`` dataset as a table
    :cite:p:`chung2025mlenergy`.

    Columns: ``id``, ``model`` (the row's subject), ``gpu`` (``"H100"`` or ``"B200"``),
    ``gpus``, ``max_batch``, ``mean_batch``, ``output_tokens``, ``j_per_token``,
    ``request_j`` (J per request), ``power_w`` (all GPUs together) and ``task``; sorted by
    model, GPU and batch. Every figure is GPU energy only (see the rows' ``excludes``).

    >>> sorted(set(mlenergy_runs()["gpu"]))
    ['B200', 'H100']
    """
    from . import datasets

    m = datasets.load("measurements")
    m = m[m["source"] == "chung2025mlenergy"]
    out = m[["id", "subject", "gpus", "max_batch", "mean_batch", "output_tokens", "value",
             "request_j", "power_w"]].rename(columns={"subject": "model", "value": "j_per_token"})
    out.insert(2, "gpu", m["hardware"].str.split().str[-1])
    out["task"] = m["notes"].str.extract(r"^task ([\w-]+);", expand=False)
    for col in ("gpus", "max_batch"):
        out[col] = out[col].astype(int)
    return out.sort_values(["model", "gpu", "max_batch"]).reset_index(drop=True)


def _training(name: str, w: dict) -> dict:
    from . import datasets

    chip = datasets.chip(w["chip"])
    tdp = float(chip["tdp_w"])
    peak = datasets.peak_flops(w["chip"], "fp16")
    seconds = w["hours"] * 3600.0
    achieved = w["achieved_flop_per_s"] or w["flops"] / (w["chips"] * seconds)
    return {
        "ML CO2 Impact": ml_co2_impact(w["chips"], seconds, tdp),
        "Green Algorithms": green_algorithms(seconds, w["chips"], tdp, pue=w["pue"]),
        "CodeCarbon (no counter)": codecarbon_fallback(seconds, w["cpus"], pue=1.0),
        # LLMCarbon wants the average system power; where none is published, the TDP
        "LLMCarbon": llmcarbon(w["flops"], peak, achieved / peak, w["system_power_w"] or tdp,
                               pue=w["pue"]),
    }


def _inference(name: str, w: dict) -> dict:
    s = GEMINI_SHARES
    wh = 0.24 * J_PER_WH
    return {
        "EcoLogits": ecologits(w["tokens"], w["active_parameters"],
                               max(w["total_parameters"], w["active_parameters"]), pue=w["pue"]),
        "de Vries 2023": devries2023(**DEVRIES_CHATGPT),
        "Epoch AI 2025": epoch2025(w["tokens"], w["active_parameters"], pue=w["pue"]),
        # Google's method measures its own fleet: its figure is the median prompt, whatever
        # the workload; it has none for a long reasoning answer.
        "Google 2025": (google2025(s["accelerator"] * wh, s["host"] * wh, s["idle"] * wh, gemini_pue())
                        if name == "Llama-class chat answer" else float("nan")),
    }


def measured(name: str, tokens=None):
    """The measurement band for a workload of :data:`WORKLOADS` (an Estimate, J).

    For a training run, its published figure. For an answer, the per-token measurement
    times ``tokens`` (default: the workload's): central, the workload's chosen run; low
    and high, the least and most energy per token among the benchmark's runs of the same
    model entered in the dataset (every GPU and batch) :cite:p:`chung2025mlenergy`.
    """
    from .estimate import Estimate

    w = WORKLOADS[validate.one_of("name", name, list(WORKLOADS), normalise=str)]
    m = measurement(w["measurement"])
    if w["kind"] != "inference":
        return m
    runs = mlenergy_runs()
    per_token = runs.loc[runs["model"] == w["band"], "j_per_token"]
    band = Estimate(float(per_token.min()), float(m.central), float(per_token.max()), "J",
                    m.sources)
    return band.scaled(w["tokens"] if tokens is None else tokens)


def compare(name: str, **changes) -> dict:
    """Every calculator that applies to workload ``name``, in joules (NaN: not applicable).

    Keyword ``changes`` replace the workload's inputs (e.g. ``tokens=2000`` or ``pue=1.5``);
    unknown keys raise a ValueError listing the workload's inputs.
    """
    name = validate.one_of("name", name, list(WORKLOADS), normalise=str)
    w = dict(WORKLOADS[name])
    unknown = [k for k in changes if k not in w or k in _NOT_INPUTS]
    if unknown:
        raise ValueError(f"unknown inputs {unknown} for {name!r}; its inputs are "
                         f"{', '.join(k for k in w if k not in _NOT_INPUTS)}")
    w.update(changes)
    return _training(name, w) if w["kind"] == "training" else _inference(name, w)


def comparison_table():
    """Calculators × workloads against the measurements: ratio of each figure to the
    measurement's central value (NaN where a calculator does not apply)."""
    import pandas as pd

    cols = {}
    for name in WORKLOADS:
        ref = float(measured(name).central)
        cols[name] = {k: v / ref for k, v in compare(name).items()}
    return pd.DataFrame(cols)


def gemini_pue() -> float:
    """The PUE implied by Google's shares: all four parts over the three IT parts (≈ 1.09)."""
    s = GEMINI_SHARES
    it = s["accelerator"] + s["host"] + s["idle"]
    return (it + s["overhead"]) / it


def _wh(x):
    return x * J_PER_WH


def chains() -> dict:
    """Every gap of the chapter as a :class:`FactorChain` (values in J, kg CO2e or L).

    Each chain's factors multiply back to its gap exactly (up to rounding); a residual
    factor holds what the named factors do not explain. Sources: the measurements
    dataset, :data:`WORKLOADS`, :data:`DEVRIES_CHATGPT`, :data:`GEMINI_SHARES`, chapter
    7's water factors (``datacenter_efficiency``) and the ``chips`` dataset.
    """
    from . import datasets
    from .constants import J_PER_KWH

    out = {}
    g = WORKLOADS["GPT-3 training"]
    seconds = g["hours"] * 3600.0
    v100 = float(datasets.chip("V100")["tdp_w"])
    gpt3 = float(measurement("gpt3_energy").central)

    def top_down(chips, watts, pue):
        return chips * seconds * watts * pue

    out["GPT-3: ML CO2 Impact → Patterson"] = factor_chain(
        top_down, {"chips": g["chips"], "watts": v100, "pue": 1.0},
        [("measured average power per GPU, host share included (300 → 330 W)", {"watts": 330.0}),
         ("PUE (1.0 → 1.1)", {"pue": 1.1})],
        end_value=gpt3, start_label="ML CO2 Impact", end_label="Patterson et al. 2021",
        residual_label="rounding of the published 14.8 days")

    out["GPT-3: CodeCarbon without a counter → Patterson"] = _counterless(
        "GPT-3 training", 330.0, "measured average", gpt3, "Patterson et al. 2021")

    b = WORKLOADS["BLOOM training"]
    bloom = compare("BLOOM training")
    out["BLOOM: LLMCarbon → Luccioni (dynamic)"] = factor_chain(
        lambda e, pue: e * pue, {"e": bloom["LLMCarbon"] / b["pue"], "pue": b["pue"]},
        [("PUE left out by the reported figure (1.2 → 1.0)", {"pue": 1.0})],
        end_value=float(measurement("bloom_energy_dynamic").central),
        start_label="LLMCarbon", end_label="Luccioni et al. 2023", residual_label="rounding")

    out["BLOOM: CodeCarbon without a counter → Luccioni"] = _counterless(
        "BLOOM training", float(datasets.chip("A100")["tdp_w"]), "TDP",
        float(measurement("bloom_energy_dynamic").central), "Luccioni et al. 2023")

    parts = {k: float(measurement(f"bloom_carbon_{k}").central) for k in ("dynamic", "idle", "embodied")}
    out["BLOOM carbon: dynamic → life cycle"] = factor_chain(
        lambda dynamic, idle, embodied: dynamic + idle + embodied,
        {"dynamic": parts["dynamic"], "idle": 0.0, "embodied": 0.0},
        [("idle and reserve capacity, infrastructure", {"idle": parts["idle"]}),
         ("embodied share (manufacturing)", {"embodied": parts["embodied"]})],
        end_value=float(measurement("bloom_carbon_total").central),
        start_label="dynamic power only", end_label="life cycle (Luccioni et al.)",
        residual_label="rounding of the published parts")

    out["chat: de Vries 2.9 Wh → Google 0.24 Wh"] = devries_to_google()
    out["chat: Epoch AI 2025 → ML.ENERGY meter"] = epoch_to_meter()

    s = GEMINI_SHARES
    total = float(measurement("gemini_prompt_comprehensive").central)
    out["Gemini: active accelerators only → comprehensive"] = factor_chain(
        lambda accelerator_j, host_j, idle_j, pue: google2025(accelerator_j, host_j, idle_j, pue),
        {"accelerator_j": float(measurement("gemini_prompt_active_only").central), "host_j": 0.0,
         "idle_j": 0.0, "pue": 1.0},
        [("accelerators in production, not ideal batches (0.10 → 0.14 Wh)",
          {"accelerator_j": s["accelerator"] * total}),
         ("host CPU and DRAM", {"host_j": s["host"] * total}),
         ("idle and reserve capacity", {"idle_j": s["idle"] * total}),
         ("PUE (1.0 → 1.09)", {"pue": gemini_pue()})],
        end_value=total, start_label="active accelerators only", end_label="comprehensive",
        residual_label="rounding of the published shares")

    us = datasets.load("grid_intensity").set_index(["region", "year"]).loc[("United States", 2023)]
    loc = total / J_PER_KWH * float(us["intensity_g_per_kwh"]) / 1000.0
    out["Gemini carbon: location-based → market-based"] = factor_chain(
        lambda kg: kg, {"kg": loc}, [], end_value=float(measurement("gemini_prompt_carbon").central),
        start_label="0.24 Wh × US grid 2023 (location-based)", end_label="Google's 0.03 g",
        residual_label="market-based accounting (clean-energy purchases), embodied included")

    from . import cooling

    d = datasets.load("datacenter_efficiency").set_index("operator_or_region")
    water = d.loc["US average (Li et al. assumptions)"]
    it_kwh = gpt3 / g["pue"] / J_PER_KWH

    def litres(wue, ewif):
        return float(cooling.water_use(it_kwh, wue, g["pue"], ewif).total_l)

    out["GPT-3 water: on-site → on-site + off-site"] = factor_chain(
        litres, {"wue": float(water["wue_l_per_kwh"]), "ewif": 0.0},
        [("off-site water of the electricity", {"ewif": float(water["ewif_l_per_kwh"])})],
        start_value=float(measurement("gpt3_water_onsite").central),
        start_label="Li et al. on-site", end_label="on-site + off-site")

    out["answer: dense-total, batch 1 → MoE-active, batched, reasoning"] = factor_chain(
        lambda **kw: per_answer_energy(**kw),
        {**_epoch_inputs(), "active_parameters": 671e9},
        [("active vs total parameters (671 B → 37 B)", {"active_parameters": 37e9}),
         ("batch (1 → 8 streams)", {"batch": 8}),
         ("decode: hidden reasoning tokens (500 → 5,500)", {"tokens": 5_500}),
         ("prefill of a 10,000-token prompt", {"tokens_in": 10_000})],
        start_label="671 B dense-style, batch 1", end_label="37 B active, batch 8, long answer")
    return out


def epoch_to_meter() -> FactorChain:
    """The chain from Epoch AI's method on the chat answer (:data:`WORKLOADS`) to the
    benchmark's GPU-only measurement of it (J).

    The measurement has no PUE and no host, and its GPUs drew a measured share of their
    TDP (``power_w`` ÷ (GPUs × TDP)); the last step replaces Epoch's assumed 10 %
    utilisation by the one the meter implies, so the chain closes with no residual
    :cite:p:`you2025chatgpt,chung2025mlenergy`.
    """
    from . import datasets

    w = WORKLOADS["Llama-class chat answer"]
    run = datasets.load("measurements").set_index("id").loc[w["measurement"]]
    tdp = float(datasets.chip("H100")["tdp_w"])
    fraction = float(run["power_w"]) / (float(run["gpus"]) * tdp)
    start = {**_epoch_inputs(), "tokens": w["tokens"], "active_parameters": w["active_parameters"],
             "pue": w["pue"]}
    target = float(measured("Llama-class chat answer").central)
    at_gpus = per_answer_energy(**{**start, "pue": 1.0, "host_overhead": 1.0,
                                   "power_fraction": fraction})
    implied = start["utilisation"] * at_gpus / target          # E ∝ 1/u
    return factor_chain(
        lambda **kw: per_answer_energy(**kw), start,
        [("PUE left out by a GPU meter (1.2 → 1.0)", {"pue": 1.0}),
         ("host left out by a GPU meter", {"host_overhead": 1.0}),
         (f"average ÷ rated power, measured (0.7 → {fraction:.3f})", {"power_fraction": fraction}),
         (f"utilisation: assumed 10 % → implied by the meter ({implied:.1%})",
          {"utilisation": implied})],
        end_value=target, start_label="Epoch AI 2025", end_label="ML.ENERGY, 4 H100s, batch 64",
        residual_label="rounding")


def _counterless(workload: str, gpu_w: float, what: str, end: float, end_label: str) -> FactorChain:
    """From CodeCarbon's counter-less figure (CPUs at half TDP, GPUs left out) to a
    published training energy: count the accelerators, drop the host the published
    figure does not count separately, apply its PUE."""
    w = WORKLOADS[workload]
    seconds = w["hours"] * 3600.0
    pue = w["pue"] if workload == "GPT-3 training" else 1.0

    def cpu_and_gpu(cpu_w, gpus, pue):
        return seconds * (cpu_w + gpus * gpu_w) * pue

    cpu_w = w["cpus"] * CODECARBON_CPU_LOAD * CODECARBON_DEFAULT_CPU_TDP_W
    steps = [(f"accelerators counted ({w['chips']:,} GPUs at {gpu_w:.0f} W, {what})",
              {"gpus": float(w["chips"])}),
             ("host not counted separately by the published figure", {"cpu_w": 0.0})]
    if pue != 1.0:
        steps.append((f"PUE (1.0 → {pue:g})", {"pue": pue}))
    return factor_chain(cpu_and_gpu, {"cpu_w": cpu_w, "gpus": 0.0, "pue": 1.0}, steps,
                        end_value=end, start_label="CodeCarbon (no counter)", end_label=end_label,
                        residual_label="rounding of the published figures")


def _epoch_inputs() -> dict:
    from . import datasets

    h100 = datasets.chip("H100")
    return {"tokens": 500, "active_parameters": 100e9,
            "peak_flop_per_s": datasets.peak_flops("H100", "bf16"), "utilisation": 0.10,
            "chip_power_w": float(h100["tdp_w"]), "host_overhead": 1275.0 / float(h100["tdp_w"]),
            "power_fraction": 0.7, "pue": 1.2, "batch": 1, "tokens_in": 0.0}


def devries_inputs() -> dict:
    """De Vries's fleet as inputs of :func:`per_answer_energy`: a 100 B-active, 500-token
    answer on A100s (400 W each, 6.5 kW ÷ 8 per GPU with the host), no PUE, at the
    utilisation that makes the fleet's 2.9 Wh per request."""
    from . import datasets

    a100 = datasets.chip("A100")
    tdp = float(a100["tdp_w"])
    base = {"tokens": 500, "active_parameters": 100e9,
            "peak_flop_per_s": datasets.peak_flops("A100", "fp16"), "utilisation": 1.0,
            "chip_power_w": tdp, "host_overhead": DEVRIES_CHATGPT["server_power_w"] / 8 / tdp,
            "power_fraction": 1.0, "pue": 1.0}
    target = devries2023(**DEVRIES_CHATGPT)
    base["utilisation"] = per_answer_energy(**base) / target   # E ∝ 1/u
    return base


def devries_to_google(end_value=None, **changes) -> FactorChain:
    """The chain from de Vries's 2.9 Wh to Google's 0.24 Wh (or ``end_value``, J).

    Steps: hardware generation, utilisation, host overhead, average ÷ rated power and PUE
    move de Vries's fleet to Epoch AI's assumptions; the residual is what Epoch's
    assumptions do not explain about Google's measured prompt (a different model, prompt
    and fleet, not disclosed). Keyword ``changes`` replace the end values of the steps
    (e.g. ``utilisation=0.2``), as the waterfall explorer does.
    """
    e = {**_epoch_inputs(), **changes}
    end = float(measurement("gemini_prompt_comprehensive").central) if end_value is None else end_value
    steps = [
        ("hardware: A100 → H100 (peak and TDP)", {"peak_flop_per_s": e["peak_flop_per_s"],
                                                  "chip_power_w": e["chip_power_w"]}),
        ("utilisation and batching", {"utilisation": e["utilisation"], "batch": e["batch"]}),
        ("host overhead (server ÷ accelerator power)", {"host_overhead": e["host_overhead"]}),
        ("average ÷ rated power", {"power_fraction": e["power_fraction"]}),
        ("PUE", {"pue": e["pue"]}),
    ]
    start = {**devries_inputs(), "batch": 1, "tokens_in": 0.0}
    return factor_chain(lambda **kw: per_answer_energy(**kw), start, steps, end_value=end,
                        start_label="de Vries 2023", end_label="Google 2025",
                        residual_label="model, prompt and fleet (not disclosed)")
