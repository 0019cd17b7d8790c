"""Cooling and water: heat removal, the thermal model and throttling, PUE, WUE, carbon.

Every watt a chip draws ends up as heat, and three chains of reasoning follow it out of
the building:

* **heat removal** — a coolant stream carries away ``Q = ṁ·c_p·ΔT``; water's volumetric
  heat capacity is about 3,600 times that of air :cite:p:`incropera2007`;
* **junction to coolant** — a thermal resistance sets the steady junction temperature,
  ``T_j = T_coolant + P·R_th``, and a lumped capacitance sets how fast it gets there,
  ``C_th·dT/dt = P(f) − (T − T_ambient)/R_th``. A throttling controller lowers the clock
  (with the DVFS power law of :func:`energylab.circuits.dvfs_power`) to keep ``T ≤ T_max``;
* **the facility** — PUE = facility energy ÷ IT energy :cite:p:`greengrid2012pue`; on-site
  water (WUE) and the water and carbon embedded in the electricity :cite:p:`li2023thirsty`.

>>> from energylab import cooling
>>> flow = cooling.heat_removal_flow(120e3, 10.0, "water")   # a 120 kW rack, 10 K rise
>>> round(flow.volume_m3_per_s * 1000 * 60)                 # litres per minute
173
>>> round(float(cooling.pue(1.0, 0.3, 0.08, 0.02)), 2)
1.4
"""

from __future__ import annotations

import functools

from dataclasses import dataclass

import numpy as np

from . import circuits, validate
from .constants import J_PER_KWH, ZERO_CELSIUS_K

__all__ = [
    "typical_range",
    "facility_energy_estimate",
    "water_use_estimate",
    "carbon_kg_estimate",
    "Fluid",
    "FLUIDS",
    "Flow",
    "heat_removal_flow",
    "junction_temperature",
    "sustained_frequency",
    "ThrottleResult",
    "simulate_throttling",
    "simulate_throttling_loop",
    "pue",
    "pue_from_shares",
    "overhead_share",
    "facility_energy",
    "WaterUse",
    "water_use",
    "latent_heat_water",
    "evaporative_water_per_kwh",
    "carbon_kg",
    "energy_reuse_factor",
]


# --------------------------------------------------------------------------- fluids
@dataclass(frozen=True)
class Fluid:
    """A coolant's properties at the stated conditions.

    Attributes
    ----------
    name : str
    cp_j_per_kg_k : float
        Specific heat at constant pressure, J/(kg·K).
    density_kg_per_m3 : float
        Density, kg/m³.
    conditions : str
        Temperature and pressure the values belong to.
    source : str
        ``references.bib`` key of the table the values come from.
    """

    name: str
    cp_j_per_kg_k: float
    density_kg_per_m3: float
    conditions: str
    source: str

    @property
    def volumetric_heat_capacity_j_per_m3_k(self) -> float:
        """``ρ·c_p``: heat carried per cubic metre per kelvin of temperature rise."""
        return self.density_kg_per_m3 * self.cp_j_per_kg_k


#: Coolants at 300 K and 1 atm. Air: Incropera et al., Table A.4 (ρ = 1.1614 kg/m³,
#: c_p = 1.007 kJ/(kg·K)); water: saturated liquid, Table A.6 (v_f = 1.003e-3 m³/kg,
#: c_p,f = 4.179 kJ/(kg·K)) :cite:p:`incropera2007`.
FLUIDS: dict[str, Fluid] = {
    "air": Fluid("air", 1007.0, 1.1614, "300 K, 1 atm", "incropera2007"),
    "water": Fluid("water", 4179.0, 1.0 / 1.003e-3, "300 K, saturated liquid", "incropera2007"),
}


def _fluid(fluid) -> Fluid:
    if isinstance(fluid, Fluid):
        return fluid
    return FLUIDS[validate.one_of("fluid", fluid, list(FLUIDS))]


@dataclass(frozen=True)
class Flow:
    """Coolant flow that carries a heat load (SI units).

    Attributes
    ----------
    mass_kg_per_s : float or numpy.ndarray
    volume_m3_per_s : float or numpy.ndarray
    fluid : Fluid
    """

    mass_kg_per_s: float | np.ndarray
    volume_m3_per_s: float | np.ndarray
    fluid: Fluid

    @property
    def volume_l_per_min(self):
        """The volume flow in litres per minute (the unit pumps and chillers quote)."""
        return self.volume_m3_per_s * 1000.0 * 60.0


def heat_removal_flow(power_w, delta_t_k, fluid="water") -> Flow:
    """Mass and volume flow of a coolant that removes ``power_w`` with a rise of ``delta_t_k``.

    From the steady energy balance of the coolant stream, ``Q = ṁ·c_p·ΔT``, so
    ``ṁ = Q / (c_p·ΔT)`` and ``V̇ = ṁ / ρ``.

    Parameters
    ----------
    power_w : float or array
        Heat load in watts, >= 0 (all electrical power ends as heat).
    delta_t_k : float or array
        Temperature rise of the coolant between inlet and outlet, K, > 0.
    fluid : str or Fluid
        ``"air"`` or ``"water"`` (see :data:`FLUIDS`), or a :class:`Fluid`.

    Returns
    -------
    Flow
        ``mass_kg_per_s`` and ``volume_m3_per_s`` (broadcast over the inputs).

    Raises
    ------
    ValueError
        If the power is negative, the rise is not > 0, or the fluid is unknown.

    Examples
    --------
    >>> f = heat_removal_flow(700.0, 10.0, "air")       # one 700 W GPU, 10 K air rise
    >>> round(float(f.volume_m3_per_s), 4)
    0.0599

    References
    ----------
    :cite:p:`incropera2007`, ch. 8 (the mean-temperature energy balance).
    """
    q = validate.nonnegative("power_w", power_w)
    dt = validate.positive("delta_t_k", delta_t_k)
    fl = _fluid(fluid)
    mass = q / (fl.cp_j_per_kg_k * dt)
    return Flow(mass, mass / fl.density_kg_per_m3, fl)


# --------------------------------------------------------------------------- thermal model
def junction_temperature(power_w, r_th_k_per_w, t_coolant_k):
    """Steady junction temperature ``T_j = T_coolant + P·R_th`` (K).

    Parameters
    ----------
    power_w : float or array
        Power dissipated in the chip, W, >= 0.
    r_th_k_per_w : float or array
        Thermal resistance from junction to coolant (or ambient), K/W, > 0.
    t_coolant_k : float or array
        Coolant (inlet air or water) temperature, K, > 0.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> round(float(junction_temperature(700.0, 0.08, 308.15)) - 273.15, 2)   # 35 °C air
    91.0

    References
    ----------
    :cite:p:`incropera2007`, ch. 3 (thermal resistance).
    """
    p = validate.nonnegative("power_w", power_w)
    r = validate.positive("r_th_k_per_w", r_th_k_per_w)
    t = validate.positive("t_coolant_k", t_coolant_k)
    return t + p * r


def _thermal_args(r_th_k_per_w, c_th_j_per_k, t_max_k, t_ambient_k, f_max_hz, p_at_f_max_w,
                  p_static_w, exponent):
    r = validate.scalar("r_th_k_per_w", validate.positive("r_th_k_per_w", r_th_k_per_w))
    c = validate.scalar("c_th_j_per_k", validate.positive("c_th_j_per_k", c_th_j_per_k)) if c_th_j_per_k is not None else None
    t_amb = validate.scalar("t_ambient_k", validate.positive("t_ambient_k", t_ambient_k))
    t_max = validate.scalar("t_max_k", validate.positive("t_max_k", t_max_k))
    validate.less_than(("t_ambient_k", "t_max_k"), t_amb, t_max)
    f_max = validate.scalar("f_max_hz", validate.positive("f_max_hz", f_max_hz))
    p_max = validate.scalar("p_at_f_max_w", validate.positive("p_at_f_max_w", p_at_f_max_w))
    p_st = validate.scalar("p_static_w", validate.nonnegative("p_static_w", p_static_w))
    validate.less_than(("p_static_w", "p_at_f_max_w"), p_st, p_max)
    k = validate.scalar("exponent", validate.in_range("exponent", exponent, 1.0, 4.0))
    if t_amb + p_st * r >= t_max:
        raise ValueError(
            f"t_max_k must exceed t_ambient_k + p_static_w·r_th_k_per_w = {t_amb + p_st * r:g} K "
            f"(leakage alone would overheat the chip), got {t_max:g}")
    return r, c, t_max, t_amb, f_max, p_max, p_st, k


def sustained_frequency(r_th_k_per_w, t_max_k, t_ambient_k, f_max_hz, p_at_f_max_w,
                        p_static_w=0.0, exponent=3, utilisation=1.0):
    """The highest clock a chip can hold forever without exceeding ``t_max_k`` (Hz).

    In steady state all the power leaves through the thermal resistance, so the most the
    chip may draw is ``P_hold = (T_max − T_ambient)/R_th``. With
    ``P(f) = u·P_dyn,max·(f/f_max)^k + P_static`` (the DVFS law of
    :func:`energylab.circuits.dvfs_power`, ``P_dyn,max = p_at_f_max_w − p_static_w``)::

        f_sustained = min(f_max, f_max·((P_hold − P_static)/(u·P_dyn,max))^(1/k))

    Parameters
    ----------
    r_th_k_per_w : float
        Junction-to-ambient thermal resistance, K/W, > 0.
    t_max_k, t_ambient_k : float
        Temperature limit and ambient (coolant) temperature, K; ``t_max_k`` must exceed
        ``t_ambient_k + p_static_w·r_th_k_per_w``.
    f_max_hz : float
        Highest clock, Hz, > 0.
    p_at_f_max_w : float
        Total power at ``f_max_hz`` and full utilisation, W, > ``p_static_w``.
    p_static_w : float
        Clock-independent (leakage) power, W, >= 0.
    exponent : float
        DVFS exponent k in [1, 4] (3 when the voltage tracks the clock).
    utilisation : float or array
        Fraction of the dynamic power the workload switches, in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        Clock in Hz (``f_max_hz`` where the cooler keeps up at full speed).

    Raises
    ------
    ValueError
        If an argument is out of range or the limit is unreachable even at zero clock.

    Examples
    --------
    >>> f = sustained_frequency(0.1, 358.15, 308.15, 2e9, 700.0)   # 500 W allowed of 700 W
    >>> round(float(f) / 1e9, 3)
    1.788

    References
    ----------
    :cite:p:`incropera2007` (thermal resistance); :cite:p:`weste2011` (DVFS power law).
    """
    r, _, t_max, t_amb, f_max, p_max, p_st, k = _thermal_args(
        r_th_k_per_w, None, t_max_k, t_ambient_k, f_max_hz, p_at_f_max_w, p_static_w, exponent)
    u = validate.fraction("utilisation", utilisation)
    p_hold = (t_max - t_amb) / r
    with np.errstate(divide="ignore"):
        ratio = (p_hold - p_st) / (np.asarray(u) * (p_max - p_st))
    f = f_max * np.minimum(ratio, 1.0) ** (1.0 / k)
    return f.item() if np.ndim(f) == 0 else f


@dataclass(frozen=True)
class ThrottleResult:
    """A throttling run. Temperatures are sampled at ``time_s``; the clock and power are
    held constant during each step, from ``time_s[n]`` to ``time_s[n+1]``.

    Attributes
    ----------
    time_s : numpy.ndarray
        Sample times, ``n_steps + 1`` values from 0 to the duration.
    temperature_k : numpy.ndarray
        Junction temperature at each sample time (``n_steps + 1``).
    frequency_hz : numpy.ndarray
        Clock during each step (``n_steps``).
    power_w : numpy.ndarray
        Power during each step (``n_steps``).
    utilisation : numpy.ndarray
        Workload activity during each step (``n_steps``), in [0, 1].
    work_cycles : float
        Useful clock cycles done, ``Σ u·f·dt``.
    peak_work_cycles : float
        Cycles the same workload would do at ``f_max`` with no thermal limit.
    heat_in_j, heat_stored_j, heat_removed_j : float
        Energy balance: electrical energy in, the change of stored heat
        ``C_th·(T_end − T_start)``, and the heat that left through ``R_th`` (integrated
        exactly over each step). ``heat_in_j = heat_stored_j + heat_removed_j``.
    t_max_k, f_max_hz : float
        The limit and peak clock of the run.
    """

    time_s: np.ndarray
    temperature_k: np.ndarray
    frequency_hz: np.ndarray
    power_w: np.ndarray
    utilisation: np.ndarray
    work_cycles: float
    peak_work_cycles: float
    heat_in_j: float
    heat_stored_j: float
    heat_removed_j: float
    t_max_k: float
    f_max_hz: float

    @property
    def step_start_s(self) -> np.ndarray:
        """Start time of each step (the x values for ``frequency_hz`` and ``power_w``)."""
        return self.time_s[:-1]

    @property
    def sustained_fraction(self) -> float:
        """Work done as a fraction of the unthrottled work (1 = never throttled)."""
        return self.work_cycles / self.peak_work_cycles if self.peak_work_cycles > 0 else 1.0

    @property
    def throttled_time_fraction(self) -> float:
        """Fraction of the steps run below the peak clock."""
        return float(np.mean(self.frequency_hz < self.f_max_hz * (1 - 1e-9)))

    @property
    def time_to_throttle_s(self) -> float:
        """Start of the first throttled step, or NaN if the run never throttled."""
        hit = np.flatnonzero(self.frequency_hz < self.f_max_hz * (1 - 1e-9))
        return float(self.time_s[hit[0]]) if hit.size else float("nan")


def _utilisation(workload, n: int, dt: float) -> np.ndarray:
    if workload is None:
        return np.ones(n)
    if callable(workload):
        u = np.broadcast_to(np.asarray(workload(np.arange(n) * dt), dtype=float), (n,))
    else:
        u = np.asarray(validate.as_array("workload", workload), dtype=float)
        if u.ndim == 0:
            u = np.full(n, float(u))
        elif u.shape != (n,):
            raise ValueError(f"workload must be a number, a callable of time or an array of "
                             f"n_steps = {n} values, got an array of shape {u.shape}")
    validate.fraction("workload", u)
    return np.ascontiguousarray(u, dtype=float)


def _steps(duration_s, dt_s) -> tuple[int, float]:
    duration = validate.scalar("duration_s", validate.positive("duration_s", duration_s))
    dt = validate.scalar("dt_s", validate.positive("dt_s", dt_s))
    n = int(round(duration / dt))
    if n < 1:
        raise ValueError(f"dt_s must be <= duration_s ({duration:g} s), got {dt:g}")
    if n > 50_000_000:
        raise ValueError(f"duration_s / dt_s must be <= 5e7 steps, got {n}")
    return n, dt


def _min_affine_scan(a: float, b: np.ndarray, cap: float, x0: float,
                     block: int = 128) -> np.ndarray:
    """All states of ``x[n+1] = min(cap, a·x[n] + b[n])``, without a loop over steps.

    Each step is the map ``x ↦ min(C, A·x + B)``; with ``A > 0`` such maps compose into a
    map of the same form (``A = A₂A₁``, ``B = A₂B₁ + B₂``, ``C = min(C₂, A₂C₁ + B₂)``).
    The steps are cut into blocks; a Hillis–Steele prefix scan composes the maps inside
    every block at once (log₂(block) vectorised passes), a short loop carries the state
    from block to block, and one broadcast applies the composed maps. Every step has
    the same ``a``, so a composed map over ``s`` steps has slope ``a**s``.
    """
    n = b.size
    nb = -(-n // block)
    bb = np.zeros(nb * block)
    bb[:n] = b
    bb = bb.reshape(nb, block)
    cc = np.full_like(bb, cap)
    tmp = np.empty_like(bb)
    s = 1
    while s < block:
        a_s = a ** s
        t = tmp[:, s:]
        np.multiply(cc[:, :-s], a_s, out=t)
        t += bb[:, s:]
        np.minimum(cc[:, s:], t, out=cc[:, s:])
        np.multiply(bb[:, :-s], a_s, out=t)
        bb[:, s:] += t
        s *= 2
    a_block = a ** block
    starts = np.empty(nb)
    x = float(x0)
    last_b, last_c = bb[:, -1].tolist(), cc[:, -1].tolist()
    for j in range(nb):
        starts[j] = x
        x = min(last_c[j], a_block * x + last_b[j])
    slopes = np.exp(np.log(a) * np.arange(1, block + 1))
    np.multiply(slopes[None, :], starts[:, None], out=tmp)
    tmp += bb
    np.minimum(cc, tmp, out=tmp)
    out = np.empty(n + 1)
    out[0] = x0
    out[1:] = tmp.reshape(-1)[:n]
    return out


def simulate_throttling(duration_s, dt_s, r_th_k_per_w, c_th_j_per_k, t_max_k, t_ambient_k,
                        f_max_hz, p_at_f_max_w, p_static_w=0.0, exponent=3, workload=None,
                        t_start_k=None) -> ThrottleResult:
    """Simulate a chip whose clock is throttled to keep its temperature at or below ``t_max_k``.

    The lumped thermal model is ``C_th·dT/dt = P(f) − (T − T_ambient)/R_th`` with
    ``P(f) = u·dvfs_power(f) + P_static`` (:func:`energylab.circuits.dvfs_power` with
    ``f_ref = f_max`` and dynamic power ``p_at_f_max_w − p_static_w`` there). Power is
    constant during a step, so each step is integrated exactly::

        T[n+1] = T∞ + (T[n] − T∞)·a,   a = exp(−dt/τ),  τ = R_th·C_th,  T∞ = T_amb + P·R_th

    The controller is ideal: it runs at ``f_max`` while that keeps ``T ≤ T_max`` at the
    end of the step, and otherwise picks the clock whose power lands the step exactly on
    ``T_max``. The resulting recursion ``T[n+1] = min(T_max, a·T[n] + b[n])`` is solved for
    all steps at once with a vectorised prefix scan (no Python loop over steps);
    :func:`simulate_throttling_loop` is the step-by-step reference.

    A time simulation of one chip: every argument but ``workload`` is a single number,
    validated as a scalar by name (an array raises a ValueError naming it); call the
    function once per setting to compare several.

    Parameters
    ----------
    duration_s, dt_s : float
        Length of the run and step, s, > 0 (``round(duration_s/dt_s)`` steps, at most 5e7).
    r_th_k_per_w : float
        Junction-to-ambient thermal resistance, K/W, > 0.
    c_th_j_per_k : float
        Heat capacity of the chip and its heat sink, J/K, > 0.
    t_max_k, t_ambient_k : float
        Temperature limit and ambient (coolant) temperature, K, with
        ``t_max_k > t_ambient_k + p_static_w·r_th_k_per_w``.
    f_max_hz : float
        Peak clock, Hz.
    p_at_f_max_w : float
        Total power at ``f_max_hz`` when fully busy, W, > ``p_static_w``.
    p_static_w : float
        Leakage power, W, >= 0, drawn whatever the clock.
    exponent : float
        DVFS exponent k in [1, 4].
    workload : None, float, array or callable
        Utilisation u in [0, 1] of each step: None (always busy), a constant, an array of
        ``n_steps`` values, or a function of the step start times.
    t_start_k : float, optional
        Starting temperature (default ``t_ambient_k``), in ``(0, t_max_k]``.

    Returns
    -------
    ThrottleResult
        ``time_s``, ``temperature_k``, ``frequency_hz``, ``power_w``, work done and the
        energy balance.

    Raises
    ------
    ValueError
        If an argument is out of range: e.g. ``t_max_k`` at or below ambient, leakage that
        alone exceeds the limit, a workload outside [0, 1] or of the wrong length.

    Examples
    --------
    >>> r = simulate_throttling(60.0, 0.01, r_th_k_per_w=0.1, c_th_j_per_k=100.0,
    ...                         t_max_k=358.15, t_ambient_k=308.15, f_max_hz=2e9,
    ...                         p_at_f_max_w=700.0)
    >>> round(float(r.temperature_k.max()), 2) <= 358.15
    True
    >>> round(float(r.frequency_hz[-1]) / 1e9, 3)     # settles at the sustained clock
    1.788

    References
    ----------
    :cite:p:`incropera2007` (lumped capacitance, ch. 5); :cite:p:`weste2011` (DVFS).
    """
    validate.positive("c_th_j_per_k", c_th_j_per_k)  # required here (None only for the steady state)
    r, c, t_max, t_amb, f_max, p_max, p_st, k = _thermal_args(
        r_th_k_per_w, c_th_j_per_k, t_max_k, t_ambient_k, f_max_hz, p_at_f_max_w, p_static_w,
        exponent)
    n, dt = _steps(duration_s, dt_s)
    t0 = t_amb if t_start_k is None else validate.scalar("t_start_k", validate.in_range(
        "t_start_k", t_start_k, 0.0, t_max, low_inclusive=False))
    u = _utilisation(workload, n, dt)
    p_dyn = p_max - p_st
    oma = float(-np.expm1(-dt / (r * c)))  # 1 − a, exact even when dt ≪ R·C
    a = 1.0 - oma
    # unthrottled power and the free update of every step
    p_free = u * circuits.dvfs_power(f_max, f_max, p_dyn, 0.0, k) + p_st
    b = oma * (t_amb + p_free * r)
    temp = _min_affine_scan(a, b, t_max, t0)
    return _finish(temp, u, a, b, dt, r, c, t_max, t_amb, f_max, p_dyn, p_st, k)


def _finish(temp, u, a, b, dt, r, c, t_max, t_amb, f_max, p_dyn, p_st, k) -> ThrottleResult:
    """Clocks, powers and the energy balance from the temperature trajectory."""
    n = u.size
    oma = float(-np.expm1(-dt / (r * c)))  # 1 − a without cancellation when dt ≪ R·C
    capped = ((a * temp[:-1] + b) > t_max) & (u > 0)
    freq = np.full(n, f_max)
    power = u * circuits.dvfs_power(f_max, f_max, p_dyn, 0.0, k) + p_st   # free steps
    idx = np.flatnonzero(capped)
    if idx.size:
        # power that lands a capped step exactly on t_max, and the clock that draws it
        # t_max − a·T = (t_max − T) + (1 − a)·T, so nothing cancels when a rounds to 1
        p_hold = (((t_max - temp[idx]) + oma * temp[idx]) / oma - t_amb) / r
        ratio = np.clip((p_hold - p_st) / (u[idx] * p_dyn), 0.0, 1.0)
        f_cap = np.maximum(f_max * ratio ** (1.0 / k), np.finfo(float).tiny)
        freq[idx] = f_cap
        power[idx] = u[idx] * circuits.dvfs_power(f_cap, f_max, p_dyn, 0.0, k) + p_st
    tau = r * c
    # exact integral of (T − T_amb)/R over each step, summed over steps:
    # ∫ = [(T∞ − T_amb)·dt + (T[n] − T∞)·τ·(1 − a)] / R with T∞ = T_amb + P·R
    sum_p = float(np.sum(power))
    sum_excess = float(np.sum(temp[:-1] - t_amb))
    removed = sum_p * dt + (sum_excess - r * sum_p) * tau * oma / r
    time = np.arange(n + 1) * dt
    return ThrottleResult(
        time_s=time, temperature_k=temp, frequency_hz=freq, power_w=power, utilisation=u,
        work_cycles=float(np.sum(u * freq) * dt), peak_work_cycles=float(np.sum(u) * f_max * dt),
        heat_in_j=sum_p * dt, heat_stored_j=float(c * (temp[-1] - temp[0])),
        heat_removed_j=removed, t_max_k=t_max, f_max_hz=f_max)


def simulate_throttling_loop(duration_s, dt_s, r_th_k_per_w, c_th_j_per_k, t_max_k, t_ambient_k,
                             f_max_hz, p_at_f_max_w, p_static_w=0.0, exponent=3, workload=None,
                             t_start_k=None) -> ThrottleResult:
    """Step-by-step reference for :func:`simulate_throttling` (a plain Python loop).

    Same model, same controller, same arguments and result; slow (one Python iteration
    per step). It exists so tests and the benchmark can check the vectorised scan.

    Examples
    --------
    >>> kw = dict(duration_s=5.0, dt_s=0.01, r_th_k_per_w=0.1, c_th_j_per_k=20.0,
    ...           t_max_k=358.15, t_ambient_k=308.15, f_max_hz=2e9, p_at_f_max_w=700.0)
    >>> import numpy as np
    >>> bool(np.allclose(simulate_throttling_loop(**kw).temperature_k,
    ...                  simulate_throttling(**kw).temperature_k))
    True
    """
    validate.positive("c_th_j_per_k", c_th_j_per_k)  # required here (None only for the steady state)
    r, c, t_max, t_amb, f_max, p_max, p_st, k = _thermal_args(
        r_th_k_per_w, c_th_j_per_k, t_max_k, t_ambient_k, f_max_hz, p_at_f_max_w, p_static_w,
        exponent)
    n, dt = _steps(duration_s, dt_s)
    t0 = t_amb if t_start_k is None else validate.scalar("t_start_k", validate.in_range(
        "t_start_k", t_start_k, 0.0, t_max, low_inclusive=False))
    u = _utilisation(workload, n, dt)
    p_dyn = p_max - p_st
    oma = float(-np.expm1(-dt / (r * c)))
    a = 1.0 - oma
    temp = np.empty(n + 1)
    temp[0] = t0
    b = np.empty(n)
    for i in range(n):
        p = u[i] * p_dyn + p_st
        b[i] = oma * (t_amb + p * r)
        temp[i + 1] = min(t_max, a * temp[i] + b[i])
    return _finish(temp, u, a, b, dt, r, c, t_max, t_amb, f_max, p_dyn, p_st, k)


# --------------------------------------------------------------------------- facility
def pue(it_energy, cooling_energy, power_losses, other=0.0):
    """Power usage effectiveness, ``(IT + cooling + power losses + other) / IT``.

    PUE >= 1 by construction; 1 would mean every joule reaches the IT equipment. Any
    energy unit (or power, for an instantaneous PUE) will do, as long as all four agree.

    Parameters
    ----------
    it_energy : float or array
        Energy delivered to IT equipment, > 0.
    cooling_energy : float or array
        Chillers, fans, pumps, cooling towers, >= 0.
    power_losses : float or array
        Transformers, UPS and distribution losses, >= 0.
    other : float or array
        Lighting, offices, security, >= 0.

    Raises
    ------
    ValueError
        If the IT energy is not > 0 or an overhead is negative.

    Examples
    --------
    >>> float(pue(100.0, 40.0, 12.0, 4.0))
    1.56

    References
    ----------
    :cite:p:`greengrid2012pue`.
    """
    it = validate.positive("it_energy", it_energy)
    cool = validate.nonnegative("cooling_energy", cooling_energy)
    loss = validate.nonnegative("power_losses", power_losses)
    oth = validate.nonnegative("other", other)
    return (it + cool + loss + oth) / it


def pue_from_shares(cooling_share, other_share=0.0):
    """PUE implied by the share of *facility* energy spent on cooling (and on other overhead).

    IT gets what is left, ``1 − cooling_share − other_share``, and PUE is the inverse of
    the IT share: "60% of the power goes to cooling" means PUE ≥ 1/0.4 = 2.5.

    Parameters
    ----------
    cooling_share, other_share : float or array
        Fractions of total facility energy, each in [0, 1), summing to < 1.

    Raises
    ------
    ValueError
        If a share is outside [0, 1) or the shares leave nothing for IT.

    Examples
    --------
    >>> float(pue_from_shares(0.6))
    2.5

    References
    ----------
    :cite:p:`greengrid2012pue`.
    """
    s = validate.in_range("cooling_share", cooling_share, 0.0, 1.0, high_inclusive=False)
    o = validate.in_range("other_share", other_share, 0.0, 1.0, high_inclusive=False)
    total = np.asarray(s) + np.asarray(o)
    if np.any(total >= 1.0):
        raise ValueError(f"cooling_share + other_share must be < 1 (IT needs some energy), "
                         f"got {float(np.max(total)):g}")
    out = 1.0 / (1.0 - total)
    return out.item() if out.ndim == 0 else out


def overhead_share(pue_value):
    """Share of facility energy that does not reach IT, ``1 − 1/PUE``.

    Examples
    --------
    >>> round(float(overhead_share(1.56)), 3)
    0.359

    Raises
    ------
    ValueError
        If PUE < 1.

    References
    ----------
    :cite:p:`greengrid2012pue`.
    """
    p = validate.pue("pue_value", pue_value)
    return 1.0 - 1.0 / p


def facility_energy(it_energy, pue):
    """Total facility energy, ``IT energy × PUE`` (same unit as ``it_energy``).

    Raises
    ------
    ValueError
        If the IT energy is negative or PUE < 1.

    Examples
    --------
    >>> float(facility_energy(1000.0, 1.1))
    1100.0

    References
    ----------
    :cite:p:`greengrid2012pue`.
    """
    it = validate.nonnegative("it_energy", it_energy)
    p = validate.pue("pue", pue)
    return it * p


@dataclass(frozen=True)
class WaterUse:
    """Operational water of a computing job, litres.

    Attributes
    ----------
    onsite_l : float or numpy.ndarray
        Evaporated in the data centre's own cooling (IT energy × WUE).
    offsite_l : float or numpy.ndarray
        Consumed to generate its electricity (IT energy × PUE × EWIF).
    total_l : float or numpy.ndarray
    """

    onsite_l: float | np.ndarray
    offsite_l: float | np.ndarray
    total_l: float | np.ndarray


def water_use(it_energy_kwh, wue_onsite_l_per_kwh, pue, ewif_l_per_kwh) -> WaterUse:
    """On-site, off-site and total operational water: ``E_IT × (WUE + PUE × EWIF)``.

    On-site water follows the IT energy (WUE is defined per kWh of IT energy); off-site
    water follows every kWh the facility buys, hence the PUE.

    Parameters
    ----------
    it_energy_kwh : float or array
        IT energy, kWh, >= 0.
    wue_onsite_l_per_kwh : float or array
        On-site water usage effectiveness, L per IT kWh, >= 0.
    pue : float or array
        Power usage effectiveness, >= 1.
    ewif_l_per_kwh : float or array
        Electricity water intensity factor of the grid, L per kWh generated, >= 0.

    Returns
    -------
    WaterUse

    Raises
    ------
    ValueError
        If an argument is negative or PUE < 1.

    Examples
    --------
    >>> w = water_use(1000.0, 0.55, 1.17, 3.14)   # Li et al.'s US-average assumptions
    >>> round(float(w.onsite_l)), round(float(w.offsite_l)), round(float(w.total_l))
    (550, 3674, 4224)

    References
    ----------
    :cite:p:`li2023thirsty`.
    """
    e = validate.nonnegative("it_energy_kwh", it_energy_kwh)
    wue = validate.nonnegative("wue_onsite_l_per_kwh", wue_onsite_l_per_kwh)
    p = validate.pue("pue", pue)
    ewif = validate.nonnegative("ewif_l_per_kwh", ewif_l_per_kwh)
    onsite = e * wue
    offsite = e * p * ewif
    return WaterUse(onsite, offsite, onsite + offsite)


#: Saturated water from IAPWS-95 (as tabulated by the NIST Chemistry WebBook):
#: temperature (°C), latent heat of vaporisation h_fg (kJ/kg), liquid density (kg/m³)
#: :cite:p:`wagner2002iapws,nist_webbook`.
WATER_SATURATION_C = np.array([0.01, 10.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0,
                               90.0, 100.0])
WATER_HFG_KJ_PER_KG = np.array([2500.9, 2477.2, 2453.5, 2441.7, 2429.8, 2406.0, 2382.0,
                                2357.7, 2333.0, 2308.0, 2282.5, 2256.4])
WATER_DENSITY_KG_PER_M3 = np.array([999.79, 999.70, 998.21, 997.05, 995.65, 992.22, 988.03,
                                    983.20, 977.76, 971.79, 965.31, 958.35])


def _water_t(t_k):
    lo = ZERO_CELSIUS_K + WATER_SATURATION_C[0]
    hi = ZERO_CELSIUS_K + WATER_SATURATION_C[-1]
    return validate.in_range("t_k", t_k, lo, hi)


def latent_heat_water(t_k=303.15):
    """Latent heat of vaporisation of water at ``t_k`` (J/kg), interpolated from IAPWS-95.

    Parameters
    ----------
    t_k : float or array
        Temperature, K, in [273.16, 373.15].

    Raises
    ------
    ValueError
        Outside the tabulated range.

    Examples
    --------
    >>> round(latent_heat_water(373.15) / 1e6, 3)    # the textbook 2.26 MJ/kg is at 100 °C
    2.256

    References
    ----------
    :cite:p:`wagner2002iapws,nist_webbook`.
    """
    t = _water_t(t_k)
    h = np.interp(np.asarray(t) - ZERO_CELSIUS_K, WATER_SATURATION_C, WATER_HFG_KJ_PER_KG) * 1e3
    return h.item() if np.ndim(h) == 0 else h


def evaporative_water_per_kwh(t_k=303.15):
    """Litres of water evaporated per kWh of heat rejected wholly by evaporation.

    ``J_PER_KWH / h_fg(T)`` kilograms, turned into litres with the density of liquid water
    at ``t_k``. Real cooling towers also reject some heat as sensible heat (less water) and
    lose water to drift and blowdown (more withdrawal); this is the evaporative yardstick.

    Parameters
    ----------
    t_k : float or array
        Temperature at which the water evaporates, K, in [273.16, 373.15] (default 30 °C).

    Returns
    -------
    float or numpy.ndarray
        Litres per kWh.

    Raises
    ------
    ValueError
        Outside the tabulated range.

    Examples
    --------
    >>> round(float(evaporative_water_per_kwh()), 3)
    1.488

    References
    ----------
    :cite:p:`wagner2002iapws,nist_webbook`.
    """
    t = _water_t(t_k)
    kg = J_PER_KWH / latent_heat_water(t)
    rho = np.interp(np.asarray(t) - ZERO_CELSIUS_K, WATER_SATURATION_C, WATER_DENSITY_KG_PER_M3)
    litres = kg / rho * 1000.0
    return litres.item() if np.ndim(litres) == 0 else litres


def carbon_kg(energy_kwh, intensity_kg_per_kwh):
    """Operational carbon, ``energy × grid carbon intensity`` (kg CO₂e).

    Use the facility energy (IT × PUE): the grid supplies every kWh, not just the IT share.

    Raises
    ------
    ValueError
        If the energy or the intensity is negative.

    Examples
    --------
    >>> round(float(carbon_kg(1287e3, 0.429)) / 1e3)   # GPT-3, Patterson et al.: ≈552 t
    552

    References
    ----------
    :cite:p:`patterson2021`.
    """
    e = validate.nonnegative("energy_kwh", energy_kwh)
    i = validate.nonnegative("intensity_kg_per_kwh", intensity_kg_per_kwh)
    return e * i


def energy_reuse_factor(reused_energy, facility_energy_total):
    """Energy reuse factor ERF = reused energy ÷ total facility energy, in [0, 1].

    Heat sent to a district-heating network counts as reused; the Green Grid's ERE is
    ``(1 − ERF)·PUE``.

    Raises
    ------
    ValueError
        If an energy is negative, the facility energy is 0, or more is reused than used.

    Examples
    --------
    >>> float(energy_reuse_factor(30.0, 120.0))
    0.25

    References
    ----------
    :cite:p:`greengrid2010ere`.
    """
    reused = validate.nonnegative("reused_energy", reused_energy)
    total = validate.positive("facility_energy_total", facility_energy_total)
    validate.less_than(("reused_energy", "facility_energy_total"), reused, total, or_equal=True)
    return reused / total


# ---------------------------------------------------------------------------------------
# The same arithmetic with uncertain inputs (energylab.estimate.Estimate): new functions
# that wrap the ones above through estimate.propagate, so there is one formula for each.
# ---------------------------------------------------------------------------------------

#: Which dataset rows give the low, central and high end of each uncertain facility input:
#: name -> (dataset, value column, ((row label column, label, year) for low, central, high)).
_TYPICAL = {
    "pue": ("datacenter_efficiency", "pue", "operator_or_region",
            (("Meta fleet", 2023), ("Global average (Uptime survey)", 2024),
             ("Global average (Uptime survey)", 2023))),
    "wue_onsite_l_per_kwh": ("datacenter_efficiency", "wue_l_per_kwh", "operator_or_region",
                             (("AWS", 2023), ("US average (Li et al. assumptions)", 2023),
                              ("Industry average (on-site WUE)", 2016))),
    "intensity_kg_per_kwh": ("grid_intensity", "intensity_g_per_kwh", "region",
                             (("United States", 2023), ("World", 2022), ("China", 2022))),
}


def typical_range(name: str):
    """A facility input as an :class:`~energylab.estimate.Estimate` read from the datasets.

    Each end is one dataset row, and the estimate's ``sources`` name the ``references.bib``
    key of each row (low, central, high in that order):

    * ``"pue"``: Meta's 2023 fleet (1.08), Uptime's 2024 survey average (1.56), Uptime's
      2023 average (1.58);
    * ``"wue_onsite_l_per_kwh"``: AWS 2023 (0.18), Li et al.'s US average (0.55), the
      industry-average estimate of Shehabi et al. (1.8) L per IT kWh;
    * ``"intensity_kg_per_kwh"``: US grid 2023 (0.367), world 2022 (0.436), China 2022
      (0.570) kg per kWh. The rows count CO₂ from generation, not lifecycle CO₂e; the
      ``basis`` column of ``grid_intensity`` says so for each.

    Parameters
    ----------
    name : str
        One of ``"pue"``, ``"wue_onsite_l_per_kwh"``, ``"intensity_kg_per_kwh"``.

    Returns
    -------
    Estimate

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the known names).

    Examples
    --------
    >>> typical_range("pue")
    Estimate(1.08 ≤ 1.56 ≤ 1.58)
    """
    return _typical_range(validate.one_of("name", name, list(_TYPICAL)))


@functools.cache
def _typical_range(name: str):
    """:func:`typical_range`, read once per process (an ``Estimate`` is immutable; the
    footprint explorer asks for all three on every redraw)."""
    from . import datasets
    from .estimate import Estimate

    table, column, label, picks = _TYPICAL[name]
    df = datasets.load(table).set_index([label, "year"])
    scale = 1e-3 if column == "intensity_g_per_kwh" else 1.0
    values, sources = [], []
    for key in picks:
        values.append(float(df.loc[key, column]) * scale)
        sources.append(str(df.loc[key, "source"]))
    unit = {"pue": "", "wue_onsite_l_per_kwh": "L/kWh", "intensity_kg_per_kwh": "kg/kWh"}[name]
    return Estimate(values[0], values[1], values[2], unit, tuple(dict.fromkeys(sources)))


def facility_energy_estimate(it_energy, pue):
    """:func:`facility_energy` with uncertain inputs: an :class:`~energylab.estimate.Estimate`.

    Either argument may be an ``Estimate`` (e.g. ``typical_range("pue")``) or a number;
    the result's low and high ends are exact (the model is monotone in each input).

    Examples
    --------
    >>> from energylab.estimate import Estimate
    >>> facility_energy_estimate(1000.0, Estimate(1.1, 1.2, 1.5)).format(digits=4)
    '1,200 [1,100 – 1,500]'
    """
    from .estimate import propagate

    return propagate(facility_energy, it_energy=it_energy, pue=pue)


def water_use_estimate(it_energy_kwh, wue_onsite_l_per_kwh, pue, ewif_l_per_kwh) -> dict:
    """:func:`water_use` with uncertain inputs: on-site, off-site and total litres.

    Returns
    -------
    dict
        ``{"onsite_l": Estimate, "offsite_l": Estimate, "total_l": Estimate}`` (unit L).

    Examples
    --------
    >>> from energylab.estimate import Estimate
    >>> w = water_use_estimate(1000.0, Estimate(0.18, 0.55, 1.8), 1.17, 3.14)
    >>> round(w["onsite_l"].low), round(w["onsite_l"].high), round(w["total_l"].central)
    (180, 1800, 4224)
    """
    from .estimate import propagate

    args = dict(it_energy_kwh=it_energy_kwh, wue_onsite_l_per_kwh=wue_onsite_l_per_kwh, pue=pue,
                ewif_l_per_kwh=ewif_l_per_kwh)
    return {part: propagate(lambda **kw: getattr(water_use(**kw), part), unit="L", **args)
            for part in ("onsite_l", "offsite_l", "total_l")}


def carbon_kg_estimate(energy_kwh, intensity_kg_per_kwh):
    """:func:`carbon_kg` with uncertain inputs (kg CO₂ or CO₂e, as the intensity counts).

    Examples
    --------
    >>> round(carbon_kg_estimate(1287e3, typical_range("intensity_kg_per_kwh")).high / 1e3)
    734
    """
    from .estimate import propagate

    return propagate(carbon_kg, unit="kg", energy_kwh=energy_kwh,
                     intensity_kg_per_kwh=intensity_kg_per_kwh)
