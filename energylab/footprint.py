"""The whole bill of an AI job: energy, carbon and water of training and inference.

Two ways to estimate the energy of a training run, and one for inference:

* **top-down** (what the operator metered): ``E = chips × hours × P_avg × PUE``
  :cite:p:`patterson2021`;
* **bottom-up** (from the arithmetic): ``E = C / (R_peak × MFU) × P_chip × overhead × PUE``,
  with ``C ≈ 6·N·D`` training FLOP :cite:p:`kaplan2020`;
* **inference**: ``2·N_active`` FLOP per token :cite:p:`kaplan2020`, so a query of ``T``
  tokens takes ``2·N_active·T / (R_peak × u)`` seconds of a chip drawing ``P_chip``
  :cite:p:`you2025chatgpt`.

:class:`Footprint` turns IT energy into facility energy, carbon and water with chapter 6's
:func:`energylab.cooling.facility_energy`, :func:`~energylab.cooling.carbon_kg` and
:func:`~energylab.cooling.water_use` (one home for that arithmetic), and adds embodied
emissions in outline. :func:`sensitivity` swings each input of any model over a range and
ranks the inputs by how far they move the answer (a tornado chart's data).

>>> from energylab import footprint
>>> e = footprint.training_energy(10_000, 14.8 * 24, 330.0, pue=1.1)   # GPT-3
>>> round(e / 3.6e9)                                                      # MWh
1289
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from . import datasets, validate
from .constants import J_PER_KWH, J_PER_MWH, SECONDS_PER_HOUR

__all__ = [
    "GPT3",
    "LI2023_WATER_ROW",
    "li2023_water_factors",
    "SITES",
    "site",
    "training_energy_estimate",
    "training_energy_from_flops_estimate",
    "inference_energy_estimate",
    "fleet_energy_estimate",
    "footprint_estimate",
    "training_energy",
    "training_chip_hours",
    "training_energy_from_flops",
    "inference_flops",
    "inference_energy",
    "fleet_energy",
    "Footprint",
    "sensitivity",
    "equivalents",
    "US_HOUSEHOLD_KWH_PER_YEAR",
    "US_PERSON_KWH_PER_YEAR",
    "EV_KWH_PER_MILE",
    "GOOGLE_SEARCH_WH",
]

#: Average electricity of a US household, 10,715 kWh per year (2020) :cite:p:`eia2021household`.
US_HOUSEHOLD_KWH_PER_YEAR = 10_715.0
#: US electricity use per person, ≈ 12.2 MWh per year (4.07 PWh in 2022 ÷ 333 million
#: people) :cite:p:`eia2023electricityuse`.
US_PERSON_KWH_PER_YEAR = 4.07e12 / 333e6
#: Electricity of a battery-electric car, ≈ 0.25 kWh per mile (EPA ratings of common EVs
#: span about 0.25–0.30) :cite:p:`epa_fueleconomy`.
EV_KWH_PER_MILE = 0.25
#: Google's 2009 figure for one web search, 0.3 Wh :cite:p:`google2009search`.
GOOGLE_SEARCH_WH = 0.3


#: GPT-3's inputs as Patterson et al. 2021 report them (Table 4) :cite:p:`patterson2021`
#: (last verified 2025-06): the one definition the chapters, widgets and checks import.
GPT3 = {"parameters": 175e9, "tokens": 300e9, "flops": 3.14e23, "chips": 10_000, "days": 14.8,
        "chip": "V100", "power_per_chip_w": 330.0, "pue": 1.1, "intensity_kg_per_kwh": 0.429,
        "measured_flop_per_s": 24.6e12}

#: The row of the ``datacenter_efficiency`` dataset holding Li et al.'s water factors for
#: US data centres (on-site WUE 0.55 L/kWh, off-site EWIF 3.14 L/kWh) :cite:p:`li2023thirsty`.
LI2023_WATER_ROW = "US average (Li et al. assumptions)"

#: Sites of the footprint calculator: label -> (``grid_intensity`` region, year).
SITES = {
    "GPT-3's site (Patterson 2021)": ("GPT-3 training site (Microsoft)", 2020),
    "US grid, 2023": ("United States", 2023),
    "World, 2022": ("World", 2022),
    "China grid, 2022": ("China", 2022),
}


@functools.cache
def _intensities() -> dict:
    g = datasets.load("grid_intensity")
    return {(r.region, int(r.year)): r.intensity_g_per_kwh / 1000.0 for r in g.itertuples()}


@functools.cache
def li2023_water_factors() -> tuple[float, float]:
    """Li et al.'s US-average on-site WUE and off-site EWIF (L/kWh), from the dataset.

    >>> li2023_water_factors()
    (0.55, 3.14)
    """
    d = datasets.load("datacenter_efficiency").set_index("operator_or_region")
    return (float(d.loc[LI2023_WATER_ROW, "wue_l_per_kwh"]),
            float(d.loc[LI2023_WATER_ROW, "ewif_l_per_kwh"]))


def site(label: str) -> dict:
    """Carbon intensity (kg/kWh) and water factors (L/kWh) of one of :data:`SITES`.

    Raises
    ------
    ValueError
        For a label that is not in :data:`SITES` (the message lists them).

    Examples
    --------
    >>> site("US grid, 2023")["wue_onsite_l_per_kwh"]
    0.55
    >>> site("Mars")
    Traceback (most recent call last):
    ...
    ValueError: label must be one of "GPT-3's site (Patterson 2021)", 'US grid, 2023', 'World, 2022', 'China grid, 2022', got 'Mars'
    """
    key = SITES[validate.one_of("label", label, list(SITES))]
    wue, ewif = li2023_water_factors()
    return {"intensity_kg_per_kwh": _intensities()[key], "wue_onsite_l_per_kwh": wue,
            "ewif_l_per_kwh": ewif}


def _chip_figures(chip: str, precision: str):
    """Dense peak (FLOP/s) and TDP (W) of a chip at a precision, through ``datasets``."""
    peak = datasets.peak_flops(chip, precision)
    tdp = float(datasets.chip(chip)["tdp_w"])
    return peak, tdp


def training_energy(chips, hours, power_per_chip_w, pue=1.0):
    """Top-down energy of a job: ``chips × hours × average power per chip × PUE`` (J).

    This is how Patterson et al. estimated GPT-3: count the accelerators, the wall-clock
    time and the *measured average* system power per accelerator (chip plus its share of
    the host), then multiply by the data centre's PUE :cite:p:`patterson2021`.

    Parameters
    ----------
    chips : float or array
        Number of accelerators (or servers, with ``power_per_chip_w`` per server), > 0.
    hours : float or array
        Wall-clock duration, hours, > 0.
    power_per_chip_w : float or array
        Average power per accelerator including its share of the server, W, > 0.
    pue : float or array
        Power usage effectiveness of the facility, >= 1 (1 = IT energy only).

    Returns
    -------
    float or numpy.ndarray
        Facility energy in joules (IT energy when ``pue = 1``).

    Raises
    ------
    ValueError
        If a count, duration or power is not > 0, or PUE < 1.

    Examples
    --------
    >>> e = training_energy(10_000, 355.2, 330.0, pue=1.1)   # GPT-3's inputs
    >>> round(e / 3.6e9)                                       # MWh (paper: 1,287)
    1289

    References
    ----------
    :cite:p:`patterson2021`.
    """
    n = validate.positive("chips", chips)
    h = validate.positive("hours", hours)
    p = validate.positive("power_per_chip_w", power_per_chip_w)
    pue = validate.pue("pue", pue)
    return n * h * SECONDS_PER_HOUR * p * pue


def training_chip_hours(flops, chip, precision, mfu):
    """Accelerator-hours a job of ``flops`` takes at a model FLOPs utilisation ``mfu``.

    ``hours = C / (R_peak × MFU) / 3600`` with ``R_peak`` the chip's dense peak at
    ``precision`` from the ``chips`` dataset.

    Examples
    --------
    >>> round(training_chip_hours(3.14e23, "V100", "fp16", 0.1968) / 1e6, 2)   # GPT-3: 3.55 M GPU-h
    3.55

    References
    ----------
    :cite:p:`patterson2021`, :cite:p:`epoch2025hardware`.
    """
    c = validate.positive("flops", flops)
    u = validate.fraction("mfu", mfu, allow_zero=False)
    peak, _ = _chip_figures(chip, precision)
    return c / (peak * u) / SECONDS_PER_HOUR


def training_energy_from_flops(flops, chip, precision, mfu, pue=1.0, server_overhead=1.0,
                               power_per_chip_w=None):
    """Bottom-up energy of a training run from its arithmetic (J).

    ``E = C / (R_peak × MFU) × P_chip × server_overhead × PUE``: the chip-seconds the
    FLOPs need at the achieved utilisation, times the power each chip draws (its TDP
    unless ``power_per_chip_w`` is given), times the host's overhead (CPUs, memory,
    network, fans; about 1.1–1.5) and the facility's PUE.

    Parameters
    ----------
    flops : float or array
        Training compute C, FLOP, > 0 (``scaling.training_flops(N, D)`` gives 6·N·D).
    chip : str
        A chip of the ``chips`` dataset, e.g. ``"V100"`` or ``"H100"``.
    precision : str
        ``"fp16"``, ``"bf16"``, ``"fp8"``, ``"tf32"``, ``"fp32"``, ... (dense peak).
    mfu : float or array
        Model FLOPs utilisation, the achieved share of the dense peak, in (0, 1].
    pue : float or array
        Power usage effectiveness, >= 1.
    server_overhead : float or array
        Server power ÷ accelerator power, >= 1.
    power_per_chip_w : float or array, optional
        Average accelerator power, W, > 0; defaults to the chip's TDP (an upper bound for
        the chip itself: real jobs often average 60–90 % of it).

    Returns
    -------
    float or numpy.ndarray
        Energy in joules.

    Raises
    ------
    ValueError
        If an argument is out of range, or the chip or precision is unknown.

    Examples
    --------
    GPT-3 on V100s at the 24.6 TFLOPS per GPU that Patterson et al. measured
    (MFU = 24.6/125), with 330 W per GPU and PUE 1.1:

    >>> e = training_energy_from_flops(3.14e23, "V100", "fp16", 24.6 / 125, pue=1.1,
    ...                                power_per_chip_w=330.0)
    >>> round(e / 3.6e9)
    1287

    References
    ----------
    :cite:p:`patterson2021`, :cite:p:`kaplan2020`.
    """
    hours = training_chip_hours(flops, chip, precision, mfu)
    _, tdp = _chip_figures(chip, precision)
    p = tdp if power_per_chip_w is None else validate.positive("power_per_chip_w", power_per_chip_w)
    k = validate.in_range("server_overhead", server_overhead, 1.0, 10.0)
    pue = validate.pue("pue", pue)
    return hours * SECONDS_PER_HOUR * p * k * pue


def inference_flops(tokens, active_parameters):
    """Forward-pass FLOP of ``tokens`` tokens, ``2 × N_active × tokens``.

    One multiply and one add per active parameter per token :cite:p:`kaplan2020`. For a
    mixture-of-experts model use the *active* parameters (chapter 3).

    Examples
    --------
    >>> inference_flops(500, 100e9)   # Epoch's GPT-4o query
    100000000000000.0
    """
    t = validate.positive("tokens", tokens)
    n = validate.positive("active_parameters", active_parameters)
    return 2.0 * n * t


def inference_energy(tokens, active_parameters, chip, precision, utilisation, pue=1.0, batch=1,
                     power_per_chip_w=None, server_overhead=1.0):
    """Energy of one query (or one request of ``tokens`` tokens), bottom-up (J).

    ``E = 2·N_active·T / (R_peak × u_eff) × P_chip × server_overhead × PUE``, with the
    effective utilisation ``u_eff = min(batch × utilisation, 1)``: ``utilisation`` is the
    share of the peak one stream achieves, and decoding a batch of B streams reads each
    weight once for all of them, so until the chip becomes compute-bound the batch
    multiplies the useful work done per joule (the memory-bound regime of chapter 5).
    With ``batch = 1``, ``utilisation`` is simply the fleet's average utilisation, as in
    Epoch AI's estimate :cite:p:`you2025chatgpt`.

    Parameters
    ----------
    tokens : float or array
        Tokens processed per query, > 0.
    active_parameters : float or array
        Parameters used per token, > 0.
    chip : str
        A chip of the ``chips`` dataset.
    precision : str
        Precision of the arithmetic (dense peak).
    utilisation : float or array
        Achieved share of the peak per stream, in (0, 1].
    pue : float or array
        Power usage effectiveness, >= 1.
    batch : int
        Streams decoded together, >= 1.
    power_per_chip_w : float or array, optional
        Average power per chip (W, > 0); defaults to the chip's TDP.
    server_overhead : float or array
        Server power ÷ chip power, >= 1.

    Returns
    -------
    float or numpy.ndarray
        Joules per query.

    Raises
    ------
    ValueError
        If an argument is out of range, or the chip or precision is unknown.

    Examples
    --------
    Epoch AI's GPT-4o baseline: 100 B active parameters, 500 tokens, H100 at 10 %
    utilisation, 1,275 W per GPU (a DGX H100's 10.2 kW ÷ 8) at 70 % load, PUE 1.2:

    >>> e = inference_energy(500, 100e9, "H100", "bf16", 0.10, pue=1.2,
    ...                      power_per_chip_w=0.7 * 1275)
    >>> round(e / 3600, 2)   # Wh
    0.3

    References
    ----------
    :cite:p:`you2025chatgpt`, :cite:p:`kaplan2020`.
    """
    flops = inference_flops(tokens, active_parameters)
    u = validate.utilisation("utilisation", utilisation)
    b = validate.integer("batch", batch, minimum=1)
    peak, tdp = _chip_figures(chip, precision)
    p = tdp if power_per_chip_w is None else validate.positive("power_per_chip_w", power_per_chip_w)
    k = validate.in_range("server_overhead", server_overhead, 1.0, 10.0)
    pue = validate.pue("pue", pue)
    u_eff = np.minimum(b * np.asarray(u, dtype=float), 1.0)
    out = flops / (peak * u_eff) * p * k * pue
    return out.item() if np.ndim(out) == 0 else out


def fleet_energy(queries_per_day, energy_per_query_j, days=1.0):
    """Energy of a service: ``queries per day × energy per query × days`` (J).

    Linear in usage: inference energy grows exponentially only if usage does.

    Examples
    --------
    >>> round(fleet_energy(195e6, 2.9 * 3600) / 3.6e9)   # de Vries's ChatGPT: MWh per day
    566
    """
    q = validate.nonnegative("queries_per_day", queries_per_day)
    e = validate.nonnegative("energy_per_query_j", energy_per_query_j)
    d = validate.nonnegative("days", days)
    return q * e * d


def equivalents(energy_j) -> dict:
    """Everyday yardsticks for an energy: US household-years, person-days, EV miles, searches.

    Examples
    --------
    >>> round(equivalents(1287 * 3.6e9)["US household-years"])   # GPT-3 ≈ 120 households
    120
    """
    e = validate.nonnegative("energy_j", energy_j)
    kwh = e / J_PER_KWH
    return {
        "US household-years": kwh / US_HOUSEHOLD_KWH_PER_YEAR,
        "US person-days": kwh / (US_PERSON_KWH_PER_YEAR / 365.25),
        "EV miles": kwh / EV_KWH_PER_MILE,
        "2009 Google searches": kwh * 1000.0 / GOOGLE_SEARCH_WH,
    }


@dataclass(frozen=True)
class Footprint:
    """Energy, carbon and water of one job, with its breakdown.

    One job: every input is a single number, validated as a scalar by name (an array
    raises a ValueError naming the parameter). For many jobs at once use the functions
    that broadcast: :func:`training_energy`, :func:`energylab.cooling.facility_energy`,
    :func:`energylab.cooling.carbon_kg`, :func:`energylab.cooling.water_use`.

    Parameters
    ----------
    it_energy_j : float
        Energy drawn by the IT equipment (chips, servers, network), J, >= 0.
    pue : float
        Power usage effectiveness of the facility, >= 1.
    intensity_kg_per_kwh : float
        Carbon intensity of the electricity, kg CO₂e per kWh, >= 0.
    wue_onsite_l_per_kwh : float
        On-site water usage effectiveness, L per IT kWh, >= 0.
    ewif_l_per_kwh : float
        Water consumed to generate a kWh of the grid's electricity, L/kWh, >= 0.
    embodied_kg : float
        Embodied emissions of the hardware attributed to this job (manufacturing,
        transport), kg CO₂e, >= 0. An outline figure: amortise the hardware's footprint
        over its service life and charge the job its share of that time.
    label : str
        A name for tables and plots.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> fp = Footprint(1287e6 * 3.6e3 / 1.1, pue=1.1, intensity_kg_per_kwh=0.429)
    >>> round(fp.facility_energy_j / 3.6e9), round(fp.carbon_kg / 1e3)
    (1287, 552)

    References
    ----------
    :cite:p:`patterson2021`, :cite:p:`li2023thirsty`.
    """

    it_energy_j: float
    pue: float = 1.0
    intensity_kg_per_kwh: float = 0.0
    wue_onsite_l_per_kwh: float = 0.0
    ewif_l_per_kwh: float = 0.0
    embodied_kg: float = 0.0
    label: str = ""

    def __post_init__(self):
        for name, fn in (("it_energy_j", validate.nonnegative),
                         ("intensity_kg_per_kwh", validate.nonnegative),
                         ("wue_onsite_l_per_kwh", validate.nonnegative),
                         ("ewif_l_per_kwh", validate.nonnegative),
                         ("embodied_kg", validate.nonnegative)):
            object.__setattr__(self, name, validate.scalar(name, fn(name, getattr(self, name))))
        object.__setattr__(self, "pue", validate.scalar("pue", validate.pue("pue", self.pue)))
        validate.text("label", self.label)

    # ------------------------------------------------------------ energy
    @property
    def facility_energy_j(self) -> float:
        """IT energy × PUE (J)."""
        from . import cooling

        return float(cooling.facility_energy(self.it_energy_j, self.pue))

    @property
    def overhead_energy_j(self) -> float:
        """Cooling, power conversion and the rest of the building (J)."""
        return self.facility_energy_j - self.it_energy_j

    # ------------------------------------------------------------ carbon
    @property
    def operational_carbon_kg(self) -> float:
        """Facility energy × grid carbon intensity (kg CO₂e)."""
        from . import cooling

        return float(cooling.carbon_kg(self.facility_energy_j / J_PER_KWH, self.intensity_kg_per_kwh))

    @property
    def carbon_kg(self) -> float:
        """Operational plus embodied emissions (kg CO₂e)."""
        return self.operational_carbon_kg + self.embodied_kg

    # ------------------------------------------------------------ water
    def _water(self):
        from . import cooling

        return cooling.water_use(self.it_energy_j / J_PER_KWH, self.wue_onsite_l_per_kwh,
                                 self.pue, self.ewif_l_per_kwh)

    @property
    def water_onsite_l(self) -> float:
        """Water evaporated by the data centre's own cooling (L)."""
        return float(self._water().onsite_l)

    @property
    def water_offsite_l(self) -> float:
        """Water consumed by the power stations that made the electricity (L)."""
        return float(self._water().offsite_l)

    @property
    def water_l(self) -> float:
        """On-site plus off-site operational water (L)."""
        return float(self._water().total_l)

    # ------------------------------------------------------------ views
    def table(self):
        """The breakdown as a DataFrame: quantity, part, value and unit (MWh, t, m³)."""
        import pandas as pd

        rows = [
            ("energy", "IT equipment", self.it_energy_j / J_PER_MWH, "MWh"),
            ("energy", "facility overhead (PUE)", self.overhead_energy_j / J_PER_MWH, "MWh"),
            ("energy", "total", self.facility_energy_j / J_PER_MWH, "MWh"),
            ("carbon", "operational", self.operational_carbon_kg / 1e3, "t CO2e"),
            ("carbon", "embodied (outline)", self.embodied_kg / 1e3, "t CO2e"),
            ("carbon", "total", self.carbon_kg / 1e3, "t CO2e"),
            ("water", "on-site (cooling)", self.water_onsite_l / 1e3, "m3"),
            ("water", "off-site (electricity)", self.water_offsite_l / 1e3, "m3"),
            ("water", "total", self.water_l / 1e3, "m3"),
        ]
        return pd.DataFrame(rows, columns=["quantity", "part", "value", "unit"])


def sensitivity(fn: Callable, baseline: Mapping, ranges: Mapping):
    """Swing each input of ``fn`` over its range, others at baseline (a tornado's data).

    Parameters
    ----------
    fn : callable
        ``fn(**inputs)`` returns a finite number.
    baseline : mapping
        Keyword arguments of ``fn`` at their central values.
    ranges : mapping
        For some of those keywords, a plausible ``(low, high)`` pair.

    Returns
    -------
    pandas.DataFrame
        One row per varied input, largest swing first: ``parameter``, ``low``, ``high``,
        ``value_low``, ``value_high``, ``swing`` (the absolute difference of the two) and
        ``ratio`` (max ÷ min of the two values); ``attrs["baseline_value"]`` holds
        ``fn(**baseline)``.

    Raises
    ------
    ValueError
        If ``ranges`` names an input that is not in ``baseline``, a range is not a pair,
        or ``fn`` does not return a finite number.

    Examples
    --------
    >>> t = sensitivity(lambda a, b: a * b**2, {"a": 1.0, "b": 1.0}, {"a": (0.5, 2), "b": (0.5, 2)})
    >>> list(t["parameter"]), t.attrs["baseline_value"]
    (['b', 'a'], 1.0)
    """
    import pandas as pd

    validate.callable_("fn", fn)
    baseline = validate.mapping("baseline", baseline)
    ranges = validate.mapping("ranges", ranges)
    if not ranges:
        raise ValueError("ranges must name at least one input of baseline")

    def evaluate(**kwargs):
        value = fn(**kwargs)
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"fn must return a number, got {value!r}") from None
        if not np.isfinite(value):
            raise ValueError(f"fn must return a finite number, got {value!r} for {kwargs}")
        return value

    base = evaluate(**baseline)
    rows = []
    for name, pair in ranges.items():
        if name not in baseline:
            raise ValueError(f"ranges names {name!r}, which is not in baseline "
                             f"({', '.join(map(repr, baseline))})")
        if isinstance(pair, str) or np.ndim(pair) != 1 or len(pair) != 2:
            raise ValueError(f"ranges[{name!r}] must be a (low, high) pair, got {pair!r}")
        low, high = pair
        v_low = evaluate(**{**baseline, name: low})
        v_high = evaluate(**{**baseline, name: high})
        lo, hi = min(v_low, v_high), max(v_low, v_high)
        rows.append({"parameter": name, "low": low, "high": high, "value_low": v_low,
                     "value_high": v_high, "swing": hi - lo,
                     "ratio": hi / lo if lo > 0 else np.inf})
    table = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs["baseline_value"] = base
    return table


# ---------------------------------------------------------------------------------------
# Uncertain inputs: the same models, returning an energylab.estimate.Estimate. Each is a
# thin wrapper that runs the single-number function above through estimate.propagate, so
# each formula has one home. Any argument may be an Estimate (take ranges of PUE, WUE and
# grid intensity from cooling.typical_range); numbers are exact inputs. The results' low
# and high ends are exact for these models, which are monotone in every input.
# ---------------------------------------------------------------------------------------

def training_energy_estimate(chips, hours, power_per_chip_w, pue=1.0):
    """:func:`training_energy` with uncertain inputs (J, an ``Estimate``).

    Examples
    --------
    >>> from energylab.estimate import Estimate
    >>> e = training_energy_estimate(10_000, 14.8 * 24, Estimate(300.0, 330.0, 362.0), pue=1.1)
    >>> e.format(scale=3.6e9, unit="MWh", digits=4)
    '1,289 [1,172 – 1,414] MWh'
    """
    from .estimate import propagate

    return propagate(training_energy, unit="J", chips=chips, hours=hours,
                     power_per_chip_w=power_per_chip_w, pue=pue)


def training_energy_from_flops_estimate(flops, chip, precision, mfu, pue=1.0, server_overhead=1.0,
                                        power_per_chip_w=None):
    """:func:`training_energy_from_flops` with uncertain inputs (J, an ``Estimate``).

    Examples
    --------
    >>> from energylab.estimate import Estimate
    >>> e = training_energy_from_flops_estimate(3.14e23, "V100", "fp16", Estimate(0.15, 0.1968, 0.25),
    ...                                         pue=1.1, power_per_chip_w=330.0)
    >>> round(e.low / 3.6e9), round(e.central / 3.6e9), round(e.high / 3.6e9)
    (1013, 1287, 1689)
    """
    from .estimate import propagate

    return propagate(training_energy_from_flops, unit="J", flops=flops, chip=chip,
                     precision=precision, mfu=mfu, pue=pue, server_overhead=server_overhead,
                     power_per_chip_w=power_per_chip_w)


def inference_energy_estimate(tokens, active_parameters, chip, precision, utilisation, pue=1.0,
                              batch=1, power_per_chip_w=None, server_overhead=1.0):
    """Energy of one query with uncertain inputs: :func:`inference_energy` as an ``Estimate`` (J).

    The per-query model of chapter 7 with every uncertain input (tokens, active
    parameters, utilisation, PUE, power per chip, server overhead) given as an
    :class:`~energylab.estimate.Estimate` or a number. ``batch`` must be an exact integer.

    Examples
    --------
    Epoch AI's GPT-4o query with utilisation known only to 5–20 % and PUE to 1.1–1.3:

    >>> from energylab.estimate import Estimate
    >>> e = inference_energy_estimate(500, 100e9, "H100", "bf16", Estimate(0.05, 0.10, 0.20),
    ...                               pue=Estimate(1.1, 1.2, 1.3), power_per_chip_w=0.7 * 1275)
    >>> e.format(scale=3600, unit="Wh", digits=2)
    '0.3 [0.14 – 0.65] Wh'
    """
    from .estimate import propagate

    return propagate(inference_energy, unit="J", tokens=tokens, active_parameters=active_parameters,
                     chip=chip, precision=precision, utilisation=utilisation, pue=pue, batch=batch,
                     power_per_chip_w=power_per_chip_w, server_overhead=server_overhead)


def fleet_energy_estimate(queries_per_day, energy_per_query_j, days=1.0):
    """:func:`fleet_energy` with uncertain inputs (J, an ``Estimate``).

    Examples
    --------
    >>> from energylab.estimate import Estimate
    >>> e = fleet_energy_estimate(195e6, Estimate(0.3, 1.0, 2.9).scaled(3600))
    >>> round(e.low / 3.6e9), round(e.high / 3.6e9)     # MWh per day
    (58, 566)
    """
    from .estimate import propagate

    return propagate(fleet_energy, unit="J", queries_per_day=queries_per_day,
                     energy_per_query_j=energy_per_query_j, days=days)


def footprint_estimate(it_energy_j, pue=1.0, intensity_kg_per_kwh=0.0, wue_onsite_l_per_kwh=0.0,
                       ewif_l_per_kwh=0.0, embodied_kg=0.0) -> dict:
    """A :class:`Footprint` with uncertain inputs: each total as an ``Estimate``.

    Returns
    -------
    dict
        ``facility_energy_j`` (J), ``operational_carbon_kg`` and ``carbon_kg`` (kg),
        ``water_onsite_l``, ``water_offsite_l`` and ``water_l`` (L), each an ``Estimate``.

    Examples
    --------
    >>> from energylab import cooling
    >>> fp = footprint_estimate(1170e3 * 3.6e6, pue=1.1,
    ...                         intensity_kg_per_kwh=cooling.typical_range("intensity_kg_per_kwh"))
    >>> fp["carbon_kg"].format(scale=1e3, unit="t", digits=3)
    '561 [472 – 734] t'
    """
    from .estimate import Estimate, propagate

    args = dict(it_energy_j=it_energy_j, pue=pue, intensity_kg_per_kwh=intensity_kg_per_kwh,
                wue_onsite_l_per_kwh=wue_onsite_l_per_kwh, ewif_l_per_kwh=ewif_l_per_kwh,
                embodied_kg=embodied_kg)
    units = {"facility_energy_j": "J", "operational_carbon_kg": "kg", "carbon_kg": "kg",
             "water_onsite_l": "L", "water_offsite_l": "L", "water_l": "L"}
    def all_totals(**kw):
        # one Footprint per corner of the inputs' box, all six totals at once (each
        # total's range is still its own minimum and maximum over the corners)
        fp = Footprint(**kw)
        return [getattr(fp, name) for name in units]

    totals = propagate(all_totals, **args)
    return {name: Estimate(float(totals.low[i]), float(totals.central[i]), float(totals.high[i]),
                           unit, totals.sources)
            for i, (name, unit) in enumerate(units.items())}
