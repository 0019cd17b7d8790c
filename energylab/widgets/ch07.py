"""Chapter 7 figures and explorers: the whole bill, per-query energy, sensitivity, claims."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import cooling, datasets, footprint, scaling
from ..constants import GPT3_TRAINING_ENERGY_J, J_PER_MWH, J_PER_WH
from .base import Explorer, dropdown, int_slider, log_slider, slider

__all__ = [
    "GPT3",
    "SITES",
    "site",
    "gpt3_estimates",
    "plot_estimates",
    "plot_footprint",
    "plot_footprint_shares",
    "footprint_explorer",
    "plot_per_query",
    "per_query_explorer",
    "plot_tornado",
    "plot_measured_efficiency",
    "claims_table",
    "plot_claims_summary",
    "ClaimsBrowser",
    "claims_browser",
]

# GPT-3's reference inputs, the sites and Li et al.'s water factors are data of the model
# layer (footprint), defined once there; re-exported for the notebooks.
from ..footprint import GPT3, SITES, site  # noqa: E402,F401
from ..footprint import LI2023_WATER_ROW as WATER_ROW  # noqa: E402,F401
from ..footprint import li2023_water_factors as _water_factors  # noqa: E402,F401


# ------------------------------------------------------------------ GPT-3: four estimates
def gpt3_estimates() -> dict:
    """GPT-3's training energy (MWh) estimated four ways, from the same public inputs."""
    g = GPT3
    hours = g["days"] * 24
    chip = datasets.chip(g["chip"])
    mfu = g["measured_flop_per_s"] / chip["fp16_flop_per_s"]
    models = datasets.load("models")
    row = models[models["name"].str.startswith("GPT-3 175B")].iloc[0]
    return {
        "top-down: 10,000 GPUs × 14.8 d × 330 W × PUE 1.1 (Patterson)":
            footprint.training_energy(g["chips"], hours, g["power_per_chip_w"], g["pue"]) / J_PER_MWH,
        "bottom-up: 3.14e23 FLOP at 24.6 TFLOPS/GPU, 330 W, PUE 1.1":
            footprint.training_energy_from_flops(g["flops"], g["chip"], "fp16", mfu, pue=g["pue"],
                                                 power_per_chip_w=g["power_per_chip_w"]) / J_PER_MWH,
        "bottom-up at TDP: 300 W × 1.3 server overhead, PUE 1.1":
            footprint.training_energy_from_flops(g["flops"], g["chip"], "fp16", mfu, pue=g["pue"],
                                                 server_overhead=1.3) / J_PER_MWH,
        "Epoch's power-draw column × training time":
            row["training_power_draw_w"] * row["training_time_hours"] * 3600 / J_PER_MWH,
    }


def plot_estimates(ax, estimates: dict | None = None, reported_mwh: float = GPT3_TRAINING_ENERGY_J / J_PER_MWH):
    """Horizontal bars of several energy estimates against a reported value."""
    estimates = gpt3_estimates() if estimates is None else estimates
    labels = list(estimates)
    values = np.array([estimates[k] for k in labels])
    ax.barh(range(len(labels)), values, color=["C0", "C0", "C1", "C1"][: len(labels)])
    ax.axvline(reported_mwh, color="k", ls="--", lw=1, label=f"reported {reported_mwh:,.0f} MWh")
    for i, v in enumerate(values):
        ax.text(v, i, f" {v:,.0f}", va="center", fontsize=9)
    ax.set_yticks(range(len(labels)), [lab.replace(": ", ":\n", 1) for lab in labels], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, values.max() * 1.2)
    ax.set_xlabel("training energy (MWh)")
    ax.set_title("GPT-3: four estimates from public inputs")
    ax.legend(loc="lower right")
    return dict(zip(labels, values))


# ------------------------------------------------------------------ footprint calculator
CHIPS = ["V100", "A100", "H100", "B200", "TPU v4"]


def plot_footprint_shares(ax, fp: footprint.Footprint) -> dict:
    """Stacked bars of a :class:`~energylab.footprint.Footprint`: the share of each part in
    energy, carbon and water, totals labelled. Returns the totals (MWh, t, m³)."""
    t = fp.table()
    t = t[t["part"] != "total"]
    quantities = ["energy", "carbon", "water"]
    colours = ["C0", "C1", "C2", "C3", "C4", "C5"]
    i = 0
    for y, q in enumerate(quantities):
        parts = t[t["quantity"] == q]
        total = parts["value"].sum()
        left = 0.0
        for _, row in parts.iterrows():
            share = row["value"] / total if total > 0 else 0.0
            # the bar's own name is on the y axis: the legend names the part only
            ax.barh(y, share, left=left, color=colours[i], label=row["part"])
            left += share
            i += 1
        unit = parts["unit"].iloc[0]
        ax.text(1.02, y, f"{total:,.4g} {unit}", va="center", fontsize=9)
    ax.set_yticks(range(len(quantities)), quantities)
    ax.set_xlim(0, 1.3)
    ax.set_xticks([0, 0.5, 1.0], ["0", "50%", "100%"])
    ax.invert_yaxis()
    ax.set_xlabel("share of each total")
    ax.set_title(fp.label or "footprint")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    return {"energy_mwh": fp.facility_energy_j / J_PER_MWH, "carbon_t": fp.carbon_kg / 1e3,
            "water_m3": fp.water_l / 1e3}


def plot_footprint(axes, parameters_b=175.0, tokens_b=300.0, chip="V100", precision="fp16",
                   mfu=0.2, server_overhead=1.1, pue=1.1, site_label="GPT-3's site (Patterson 2021)",
                   wue_l_per_kwh=0.55):
    """Training footprint from N, D, chip, precision, MFU, overhead, PUE and site."""
    ax_bar, ax_txt = axes
    flops = scaling.training_flops(parameters_b * 1e9, tokens_b * 1e9)
    it = footprint.training_energy_from_flops(flops, chip, precision, mfu, server_overhead=server_overhead)
    s = site(site_label)
    fp = footprint.Footprint(it, pue=pue, intensity_kg_per_kwh=s["intensity_kg_per_kwh"],
                             wue_onsite_l_per_kwh=wue_l_per_kwh, ewif_l_per_kwh=s["ewif_l_per_kwh"],
                             label=f"{parameters_b:g} B parameters × {tokens_b:g} B tokens on {chip}")
    merit = plot_footprint_shares(ax_bar, fp)
    typical = footprint.footprint_estimate(
        it, pue=cooling.typical_range("pue"),
        intensity_kg_per_kwh=cooling.typical_range("intensity_kg_per_kwh"),
        wue_onsite_l_per_kwh=cooling.typical_range("wue_onsite_l_per_kwh"),
        ewif_l_per_kwh=s["ewif_l_per_kwh"])
    eq = footprint.equivalents(fp.facility_energy_j)
    row = datasets.chip(chip)
    hours = footprint.training_chip_hours(flops, chip, precision, mfu)
    lines = [
        f"C = 6·N·D = {flops:.3g} FLOP",
        f"{chip}: {datasets.peak_flops(chip, precision) / 1e12:,.0f} TFLOP/s dense {precision}, "
        f"TDP {row['tdp_w']:.0f} W",
        f"MFU {mfu:.0%} → {hours:.3g} chip-hours",
        f"× {row['tdp_w']:.0f} W × server {server_overhead:.2f} = {it / J_PER_MWH:,.4g} MWh (IT)",
        f"× PUE {pue:.2f} = {merit['energy_mwh']:,.4g} MWh",
        f"× {s['intensity_kg_per_kwh'] * 1000:.0f} g CO₂e/kWh = {merit['carbon_t']:,.4g} t CO₂e",
        f"water: WUE {wue_l_per_kwh:.2f} + PUE × EWIF {s['ewif_l_per_kwh']:.2f} L/kWh",
        f"   = {merit['water_m3']:,.4g} m³",
        "",
        f"≈ {eq['US household-years']:,.0f} US household-years of electricity",
        f"≈ {eq['EV miles'] / 1e6:,.3g} million electric-car miles",
        "",
        "same IT energy at a typical site",
        "today, central [low – high] (the",
        "datasets' PUE, grid and WUE ranges):",
        f"  {typical['facility_energy_j'].format(J_PER_MWH, 'MWh', digits=4)}",
        f"  {typical['carbon_kg'].format(1e3, 't CO₂', digits=4)}",
        f"  {typical['water_l'].format(1e3, 'm³ water', digits=4)}",
    ]
    ax_txt.axis("off")
    # lines of at most ~40 characters (the panel is half of an 8.5 in figure), a little right
    # of the panel's edge: the bars' totals ("3.472e+04 m3") end past it
    ax_txt.text(0.06, 1.0, "\n".join(lines), va="top", ha="left", fontsize=8.5, family="monospace",
                transform=ax_txt.transAxes)
    return {**merit, "flops": flops, "chip_hours": hours,
            "typical_carbon_t": (float(typical["carbon_kg"].low) / 1e3, float(typical["carbon_kg"].high) / 1e3)}


def hardware_options(chips) -> list[tuple[str, str]]:
    """Dropdown options ``("H100 · FP8", "H100/fp8")`` for every chip and the 16-bit and
    8-bit precisions it has a dense peak for, so no explorer can pick a pair that
    does not exist (an FP8 V100, say)."""
    options = []
    for name in chips:
        for precision in ("fp16", "fp8"):
            peak = datasets.chip(name)[datasets.PRECISION_COLUMNS[precision]]
            if peak == peak:  # not NaN
                options.append((f"{name} · {precision.upper()}", f"{name}/{precision}"))
    return options


def _split_hardware(kwargs: dict) -> dict:
    chip, precision = kwargs.pop("hardware").split("/")
    return {**kwargs, "chip": chip, "precision": precision}


def _plot_footprint_hw(axes, **values):
    return plot_footprint(axes, **_split_hardware(values))


def _plot_per_query_hw(ax, **values):
    return plot_per_query(ax, **_split_hardware(values))


def footprint_explorer(**defaults) -> Explorer:
    """Parameters, tokens, chip, precision, MFU, overheads and site → energy, carbon, water."""
    controls = {
        "parameters_b": log_slider(175.0, 0, 4, "parameters (billions)", step=0.05),
        "tokens_b": log_slider(300.0, 1, 5, "training tokens (billions)", step=0.05),
        "hardware": dropdown(hardware_options(CHIPS), "V100/fp16", "chip · precision"),
        "mfu": slider(0.2, 0.05, 0.8, 0.01, "MFU (share of dense peak)", ".2f"),
        "server_overhead": slider(1.1, 1.0, 2.0, 0.05, "server overhead (× chip power)", ".2f"),
        "pue": slider(1.1, 1.0, 2.5, 0.01, "PUE", ".2f"),
        "site_label": dropdown(list(SITES), "GPT-3's site (Patterson 2021)", "site (grid)"),
        "wue_l_per_kwh": slider(0.55, 0.0, 2.0, 0.05, "on-site WUE (L/kWh)", ".2f"),
    }
    ex = Explorer(_plot_footprint_hw, controls, title="Footprint calculator: a training run's whole bill",
                  ncols=2, figsize=(8.5, 4.4),
                  static=dict(parameters_b=[7.0, 70.0, 175.0, 1000.0], hardware=[o[1] for o in controls["hardware"].options], pue=[1.1, 1.5]))
    return ex.set(**defaults) if defaults else ex


# ------------------------------------------------------------------ per-query calculator
REFERENCE_WH = {"de Vries 2023 (ChatGPT)": 2.9, "Epoch 2025 (GPT-4o)": 0.3, "Google search 2009": 0.3}


def plot_per_query(ax, active_parameters_b=100.0, tokens=500, chip="H100", precision="fp16",
                   utilisation=0.1, batch=1, power_fraction=0.7, server_w_per_chip=1275.0, pue=1.2,
                   queries_per_day_m=195.0):
    """Energy per query from tokens × 2·N_active, utilisation, batch, power and PUE.

    The red bar carries an error bar: the same estimate with the utilisation known only to
    a factor of two either way (half to double the slider, at most 100 %), the input no one
    outside the operator knows (the range the claims ledger uses for claim C009).
    """
    from ..estimate import Estimate

    power = power_fraction * server_w_per_chip
    e = footprint.inference_energy(tokens, active_parameters_b * 1e9, chip, precision, utilisation,
                                   pue=pue, batch=batch, power_per_chip_w=power)
    band = footprint.inference_energy_estimate(
        tokens, active_parameters_b * 1e9, chip, precision,
        Estimate(utilisation / 2, utilisation, min(2 * utilisation, 1.0)), pue=pue, batch=batch,
        power_per_chip_w=power).scaled(1 / J_PER_WH)
    wh = e / J_PER_WH
    labels = list(REFERENCE_WH) + ["this estimate"]
    values = list(REFERENCE_WH.values()) + [wh]
    ax.barh(range(len(labels)), values, color=["0.6"] * len(REFERENCE_WH) + ["C3"])
    # when the batch saturates the chip (batch × utilisation >= 1) the band closes on the
    # estimate, and rounding may put its ends a hair on the wrong side: clip at zero
    ax.errorbar([wh], [len(labels) - 1], xerr=[[max(wh - float(band.low), 0.0)],
                                              [max(float(band.high) - wh, 0.0)]],
                fmt="none", ecolor="k", capsize=4, lw=1.2)
    for i, v in enumerate(values[:-1]):
        ax.text(v, i, f" {v:.3g} Wh", va="center", fontsize=9)
    ax.text(float(band.high), len(labels) - 1, f" {wh:.3g} [{float(band.low):.2g} – {float(band.high):.2g}] Wh",
            va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(min(values + [float(band.low)]) / 3, max(values + [float(band.high)]) * 12)
    ax.set_yticks(range(len(labels)), [lab.replace(" (", "\n(") for lab in labels])  # two short lines
    ax.invert_yaxis()
    ax.set_xlabel("energy per query (Wh, log scale)")
    fleet_mwh = footprint.fleet_energy(queries_per_day_m * 1e6, e) / J_PER_MWH
    flops = footprint.inference_flops(tokens, active_parameters_b * 1e9)
    u_eff = min(batch * utilisation, 1.0)
    ax.set_title(f"2·{active_parameters_b:g}e9·{tokens} = {flops:.2g} FLOP at {u_eff:.0%} of "
                 f"{chip} {precision} peak, {power:.0f} W × PUE {pue:.2f}\n"
                 f"→ {wh:.3g} Wh per query (bar: utilisation ÷2 to ×2); "
                 f"{queries_per_day_m:.4g} M queries/day = {fleet_mwh:,.0f} MWh/day",
                 fontsize=9)
    return {"wh_per_query": wh, "wh_low": float(band.low), "wh_high": float(band.high),
            "fleet_mwh_per_day": fleet_mwh}


def per_query_explorer(**defaults) -> Explorer:
    """Active parameters, tokens, chip, utilisation, batch, power and PUE → Wh per query."""
    controls = {
        "active_parameters_b": log_slider(100.0, 0, 3, "active parameters (billions)", step=0.05),
        "tokens": int_slider(500, 50, 5000, "tokens per query", step=50),
        "hardware": dropdown(hardware_options(["A100", "H100", "B200"]), "H100/fp16", "chip · precision"),
        "utilisation": slider(0.1, 0.01, 1.0, 0.01, "utilisation per stream", ".2f"),
        "batch": int_slider(1, 1, 64, "batch (streams decoded together)"),
        "power_fraction": slider(0.7, 0.3, 1.0, 0.05, "average power ÷ rated", ".2f"),
        "server_w_per_chip": slider(1275.0, 300.0, 2000.0, 25.0, "rated server power per chip (W)", ".0f"),
        "pue": slider(1.2, 1.0, 2.0, 0.01, "PUE", ".2f"),
        "queries_per_day_m": log_slider(195.0, 1, 4, "queries per day (millions)", step=0.1),
    }
    ex = Explorer(_plot_per_query_hw, controls, title="Per-query calculator: how many Wh is one answer?",
                  figsize=(8.0, 3.6),
                  static=dict(active_parameters_b=[1.0, 10.0, 100.0, 1000.0], tokens=[50, 500, 2000, 5000], hardware=[o[1] for o in controls["hardware"].options]))
    return ex.set(**defaults) if defaults else ex


# ------------------------------------------------------------------ sensitivity
def plot_tornado(ax, table, scale=1.0, unit="", labels: dict | None = None, interval=None):
    """A tornado chart of :func:`energylab.footprint.sensitivity`'s table, on a linear axis.

    ``interval`` (an :class:`~energylab.estimate.Estimate` of the same result over the same
    ranges, all inputs at once) is drawn as a grey band behind the bars: every bar lies
    inside it, because each bar moves one input while the band moves all of them.
    """
    if interval is not None:
        ax.axvspan(float(interval.low) * scale, float(interval.high) * scale, color="0.92", zorder=0,
                   label="all inputs at once")
    base = table.attrs["baseline_value"] * scale
    labels = labels or {}
    t = table.iloc[::-1]
    for i, row in enumerate(t.itertuples()):
        lo, hi = row.value_low * scale, row.value_high * scale
        ax.barh(i, lo - base, left=base, color="C0")
        ax.barh(i, hi - base, left=base, color="C3")
        ax.text(max(lo, hi), i, f"  ×{row.ratio:.1f}", va="center", fontsize=8)
    ax.set_yticks(range(len(t)), [f"{labels.get(p, p)}\n[{lo:g}, {hi:g}]"
                                  for p, lo, hi in zip(t["parameter"], t["low"], t["high"])], fontsize=8)
    ax.axvline(base, color="k", lw=1)
    # A linear axis: bar lengths are the swings the table ranks (a log axis would rank ratios).
    ax.set_xlabel(f"result ({unit}); blue = low end of the range, red = high end")
    return {"baseline": base}


# ------------------------------------------------------------------ measurements
def plot_measured_efficiency(ax, landauer_j=None, this_machine: dict | None = None):
    """Recorded J/FLOP of dense FP64 matrix arithmetic (Green500) against chip models and Landauer."""
    g = datasets.load("measured_gemm_efficiency")
    year = g["list"].str[:4].astype(int) + (g["list"].str[5:7].astype(int) - 0.5) / 12
    jpf = 1.0 / g["flop_per_j"]
    cpu = ~g["accelerated"]
    ax.scatter(year[cpu], jpf[cpu], marker="s", color="C1", label="measured, CPU only (Green500 HPL)")
    ax.scatter(year[~cpu], jpf[~cpu], marker="o", color="C0", label="measured, accelerated (Green500 HPL)")
    for i, chip in enumerate(["V100", "A100", "H100"]):
        row = datasets.chip(chip)
        v = row["tdp_w"] / row["fp64_flop_per_s"]
        ax.plot([row["year"]], [v], "k^", label="chip model: TDP ÷ dense FP64 peak" if i == 0 else None)
        ax.annotate(chip, (row["year"], v), textcoords="offset points", xytext=(0, -12), fontsize=7,
                    ha="center")
    if landauer_j is not None:
        ax.axhline(landauer_j, color="C2", ls="--", label="Landauer limit, one bit at 300 K")
    if this_machine:
        ax.scatter([this_machine["year"]], [this_machine["j_per_flop"]], marker="*", s=150, color="C3",
                   label=this_machine.get("label", "this machine"))
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole years, not 2007.5
    ax.set_xlabel("year")
    ax.set_ylabel("energy per FLOP (J)")
    ax.set_title("Joules per double-precision FLOP: measured systems, chip models, the floor")
    ax.legend(fontsize=7, loc="center right")
    return {"best_j_per_flop": float(jpf.min())}


# ------------------------------------------------------------------ claims
TOPICS = ["All", "power-laws", "landauer-joule", "sparsity", "low-precision", "pim", "cooling-water",
          "energy-bill"]
VERDICTS = ["All", "correct", "roughly right", "misleading", "wrong", "unverifiable"]


def claims_table(topic="All", verdict="All"):
    """The claims dataset filtered by topic and verdict (id, seeds, topic, claim, verdict,
    qualifier, better figure, checked interval)."""
    c = datasets.load("claims")
    if topic != "All":
        c = c[c["topic"] == topic]
    if verdict != "All":
        c = c[c["verdict"] == verdict]
    return c[["id", "seeds", "topic", "claim", "verdict", "qualifier", "better_figure", "checked"]].fillna("")


def _inline_md(text: str) -> str:
    """HTML-escape ``text`` and render its ``**bold**`` and ``*italic*`` as tags."""
    import re

    t = html.escape(str(text))
    t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", t)


VERDICT_COLOURS = {"correct": "#2ca02c", "roughly right": "#8c9d2a", "misleading": "#ff7f0e",
                   "wrong": "#d62728", "unverifiable": "#7f7f7f"}


def plot_claims_summary(ax):
    """Stacked bars: claims per topic, coloured by verdict."""
    c = datasets.load("claims")
    counts = c.pivot_table(index="topic", columns="verdict", values="id", aggfunc="count",
                           fill_value=0).reindex(columns=VERDICTS[1:], fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values().index]
    left = np.zeros(len(counts))
    colours = {"correct": "C2", "roughly right": "C8", "misleading": "C1", "wrong": "C3",
               "unverifiable": "0.6"}
    for v in counts.columns:
        ax.barh(counts.index, counts[v], left=left, color=colours[v], label=v)
        left += counts[v].to_numpy()
    ax.set_xlabel("claims in the five seed articles")
    ax.set_title(f"{len(c)} checkable claims by topic and verdict")
    ax.legend(fontsize=8, loc="lower right")
    return counts


class ClaimsBrowser(widgets.VBox):
    """Two dropdowns (topic, verdict) over an HTML table of the claims ledger.

    In the static book its bundle carries the table at the current filter as HTML.
    """

    def __init__(self, topic="All", verdict="All"):
        self.controls = {"topic": dropdown(TOPICS, topic, "topic"),
                         "verdict": dropdown(VERDICTS, verdict, "verdict")}
        self.table = widgets.HTML()
        super().__init__(children=[*self.controls.values(), self.table])
        for c in self.controls.values():
            c.observe(lambda change: self.refresh(), names="value")
        self.refresh()

    @property
    def frame(self):
        return claims_table(self.controls["topic"].value, self.controls["verdict"].value)

    def refresh(self) -> None:
        """One compact card per claim (id, verdict, claim, better figure), so that many fit
        on a screen and a phone needs no sideways scrolling."""
        df = self.frame
        cards = []
        for r in df.itertuples(index=False):
            colour = VERDICT_COLOURS.get(r.verdict, "#7f7f7f")
            qual = f" ({_inline_md(r.qualifier)})" if r.qualifier else ""
            checked = f" <em>Computed: {html.escape(r.checked)}.</em>" if r.checked else ""
            cards.append(
                f"<div style='border-left:4px solid {colour};padding:2px 8px;margin:4px 0;"
                f"font-size:0.85em;line-height:1.3'>"
                f"<b>{r.id}</b> <span style='color:{colour};font-weight:bold'>{html.escape(r.verdict)}</span>"
                f"{qual} · {html.escape(r.topic)} · seed {html.escape(r.seeds)}<br>"
                f"{_inline_md(r.claim)}<br><span style='color:#555'>{_inline_md(r.better_figure)}"
                f"{checked}</span></div>")
        self.table.value = (f"<p>{len(df)} claims (the full ledger, with sources: the Reference page "
                            f"<em>The claims ledger</em>)</p>"
                            f"<div style='max-height:640px;overflow-y:auto'>{''.join(cards)}</div>")

    def __repr__(self) -> str:
        v = {k: c.value for k, c in self.controls.items()}
        return f"<ClaimsBrowser topic={v['topic']!r} verdict={v['verdict']!r}: {len(self.frame)} claims>"

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        if isinstance(data, tuple):
            data = data[0]
        data = dict(data)
        data["text/plain"] = repr(self)
        data["text/html"] = self.table.value
        return data


def claims_browser(topic="All", verdict="All") -> ClaimsBrowser:
    """A filterable table of every ledger claim by topic and verdict."""
    return ClaimsBrowser(topic, verdict)
