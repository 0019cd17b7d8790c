"""Processing in memory: the energy of moving data, the roofline, and analog crossbars.

Three models, from the memory wall to a device-level simulation:

* **Moving data.** :func:`movement_energy` prices bytes read from a level of the
  memory hierarchy (register file, SRAM, DRAM, HBM, from the ``memory_energy``
  dataset); :func:`mac_energy` prices one multiply–accumulate (``energy_per_op``).
* **The roofline.** A kernel of arithmetic intensity ``I`` (FLOP per byte of memory
  traffic) attains ``min(peak, I·bandwidth)`` :cite:p:`williams2009roofline`;
  :func:`decode_step` applies it, with energies, to one step of LLM decoding, which at
  batch 1 reads every weight once per token.
* **Analog in-memory computing.** :class:`Crossbar` stores a weight matrix as device
  conductances (a differential pair per signed weight), applies inputs as voltages
  and reads column currents: Ohm's law in every cell, Kirchhoff's current law on every
  column, so ``I_j = Σ_i V_i·G_ij`` is a vector–matrix product done by physics
  :cite:p:`sebastian2020memory`. Finite conductance levels, programming variation,
  read noise, conductance drift :cite:p:`legallo2023`, a finite on/off ratio and
  the ADC at each column make it approximate; :meth:`Crossbar.energy` splits the
  energy of one product into array, DAC and ADC parts.

>>> from energylab import pim
>>> float(pim.roofline(1.0, 989.4e12, 3.35e12)) / 1e12   # FP16 GEMV on an H100, TFLOP/s
3.35
>>> import numpy as np
>>> w = np.array([[0.5, -1.0], [1.0, 0.25]])
>>> xbar = pim.Crossbar(w)
>>> bool(np.allclose(xbar.vmm([1.0, 2.0]), np.array([1.0, 2.0]) @ w))
True
"""

from __future__ import annotations

import copy

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import circuits, datasets, validate
from .constants import PICO

__all__ = [
    "ADC_FOM_J_PER_STEP",
    "DAC_FOM_J_PER_STEP",
    "DEFAULT_HBM_LEVEL",
    "memory_levels",
    "energy_per_byte",
    "movement_energy",
    "mac_energy",
    "arithmetic_intensity",
    "roofline",
    "ridge_point",
    "kv_cache_bytes",
    "DecodeStep",
    "decode_step",
    "default_precision",
    "column_currents",
    "weights_to_conductances",
    "drift_conductance",
    "converter_energy",
    "CrossbarEnergy",
    "Crossbar",
    "crossbar_network",
    "crossbar_matmul",
    "DigitalEnergy",
    "digital_vmm_energy",
    "analog_accuracy",
    "NetworkEnergy",
    "network_energy",
]

#: Energy per conversion step of the column ADCs (Walden figure of merit, J per
#: conversion step): ``E = FOM·2^bits`` per conversion. 10 fJ/step is a good practical
#: SAR ADC; the best designs in Murmann's survey reach below 1 fJ/step, many published
#: ones sit at tens to hundreds :cite:p:`murmann_adc_survey`. An assumption: change it.
ADC_FOM_J_PER_STEP = 10e-15
#: Energy per conversion step of the row DACs, assumed ten times cheaper than the ADC
#: (a DAC has no comparator and no search); an assumption, exposed as a parameter.
DAC_FOM_J_PER_STEP = 1e-15
#: The ``memory_energy`` level used for HBM when no energy is given: HBM2 at
#: 3.97 pJ/bit :cite:p:`oconnor2017`.
DEFAULT_HBM_LEVEL = "hbm2"

_MAC_KINDS = {"int8": ("int", 8), "int32": ("int", 32), "fp16": ("fp", 16), "fp32": ("fp", 32)}


# --------------------------------------------------------------------------- moving data
def memory_levels() -> list[str]:
    """Names of the memory levels of the ``memory_energy`` dataset.

    >>> "hbm2" in memory_levels()
    True
    """
    return list(datasets.load("memory_energy")["level"])


@functools.cache
def _per_bit() -> dict:
    df = datasets.load("memory_energy")
    return dict(zip(df["level"], df["energy_j_per_bit"].astype(float)))


def energy_per_byte(level: str) -> float:
    """Energy to read one byte from a memory level (J/byte).

    Parameters
    ----------
    level : str
        A ``level`` of the ``memory_energy`` dataset (see :func:`memory_levels`), e.g.
        ``"register_file"``, ``"sram_8kb"``, ``"dram_45nm"``, ``"hbm2"``, ``"ddr4"``.

    Returns
    -------
    float
        ``8 × energy_j_per_bit`` of that level.

    Raises
    ------
    ValueError
        If the level is unknown (the message lists the known ones).

    Examples
    --------
    >>> round(energy_per_byte("hbm2") / 1e-12, 2)   # pJ per byte
    31.76

    References
    ----------
    :cite:p:`horowitz2014`, :cite:p:`han2016eie`, :cite:p:`oconnor2017`.
    """
    table = _per_bit()
    level = validate.one_of("level", level, list(table))
    return 8.0 * table[level]


def movement_energy(n_bytes, level: str):
    """Energy to move ``n_bytes`` from a memory level to the arithmetic units (J).

    Parameters
    ----------
    n_bytes : float or array
        Bytes moved, >= 0.
    level : str
        A level of the ``memory_energy`` dataset (see :func:`energy_per_byte`).

    Returns
    -------
    float or numpy.ndarray
        ``n_bytes × 8 × energy_j_per_bit``.

    Raises
    ------
    ValueError
        If ``n_bytes`` is negative or not finite, or the level is unknown.

    Examples
    --------
    >>> round(movement_energy(1.0, "hbm2") / 1e-12, 2)       # one byte from HBM2, pJ
    31.76
    >>> round(movement_energy(8.0, "dram_45nm") / 1e-12)     # one 64-bit DRAM read, pJ
    1950

    References
    ----------
    :cite:p:`horowitz2014`, :cite:p:`han2016eie`, :cite:p:`oconnor2017`.
    """
    n = validate.nonnegative("n_bytes", n_bytes)
    return n * energy_per_byte(level)


def mac_energy(number: str = "int8") -> float:
    """Energy of one multiply–accumulate at 45 nm, multiply plus add (J).

    Parameters
    ----------
    number : {"int8", "int32", "fp16", "fp32"}
        Number format of the operands.

    Examples
    --------
    >>> round(mac_energy("int8") / 1e-12, 2)   # same as precision.op_energy("mac", 8, "int")
    0.23
    >>> round(mac_energy("fp32") / 1e-12, 2)
    4.6

    References
    ----------
    :cite:p:`horowitz2014` (Fig. 1.1.9, 45 nm, 0.9 V).
    """
    from . import precision  # the one energy-per-operation model (45 nm table and its fit)

    number = validate.one_of("number", number, list(_MAC_KINDS))
    kind, bits = _MAC_KINDS[number]
    return float(precision.op_energy("mac", bits, kind))


# --------------------------------------------------------------------------- roofline
def arithmetic_intensity(flops, n_bytes):
    """Arithmetic intensity: floating-point operations per byte of memory traffic.

    Parameters
    ----------
    flops : float or array
        Operations performed, >= 0.
    n_bytes : float or array
        Bytes moved to and from memory, > 0.

    Returns
    -------
    float or numpy.ndarray
        FLOP/byte.

    Examples
    --------
    >>> n = 4096   # square FP16 GEMM: 2n³ FLOP over 3 matrices of 2n² bytes
    >>> round(float(arithmetic_intensity(2 * n**3, 3 * 2 * n**2)), 1)
    1365.3
    >>> float(arithmetic_intensity(2 * n * n, 2 * n * n))   # FP16 GEMV: 1 FLOP/B
    1.0

    References
    ----------
    :cite:p:`williams2009roofline`.
    """
    f = validate.nonnegative("flops", flops)
    b = validate.positive("n_bytes", n_bytes)
    return f / b


def roofline(intensity, peak_flops, bandwidth_bytes_per_s):
    """Attainable throughput under the roofline model, ``min(peak, I·BW)`` (FLOP/s).

    Parameters
    ----------
    intensity : float or array
        Arithmetic intensity, FLOP/byte, >= 0.
    peak_flops : float or array
        Peak compute throughput, FLOP/s, > 0.
    bandwidth_bytes_per_s : float or array
        Memory bandwidth, bytes/s, > 0.

    Returns
    -------
    float or numpy.ndarray
        Attainable FLOP/s.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> float(roofline(1000.0, 989.4e12, 3.35e12)) == 989.4e12   # past the ridge
    True

    References
    ----------
    :cite:p:`williams2009roofline`.
    """
    i = validate.nonnegative("intensity", intensity)
    p = validate.positive("peak_flops", peak_flops)
    bw = validate.positive("bandwidth_bytes_per_s", bandwidth_bytes_per_s)
    return np.minimum(p, i * bw)


def ridge_point(peak_flops, bandwidth_bytes_per_s):
    """Intensity at which a chip stops being memory-bound, ``peak / BW`` (FLOP/byte).

    Examples
    --------
    >>> round(float(ridge_point(989.4e12, 3.35e12)))   # H100 SXM, dense FP16
    295

    References
    ----------
    :cite:p:`williams2009roofline`.
    """
    p = validate.positive("peak_flops", peak_flops)
    bw = validate.positive("bandwidth_bytes_per_s", bandwidth_bytes_per_s)
    return p / bw


def kv_cache_bytes(n_layers, d_model, context_tokens, bytes_per_value=2.0, kv_fraction=1.0):
    """Bytes of the key–value cache of one sequence, ``2·L·d·T·b·f``.

    Each of the ``n_layers`` layers keeps a key and a value vector of ``d_model``
    numbers for every one of ``context_tokens`` tokens; grouped-query attention keeps
    only ``kv_fraction`` of them (kv heads / query heads).

    Parameters
    ----------
    n_layers, d_model : int or array
        Layers and model width, > 0.
    context_tokens : float or array
        Tokens in the context, >= 0.
    bytes_per_value : float
        Bytes per cached number (2 for FP16), > 0.
    kv_fraction : float
        Share of key/value heads kept, in (0, 1].

    Examples
    --------
    >>> round(float(kv_cache_bytes(32, 4096, 4096)) / 1e9, 2)   # a 7 B model, 4k context, GB
    2.15
    """
    n_l = validate.positive("n_layers", n_layers)
    d = validate.positive("d_model", d_model)
    t = validate.nonnegative("context_tokens", context_tokens)
    b = validate.positive("bytes_per_value", bytes_per_value)
    f = validate.fraction("kv_fraction", kv_fraction, allow_zero=False)
    return 2.0 * n_l * d * t * b * f


@dataclass(frozen=True)
class DecodeStep:
    """One decoding step of a batch of sequences on one chip (roofline timing).

    Attributes
    ----------
    flops, n_bytes : float or ndarray
        Work and memory traffic of the step (all sequences of the batch).
    intensity_flop_per_byte : float or ndarray
        ``flops / n_bytes``.
    compute_time_s, memory_time_s, time_s : float or ndarray
        Time at peak compute, time at full bandwidth, and their maximum (the roofline:
        compute and memory traffic overlap).
    compute_energy_j, memory_energy_j, static_energy_j, energy_j : float or ndarray
        Energy of the arithmetic, of the memory traffic, of static power over the step,
        and their sum.
    memory_share : float or ndarray
        ``memory_energy_j / energy_j``.
    memory_bound : bool or ndarray
        Whether memory time exceeds compute time.
    tokens_per_s, energy_per_token_j : float or ndarray
        ``batch / time_s`` and ``energy_j / batch``.
    """

    flops: object
    n_bytes: object
    intensity_flop_per_byte: object
    compute_time_s: object
    memory_time_s: object
    time_s: object
    compute_energy_j: object
    memory_energy_j: object
    static_energy_j: object
    energy_j: object
    memory_share: object
    memory_bound: object
    tokens_per_s: object
    energy_per_token_j: object


_PRECISION_BY_BYTES = {4.0: ("fp32",), 2.0: ("fp16",), 1.0: ("fp8", "int8"), 0.5: ("int4", "fp8", "int8")}


def _chip_row(chip):
    """A chip's row of the ``chips`` dataset from its name (or the row itself)."""
    if isinstance(chip, str):
        return datasets.chip(chip)
    if type(chip).__name__ == "Series" and "name" in chip.index:
        return chip
    raise ValueError(f"chip must be a chip name such as 'H100' or a row of the chips dataset, "
                     f"got {chip!r}")


def default_precision(chip, bytes_per_parameter: float) -> str:
    """Precision whose peak applies to weights of ``bytes_per_parameter`` bytes on a chip.

    4 → fp32, 2 → fp16, 1 → fp8 or else int8, 0.5 → int4, else fp8, else int8: the
    first the chip has a figure for (fp16 if none).

    Examples
    --------
    >>> default_precision("H100", 0.5), default_precision("A100", 1)
    ('fp8', 'int8')
    """
    bytes_per_parameter = validate.scalar("bytes_per_parameter", validate.positive("bytes_per_parameter", bytes_per_parameter))
    chip_row = _chip_row(chip)
    for bpp in sorted(_PRECISION_BY_BYTES, reverse=True):
        if bytes_per_parameter >= bpp:
            break
    for prec in _PRECISION_BY_BYTES[bpp]:
        col = datasets.PRECISION_COLUMNS[prec]
        if not np.isnan(float(chip_row[col])):
            return prec
    return "fp16"


def decode_step(parameters, bytes_per_parameter, batch, chip, pj_per_byte=None, *,
                pj_per_flop=None, precision=None, kv_bytes_per_sequence=0.0,
                static_power_w=0.0) -> DecodeStep:
    """Time and energy of one LLM decoding step: every weight read once, ``2·N`` FLOP per token.

    A decoder with ``N`` parameters generating one token for each of ``batch``
    sequences reads its ``N·b`` weight bytes once (they are shared by the whole batch),
    reads each sequence's key–value cache, and does ``2·N`` FLOP per token plus
    ``2`` FLOP per cached number. Time follows the roofline, ``max(FLOP/peak,
    bytes/bandwidth)``; energy is ``bytes × pJ/byte + FLOP × pJ/FLOP`` plus static power
    over the step.

    Parameters
    ----------
    parameters : float or array
        Number of weights N, > 0.
    bytes_per_parameter : float or array
        Bytes per weight (2 for FP16, 1 for 8-bit, 0.5 for 4-bit), > 0.
    batch : float or array
        Sequences decoded together, >= 1.
    chip : str or pandas.Series
        A chip name for :func:`energylab.datasets.chip` (``"H100"``) or its row.
    pj_per_byte : float, optional
        Energy per byte of memory traffic in **picojoules**; default HBM2, 31.76 pJ/B
        :cite:p:`oconnor2017`.
    pj_per_flop : float, optional
        Energy per FLOP in picojoules; default the chip's TDP divided by its dense peak
        at ``precision`` (an all-in figure for a compute-bound chip).
    precision : str, optional
        Precision whose peak applies; default from ``bytes_per_parameter`` (4 → fp32,
        2 → fp16, 1 → fp8 or int8, 0.5 → int4, fp8 or int8, whichever the chip has).
    kv_bytes_per_sequence : float or array
        Key–value cache bytes read per sequence per step (see :func:`kv_cache_bytes`),
        >= 0.
    static_power_w : float
        Power drawn regardless of work (leakage, fans of the chip, idle HBM), >= 0.

    Returns
    -------
    DecodeStep

    Raises
    ------
    ValueError
        If an argument is out of range or the chip is unknown.

    Examples
    --------
    >>> s = decode_step(7e9, 2, 1, "H100")
    >>> round(s.energy_per_token_j, 3), round(s.memory_share, 3), bool(s.memory_bound)
    (0.455, 0.978, True)

    References
    ----------
    Roofline :cite:p:`williams2009roofline`; HBM energy :cite:p:`oconnor2017`.
    """
    n = validate.positive("parameters", parameters)
    bpp = validate.positive("bytes_per_parameter", bytes_per_parameter)
    b = validate.in_range("batch", batch, 1.0, np.inf)
    kv = validate.nonnegative("kv_bytes_per_sequence", kv_bytes_per_sequence)
    p_static = validate.nonnegative("static_power_w", static_power_w)
    validate.broadcast(parameters=n, bytes_per_parameter=bpp, batch=b, kv_bytes_per_sequence=kv,
                       static_power_w=p_static)
    row = _chip_row(chip)
    if precision is None:
        # each element of bytes_per_parameter at its own precision's peak (one lookup per
        # distinct value, not per element)
        bpp_arr = np.asarray(bpp, dtype=float)
        distinct = np.unique(bpp_arr)
        peaks = np.array([datasets.peak_flops(str(row["name"]), default_precision(row, v))
                          for v in distinct])
        peak = _scalar(peaks[np.searchsorted(distinct, bpp_arr)])
    else:
        peak = datasets.peak_flops(str(row["name"]), validate.text("precision", precision))
    bandwidth = float(row["memory_bandwidth_bytes_per_s"])
    if not np.isfinite(bandwidth):
        raise ValueError(f"{row['name']} has no memory bandwidth in the chips dataset")
    e_byte = energy_per_byte(DEFAULT_HBM_LEVEL) if pj_per_byte is None else \
        validate.positive("pj_per_byte", pj_per_byte) * PICO
    e_flop = circuits.joules_per_op(float(row["tdp_w"]), np.asarray(peak)) if pj_per_flop is None else \
        validate.positive("pj_per_flop", pj_per_flop) * PICO

    flops = b * (2.0 * n + 2.0 * kv / bpp)
    n_bytes = n * bpp + b * kv
    t_compute = flops / peak
    t_memory = n_bytes / bandwidth
    t = np.maximum(t_compute, t_memory)
    e_compute = flops * e_flop
    e_memory = n_bytes * e_byte
    e_static = p_static * t
    energy = e_compute + e_memory + e_static
    return DecodeStep(**{k: _scalar(v) for k, v in dict(
        flops=flops, n_bytes=n_bytes, intensity_flop_per_byte=flops / n_bytes,
        compute_time_s=t_compute, memory_time_s=t_memory, time_s=t,
        compute_energy_j=e_compute, memory_energy_j=e_memory, static_energy_j=e_static,
        energy_j=energy, memory_share=e_memory / energy, memory_bound=t_memory > t_compute,
        tokens_per_s=b / t, energy_per_token_j=energy / b).items()})


def _scalar(a):
    """0-d results as Python scalars, arrays unchanged."""
    arr = np.asarray(a)
    return arr.item() if arr.ndim == 0 else arr


# --------------------------------------------------------------------------- crossbars
def column_currents(voltage_v, conductance_s):
    """Currents on the columns of a crossbar, ``I_j = Σ_i V_i·G_ij`` (A).

    Ohm's law gives the current ``V_i·G_ij`` through each cell; Kirchhoff's current law
    sums them on each column wire (held at virtual ground by its sense amplifier).

    Parameters
    ----------
    voltage_v : array, shape (..., rows)
        Voltages on the rows.
    conductance_s : array, shape (rows, columns)
        Cell conductances in siemens, >= 0.

    Examples
    --------
    >>> g = np.array([[1.0, 2.0], [3.0, 4.0]]) * 1e-6   # µS
    >>> column_currents([0.1, 0.2], g) / 1e-6            # µA
    array([0.7, 1. ])

    References
    ----------
    :cite:p:`sebastian2020memory`.
    """
    v = validate.finite("voltage_v", voltage_v)
    g = np.asarray(validate.nonnegative("conductance_s", conductance_s), dtype=float)
    v = np.asarray(v, dtype=float)
    if g.ndim != 2:
        raise ValueError(f"conductance_s must be a 2-D array (rows, columns), got shape {g.shape}")
    if v.shape[-1:] != g.shape[:1]:
        raise ValueError(f"voltage_v must have {g.shape[0]} entries per vector (one per row), got shape {v.shape}")
    return v @ g


def _check_g(g_min, g_max):
    g_lo = validate.scalar("g_min", validate.positive("g_min", g_min))
    g_hi = validate.scalar("g_max", validate.positive("g_max", g_max))
    validate.less_than(("g_min", "g_max"), g_lo, g_hi)
    return g_lo, g_hi


def _check_weights(weights) -> np.ndarray:
    w = np.asarray(validate.finite("weights", weights), dtype=float)
    if w.ndim != 2:
        raise ValueError(f"weights must be a 2-D array (inputs, outputs), got shape {w.shape}")
    return w


def weights_to_conductances(weights, g_min=1e-6, g_max=1e-4):
    """Map signed weights onto differential pairs of conductances.

    The largest ``|w|`` maps to the full range ``g_max − g_min``; a positive weight
    raises the ``G+`` device above ``g_min`` and leaves ``G−`` at ``g_min``, a
    negative one the reverse, so ``G+ − G− = w·s`` with ``s = (g_max − g_min)/max|w|``.

    Parameters
    ----------
    weights : array, shape (inputs, outputs)
        Finite weights (the matrix ``w`` of ``x @ w``).
    g_min, g_max : float
        Lowest and highest programmable conductance (S), 0 < g_min < g_max.

    Returns
    -------
    g_pos, g_neg : numpy.ndarray
        Conductances of the two devices of each pair (S), in [g_min, g_max].
    siemens_per_unit : float
        The scale ``s`` (S per unit of weight).

    Raises
    ------
    ValueError
        If the weights are not a finite 2-D array or g_min >= g_max.

    Examples
    --------
    >>> gp, gn, s = weights_to_conductances([[0.5, -1.0]], g_min=1e-6, g_max=11e-6)
    >>> (gp / 1e-6).round(6).tolist(), (gn / 1e-6).round(6).tolist(), round(s / 1e-6, 6)
    ([[6.0, 1.0]], [[1.0, 11.0]], 10.0)

    References
    ----------
    :cite:p:`sebastian2020memory`.
    """
    w = _check_weights(weights)
    g_lo, g_hi = _check_g(g_min, g_max)
    w_max = float(np.max(np.abs(w)))
    if w_max == 0.0:
        w_max = 1.0
    u = w / w_max                       # in [-1, 1]; dividing first keeps tiny weights finite
    g_pos = g_lo + np.clip(u, 0.0, None) * (g_hi - g_lo)
    g_neg = g_lo + np.clip(-u, 0.0, None) * (g_hi - g_lo)
    return np.minimum(g_pos, g_hi), np.minimum(g_neg, g_hi), (g_hi - g_lo) / w_max


def drift_conductance(g0_s, t_s, nu, t0_s=1.0):
    """Conductance drift of phase-change memory, ``G(t) = G0·(t/t0)^(−ν)`` (S).

    Parameters
    ----------
    g0_s : float or array
        Conductance at the reference time ``t0_s`` (S), >= 0.
    t_s : float or array
        Time since programming (s), >= ``t0_s``.
    nu : float or array
        Drift exponent, in [0, 1] (PCM: typically a few hundredths).
    t0_s : float
        Reference time (s), > 0.

    Examples
    --------
    >>> round(float(drift_conductance(1e-5, 3600.0 * 24, 0.05)) / 1e-5, 3)   # a day later
    0.566

    References
    ----------
    :cite:p:`legallo2023`, :cite:p:`ambrogio2018`.
    """
    g0 = validate.nonnegative("g0_s", g0_s)
    t0 = validate.positive("t0_s", t0_s)
    t = validate.positive("t_s", t_s)
    v = validate.in_range("nu", nu, 0.0, 1.0)
    validate.broadcast(g0_s=g0, t_s=t, nu=v, t0_s=t0)
    early = np.asarray(t) < np.asarray(t0)  # element-wise: each device against its own t0
    if early.any():
        t_b, t0_b = np.broadcast_arrays(t, t0)
        raise ValueError(f"t_s must be >= t0_s (drift only lowers conductance), got "
                         f"t_s={t_b[early.nonzero() if early.ndim else ()].flat[0]:g} with "
                         f"t0_s={t0_b[early.nonzero() if early.ndim else ()].flat[0]:g}")
    return g0 * (t / t0) ** (-v)


def converter_energy(bits, fom_j_per_step=ADC_FOM_J_PER_STEP):
    """Energy of one data conversion from the Walden figure of merit, ``FOM·2^bits`` (J).

    Parameters
    ----------
    bits : int or array
        Resolution, >= 1.
    fom_j_per_step : float
        Energy per conversion step (J), > 0.

    Examples
    --------
    >>> round(converter_energy(8) / 1e-12, 2)   # 8 bits at 10 fJ/step, pJ
    2.56

    References
    ----------
    :cite:p:`murmann_adc_survey`.
    """
    b = validate.in_range("bits", bits, 1.0, 32.0)
    fom = validate.positive("fom_j_per_step", fom_j_per_step)
    return fom * 2.0 ** b


@dataclass(frozen=True)
class CrossbarEnergy:
    """Energy of one vector–matrix product on a crossbar, by part (J).

    Attributes
    ----------
    array_j : float
        Joule heating of the cells, ``t_read·Σ V_i²·G_ij`` over both devices of every pair.
    dac_j, adc_j : float
        Row DAC and column ADC conversions.
    total_j : float
        Their sum.
    macs : int
        Multiply–accumulates performed (rows × columns).
    j_per_mac : float
        ``total_j / macs``.
    """

    array_j: float
    dac_j: float
    adc_j: float
    total_j: float
    macs: int
    j_per_mac: float


def _quantize_symmetric(x, full_scale, bits):
    """Round to 2^bits − 1 evenly spaced levels in [−full_scale, full_scale], clipping."""
    half = 2 ** (bits - 1) - 1
    step = full_scale / half
    return np.clip(np.round(x / step), -half, half) * step


class Crossbar:
    """A weight matrix stored as conductances in an analog crossbar.

    Each signed weight ``w_ij`` sits on a differential pair of devices,
    ``G+_ij − G−_ij = s·w_ij`` (see :func:`weights_to_conductances`). An input vector
    is applied as row voltages, the column currents ``I = V·G+ − V·G−`` are digitised
    and rescaled back to weight units, so that :meth:`vmm` approximates ``x @ weights``.

    One crossbar is one device technology: its settings (``g_min``, ``g_max``, ``levels``,
    ``sigma``, ``on_off_ratio``) are single numbers, validated as scalars by name; the
    weights are the array.

    Parameters
    ----------
    weights : array, shape (inputs, outputs)
        The matrix of ``x @ weights``.
    g_min, g_max : float
        Programmable conductance range (S), 0 < g_min < g_max.
    levels : int, optional
        Number of distinct conductance levels a device can be programmed to (>= 2),
        evenly spaced over its range; ``None`` means continuous.
    sigma : float
        Relative programming variation, >= 0: each device lands at
        ``G·(1 + sigma·ε)``, ε ~ N(0, 1), clipped to the device's range.
    on_off_ratio : float, optional
        Device on/off ratio ``g_on/g_off`` (> 1): the lowest usable conductance becomes
        ``max(g_min, g_max/on_off_ratio)``. The common offset cancels in a differential
        pair, but it carries its own variation, noise and drift.
    rng : numpy.random.Generator or int, optional
        Source of the programming variation and, later, of read noise.

    Attributes
    ----------
    g_pos, g_neg : numpy.ndarray
        Programmed conductances of the two devices of each pair (S).
    siemens_per_unit : float
        Conductance difference per unit of weight (S).
    g_low : float
        Lowest usable conductance, ``max(g_min, g_max/on_off_ratio)``.
    age_s : float or None
        Time since programming after :meth:`drift`, None when fresh.

    Raises
    ------
    ValueError
        If g_min >= g_max, levels < 2, sigma < 0, on_off_ratio <= 1, or the weights are
        not a finite 2-D array.

    Examples
    --------
    >>> w = np.array([[1.0, -2.0], [0.5, 0.0]])
    >>> xbar = Crossbar(w, levels=16, sigma=0.02, rng=0)
    >>> y = xbar.vmm([[1.0, 1.0]], adc_bits=8)
    >>> bool(np.allclose(y, [[1.5, -2.0]], atol=0.2))
    True

    References
    ----------
    :cite:p:`sebastian2020memory`, :cite:p:`ambrogio2018`, :cite:p:`legallo2023`.
    """

    def __init__(self, weights, g_min=1e-6, g_max=1e-4, levels=None, sigma=0.0,
                 on_off_ratio=None, rng=None):
        w = _check_weights(weights)
        g_lo, g_hi = _check_g(g_min, g_max)
        if levels is not None:
            levels = validate.integer("levels", levels, minimum=2)
        sigma = validate.scalar("sigma", validate.nonnegative("sigma", sigma))
        if on_off_ratio is not None:
            on_off_ratio = validate.scalar("on_off_ratio", validate.in_range("on_off_ratio", on_off_ratio, 1.0, np.inf,
                                                   low_inclusive=False))
            g_low = max(g_lo, g_hi / on_off_ratio)
        else:
            g_low = g_lo
        self._rng = validate.rng("rng", rng)
        self.weights = w.copy()
        self.g_min, self.g_max, self.g_low = g_lo, g_hi, g_low
        self.levels, self.sigma, self.on_off_ratio = levels, sigma, on_off_ratio
        self.age_s = None
        g_pos, g_neg, s = weights_to_conductances(w, g_low, g_hi)
        self.siemens_per_unit = s
        # weight units per siemens, computed without forming s (s overflows for tiny weights)
        w_max = float(np.max(np.abs(w))) or 1.0
        self._units_per_siemens = w_max / (g_hi - g_low)
        if levels is not None:
            step = (g_hi - g_low) / (levels - 1)
            g_pos = g_low + np.round((g_pos - g_low) / step) * step
            g_neg = g_low + np.round((g_neg - g_low) / step) * step
        if sigma > 0:
            g_pos = g_pos * (1.0 + sigma * self._rng.standard_normal(g_pos.shape))
            g_neg = g_neg * (1.0 + sigma * self._rng.standard_normal(g_neg.shape))
        self.g_pos = np.clip(g_pos, g_low, g_hi)
        self.g_neg = np.clip(g_neg, g_low, g_hi)

    # ------------------------------------------------------------------ views
    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) = (inputs, outputs)."""
        return self.weights.shape

    @property
    def effective_weights(self) -> np.ndarray:
        """The weights the devices actually hold, ``(G+ − G−)/s``."""
        return (self.g_pos - self.g_neg) * self._units_per_siemens

    def __repr__(self) -> str:
        lv = "continuous" if self.levels is None else f"{self.levels} levels"
        age = "" if self.age_s is None else f", age {self.age_s:.3g} s"
        return f"<Crossbar {self.shape[0]}x{self.shape[1]} pairs, {lv}, sigma={self.sigma:g}{age}>"

    # ------------------------------------------------------------------ physics
    def currents(self, voltage_v):
        """Differential column currents ``V·G+ − V·G−`` for row voltages (A).

        Examples
        --------
        >>> xbar = Crossbar([[1.0], [-1.0]], g_min=1e-6, g_max=11e-6)
        >>> (xbar.currents([0.2, 0.1]) / 1e-6).round(6).tolist()   # 0.2·10 µS − 0.1·10 µS
        [1.0]
        """
        return column_currents(voltage_v, self.g_pos) - column_currents(voltage_v, self.g_neg)

    def _inputs(self, x):
        x = np.asarray(validate.finite("x", x), dtype=float)
        if x.shape[-1:] != (self.shape[0],):
            raise ValueError(f"x must have {self.shape[0]} entries per vector (one per row), got shape {x.shape}")
        return x

    def vmm(self, x, adc_bits=None, read_noise=0.0, dac_bits=None, adc_range_a=None,
            v_read_v=0.2, rng=None):
        """Vector–matrix product on the crossbar, in weight units (≈ ``x @ weights``).

        Inputs are scaled so that the largest ``|x|`` of the call becomes ``v_read_v``
        (optionally quantized by a ``dac_bits`` DAC), the column currents are summed by
        Kirchhoff's law, perturbed by read noise, digitised by a symmetric ``adc_bits``
        ADC and scaled back.

        Parameters
        ----------
        x : array, shape (inputs,) or (batch, inputs)
            Input vectors.
        adc_bits : int, optional
            Column ADC resolution in [2, 16]; None means no quantization.
        read_noise : float
            Relative read noise of each device per read, >= 0: a device conducts
            ``G·(1 + read_noise·ε)``. Summed over a column this is Gaussian with
            variance ``read_noise²·Σ_i V_i²·(G+_ij² + G−_ij²)``, drawn that way.
        dac_bits : int, optional
            Row DAC resolution in [2, 16]; None means exact voltages.
        adc_range_a : float, optional
            ADC full-scale current (A); None calibrates it to the largest ``|I|`` of
            this call.
        v_read_v : float
            Read voltage for the largest input (V), > 0.
        rng : numpy.random.Generator or int, optional
            Source of read noise; default the crossbar's own generator.

        Returns
        -------
        numpy.ndarray, shape (outputs,) or (batch, outputs)

        Raises
        ------
        ValueError
            If ``x`` has the wrong length or a parameter is out of range.
        """
        x = self._inputs(x)
        gen = self._rng if rng is None else validate.rng("rng", rng)
        if adc_range_a is not None:
            adc_range_a = validate.scalar("adc_range_a", validate.positive("adc_range_a", adc_range_a))
        noise = validate.scalar("read_noise", validate.nonnegative("read_noise", read_noise))
        v_read = validate.scalar("v_read_v", validate.positive("v_read_v", v_read_v))
        if adc_bits is not None:
            adc_bits = validate.adc_bits("adc_bits", adc_bits, minimum=2)
        if dac_bits is not None:
            dac_bits = validate.adc_bits("dac_bits", dac_bits, minimum=2)
        x_scale = float(np.max(np.abs(x)))
        if x_scale == 0.0:
            x_scale = 1.0
        u = x / x_scale
        if dac_bits is not None:
            u = _quantize_symmetric(u, 1.0, dac_bits)
        v = u * v_read
        i = v @ self.g_pos - v @ self.g_neg
        if noise > 0:
            std = noise * np.sqrt((v * v) @ (self.g_pos ** 2 + self.g_neg ** 2))
            i = i + std * gen.standard_normal(i.shape)
        if adc_bits is not None:
            if adc_range_a is None:
                full = float(np.max(np.abs(i)))
            else:
                full = adc_range_a
            if full > 0:
                i = _quantize_symmetric(i, full, adc_bits)
        return i * (x_scale / v_read) * self._units_per_siemens

    def drift(self, t_s, nu, t0_s=1.0, nu_sigma=0.0, rng=None) -> "Crossbar":
        """The crossbar ``t_s`` seconds after programming, its conductances drifted.

        Every device follows ``G(t) = G0·(t/t0)^(−ν)`` (:func:`drift_conductance`);
        with ``nu_sigma > 0`` each device draws its own ν ~ N(nu, nu_sigma), clipped to
        [0, 1]. The mapping scale is not updated (no drift compensation), so outputs
        shrink as the devices drift.

        Parameters
        ----------
        t_s : float
            Time since programming (s), >= t0_s.
        nu : float
            Mean drift exponent in [0, 1].
        t0_s : float
            Reference time at which the conductances were measured (s), > 0.
        nu_sigma : float
            Device-to-device spread of ν, >= 0.
        rng : numpy.random.Generator or int, optional
            Source of the ν spread; default the crossbar's own generator.

        Returns
        -------
        Crossbar
            A new crossbar; this one is unchanged.

        Examples
        --------
        >>> xbar = Crossbar([[1.0]])
        >>> bool(xbar.drift(1e4, 0.05).g_pos[0, 0] < xbar.g_pos[0, 0])
        True
        """
        t = validate.scalar("t_s", validate.positive("t_s", t_s))
        t0 = validate.scalar("t0_s", validate.positive("t0_s", t0_s))
        base = t0 if self.age_s is None else self.age_s
        if t < base:
            raise ValueError(f"t_s must be >= {base:g} (t0_s, or the age of an already drifted "
                             f"crossbar), got {t_s!r}")
        nu = validate.scalar("nu", validate.in_range("nu", nu, 0.0, 1.0))
        spread = validate.scalar("nu_sigma", validate.nonnegative("nu_sigma", nu_sigma))
        # The copy gets its own generator (a copy of this one's state), so neither drawing
        # the ν spread nor reading the drifted copy changes this crossbar's next output.
        own = copy.deepcopy(self._rng)
        gen = own if rng is None else validate.rng("rng", rng)
        if spread > 0:
            nu_pos = np.clip(nu + spread * gen.standard_normal(self.g_pos.shape), 0.0, 1.0)
            nu_neg = np.clip(nu + spread * gen.standard_normal(self.g_neg.shape), 0.0, 1.0)
        else:
            nu_pos = nu_neg = nu
        new = object.__new__(Crossbar)
        new.__dict__.update(self.__dict__)
        new._rng = own
        new.g_pos = drift_conductance(self.g_pos, t, nu_pos, base)
        new.g_neg = drift_conductance(self.g_neg, t, nu_neg, base)
        new.age_s = t
        return new

    def energy(self, x=None, adc_bits=8, dac_bits=8, v_read_v=0.2, t_read_s=10e-9,
               adc_fom_j_per_step=ADC_FOM_J_PER_STEP,
               dac_fom_j_per_step=DAC_FOM_J_PER_STEP) -> CrossbarEnergy:
        """Energy of one vector–matrix product, by part.

        Parameters
        ----------
        x : array, optional
            Inputs (one vector or a batch; a batch gives the mean per vector). None
            means every row at the full read voltage (an upper bound for the array).
        adc_bits, dac_bits : int
            Converter resolutions, in [1, 16].
        v_read_v : float
            Read voltage for the largest input (V), > 0.
        t_read_s : float
            Duration of the read pulse (s), > 0.
        adc_fom_j_per_step, dac_fom_j_per_step : float
            Walden figures of merit of the converters (J per conversion step), > 0.

        Returns
        -------
        CrossbarEnergy
            One ADC conversion per column (the pair's currents are subtracted before
            the ADC), one DAC conversion per row; digital post-processing (scaling,
            bias, activation) is not counted.

        Examples
        --------
        >>> e = Crossbar(np.ones((64, 64))).energy(adc_bits=8, dac_bits=8)
        >>> round(e.adc_j / 1e-12, 1), e.adc_j > e.dac_j
        (163.8, True)

        References
        ----------
        :cite:p:`murmann_adc_survey`, :cite:p:`sebastian2020memory`.
        """
        adc_bits = validate.adc_bits("adc_bits", adc_bits)
        dac_bits = validate.adc_bits("dac_bits", dac_bits)
        adc_fom = validate.scalar("adc_fom_j_per_step", validate.positive("adc_fom_j_per_step", adc_fom_j_per_step))
        dac_fom = validate.scalar("dac_fom_j_per_step", validate.positive("dac_fom_j_per_step", dac_fom_j_per_step))
        v_read = validate.scalar("v_read_v", validate.positive("v_read_v", v_read_v))
        t_read = validate.scalar("t_read_s", validate.positive("t_read_s", t_read_s))
        rows, cols = self.shape
        if x is None:
            v2 = np.full(rows, v_read ** 2)
        else:
            x = self._inputs(x)
            scale = float(np.max(np.abs(x))) or 1.0
            v2 = np.mean(np.atleast_2d((x / scale * v_read) ** 2), axis=0)
        array_j = float(t_read * v2 @ (self.g_pos + self.g_neg).sum(axis=1))
        adc_j = cols * float(converter_energy(adc_bits, adc_fom))
        dac_j = rows * float(converter_energy(dac_bits, dac_fom))
        total = array_j + adc_j + dac_j
        macs = rows * cols
        return CrossbarEnergy(array_j, dac_j, adc_j, total, macs, total / macs)


def crossbar_network(weights: Sequence, rng=None, **crossbar_kwargs) -> list[Crossbar]:
    """Program one crossbar per weight matrix of a network (same device settings).

    Parameters
    ----------
    weights : sequence of arrays
        Weight matrices, each (inputs, outputs).
    rng : numpy.random.Generator or int, optional
        One generator shared by all crossbars (programmed in order).
    **crossbar_kwargs
        ``g_min``, ``g_max``, ``levels``, ``sigma``, ``on_off_ratio`` of :class:`Crossbar`.

    Examples
    --------
    >>> xbars = crossbar_network([np.eye(3), np.ones((3, 2))], sigma=0.01, rng=1)
    >>> [x.shape for x in xbars]
    [(3, 3), (3, 2)]
    """
    gen = validate.rng("rng", rng)
    if not isinstance(weights, (list, tuple)):
        raise ValueError(f"weights must be a list of weight matrices, got {type(weights).__name__}")
    return [Crossbar(w, rng=gen, **crossbar_kwargs) for w in weights]


def crossbar_matmul(crossbars: Sequence[Crossbar], **vmm_kwargs) -> Callable:
    """A ``matmul(layer, x, w)`` that runs layer ``layer`` on its crossbar.

    Pass it to :func:`energylab.workloads.accuracy` to run a network in analog.
    ``w`` (the digital weights) is used only to check that the crossbar matches it.

    Examples
    --------
    >>> mm = crossbar_matmul(crossbar_network([np.eye(2)]))
    >>> mm(0, np.array([[1.0, 2.0]]), np.eye(2)).round(9).tolist()
    [[1.0, 2.0]]
    """
    if not isinstance(crossbars, (list, tuple)) or not all(isinstance(c, Crossbar) for c in crossbars):
        raise ValueError(f"crossbars must be a list of Crossbar, got {type(crossbars).__name__}")
    crossbars = list(crossbars)
    kwargs = dict(vmm_kwargs)

    def matmul(layer: int, x, w):
        if not 0 <= layer < len(crossbars):
            raise ValueError(f"layer must be in [0, {len(crossbars) - 1}], got {layer}")
        xbar = crossbars[layer]
        if np.shape(w) != xbar.shape:
            raise ValueError(f"layer {layer}: weights of shape {np.shape(w)} do not match "
                             f"the crossbar's {xbar.shape}")
        return xbar.vmm(x, **kwargs)

    return matmul


@dataclass(frozen=True)
class DigitalEnergy:
    """Energy of one digital vector–matrix product (J): arithmetic and weight reads."""

    compute_j: float
    weights_j: float
    total_j: float
    macs: int
    j_per_mac: float


def digital_vmm_energy(n_inputs, n_outputs, number="int8", weight_level="sram_8kb",
                       batch=1) -> DigitalEnergy:
    """Energy of one vector–matrix product on a digital processor (per input vector).

    Every weight is fetched once per batch from ``weight_level`` and every product is
    a multiply–accumulate at ``number`` precision (45 nm figures).

    Parameters
    ----------
    n_inputs, n_outputs : int
        Matrix shape, >= 1.
    number : {"int8", "int32", "fp16", "fp32"}
        Operand format (sets MAC energy and bytes per weight).
    weight_level : str
        Memory level the weights come from (see :func:`memory_levels`).
    batch : int
        Input vectors sharing one fetch of the weights, >= 1.

    Examples
    --------
    >>> e = digital_vmm_energy(64, 64, "int8", "sram_8kb")
    >>> round(e.compute_j / 1e-12), round(e.weights_j / 1e-12)
    (942, 5120)

    References
    ----------
    :cite:p:`horowitz2014`, :cite:p:`han2016eie`.
    """
    rows = validate.integer("n_inputs", n_inputs, minimum=1)
    cols = validate.integer("n_outputs", n_outputs, minimum=1)
    b = validate.integer("batch", batch, minimum=1)
    number = validate.one_of("number", number, list(_MAC_KINDS))
    weight_level = validate.one_of("weight_level", weight_level, memory_levels())
    macs = rows * cols
    compute = macs * mac_energy(number)
    weights = float(movement_energy(macs * _MAC_KINDS[number][1] / 8.0, weight_level)) / b
    total = compute + weights
    return DigitalEnergy(compute, weights, total, macs, total / macs)


def analog_accuracy(net, *, levels=None, sigma=0.0, on_off_ratio=None, g_min=1e-6, g_max=1e-4,
                    adc_bits=None, dac_bits=None, read_noise=0.0, drift_time_s=None, nu=0.05,
                    nu_sigma=0.0, seeds=(0,)) -> float:
    """Test accuracy of a :class:`energylab.workloads.DigitsMLP` run on crossbars.

    Every layer is programmed on its own crossbar (:func:`crossbar_network`), optionally
    aged by ``drift_time_s`` seconds, and the network is evaluated with
    :func:`energylab.workloads.accuracy` through :func:`crossbar_matmul`. The result is
    the mean over ``seeds`` (each seed programs, drifts and reads the chip anew).

    Parameters
    ----------
    net : energylab.workloads.DigitsMLP
        The trained network.
    levels, sigma, on_off_ratio, g_min, g_max
        Device settings of :class:`Crossbar`.
    adc_bits, dac_bits, read_noise
        Read settings of :meth:`Crossbar.vmm`.
    drift_time_s : float, optional
        Age of the devices (s, >= 1); None means freshly programmed.
    nu, nu_sigma : float
        Drift exponent and its device-to-device spread (:meth:`Crossbar.drift`).
    seeds : sequence of int
        Seeds to average over (at least one).

    Returns
    -------
    float
        Mean test accuracy in [0, 1].

    Examples
    --------
    >>> from energylab import workloads
    >>> net = workloads.digits_mlp()
    >>> analog_accuracy(net) == net.test_accuracy      # ideal devices: nothing lost
    True
    """
    from . import workloads

    if not isinstance(net, workloads.DigitsMLP):
        raise ValueError(f"net must be a workloads.DigitsMLP, got {type(net).__name__}")
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (list, tuple, range, np.ndarray)):
        raise ValueError(f"seeds must be a sequence of int, got {type(seeds).__name__}")
    seeds = [validate.integer("seeds", s, minimum=0) for s in seeds]
    if drift_time_s is not None:
        drift_time_s = validate.scalar("drift_time_s", validate.in_range("drift_time_s", drift_time_s, 1.0, np.inf))
    nu = validate.scalar("nu", validate.in_range("nu", nu, 0.0, 1.0))
    nu_sigma = validate.scalar("nu_sigma", validate.nonnegative("nu_sigma", nu_sigma))
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got ()")
    accs = []
    for seed in seeds:
        gen = np.random.default_rng(seed)
        xbars = crossbar_network(net.weights, rng=gen, levels=levels, sigma=sigma,
                                 on_off_ratio=on_off_ratio, g_min=g_min, g_max=g_max)
        if drift_time_s is not None:
            xbars = [x.drift(drift_time_s, nu, nu_sigma=nu_sigma, rng=gen) for x in xbars]
        mm = crossbar_matmul(xbars, adc_bits=adc_bits, dac_bits=dac_bits,
                             read_noise=read_noise, rng=gen)
        accs.append(workloads.accuracy(net, matmul=mm))
    return float(np.mean(accs))


@dataclass(frozen=True)
class NetworkEnergy:
    """Energy of one inference of a network, analog crossbars vs a digital processor (J).

    Attributes
    ----------
    array_j, dac_j, adc_j, analog_j : float
        Analog parts summed over layers, and their total.
    digital_compute_j, digital_weights_j, digital_j : float
        Digital MACs, weight reads, and their total.
    macs : int
        Multiply–accumulates of one inference.
    """

    array_j: float
    dac_j: float
    adc_j: float
    analog_j: float
    digital_compute_j: float
    digital_weights_j: float
    digital_j: float
    macs: int


def network_energy(weights: Sequence, adc_bits=8, dac_bits=8, number="int8",
                     weight_level="sram_8kb", batch=1, **crossbar_energy_kwargs) -> NetworkEnergy:
    """Energy of one inference through every layer, analog (per :meth:`Crossbar.energy`,
    all rows at full read voltage) and digital (per :func:`digital_vmm_energy`).

    Examples
    --------
    >>> e = network_energy([np.ones((64, 64)), np.ones((64, 10))])
    >>> e.macs, e.analog_j < e.digital_j
    (4736, True)
    """
    if not isinstance(weights, (list, tuple)) or not weights:
        raise ValueError(f"weights must be a non-empty list of weight matrices, got {weights!r}")
    parts = [Crossbar(w).energy(adc_bits=adc_bits, dac_bits=dac_bits, **crossbar_energy_kwargs)
             for w in weights]
    digital = [digital_vmm_energy(*np.shape(w), number=number, weight_level=weight_level, batch=batch)
               for w in weights]
    array_j = sum(p.array_j for p in parts)
    dac_j = sum(p.dac_j for p in parts)
    adc_j = sum(p.adc_j for p in parts)
    dc = sum(d.compute_j for d in digital)
    dw = sum(d.weights_j for d in digital)
    return NetworkEnergy(array_j, dac_j, adc_j, array_j + dac_j + adc_j, dc, dw, dc + dw,
                           sum(p.macs for p in parts))
