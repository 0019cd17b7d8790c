"""Chapter 6 figures and explorers: coolant flows, throttling, PUE, water and carbon.

Pure drawing functions ``plot_*(ax, ...)`` (return a dict of figures of merit) and two
explorers built on :class:`energylab.widgets.base.Explorer`:

* :func:`throttling_explorer` — cooling quality, T_max and workload → temperature and clock
  over time, sustained throughput vs peak;
* :func:`datacenter_explorer` — IT load, cooling practice and site → PUE, annual energy,
  water and carbon as stacked bars.
"""

from __future__ import annotations

import functools
import textwrap

import numpy as np
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from .. import cooling, datasets
from ..constants import ZERO_CELSIUS_K
from .base import Explorer, dropdown, log_slider, slider

__all__ = [
    "WORKLOADS",
    "COOLERS",
    "plot_flows",
    "plot_throttling",
    "throttling_explorer",
    "plot_pue_history",
    "plot_grid_intensity",
    "COOLING_PRACTICES",
    "plot_datacenter",
    "datacenter_explorer",
]

from ..constants import HOURS_PER_YEAR  # noqa: E402  (defined once, with the other unit factors)

#: The chapter's 700 W accelerator: peak clock, power at that clock and leakage.
GPU = {"f_max_hz": 1.98e9, "p_at_f_max_w": 700.0, "p_static_w": 100.0}

#: Illustrative junction-to-coolant thermal resistances (K/W) of the chapter's coolers:
#: an air heat sink that lets a 700 W chip reach ≈ 90 °C from 35 °C inlet air, and a cold
#: plate that keeps it near 60 °C from 35 °C water. They are assumptions for teaching.
COOLERS = {"air heat sink": 0.08, "liquid cold plate": 0.035}


def _square(t):
    return np.where((t // 20.0) % 2 == 0, 1.0, 0.2)


def _inference(t):
    rng = np.random.default_rng(6)
    levels = rng.uniform(0.5, 1.0, int(np.ceil(t.max() / 5.0)) + 2 if np.size(t) else 2)
    return levels[(np.asarray(t) // 5.0).astype(int)]


#: Workload shapes for the throttling simulator: utilisation as a function of time.
WORKLOADS = {
    "training (always busy)": lambda t: np.ones_like(t),
    "bursts (20 s on, 20 s at 20 %)": _square,
    "inference (50–100 %, seeded)": _inference,
}


# --------------------------------------------------------------------------- flows
def plot_flows(ax, delta_t_air_k=15.0, delta_t_water_k=10.0):
    """Coolant volume flow needed for three heat loads, in air and in water (log scale).

    The axis is in m³/s for both fluids; air bars are labelled in m³/s and water bars in
    litres per minute, the units the chapter's text uses for each.

    Returns
    -------
    dict
        ``{"<load>/<fluid>": volume flow in m³/s}``.
    """
    loads = {"700 W GPU": 700.0, "40 kW rack": 40e3, "120 kW rack": 120e3}
    out = {}
    x = np.arange(len(loads))
    for i, (fluid, dt, color) in enumerate([("air", delta_t_air_k, "tab:orange"),
                                            ("water", delta_t_water_k, "tab:blue")]):
        flows = [cooling.heat_removal_flow(p, dt, fluid) for p in loads.values()]
        m3s = np.array([f.volume_m3_per_s for f in flows])
        bars = ax.bar(x + (i - 0.5) * 0.38, m3s, width=0.38, color=color,
                      label=f"{fluid}, ΔT = {dt:g} K")
        for bar, f in zip(bars, flows):
            if fluid == "air":
                text = f"{f.volume_m3_per_s:.2g} m³/s"
            else:
                text = f"{f.volume_l_per_min:,.3g} L/min"
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=8)
        out.update({f"{k}/{fluid}": float(v) for k, v in zip(loads, m3s)})
    ax.set_yscale("log")
    ax.set_ylim(top=ax.get_ylim()[1] * 20)
    ax.set_xticks(x, list(loads))
    ax.set_ylabel("volume flow (m³/s, log scale)")
    ax.set_title("Coolant flow to carry the heat away, Q = ṁ·c_p·ΔT")
    ax.legend(loc="upper left")
    return out


# --------------------------------------------------------------------------- throttling
def _simulate(r_th_k_per_w, c_th_j_per_k, t_max_c, t_ambient_c, workload, duration_s, dt_s):
    return cooling.simulate_throttling(
        duration_s, dt_s, r_th_k_per_w, c_th_j_per_k, ZERO_CELSIUS_K + t_max_c,
        ZERO_CELSIUS_K + t_ambient_c, workload=WORKLOADS[workload], **GPU)


def plot_throttling(axes, r_th_k_per_w=0.08, c_th_j_per_k=400.0, t_max_c=85.0,
                    t_ambient_c=35.0, workload="training (always busy)", duration_s=300.0,
                    dt_s=0.05):
    """Temperature (left) and clock (right) of a throttled 700 W chip over time.

    Parameters
    ----------
    axes : pair of matplotlib Axes
    r_th_k_per_w, c_th_j_per_k : float
        Cooler quality: thermal resistance and heat capacity.
    t_max_c, t_ambient_c : float
        Temperature limit and coolant temperature, °C.
    workload : str
        A key of :data:`WORKLOADS`.

    Returns
    -------
    dict
        ``sustained_fraction`` (work done ÷ unthrottled work), ``time_to_throttle_s``,
        ``final_clock_ghz`` and ``sustained_clock_ghz`` (the steady-state bound).
    """
    ax_t, ax_f = axes
    res = _simulate(r_th_k_per_w, c_th_j_per_k, t_max_c, t_ambient_c, workload, duration_s, dt_s)
    f_sus = cooling.sustained_frequency(r_th_k_per_w, ZERO_CELSIUS_K + t_max_c,
                                        ZERO_CELSIUS_K + t_ambient_c, **GPU)
    ax_t.plot(res.time_s, res.temperature_k - ZERO_CELSIUS_K, color="tab:red")
    ax_t.axhline(t_max_c, color="k", ls="--", lw=1, label=f"T_max = {t_max_c:g} °C")
    ax_t.axhline(t_ambient_c, color="tab:blue", ls=":", lw=1, label=f"coolant {t_ambient_c:g} °C")
    # A fixed range that holds every reachable state (coolant >= 15 °C, T <= T_max <= 105 °C)
    # keeps the axis from jumping between slider moves, and leaves a band above T_max for
    # the legend, clear of the curves.
    ax_t.set_ylim(10.0, 130.0)
    ax_t.set_xlabel("time (s)")
    ax_t.set_ylabel("junction temperature (°C)")
    ax_t.set_title(f"R_th = {r_th_k_per_w:.3g} K/W, C_th = {c_th_j_per_k:.3g} J/K, "
                   f"τ = {r_th_k_per_w * c_th_j_per_k:.3g} s")
    ax_t.legend(loc="upper right", ncols=2)
    ax_f.plot(res.step_start_s, res.frequency_hz / 1e9, color="tab:purple", lw=1, label="clock")
    ax_f.plot(res.step_start_s, res.utilisation * GPU["f_max_hz"] / 1e9, color="0.7", lw=0.8,
              label="demand (utilisation × f_max)")
    ax_f.axhline(f_sus / 1e9, color="k", ls="--", lw=1,
                 label=f"sustainable when busy: {f_sus / 1e9:.2f} GHz")
    ax_f.set_ylim(0, GPU["f_max_hz"] / 1e9 * 1.6)  # headroom for the legend above the curves
    ax_f.set_xlabel("time (s)")
    ax_f.set_ylabel("clock (GHz)")
    ttt = res.time_to_throttle_s
    ax_f.set_title(f"work done = {res.sustained_fraction:.0%} of peak;\n"  # one line ran off the figure
                   + ("never throttles" if np.isnan(ttt) else f"throttles after {ttt:.1f} s"))
    ax_f.legend(loc="upper right", ncols=1, fontsize=8)
    return {"sustained_fraction": res.sustained_fraction,
            "time_to_throttle_s": None if np.isnan(ttt) else ttt,  # None: never throttles
            "final_clock_ghz": float(res.frequency_hz[-1] / 1e9),
            "sustained_clock_ghz": float(f_sus / 1e9)}


def throttling_explorer(**defaults) -> Explorer:
    """Throttling simulator: cooler, T_max and workload → temperature and clock over time.

    Every reachable state is valid: T_max ≥ 70 °C exceeds the hottest coolant (40 °C) plus
    the leakage heating on the worst cooler (100 W × 0.2 K/W = 20 K).
    """
    controls = {
        "r_th_k_per_w": slider(0.08, 0.02, 0.2, 0.005, "thermal resistance R_th (K/W)"),
        "c_th_j_per_k": log_slider(400.0, 1.0, 3.5, "heat capacity C_th (J/K)"),
        "t_max_c": slider(85.0, 70.0, 105.0, 1.0, "limit T_max (°C)"),
        "t_ambient_c": slider(35.0, 15.0, 40.0, 1.0, "coolant temperature (°C)"),
        "workload": dropdown(list(WORKLOADS), "training (always busy)", "workload"),
    }
    ex = Explorer(plot_throttling, controls, title="Thermal throttling of a 700 W accelerator",
                  ncols=2, figsize=(8.5, 4.0),
                  static=dict(r_th_k_per_w=[0.02, 0.05, 0.08, 0.12, 0.2], t_ambient_c=[15.0, 25.0, 35.0, 40.0], workload=list(controls["workload"].options)))
    return ex.set(**defaults) if defaults else ex


# --------------------------------------------------------------------------- facility
def plot_pue_history(ax):
    """Uptime's survey-average PUE over time, with hyperscale fleets for comparison.

    Returns
    -------
    dict
        ``{"uptime": {year: pue}, "<operator>": pue}``.
    """
    eff = datasets.load("datacenter_efficiency")
    up = eff[eff.operator_or_region.str.startswith("Global average")].sort_values("year")
    ax.plot(up.year, up.pue, "o-", color="tab:gray", label="survey average (Uptime)")
    for _, row in up.iterrows():
        ax.annotate(f"{row.pue:g}", (row.year, row.pue), textcoords="offset points",
                    xytext=(0, 6), ha="center", fontsize=8)
    out = {"uptime": dict(zip(up.year.astype(int), up.pue))}
    for name, color, marker in [("Google fleet", "tab:green", "s"), ("Meta fleet", "tab:blue", "^")]:
        row = eff[eff.operator_or_region == name].iloc[0]
        ax.plot(row.year, row.pue, marker, color=color, ms=7,
                label=f"{name} {row.year}: {row.pue:.2f}")
        out[name] = float(row.pue)
    ax.axhline(1.0, color="k", lw=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0.9, 2.7)
    ax.set_xlabel("year")
    ax.set_ylabel("PUE (facility ÷ IT energy)")
    ax.set_title("Power usage effectiveness: 1 would be perfect")
    ax.legend(loc="upper right")
    return out


def plot_grid_intensity(ax):
    """Grid carbon intensity of the ``grid_intensity`` rows (g/kWh), coloured by what they count.

    Rows that count CO₂ from generation and rows that count lifecycle CO₂-equivalent are
    drawn in different colours and never share a label, because they are not comparable.
    """
    grid = datasets.load("grid_intensity")
    labels = [f"{r.region} {r.year}" for r in grid.itertuples()]
    lifecycle = grid.basis.str.contains("CO2e")
    colors = np.where(lifecycle, "tab:orange", "tab:gray")
    ax.barh(labels, grid.intensity_g_per_kwh, color=colors)
    for i, v in enumerate(grid.intensity_g_per_kwh):
        ax.text(v, i, f" {v:.0f}", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, grid.intensity_g_per_kwh.max() * 1.15)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color="tab:gray", label="g CO₂ from generation per kWh"),
                       Patch(color="tab:orange", label="g CO₂e (all greenhouse gases) per kWh")],
              fontsize=8, loc="upper center", bbox_to_anchor=(0.4, -0.28), ncols=2, frameon=False)
    ax.set_xlabel("grams per kWh generated")
    ax.set_title("Grid carbon intensity: two bases, not to be compared directly", fontsize=10)
    return dict(zip(labels, grid.intensity_g_per_kwh.astype(float)))


@functools.cache
def _practices() -> dict:
    eff = datasets.load("datacenter_efficiency").set_index(["operator_or_region", "year"])
    avg_wue = float(eff.loc[("Industry average (on-site WUE)", 2016), "wue_l_per_kwh"])
    meta = eff.loc[("Meta data centres completed in 2021", 2021)]
    return {
        "2011 average (PUE 1.8, WUE 1.8)": (float(eff.loc[("Global average (Uptime survey)", 2011), "pue"]), avg_wue),
        "2024 average (PUE 1.56, WUE 1.8)": (float(eff.loc[("Global average (Uptime survey)", 2024), "pue"]), avg_wue),
        "hyperscale, Meta 2021 sites (PUE 1.09, WUE 0.26)": (float(meta.pue), float(meta.wue_l_per_kwh)),
    }


#: Names of the cooling practices the designer offers (values from ``datacenter_efficiency``).
COOLING_PRACTICES = list(_practices())


@functools.cache
def _sites() -> dict:
    grid = datasets.load("grid_intensity")
    return {f"{r.region} {r.year}": float(r.intensity_g_per_kwh) / 1000.0 for r in grid.itertuples()}


def plot_datacenter(axes, it_load_mw=10.0, practice="2024 average (PUE 1.56, WUE 1.8)",
                    site="United States 2023",
                    ewif_l_per_kwh=3.14, clean_share=0.0):
    """Annual energy, water and carbon of a data centre, as stacked bars.

    Parameters
    ----------
    axes : three matplotlib Axes
    it_load_mw : float
        Average IT load, MW (runs all year).
    practice : str
        One of :data:`COOLING_PRACTICES`; its PUE and on-site WUE come from the
        ``datacenter_efficiency`` dataset.
    site : str
        A ``"<region> <year>"`` row of ``grid_intensity``.
    ewif_l_per_kwh : float
        Water consumed per kWh generated by the grid (Li et al.'s US average 3.14).
    clean_share : float
        Share of the electricity bought from zero-operational-carbon sources (assumed
        to emit nothing and to use no water at generation).

    Returns
    -------
    dict
        ``pue``, ``it_gwh``, ``facility_gwh``, ``onsite_ml``, ``offsite_ml``, ``carbon_kt``.
    """
    ax_e, ax_w, ax_c = axes
    pue, wue = _practices()[practice]
    it_kwh = it_load_mw * 1e3 * HOURS_PER_YEAR
    fac_kwh = cooling.facility_energy(it_kwh, pue)
    water = cooling.water_use(it_kwh, wue, pue, ewif_l_per_kwh * (1 - clean_share))
    intensity = _sites()[site] * (1 - clean_share)
    co2 = cooling.carbon_kg(fac_kwh, intensity)
    gwh, ml, kt = 1e-6, 1e-6, 1e-6          # kWh -> GWh, L -> ML, kg -> kt
    co2_it = cooling.carbon_kg(it_kwh, intensity)
    # (axes, bar name, [(label, colour, value in base units: kWh, L, kg)],
    #  [(unit, short unit, factor from base units)], (title line 1, prefix of line 2))
    panels = [
        (ax_e, "energy", [("IT", "tab:blue", it_kwh),
                          ("cooling, power losses, other", "tab:orange", fac_kwh - it_kwh)],
         [("MWh", "MWh", 1e-3), ("GWh", "GWh", 1e-6), ("TWh", "TWh", 1e-9)],
         (f"PUE {pue:.2f}", "")),
        (ax_w, "water", [("on-site (WUE)", "tab:cyan", water.onsite_l),
                         ("off-site (electricity)", "tab:gray", water.offsite_l)],
         [("m³", "m³", 1e-3), ("million litres", "ML", 1e-6), ("billion litres", "GL", 1e-9)],
         (f"WUE {wue:.2f} L/kWh", "")),
        (ax_c, "carbon", [("IT", "tab:blue", co2_it), ("overhead", "tab:orange", co2 - co2_it)],
         [("t CO₂(e)", "t", 1e-3), ("kt CO₂(e)", "kt", 1e-6), ("Mt CO₂(e)", "Mt", 1e-9)],
         (textwrap.fill(site, 24), f"{intensity * 1000:.0f} g/kWh: ")),   # a third of the width
    ]
    for ax, name, parts, units, heading in panels:
        total = sum(v for _, _, v in parts)
        # The unit that puts the top of the axis between 1 and 1,000, and ticks at 1, 2 or 5
        # times a power of ten: tick labels never exceed three characters, because the
        # explorer reuses its first layout and wider labels would push the axis label out.
        unit, unit_short, factor = units[1]
        for candidate in units:
            if 1.0 <= total * 1.4 * candidate[2] < 1000.0:
                unit, unit_short, factor = candidate
        bottom = 0.0
        for label, colour, value in parts:
            ax.bar([name], [value * factor], bottom=[bottom], color=colour, label=label)
            bottom += value * factor
        ax.set_ylabel(f"{unit} per year")
        ax.set_title(f"{heading[0]}\n{heading[1]}{total * factor:,.3g} {unit_short}")
        ax.set_ylim(0, total * factor * 1.4 if total > 0 else 1.0)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.4g}"))
        ax.legend(loc="upper center", fontsize=8)
    return {"pue": float(pue), "it_gwh": float(it_kwh * gwh), "facility_gwh": float(fac_kwh * gwh),
            "onsite_ml": float(water.onsite_l * ml), "offsite_ml": float(water.offsite_l * ml),
            "carbon_kt": float(co2 * kt)}


def datacenter_explorer(**defaults) -> Explorer:
    """Data-centre designer: IT load, cooling practice and site → energy, water and carbon."""
    controls = {
        "it_load_mw": slider(10.0, 1.0, 200.0, 1.0, "average IT load (MW)"),
        "practice": dropdown(COOLING_PRACTICES, "2024 average (PUE 1.56, WUE 1.8)", "cooling"),
        "site": dropdown(list(_sites()), "United States 2023", "site (grid)"),
        "ewif_l_per_kwh": slider(3.14, 0.0, 6.0, 0.02, "grid water intensity EWIF (L/kWh)"),
        "clean_share": slider(0.0, 0.0, 1.0, 0.05, "share of clean power bought"),
    }
    ex = Explorer(plot_datacenter, controls, title="Data-centre designer: energy, water, carbon",
                  ncols=3, figsize=(8.5, 4.2),
                  static=dict(it_load_mw=[1.0, 10.0, 50.0, 100.0, 200.0], practice=list(controls["practice"].options), site=list(controls["site"].options)),
                  layout_states=[dict(site="GPT-3 training site (Microsoft) 2020")])  # its widest labels
    return ex.set(**defaults) if defaults else ex
