"""The thermodynamics of computing: the Landauer limit, Joule heating, heat density.

Three ideas, each a few lines of physics :cite:p:`landauer1961,bennett1982`:

* erasing one bit of information in surroundings at temperature T dissipates at least
  ``k_B·T·ln 2`` of heat (Landauer's principle), confirmed in experiments
  :cite:p:`berut2012,jun2014`;
* real hardware dissipates many orders of magnitude more, as Joule heat ``P = I²·R``
  in the resistance that charges and discharges every transistor's capacitance;
* all of that power leaves the chip as heat through its area: a heat flux in W/m².

>>> from energylab import thermo
>>> round(float(thermo.landauer_energy(300.0)) * 1e21, 3)   # zeptojoules
2.871
"""

from __future__ import annotations

import numpy as np

from . import constants, validate

__all__ = [
    "landauer_energy",
    "landauer_gap",
    "joule_heating",
    "power_density",
    "blackbody_flux",
    "years_to_close",
    "gpu_energy_table",
    "energy_ladder",
    "heat_flux_references",
    "DEFAULT_GPUS",
]

#: The four NVIDIA data-centre GPU generations chapter 2 compares.
DEFAULT_GPUS = ("V100", "A100", "H100", "B200")


def landauer_energy(temperature_k, bits=1):
    """Minimum heat dissipated by erasing ``bits`` bits at ``temperature_k``: ``bits·k_B·T·ln 2`` (J).

    Parameters
    ----------
    temperature_k : float or array
        Temperature of the surroundings that absorb the heat, in kelvin, > 0.
    bits : float or array
        Number of bits erased, >= 0 (a real number: an average per operation may be
        fractional).

    Returns
    -------
    float or numpy.ndarray
        Energy in joules, broadcast over the inputs.

    Raises
    ------
    ValueError
        If a temperature is not > 0 or a bit count is negative or not finite.

    Examples
    --------
    >>> round(float(landauer_energy(300.0)) / 1.602176634e-19, 4)   # in eV
    0.0179
    >>> (landauer_energy([4.0, 77.0, 300.0]) * 1e21).round(3)   # zeptojoules
    array([0.038, 0.737, 2.871])

    References
    ----------
    :cite:p:`landauer1961`; k_B is exact in the 2019 SI :cite:p:`codata2018`.
    """
    t = validate.positive("temperature_k", temperature_k)
    n = validate.nonnegative("bits", bits)
    return n * constants.BOLTZMANN_J_PER_K * t * constants.LN2


def landauer_gap(energy_per_op_j, bits_erased, temperature_k=300.0):
    """How many times an operation's energy exceeds the Landauer limit of the bits it erases.

    ``gap = E_op / (bits_erased·k_B·T·ln 2)``. How many bits one operation erases is an
    assumption, not a measurement: it is the parameter to vary.

    Parameters
    ----------
    energy_per_op_j : float or array
        Energy of one operation, in joules, > 0.
    bits_erased : float or array
        Bits irreversibly erased per operation, > 0.
    temperature_k : float or array
        Temperature in kelvin, > 0 (300 K by default).

    Returns
    -------
    float or numpy.ndarray
        The dimensionless ratio (> 1 for any real irreversible device).

    Raises
    ------
    ValueError
        If an argument is not > 0.

    Examples
    --------
    >>> f"{float(landauer_gap(700.0 / 989.4e12, bits_erased=1)):.3g}"   # H100, FP16
    '2.46e+08'

    References
    ----------
    :cite:p:`landauer1961`.
    """
    e = validate.positive("energy_per_op_j", energy_per_op_j)
    n = validate.positive("bits_erased", bits_erased)
    return e / landauer_energy(temperature_k, n)


def joule_heating(current_a, resistance_ohm):
    """Power dissipated as heat by a current through a resistance, ``P = I²·R`` (W).

    Parameters
    ----------
    current_a : float or array
        Current in amperes, finite; its sign (direction) does not matter.
    resistance_ohm : float or array
        Resistance in ohms, >= 0 (0 for a superconductor: no heat).

    Returns
    -------
    float or numpy.ndarray
        Power in watts.

    Raises
    ------
    ValueError
        If a current is not finite or a resistance is negative or not finite.

    Examples
    --------
    >>> joule_heating(2.0, 3.0)
    12.0

    References
    ----------
    Joule's first law; in CMOS the resistance is that of the transistor channels and
    wires that charge and discharge each node :cite:p:`weste2011`.
    """
    i = validate.finite("current_a", current_a)
    r = validate.nonnegative("resistance_ohm", resistance_ohm)
    return i * i * r


def power_density(power_w, area_m2):
    """Heat flux through an area: ``power_w / area_m2`` in W/m².

    Divide by 1e4 for W/cm², the unit chip designers quote.

    Parameters
    ----------
    power_w : float or array
        Power in watts, >= 0.
    area_m2 : float or array
        Area in square metres, > 0.

    Returns
    -------
    float or numpy.ndarray
        Power density in W/m².

    Raises
    ------
    ValueError
        If a power is negative or an area is not > 0.

    Examples
    --------
    >>> round(float(power_density(700.0, 814e-6)) / 1e4, 1)   # H100 TDP over its die, W/cm²
    86.0

    References
    ----------
    The comparison of chip heat flux with a hot plate and the Sun is from
    :cite:p:`pollack1999`.
    """
    p = validate.nonnegative("power_w", power_w)
    a = validate.positive("area_m2", area_m2)
    return p / a


def blackbody_flux(temperature_k):
    """Power radiated per unit area by a black body, ``σ·T⁴`` (W/m²).

    Parameters
    ----------
    temperature_k : float or array
        Surface temperature in kelvin, > 0.

    Returns
    -------
    float or numpy.ndarray
        Heat flux in W/m².

    Raises
    ------
    ValueError
        If a temperature is not > 0.

    Examples
    --------
    >>> round(float(blackbody_flux(5772.0)) / 1e4)   # the Sun's surface, W/cm²
    6294

    References
    ----------
    Stefan–Boltzmann law, σ from :cite:p:`codata2018`; the Sun's effective temperature
    5772 K :cite:p:`prsa2016`.
    """
    t = validate.positive("temperature_k", temperature_k)
    return constants.STEFAN_BOLTZMANN_W_PER_M2_K4 * t**4


def years_to_close(gap, doubling_years=constants.KOOMEY_DOUBLING_YEARS):
    """Years of exponential efficiency gains needed to shrink ``gap`` to 1.

    If energy per operation halves every ``doubling_years`` (Koomey's law), closing a
    factor ``gap`` takes ``doubling_years·log2(gap)`` years.

    Parameters
    ----------
    gap : float or array
        Factor still to gain, >= 1 (a device at the limit has nothing left to close).
    doubling_years : float or array
        Years per doubling of operations per joule, > 0. Defaults to 1.57 years
        :cite:p:`koomey2011`; about 2.6 after 2000 :cite:p:`koomey2016`.

    Returns
    -------
    float or numpy.ndarray
        Years.

    Raises
    ------
    ValueError
        If ``gap`` < 1 or ``doubling_years`` is not > 0.

    Examples
    --------
    >>> round(float(years_to_close(1024.0, doubling_years=2.0)), 6)   # ten doublings
    20.0

    References
    ----------
    :cite:p:`koomey2011,koomey2016`.
    """
    g = validate.in_range("gap", gap, 1.0, np.inf)
    d = validate.positive("doubling_years", doubling_years)
    return d * np.log2(g)


def gpu_energy_table(chips=DEFAULT_GPUS, precision="fp16", bits_erased=16.0,
                     temperature_k=300.0):
    """Energy per operation of GPUs at TDP and dense peak, and its gap to the Landauer limit.

    One row per chip: ``bits_erased`` and ``temperature_k`` are single numbers, validated
    as scalars by name (for a grid of them use :func:`landauer_gap`, which broadcasts).

    Parameters
    ----------
    chips : sequence of str
        Chip names as accepted by :func:`energylab.datasets.chip`.
    precision : str
        A precision of :data:`energylab.datasets.PRECISION_COLUMNS` (dense peak).
    bits_erased : float
        Bits erased per operation (the assumption behind the gap), > 0.
    temperature_k : float
        Temperature in kelvin, > 0.

    Returns
    -------
    pandas.DataFrame
        One row per chip: ``name``, ``year``, ``tdp_w``, ``ops_per_s``,
        ``energy_per_op_j`` (TDP ÷ dense peak, via :func:`energylab.circuits.joules_per_op`)
        and ``gap`` (via :func:`landauer_gap`).

    Raises
    ------
    ValueError
        For an unknown chip or precision, a chip without a figure at that precision,
        or a non-positive ``bits_erased`` or ``temperature_k``.

    Examples
    --------
    >>> t = gpu_energy_table(bits_erased=1)
    >>> list(t["name"].str.split().str[1])
    ['Tesla', 'A100', 'H100', 'B200']
    >>> bool(t["energy_per_op_j"].is_monotonic_decreasing)
    True

    References
    ----------
    Chip figures :cite:p:`epoch2025hardware`; limit :cite:p:`landauer1961`.
    """
    import pandas as pd

    from . import circuits, datasets

    # One row per chip: the bits and the temperature are single numbers (a table, not a grid).
    bits_erased = validate.scalar("bits_erased", validate.positive("bits_erased", bits_erased))
    temperature_k = validate.scalar("temperature_k", validate.positive("temperature_k", temperature_k))
    chips = [chips] if isinstance(chips, str) else validate.names("chips", chips)
    if not chips:
        raise ValueError("chips must name at least one chip, got an empty list")
    rows = []
    for name in chips:
        row = datasets.chip(name, param="chips")
        rows.append({"name": row["name"], "year": int(row["year"]), "tdp_w": float(row["tdp_w"]),
                     "ops_per_s": datasets.peak_flops(name, precision)})
    table = pd.DataFrame(rows)
    table["energy_per_op_j"] = circuits.joules_per_op(table["tdp_w"].to_numpy(),
                                                      table["ops_per_s"].to_numpy())
    table["gap"] = landauer_gap(table["energy_per_op_j"].to_numpy(), bits_erased, temperature_k)
    return table


def energy_ladder(temperature_k=300.0, bits_erased=1.0, capacitance_f=1e-15, voltage_v=0.75,
                  chip="H100"):
    """The rungs from the Landauer limit up to a DRAM access, each with its source.

    One ladder: every numeric argument is a single number, validated as a scalar by name
    (the functions behind the rungs, :func:`landauer_energy` and
    :func:`energylab.circuits.switching_energy`, broadcast).

    Parameters
    ----------
    temperature_k : float
        Temperature for the Landauer rung, in kelvin, > 0.
    bits_erased : float
        Bits erased for the Landauer rung, > 0.
    capacitance_f, voltage_v : float
        A single node's switched capacitance (F) and supply voltage (V) for the
        ``C·V²`` rung (one full charge–discharge cycle), each > 0.
    chip : str
        The GPU whose TDP ÷ dense FP16 peak gives the "one FLOP on a GPU" rung.

    Returns
    -------
    pandas.DataFrame
        Columns ``rung``, ``energy_j``, ``source`` (a references.bib key or a formula)
        and ``gap`` (energy ÷ the Landauer rung), sorted by energy.

    Raises
    ------
    ValueError
        If an argument is out of range or the chip is unknown.

    Examples
    --------
    >>> ladder = energy_ladder()
    >>> float(ladder["gap"].iloc[0])
    1.0
    >>> ladder["rung"].iloc[-1]
    'DRAM read, 64 bit (45 nm)'

    References
    ----------
    :cite:p:`landauer1961,horowitz2014,weste2011,epoch2025hardware`.
    """
    import pandas as pd

    from . import circuits, datasets

    # A table of single rungs: every argument is one number (validated as such, by name).
    temperature_k = validate.scalar("temperature_k", validate.positive("temperature_k", temperature_k))
    bits_erased = validate.scalar("bits_erased", validate.positive("bits_erased", bits_erased))
    capacitance_f = validate.scalar("capacitance_f", validate.positive("capacitance_f", capacitance_f))
    v = validate.scalar("voltage_v", validate.positive("voltage_v", voltage_v))
    e_landauer = landauer_energy(temperature_k, bits_erased)
    e_node = 2.0 * circuits.switching_energy(capacitance_f, v)  # C·V² per full cycle
    ops = datasets.load("energy_per_op").set_index(["operation", "number_kind", "bits"])
    mem = datasets.load("memory_energy").set_index("level")
    gpu = gpu_energy_table([chip], bits_erased=bits_erased, temperature_k=temperature_k).iloc[0]
    short = gpu["name"].replace("NVIDIA ", "").replace("Tesla ", "").split()[0]
    # Labels carry 3 significant digits: slider values such as 0.30000000000000004 fF
    # must not print as long decimals.
    bits_label = (f"{bits_erased:,.0f}" if bits_erased >= 100 else f"{bits_erased:.3g}") \
        + (" bit" if bits_erased == 1 else " bits")
    rungs = [
        (f"Landauer: {bits_label} at {temperature_k:.3g} K", e_landauer, "landauer1961"),
        (f"charge and discharge {capacitance_f * 1e15:.2g} fF at {v:.2g} V", e_node, "weste2011"),
        ("8-bit integer add (45 nm)", ops.loc[("add", "int", 8), "energy_j"], "horowitz2014"),
        (f"one FP16 FLOP on an {short} (TDP ÷ peak)", gpu["energy_per_op_j"], "epoch2025hardware"),
        ("16-bit float multiply (45 nm)", ops.loc[("mul", "fp", 16), "energy_j"], "horowitz2014"),
        ("32-bit float multiply (45 nm)", ops.loc[("mul", "fp", 32), "energy_j"], "horowitz2014"),
        ("SRAM read, 64 bit, 8 KB (45 nm)", mem.loc["sram_8kb", "energy_j"], "horowitz2014"),
        ("DRAM read, 64 bit (45 nm)", mem.loc["dram_45nm", "energy_j"], "horowitz2014"),
    ]
    ladder = pd.DataFrame(rungs, columns=["rung", "energy_j", "source"])
    ladder["energy_j"] = ladder["energy_j"].astype(float)
    ladder["gap"] = ladder["energy_j"] / float(e_landauer)
    return ladder.sort_values("energy_j", kind="stable").reset_index(drop=True)


#: An everyday heat flux: a 1.5 kW electric hob ring 18 cm across (an illustrative example;
#: Pollack's 1999 chart put a hot plate near 10 W/cm²).
HOT_PLATE_POWER_W = 1500.0
HOT_PLATE_DIAMETER_M = 0.18


def heat_flux_references():
    """Everyday and extreme heat fluxes to compare a chip with (W/m²).

    Returns
    -------
    pandas.DataFrame
        Columns ``reference``, ``flux_w_per_m2`` and ``source``: a kitchen hot plate
        (:data:`HOT_PLATE_POWER_W` over a disc of :data:`HOT_PLATE_DIAMETER_M`) and the
        surface of the Sun (σ·T⁴ at 5772 K).

    Examples
    --------
    >>> refs = heat_flux_references().set_index("reference")
    >>> round(float(refs["flux_w_per_m2"].iloc[0]) / 1e4, 1)   # W/cm²
    5.9

    References
    ----------
    :cite:p:`pollack1999,prsa2016`.
    """
    import pandas as pd

    plate = power_density(HOT_PLATE_POWER_W, np.pi * (HOT_PLATE_DIAMETER_M / 2) ** 2)
    sun = blackbody_flux(constants.SUN_EFFECTIVE_TEMPERATURE_K)
    return pd.DataFrame({
        "reference": ["kitchen hot plate (1.5 kW, 18 cm)", "surface of the Sun (5772 K)"],
        "flux_w_per_m2": [float(plate), float(sun)],
        "source": ["pollack1999", "prsa2016"],
    })
