"""CMOS power: switching energy, dynamic and static power, DVFS.

The model throughout is the textbook one :cite:p:`weste2011`:

* charging a node of capacitance C to V stores ``½·C·V²``; the supply delivers
  ``C·V²`` per charge (half is lost in the pull-up resistance), and the stored half is
  dissipated on discharge, so one full 0→1→0 cycle costs ``C·V²``;
* dynamic power ``P = α·C·V²·f``, with α the activity factor (fraction of the
  capacitance charged per clock cycle);
* under dynamic voltage and frequency scaling (DVFS) the voltage tracks the clock,
  V ∝ f, so dynamic power grows as ``f³`` and energy per operation as ``f²``;
* static (leakage) power flows whenever the chip is on, so running slower stretches
  the time it leaks: energy per task has an optimum clock.

>>> from energylab import circuits
>>> float(circuits.dvfs_power(2e9, f_ref_hz=1e9, p_dynamic_ref_w=10.0))
80.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate

__all__ = [
    "switching_energy",
    "dynamic_power",
    "dvfs_power",
    "energy_per_task",
    "optimal_frequency",
    "ChipPower",
    "chip_power",
    "joules_per_op",
]


def switching_energy(capacitance_f, voltage_v):
    """Energy stored on a capacitance charged to a voltage, ``½·C·V²`` (J).

    This is also the energy dissipated in each transition (0→1 in the pull-up,
    1→0 in the pull-down); a full charge–discharge cycle draws ``C·V²`` from the supply.

    Parameters
    ----------
    capacitance_f : float or array
        Switched capacitance in farads, > 0.
    voltage_v : float or array
        Supply voltage in volts, > 0.

    Returns
    -------
    float or numpy.ndarray
        Energy in joules.

    Raises
    ------
    ValueError
        If a capacitance or voltage is not > 0.

    Examples
    --------
    >>> switching_energy(1e-15, 1.0)   # 1 fF at 1 V
    5e-16

    References
    ----------
    :cite:p:`weste2011`, ch. 5.
    """
    c = validate.positive("capacitance_f", capacitance_f)
    v = validate.positive("voltage_v", voltage_v)
    return 0.5 * c * v**2


def dynamic_power(activity, capacitance_f, voltage_v, frequency_hz):
    """Dynamic (switching) power ``P = α·C·V²·f`` in watts.

    Parameters
    ----------
    activity : float or array
        Activity factor α in [0, 1]: the fraction of ``capacitance_f`` charged per cycle.
    capacitance_f, voltage_v, frequency_hz : float or array
        Total switchable capacitance (F), supply voltage (V) and clock (Hz), each > 0.

    Raises
    ------
    ValueError
        If α is outside [0, 1] or another argument is not > 0.

    Examples
    --------
    >>> round(dynamic_power(0.1, 1e-9, 1.0, 1e9), 6)
    0.1

    References
    ----------
    :cite:p:`weste2011`, ch. 5.
    """
    a = validate.fraction("activity", activity)
    c = validate.positive("capacitance_f", capacitance_f)
    v = validate.positive("voltage_v", voltage_v)
    f = validate.positive("frequency_hz", frequency_hz)
    return a * c * v**2 * f


def _dvfs_args(f_ref_hz, p_dynamic_ref_w, p_static_w, exponent):
    f_ref = validate.positive("f_ref_hz", f_ref_hz)
    p_dyn = validate.positive("p_dynamic_ref_w", p_dynamic_ref_w)
    p_st = validate.nonnegative("p_static_w", p_static_w)
    k = validate.in_range("exponent", exponent, 1.0, 4.0)
    return f_ref, p_dyn, p_st, k


def dvfs_power(frequency_hz, f_ref_hz, p_dynamic_ref_w, p_static_w=0.0, exponent=3):
    """Chip power at a clock under DVFS: ``P_dyn,ref·(f/f_ref)^k + P_static`` (W).

    With V ∝ f, dynamic power ``α·C·V²·f`` scales as ``f³`` (``exponent=3``); a
    fixed voltage gives ``exponent=1``.

    Parameters
    ----------
    frequency_hz : float or array
        Clock, > 0.
    f_ref_hz : float
        Reference clock at which the dynamic power is ``p_dynamic_ref_w``.
    p_dynamic_ref_w : float
        Dynamic power at ``f_ref_hz``, > 0.
    p_static_w : float
        Static (leakage) power, >= 0, independent of the clock.
    exponent : float
        Power-law exponent k in [1, 4].

    Examples
    --------
    >>> float(dvfs_power(0.5e9, 1e9, 80.0, p_static_w=20.0))
    30.0

    References
    ----------
    :cite:p:`weste2011`; V ∝ f over the DVFS range is an approximation.
    """
    f = validate.positive("frequency_hz", frequency_hz)
    f_ref, p_dyn, p_st, k = _dvfs_args(f_ref_hz, p_dynamic_ref_w, p_static_w, exponent)
    return p_dyn * (f / f_ref) ** k + p_st


def energy_per_task(cycles, frequency_hz, f_ref_hz, p_dynamic_ref_w, p_static_w, exponent=3):
    """Energy to run a task of ``cycles`` clock cycles at ``frequency_hz`` (J).

    ``E = P(f)·cycles/f = P_dyn,ref·cycles·f^(k−1)/f_ref^k + P_static·cycles/f``: the
    dynamic part grows with the clock (as f² for k = 3), the static part shrinks.

    Examples
    --------
    >>> float(energy_per_task(1e9, 1e9, 1e9, 80.0, 20.0))   # one second at f_ref
    100.0
    """
    n = validate.positive("cycles", cycles)
    f = validate.positive("frequency_hz", frequency_hz)
    p = dvfs_power(f, f_ref_hz, p_dynamic_ref_w, p_static_w, exponent)
    return p * n / f


def optimal_frequency(cycles, f_ref_hz, p_dynamic_ref_w, p_static_w, exponent=3,
                      f_min_hz=None, f_max_hz=None):
    """Clock that minimises :func:`energy_per_task` (Hz).

    Setting dE/df = 0 gives ``f* = f_ref·(P_static / ((k−1)·P_dyn,ref))^(1/k)``,
    independent of the task length. Slower than f* the chip leaks for too long; faster,
    the dynamic energy per cycle grows. With no static power the optimum is as slow as
    allowed (``f_min_hz``, or 0 without a bound). The result is clipped to
    ``[f_min_hz, f_max_hz]`` when bounds are given.

    Raises
    ------
    ValueError
        If ``exponent`` <= 1 (energy then never increases with the clock), bounds are
        inverted, or another argument is out of range.

    Examples
    --------
    >>> round(float(optimal_frequency(1e9, 1e9, 10.0, 20.0)) / 1e9, 3)   # (20/20)^(1/3)
    1.0
    """
    validate.positive("cycles", cycles)
    f_ref, p_dyn, p_st, k = _dvfs_args(f_ref_hz, p_dynamic_ref_w, p_static_w, exponent)
    if np.any(np.asarray(k) <= 1):
        raise ValueError(f"exponent must be > 1 for an energy optimum to exist, got {exponent}")
    f_opt = f_ref * (p_st / ((k - 1) * p_dyn)) ** (1.0 / k)
    lo = 0.0 if f_min_hz is None else validate.positive("f_min_hz", f_min_hz)
    hi = np.inf if f_max_hz is None else validate.positive("f_max_hz", f_max_hz)
    validate.less_than(("f_min_hz", "f_max_hz"), lo, hi, or_equal=True)
    return np.clip(f_opt, lo, hi)


@dataclass(frozen=True)
class ChipPower:
    """Power of a chip from first principles (W)."""

    dynamic_w: float
    static_w: float
    total_w: float


def chip_power(transistors, activity, capacitance_per_transistor_f, voltage_v, frequency_hz,
               leakage_per_transistor_w=0.0) -> ChipPower:
    """Estimate a chip's power from its transistor count.

    ``dynamic = N·α·C·V²·f`` and ``static = N·I_leak·V`` (given here directly as
    leakage power per transistor).

    Parameters
    ----------
    transistors : float or array
        Number of transistors N, > 0.
    activity : float or array
        Fraction of transistors switching per cycle, in [0, 1].
    capacitance_per_transistor_f : float or array
        Switched capacitance per transistor including its wiring (F), > 0.
    voltage_v, frequency_hz : float or array
        Supply voltage (V) and clock (Hz), > 0.
    leakage_per_transistor_w : float or array
        Static power per transistor (W), >= 0.

    Returns
    -------
    ChipPower

    Examples
    --------
    >>> p = chip_power(1e9, 0.1, 1e-15, 1.0, 1e9, leakage_per_transistor_w=1e-8)
    >>> round(float(p.dynamic_w), 6), round(float(p.static_w), 6), round(float(p.total_w), 6)
    (100.0, 10.0, 110.0)

    References
    ----------
    :cite:p:`weste2011`, ch. 5.
    """
    n = validate.positive("transistors", transistors)
    c = validate.positive("capacitance_per_transistor_f", capacitance_per_transistor_f)
    leak = validate.nonnegative("leakage_per_transistor_w", leakage_per_transistor_w)
    validate.broadcast(transistors=n, activity=activity, capacitance_per_transistor_f=c,
                       voltage_v=voltage_v, frequency_hz=frequency_hz, leakage_per_transistor_w=leak)
    dyn = n * dynamic_power(activity, c, voltage_v, frequency_hz)
    static = n * leak
    return ChipPower(dyn, static, dyn + static)


def joules_per_op(power_w, ops_per_s):
    """Energy per operation of a device running at ``power_w`` and ``ops_per_s`` (J).

    Examples
    --------
    >>> joules_per_op(700.0, 989.4e12) < 1e-12   # H100 at TDP and dense FP16 peak
    True
    """
    p = validate.positive("power_w", power_w)
    r = validate.positive("ops_per_s", ops_per_s)
    return p / r
