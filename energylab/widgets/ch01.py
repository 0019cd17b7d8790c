"""Chapter 1 figures and explorers: compute trends, scaling laws, DVFS."""

from __future__ import annotations


import numpy as np
from matplotlib.ticker import EngFormatter

from .. import circuits, scaling
from ..constants import J_PER_MWH
from .base import Explorer, dropdown, log_slider, range_slider, slider, toggle

__all__ = [
    "models_with_compute",
    "select_models",
    "plot_growth_shapes",
    "plot_compute_trend",
    "compute_trend_explorer",
    "plot_scaling_law",
    "scaling_law_explorer",
    "DVFS_REFERENCE",
    "plot_dvfs",
    "dvfs_explorer",
]

# The selection of models is data, not drawing: it lives in the model layer (scaling), so
# the labs' checks use it without importing widgets. Re-exported here for the notebooks.
from ..scaling import MODEL_DOMAINS as DOMAINS  # noqa: E402
from ..scaling import models_with_compute, select_models  # noqa: E402,F401


def plot_growth_shapes(axes):
    """Exponential vs power law on linear, semilog and log-log axes (three axes)."""
    x = np.linspace(1, 10, 200)
    curves = {"exponential $2^x$": 2.0**x, "power law $x^3$": x**3}
    for ax, (xs, ys, title) in zip(axes, [("linear", "linear", "linear axes"),
                                          ("linear", "log", "semilog: exponentials are straight"),
                                          ("log", "log", "log–log: power laws are straight")]):
        for label, y in curves.items():
            ax.plot(x, y, label=label)
        ax.set_xscale(xs)
        ax.set_yscale(ys)
        ax.set_title(title)
        ax.set_xlabel("x")
    axes[0].set_ylabel("y")
    axes[0].legend()


def plot_compute_trend(ax, years=(2010, 2026), domain="All", frontier_only=False):
    """Training compute of notable models over time with a fitted exponential.

    ``years = (start, end)`` selects models published from 1 January of ``start`` up to
    (not including) 1 January of ``end``.
    """
    start_year, end_year = float(years[0]), float(years[1])
    all_models = models_with_compute()
    ax.scatter(all_models["year"], all_models["training_compute_flop"], s=6, color="0.8",
               label="all notable models")
    # the range slider can close to one point (start == end): an empty selection, not an error
    df = (select_models(start_year, end_year, domain, frontier_only) if end_year > start_year
          else all_models.iloc[:0])
    result = {"n": int(len(df))}
    ax.scatter(df["year"], df["training_compute_flop"], s=10, color="C0",
               label=f"selected ({len(df)})")
    ax.set_yscale("log")
    ax.set_xlabel("publication date")
    ax.set_ylabel("training compute (FLOP)")
    if len(df) >= 3 and df["year"].nunique() > 1:
        fit = scaling.fit_exponential(df["year"], df["training_compute_flop"])
        t = np.linspace(start_year, min(end_year, all_models["year"].max()), 50)
        ax.plot(t, fit(t), color="C3", lw=2,
                label=f"fit: doubles every {fit.doubling_time_months:.1f} ± "
                      f"{12 * fit.doubling_time_stderr_years:.1f} months")
        result.update(doubling_months=fit.doubling_time_months, r2=fit.r2)
        # the window is [start, end): its last year of publications is end - 1
        span = (f"{start_year:.0f}" if end_year - 1 <= start_year
                else f"{start_year:.0f}–{end_year - 1:.0f}")
        ax.set_title(f"{domain}{', frontier only' if frontier_only else ''}, "
                     f"{span}: doubling time "
                     f"{fit.doubling_time_months:.1f} months (R² = {fit.r2:.2f})")
    else:
        ax.set_title("fewer than 3 models in this selection: no fit")
    # the same axes for every selection (all models' span): selections compare on one
    # scale, and a redraw reuses the axes' background (issue 18); a fit running past the
    # data is cut at the edge
    c = all_models["training_compute_flop"]
    ax.set_ylim(c.min() / 3, c.max() * 3)
    ax.set_xlim(all_models["year"].min() - 2, all_models["year"].max() + 2)
    ax.legend(loc="upper left")
    ax.text(0.99, 0.01, "Data: Epoch AI (CC BY 4.0)", transform=ax.transAxes,
            ha="right", va="bottom", fontsize=7, color="0.4")
    return result


def compute_trend_explorer(**defaults) -> Explorer:
    """Sliders for the date range, a domain and a frontier filter → fit and doubling time."""
    controls = {
        "years": range_slider((2010, 2026), 1950, 2026,
                              "publication years (end year not included)"),
        "domain": dropdown(DOMAINS, "All", "domain"),
        "frontier_only": toggle(False, "frontier models only (top 10 when published)"),
    }
    ex = Explorer(plot_compute_trend, controls, title="How fast does training compute grow?",
                  figsize=(7.5, 4.5),
                  static=dict(years=[(1950, 2026), (1950, 2010), (2010, 2026), (2015, 2026), (2018, 2026), (2010, 2020)], domain=list(DOMAINS), frontier_only=[False, True]),
                  # every model since 1950: the widest span of years and of compute
                  layout_states=[dict(years=(1950, 2026), domain=d) for d in ("All", "Language", "Multimodal")])
    return ex.set(**defaults) if defaults else ex


def _energy_text(mwh: float) -> str:
    """An energy in MWh as a short readable string: '278 MWh', '417 GWh', '4.2 TWh'."""
    for factor, unit in ((1e6, "TWh"), (1e3, "GWh"), (1.0, "MWh"), (1e-3, "kWh")):
        if mwh >= factor or unit == "kWh":
            return f"{mwh / factor:,.3g} {unit}"


def plot_scaling_law(axes, compute_flop=1e24, pj_per_flop=1.0):
    """Compute-optimal N, D and loss for a budget, and the energy it takes."""
    ax_loss, ax_nd = axes
    j_per_flop = pj_per_flop * 1e-12
    c = np.logspace(18, 28, 200)
    n, d = scaling.compute_optimal(c)
    loss = scaling.chinchilla_loss(n, d)
    energy_mwh = c * j_per_flop / J_PER_MWH
    n0, d0 = scaling.compute_optimal(compute_flop)
    l0 = float(scaling.chinchilla_loss(n0, d0))
    e0 = compute_flop * j_per_flop / J_PER_MWH

    ax_loss.plot(energy_mwh, loss, color="C0")
    ax_loss.axhline(scaling.CHINCHILLA["E"], color="0.5", ls="--", lw=1)
    ax_loss.text(energy_mwh[0], scaling.CHINCHILLA["E"] + 0.02, "irreducible loss E = 1.69",
                 fontsize=8, color="0.4")
    ax_loss.plot([e0], [l0], "o", color="C3")
    ax_loss.set_xscale("log")
    ax_loss.set_xlabel(f"training energy (MWh) at {pj_per_flop:.3g} pJ/FLOP")
    ax_loss.set_ylabel("compute-optimal loss (nats/token)")
    ax_loss.set_title(f"loss {l0:.3f} for {_energy_text(e0)}")

    ax_nd.plot(c, n, label="parameters N*")
    ax_nd.plot(c, d, label="tokens D*")
    ax_nd.plot([compute_flop] * 2, [n0, d0], "o", color="C3")
    ax_nd.set_xscale("log")
    ax_nd.set_yscale("log")
    ax_nd.set_xlabel("training compute C (FLOP)")
    ax_nd.set_ylabel("parameters or tokens")
    ax_nd.set_title(f"N* = {n0:.3g}, D* = {d0:.3g}\n({d0 / n0:.0f} tokens per parameter)")
    ax_nd.legend()
    return {"parameters": float(n0), "tokens": float(d0), "loss": l0, "energy_mwh": float(e0)}


def scaling_law_explorer(**defaults) -> Explorer:
    """A compute budget and an energy cost per FLOP → N*, D*, loss and energy (MWh)."""
    controls = {
        "compute_flop": log_slider(1e24, 18, 28, "compute budget (FLOP)", step=0.1, readout_format=".2e"),
        "pj_per_flop": log_slider(1.0, -1, 2, "energy per FLOP (pJ)", step=0.05),
    }
    ex = Explorer(plot_scaling_law, controls, title="Chinchilla: what a compute budget buys",
                  ncols=2, figsize=(8.5, 4.0),
                  static=dict(compute_flop=[10.0 ** e for e in range(18, 29)], pj_per_flop=[0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]))
    return ex.set(**defaults) if defaults else ex


#: Illustrative chip of the DVFS explorer, 300 W at a 2 GHz reference clock, running a
#: task of 10^12 cycles at clocks between 0.5 and 4 GHz.
DVFS_REFERENCE = {"f_ref_hz": 2e9, "p_total_ref_w": 300.0, "cycles": 1e12,
                  "f_min_hz": 0.5e9, "f_max_hz": 4e9}


def plot_dvfs(axes, frequency_ghz=2.0, static_share=0.2):
    """Power and energy per task vs clock under DVFS (P_dyn ∝ f³) with leakage."""
    ref = DVFS_REFERENCE
    p_static = static_share * ref["p_total_ref_w"]
    p_dyn = (1 - static_share) * ref["p_total_ref_w"]
    f = np.linspace(ref["f_min_hz"], ref["f_max_hz"], 300)
    power = circuits.dvfs_power(f, ref["f_ref_hz"], p_dyn, p_static)
    energy = circuits.energy_per_task(ref["cycles"], f, ref["f_ref_hz"], p_dyn, p_static)
    f_opt = float(circuits.optimal_frequency(ref["cycles"], ref["f_ref_hz"], p_dyn, p_static,
                                             f_min_hz=ref["f_min_hz"], f_max_hz=ref["f_max_hz"]))
    f_now = frequency_ghz * 1e9
    p_now = float(circuits.dvfs_power(f_now, ref["f_ref_hz"], p_dyn, p_static))
    e_now = float(circuits.energy_per_task(ref["cycles"], f_now, ref["f_ref_hz"], p_dyn, p_static))
    e_opt = float(circuits.energy_per_task(ref["cycles"], f_opt, ref["f_ref_hz"], p_dyn, p_static))

    ax_p, ax_e = axes
    ax_p.plot(f / 1e9, power, label="total")
    ax_p.plot(f / 1e9, power - p_static, ls="--", label="dynamic ∝ f³")
    ax_p.axhline(p_static, color="C2", ls=":", label="static (leakage)")
    ax_p.plot([frequency_ghz], [p_now], "o", color="C3")
    ax_p.set_xlabel("clock (GHz)")
    ax_p.set_ylabel("power (W)")
    ax_p.set_title(f"{p_now:.0f} W at {frequency_ghz:.2f} GHz")
    ax_p.legend()

    ax_e.plot(f / 1e9, energy / 1e3, color="C0")
    ax_e.plot([f_opt / 1e9], [e_opt / 1e3], "*", ms=14, color="C1",
              label=f"optimum {f_opt / 1e9:.2f} GHz")
    ax_e.plot([frequency_ghz], [e_now / 1e3], "o", color="C3",
              label=f"chosen: {e_now / e_opt:.2f}× the minimum energy")
    ax_e.set_xlabel("clock (GHz)")
    ax_e.set_ylabel("energy per task (kJ)")
    ax_e.set_title(f"task of 10¹² cycles: {e_now / 1e3:.0f} kJ, {ref['cycles'] / f_now:.0f} s")
    ax_e.legend()
    return {"power_w": p_now, "energy_j": e_now, "optimum_hz": f_opt, "energy_opt_j": e_opt}


def dvfs_explorer(**defaults) -> Explorer:
    """Clock and static share → power, energy per task, and the energy-optimal clock."""
    controls = {
        "frequency_ghz": slider(2.0, 0.5, 4.0, 0.05, "clock (GHz)", ".2f"),
        "static_share": slider(0.2, 0.0, 0.6, 0.01, "static share of power at 2 GHz", ".2f"),
    }
    ex = Explorer(plot_dvfs, controls, title="DVFS: power, energy per task and the optimum clock",
                  ncols=2, figsize=(8.5, 4.0),
                  static=dict(frequency_ghz=[0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0], static_share=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]))
    return ex.set(**defaults) if defaults else ex
