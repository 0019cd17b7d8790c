"""Chapter 2 figures and explorers: the energy ladder, GPU gaps, a chip's power and heat flux.

Each ``plot_*`` draws on the axes it is given and returns its figures of merit; each
``*_explorer`` wires sliders to one of them through :class:`~energylab.widgets.base.Explorer`.
"""

from __future__ import annotations

import re

import numpy as np
from matplotlib.ticker import EngFormatter, MaxNLocator, StrMethodFormatter

from .. import circuits, datasets, scaling, thermo
from .base import Explorer, dropdown, log_slider, slider

__all__ = [
    "plot_energy_ladder",
    "energy_ladder_explorer",
    "plot_gpu_gap",
    "gpu_gap_explorer",
    "plot_chip_power",
    "chip_power_explorer",
]

_JOULES = EngFormatter(unit="J", places=0)
_GPU_CHOICES = list(thermo.DEFAULT_GPUS)
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")



def _cite(key: str) -> str:
    """A references.bib key as a reader sees it: 'horowitz2014' -> 'Horowitz 2014'."""
    m = re.fullmatch(r"([a-z_]+?)(\d{4})([a-z_]*)", key)
    if not m:
        return key
    name = {"epoch": "Epoch AI", "weste": "Weste & Harris"}.get(m.group(1), m.group(1).capitalize())
    return f"{name} {m.group(2)}"

def _count(x: float) -> str:
    """A count from a log slider: ``16``, ``2.5``, ``1,000`` (never ``1e+03``)."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def _times_ten(x: float) -> str:
    """``2.5e+08`` as ``2.5×10⁸`` (plain digits below 1000)."""
    if x < 1000:
        return f"{x:.3g}"
    exponent = int(np.floor(np.log10(x)))
    return f"{x / 10**exponent:.1f}×10{str(exponent).translate(_SUPERSCRIPT)}"


def plot_energy_ladder(ax, temperature_k=300.0, bits_erased=1.0, capacitance_ff=1.0,
                       voltage_v=0.75):
    """Horizontal log-scale bars from ``bits_erased·k_B·T·ln 2`` up to a DRAM read.

    Each bar is labelled with how many times the Landauer rung it is and with its
    source (a references.bib key).

    Returns
    -------
    dict
        ``landauer_j`` and ``dram_gap`` (the DRAM read ÷ the Landauer rung).
    """
    ladder = thermo.energy_ladder(temperature_k=temperature_k, bits_erased=bits_erased,
                                  capacitance_f=capacitance_ff * 1e-15, voltage_v=voltage_v)
    y = np.arange(len(ladder))
    colours = ["tab:green" if s == "landauer1961" else
               "tab:orange" if s == "epoch2025hardware" else "tab:blue" for s in ladder["source"]]
    ax.barh(y, ladder["energy_j"], color=colours, height=0.6)
    ax.set_xscale("log")
    ax.set_xlim(1e-23, 1e-6)
    ax.set_yticks(y, ladder["rung"])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_JOULES)
    ax.set_xlabel("energy per event (log scale)")
    ax.grid(axis="y", visible=False)
    for yi, (e, gap, src) in enumerate(zip(ladder["energy_j"], ladder["gap"], ladder["source"])):
        label = "the limit" if yi == 0 else f"{_times_ten(gap)} ×"
        # a bar of ten decades or more holds its label; right of a longer bar, the label
        # would run past the axes (the DRAM rung's reached the figure's edge)
        inside = e >= 1e-13
        ax.text(e / 1.6 if inside else e * 1.6, yi, f"{label}  [{_cite(src)}]", va="center",
                ha="right" if inside else "left", fontsize=8,
                color="white" if inside else "black")
    bits = f"{_count(bits_erased)} bit{'' if bits_erased == 1 else 's'}"
    ax.set_title(f"The energy ladder: {bits} erased at {temperature_k:.3g} K")
    return {"landauer_j": float(ladder["energy_j"].iloc[0]),
            "dram_gap": float(ladder["gap"].iloc[-1])}


def energy_ladder_explorer(**defaults) -> Explorer:
    """Energy ladder with temperature, bits erased and the C·V² node's capacitance and voltage."""
    controls = {
        "temperature_k": slider(300.0, 4.0, 400.0, 1.0, "temperature (K)"),
        "bits_erased": log_slider(1.0, 0.0, 4.0, "bits erased", step=0.05),
        "capacitance_ff": slider(1.0, 0.1, 5.0, 0.1, "node capacitance (fF)"),
        "voltage_v": slider(0.75, 0.3, 1.5, 0.05, "supply voltage (V)"),
    }
    ex = Explorer(plot_energy_ladder, controls, title="From k_B·T·ln 2 to a DRAM access",
                  figsize=(8.0, 4.2),
                  static=dict(temperature_k=[4.0, 77.0, 300.0], bits_erased=[1.0, 10.0, 100.0, 1000.0, 10000.0], voltage_v=[0.3, 0.5, 0.75, 1.0, 1.5]))
    return ex.set(**defaults) if defaults else ex


def plot_gpu_gap(ax, bits_erased=16.0, temperature_k=300.0, doubling_years=1.57):
    """Energy per dense FP16 FLOP (TDP ÷ peak) of four GPU generations, and the Landauer floor.

    Fits an exponential trend through the four chips and reports the gap of the newest
    and how many years of Koomey's-law doublings it represents.

    Returns
    -------
    dict
        ``gap_newest``, ``factor_per_year`` (how much energy per FLOP falls per year in the
        fit), ``koomey_years`` and ``meet_year`` (when the fitted trend reaches the
        Landauer floor; inf if the trend does not fall).
    """
    table = thermo.gpu_energy_table(bits_erased=bits_erased, temperature_k=temperature_k)
    floor = float(thermo.landauer_energy(temperature_k, bits_erased))
    years = table["year"].to_numpy(float)
    e = table["energy_per_op_j"].to_numpy()
    fit = scaling.fit_exponential(years, e)
    factor_per_year = 1.0 / fit.growth_per_year
    ax.semilogy(years, e, "o", color="tab:orange", label="GPU: TDP ÷ dense FP16 peak")
    for yr, ei, name in zip(years, e, table["name"]):
        ax.annotate(name.replace("NVIDIA ", "").replace("Tesla ", "").split()[0], (yr, ei),
                    textcoords="offset points", xytext=(6, 4), fontsize=8)
    # Follow the trend until it meets the floor: the year the fitted exponential reaches
    # the Landauer energy (drawn up to 2300 at most, so a slow trend stays readable).
    meet_year = (float(fit.intercept) - np.log(floor)) / -fit.rate_per_year \
        if fit.rate_per_year < 0 else np.inf
    end = min(max(meet_year, years.max()) + 5, 2300.0)
    span = np.linspace(2016, end, 200)
    ax.semilogy(span, fit(span), "--", color="tab:orange", lw=1,
                label=f"trend: ÷{factor_per_year:.2f} per year")
    if meet_year <= 2300:
        ax.plot([meet_year], [floor], "o", color="tab:green", ms=8, mfc="white", mew=2)
        ax.annotate(f"trend meets the limit\nin {meet_year:.0f}", (meet_year, floor),
                    textcoords="offset points", xytext=(-10, 14), ha="right", fontsize=8)
    ax.axhline(floor, color="tab:green", lw=2,
               label=f"Landauer: {_count(bits_erased)} bit × k_B·{temperature_k:.3g} K·ln 2")
    gap = float(table["gap"].iloc[-1])
    years_left = float(thermo.years_to_close(max(gap, 1.0), doubling_years))
    ax.set_ylim(min(floor, e.min()) / 30, e.max() * 30)
    ax.yaxis.set_major_formatter(_JOULES)
    ax.set_xlabel("year")
    ax.set_ylabel("energy per FLOP")
    ax.set_title(f"B200 is {_times_ten(gap)} × the limit: {years_left:.0f} years of Koomey's law "
                 f"({doubling_years:g}-year doubling)"
                 + (f";\nthe GPUs' own trend (dashed) meets the limit in {meet_year:.0f}"
                    if meet_year <= 2300 else ""), fontsize=10)
    ax.legend(loc="center right")
    return {"gap_newest": gap, "factor_per_year": factor_per_year, "koomey_years": years_left,
            "meet_year": float(meet_year)}


def gpu_gap_explorer(**defaults) -> Explorer:
    """GPU energy per FLOP against the Landauer floor, with bits erased, temperature and doubling time."""
    controls = {
        "bits_erased": log_slider(16.0, 0.0, 4.0, "bits erased per FLOP", step=0.05),
        "temperature_k": slider(300.0, 4.0, 400.0, 1.0, "temperature (K)"),
        "doubling_years": slider(1.57, 1.0, 4.0, 0.01, "Koomey doubling time (years)"),
    }
    ex = Explorer(plot_gpu_gap, controls, title="How far are GPUs from the Landauer limit?",
                  figsize=(7.5, 4.2),
                  static=dict(bits_erased=[1.0, 10.0, 100.0, 1000.0, 10000.0], temperature_k=[4.0, 77.0, 300.0, 400.0], doubling_years=[1.0, 1.57, 2.5]),
                  # its widest labels; and a time axis that ends on a labelled year (2080)
                  layout_states=[dict(bits_erased=1000.0, temperature_k=300.0),
                                 dict(bits_erased=1122.0, temperature_k=330.0)])
    return ex.set(**defaults) if defaults else ex


def plot_chip_power(axes, chip="H100", transistors_billion=80.0, activity=0.015,
                    capacitance_ff=0.5, voltage_v=0.75, clock_ghz=1.83, leakage_nw=1.0):
    """A chip's power from first principles next to a real chip's TDP, and its heat flux.

    Left: stacked dynamic (``N·α·C·V²·f``) and static (``N·P_leak``) power beside the
    chosen chip's TDP. Right: heat flux in W/cm² on a log scale, from a hot plate to the
    Sun's surface, with the estimate and the real chip spread over the chip's die.

    Returns
    -------
    dict
        ``dynamic_w``, ``static_w``, ``total_w``, ``tdp_w`` and ``estimate_w_per_cm2``
        (NaN when the dataset has no die area for the chip).
    """
    ax_p, ax_q = axes
    row = datasets.chip(chip)
    p = circuits.chip_power(transistors_billion * 1e9, activity, capacitance_ff * 1e-15,
                            voltage_v, clock_ghz * 1e9, leakage_nw * 1e-9)
    tdp = float(row["tdp_w"])
    short = row["name"].replace("NVIDIA ", "").replace("Tesla ", "").split()[0]
    kw = 1e-3   # the axis is in kW, with ticks at 1, 2 or 5 times a power of ten: tick
    # labels stay at most 3 characters wide from 0.5 kW to 800 kW (the explorer keeps its
    # first layout, so wider labels would push the axis label off the figure)
    ax_p.bar([0], [p.dynamic_w * kw], color="tab:blue", width=0.6, label="dynamic α·C·V²·f")
    ax_p.bar([0], [p.static_w * kw], bottom=[p.dynamic_w * kw], color="tab:gray", width=0.6,
             label="static (leakage)")
    ax_p.bar([1], [tdp * kw], color="tab:orange", width=0.6, label=f"{short} TDP")
    ax_p.set_xticks([0, 1], ["estimate", f"{short} TDP"])
    ax_p.set_ylabel("power (kW)")
    ax_p.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax_p.yaxis.set_major_formatter(StrMethodFormatter("{x:,.4g}"))
    ax_p.set_ylim(0, max(p.total_w, tdp) * kw * 1.6)
    static_share = p.static_w / p.total_w if p.total_w > 0 else 0.0
    ax_p.text(0, p.total_w * kw, f"{p.total_w:,.0f} W\n({static_share:.0%} static)",
              ha="center", va="bottom")
    ax_p.text(1, tdp * kw, f"{tdp:,.0f} W", ha="center", va="bottom")
    ax_p.legend(loc="upper left", ncols=2, fontsize=8)
    ax_p.set_title(f"estimate ÷ TDP = {p.total_w / tdp:.2f}")

    refs = thermo.heat_flux_references()
    labels = list(refs["reference"])
    fluxes = list(refs["flux_w_per_m2"] / 1e4)
    colours = ["tab:gray"] * len(labels)
    area_mm2 = row["die_area_mm2"]
    if np.isfinite(area_mm2):
        est = float(thermo.power_density(p.total_w, area_mm2 * 1e-6)) / 1e4
        real = float(thermo.power_density(tdp, area_mm2 * 1e-6)) / 1e4
        labels[1:1] = ["estimate over the die", f"{short} TDP over the die"]
        fluxes[1:1] = [est, real]
        colours[1:1] = ["tab:blue", "tab:orange"]
        title = f"heat flux ({area_mm2:g} mm² die)"
    else:
        est = float("nan")
        title = f"heat flux (no die area for {short})"
    y = np.arange(len(labels))
    ax_q.barh(y, np.maximum(fluxes, 1e-3), color=colours, height=0.6)
    ax_q.set_xscale("log")
    ax_q.set_xlim(1, 1e5)
    ax_q.set_yticks(y, labels)
    ax_q.invert_yaxis()
    ax_q.grid(axis="y", visible=False)
    for yi, f in enumerate(fluxes):
        text = f"{f:,.0f}" if f >= 10 else f"{f:.1f}"
        if f > 2e4:   # near the right edge: write the value inside the bar
            ax_q.text(f / 1.3, yi, text, va="center", ha="right", fontsize=8, color="white")
        else:         # beside the bar (at the axis' left end for a bar below 1 W/cm²)
            ax_q.text(max(f, 1.0) * 1.3, yi, text, va="center", fontsize=8)
    ax_q.set_xlabel("W/cm² (log scale)")
    ax_q.set_title(title)
    return {"dynamic_w": float(p.dynamic_w), "static_w": float(p.static_w),
            "total_w": float(p.total_w), "tdp_w": tdp,
            "estimate_w_per_cm2": None if np.isnan(est) else est}  # None: no die area in the data


def chip_power_explorer(**defaults) -> Explorer:
    """Chip power estimator: transistors, activity, capacitance, voltage, clock, leakage vs a real TDP."""
    controls = {
        "chip": dropdown(_GPU_CHOICES, "H100", "compare with"),
        "transistors_billion": slider(80.0, 1.0, 300.0, 1.0, "transistors (billions)"),
        "activity": slider(0.015, 0.0, 0.2, 0.001, "activity factor α"),
        "capacitance_ff": slider(0.5, 0.05, 2.0, 0.05, "capacitance per transistor (fF)"),
        "voltage_v": slider(0.75, 0.4, 1.2, 0.01, "supply voltage (V)"),
        "clock_ghz": slider(1.83, 0.5, 3.0, 0.01, "clock (GHz)"),
        "leakage_nw": slider(1.0, 0.0, 5.0, 0.1, "leakage per transistor (nW)"),
    }
    ex = Explorer(plot_chip_power, controls, title="A chip's power from first principles",
                  ncols=2, figsize=(8.5, 3.8),
                  static=dict(chip=["V100", "A100", "H100", "B200"], voltage_v=[0.6, 0.75, 0.9, 1.05, 1.2], clock_ghz=[1.0, 1.83, 3.0]),
                  # the widest power axis: every control at its top
                  layout_states=[dict(transistors_billion=300.0, activity=0.2, capacitance_ff=2.0,
                                      voltage_v=1.2, clock_ghz=3.0, leakage_nw=5.0)])
    return ex.set(**defaults) if defaults else ex
