"""Chapter 8 figures and explorers: calculators against meters, and the factor waterfall."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .. import datasets, estimators
from ..constants import J_PER_MWH, J_PER_WH
from .base import Explorer, dropdown, int_slider, log_slider, slider

__all__ = [
    "plot_batching",
    "plot_calculators",
    "calculators_explorer",
    "plot_waterfall",
    "plot_devries_waterfall",
    "waterfall_explorer",
    "HARDWARE",
    "END_FIGURES",
]

_COLOURS = {"ML CO2 Impact": "C0", "Green Algorithms": "C2", "CodeCarbon (no counter)": "C7",
            "LLMCarbon": "C4", "EcoLogits": "C1", "de Vries 2023": "C3", "Epoch AI 2025": "C9",
            "Google 2025": "C8"}


def _log_axis(ax):
    """A log x-axis labelled at 1, 2 and 5 of each decade in plain numbers."""
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _unit(kind: str):
    return (J_PER_MWH, "MWh") if kind == "training" else (J_PER_WH, "Wh")


# ------------------------------------------------------------------ measured batching
def plot_batching(ax, models=None):
    """Measured GPU energy per output token against the mean batch, one line per model and
    GPU (H100 solid, B200 dashed), log-log, from the ML.ENERGY rows of the measurements
    dataset :cite:p:`chung2025mlenergy`. ``models``: the subjects to draw (default: every
    model with more than one run)."""
    runs = estimators.mlenergy_runs()
    counts = runs.groupby("model").size()
    models = list(counts[counts > 1].index) if models is None else list(models)
    out = {}
    for i, model in enumerate(models):
        for gpu, style in (("H100", "-o"), ("B200", "--s")):
            r = runs[(runs["model"] == model) & (runs["gpu"] == gpu)]
            if r.empty:
                continue
            label = f"{model.replace(' Instruct', '')}, {int(r['gpus'].iloc[0])}×{gpu}"
            ax.plot(r["mean_batch"], r["j_per_token"], style, color=f"C{i}", label=label, ms=5)
            out[(model, gpu)] = dict(zip(r["max_batch"], r["j_per_token"]))
    _log_axis(ax)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("mean batch (requests decoded together, log scale)")
    ax.set_ylabel("GPU energy per output token (J)")
    ax.legend(fontsize=7, ncol=2)
    return out


# ------------------------------------------------------------------ calculators side by side
def plot_calculators(ax, workload="Llama-class chat answer", tokens=500, active_parameters_b=70.0,
                     pue=1.2):
    """Every applicable calculator on one workload (bars, log scale) and the measurement band.

    ``tokens`` and ``active_parameters_b`` set the answers' size; ``pue`` goes to every
    calculator that takes one (training workloads keep their published PUE at its default).
    """
    w = estimators.WORKLOADS[workload]
    scale, unit = _unit(w["kind"])
    changes = {"pue": pue} if w["kind"] == "training" else {
        "tokens": tokens, "active_parameters": active_parameters_b * 1e9, "pue": pue}
    values = {k: v for k, v in estimators.compare(workload, **changes).items() if np.isfinite(v)}
    band = estimators.measured(workload, tokens=tokens if w["kind"] == "inference" else None)
    labels = list(values)
    x = np.array([values[k] for k in labels]) / scale
    ax.barh(range(len(labels)), x, color=[_COLOURS[k] for k in labels])
    lo, c, hi = (float(v) / scale for v in (band.low, band.central, band.high))
    if hi > lo:
        # translucent: the grid, drawn under the plot, shows through (0.85 grey on white)
        ax.axvspan(lo, hi, color="0.5", alpha=0.3, zorder=0, label="measured band")
    ax.axvline(c, color="k", ls="--", lw=1, label=f"measured {c:,.3g} {unit}")
    for i, v in enumerate(x):
        ax.text(v, i, f" {v:,.3g} ({v / c:.2g}×)", va="center", fontsize=8)
    _log_axis(ax)
    ax.set_xlim(min(x.min(), lo) / 3, max(x.max(), hi) * 12)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"energy ({unit}, log scale); in brackets: × the measurement")
    row = datasets.load("measurements").set_index("id").loc[w["measurement"]]
    what = (f"{tokens:,} tokens of a {active_parameters_b:g} B model" if w["kind"] == "inference"
            else f"PUE {pue:.2f} where a tool takes one")
    ax.set_title(f"{workload}: {what}\nmeasurement: {row['subject']} ({row['source']}), "
                 f"scope: {row['scope']}", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    return {"values": {k: v / scale for k, v in values.items()}, "measured": c, "unit": unit}


def calculators_explorer(**defaults) -> Explorer:
    """Workload, answer length, model size and PUE → every calculator against the meter."""
    controls = {
        "workload": dropdown(list(estimators.WORKLOADS), "Llama-class chat answer", "workload"),
        "tokens": int_slider(500, 50, 20_000, "tokens per answer (answers only)", step=50),
        "active_parameters_b": log_slider(70.0, 0, 3, "active parameters, billions (answers only)",
                                          step=0.05),
        "pue": slider(1.2, 1.0, 2.0, 0.01, "PUE (tools that take one)", ".2f"),
    }
    # In the static book: every workload, a short and a long answer, a mid-size and a frontier
    # model (16 states); PUE stays at its default (it scales the tools that take one alike).
    ex = Explorer(plot_calculators, controls, title="Calculators against the meter",
                  figsize=(8.5, 3.8),
                  static=dict(workload=list(estimators.WORKLOADS), tokens=[500, 9000],
                              active_parameters_b=[70.0, 1000.0]),
                  # the training runs: other tools (longer names), wider energy axes
                  layout_states=[dict(workload="GPT-3 training"), dict(workload="BLOOM training", pue=1.0),
                                 dict(workload="BLOOM training", pue=2.0)])
    return ex.set(**defaults) if defaults else ex


# ------------------------------------------------------------------ waterfall
def plot_waterfall(ax, chain, scale=1.0, unit=""):
    """A waterfall of a :class:`~energylab.estimators.FactorChain` on a log axis: the start
    bar, one floating bar per factor (red up, blue down) labelled ×ratio, the end bar."""
    names = [chain.start_label] + [f.name for f in chain.factors] + [chain.end_label]
    n = len(names)
    ax.barh(0, chain.start / scale, color="0.45")
    for i, f in enumerate(chain.factors, start=1):
        a, b = f.before / scale, f.after / scale
        ax.barh(i, abs(b - a), left=min(a, b), color="C3" if b > a else "C0")
        ax.text(max(a, b), i, f" ×{f.ratio:.3g}", va="center", fontsize=8)
    ax.barh(n - 1, chain.end / scale, color="0.2")
    ax.text(chain.start / scale, 0, f" {chain.start / scale:,.3g} {unit}", va="center", fontsize=8)
    ax.text(chain.end / scale, n - 1, f" {chain.end / scale:,.3g} {unit}", va="center", fontsize=8)
    values = [chain.start / scale] + [f.after / scale for f in chain.factors]
    _log_axis(ax)
    ax.set_xlim(min(values) / 2, max(values) * 3)
    ax.set_yticks(range(n), [s if len(s) < 46 else s[:44] + "…" for s in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"{unit} (log scale)" if unit else "value (log scale)")
    return {"gap": chain.gap, "product": chain.product, "dominant": chain.dominant().name}


#: Hardware choices of the waterfall: label -> (chip, precision).
HARDWARE = {"A100 · FP16": ("A100", "fp16"), "H100 · BF16": ("H100", "bf16"),
            "H100 · FP8": ("H100", "fp8"), "B200 · FP8": ("B200", "fp8")}

#: End figures of the waterfall: label -> measurement id (None: the model's own end).
END_FIGURES = {"Google 2025, comprehensive (0.24 Wh)": "gemini_prompt_comprehensive",
               "Google 2025, active accelerators (0.10 Wh)": "gemini_prompt_active_only",
               "no measurement: the model's end": None}


def plot_devries_waterfall(ax, end="Google 2025, comprehensive (0.24 Wh)", hardware="H100 · BF16",
                           utilisation=0.10, batch=1, host_overhead=1275 / 700, power_fraction=0.7,
                           pue=1.2):
    """The waterfall from de Vries's 2.9 Wh to a chosen figure, each factor's end set by a control."""
    chip, precision = HARDWARE[hardware]
    key = END_FIGURES[end]
    end_value = None if key is None else float(estimators.measurement(key).central)
    chain = estimators.devries_to_google(
        end_value=end_value, peak_flop_per_s=datasets.peak_flops(chip, precision),
        chip_power_w=float(datasets.chip(chip)["tdp_w"]), utilisation=utilisation, batch=batch,
        host_overhead=host_overhead, power_fraction=power_fraction, pue=pue)
    merit = plot_waterfall(ax, chain, J_PER_WH, "Wh")
    ax.set_title(f"de Vries 2023 → {end.split(' (')[0]}\ngap ×{chain.gap:.3g} = product of the "
                 f"factors ×{chain.product:.3g}", fontsize=9)
    return {**merit, "ratios": chain.ratios()}


def waterfall_explorer(**defaults) -> Explorer:
    """Every factor between de Vries's 2.9 Wh and Google's 0.24 Wh as a control."""
    controls = {
        "end": dropdown(list(END_FIGURES), "Google 2025, comprehensive (0.24 Wh)", "to"),
        "hardware": dropdown(list(HARDWARE), "H100 · BF16", "hardware"),
        "utilisation": slider(0.10, 0.01, 1.0, 0.01, "utilisation per stream", ".2f"),
        "batch": int_slider(1, 1, 64, "batch (streams decoded together)"),
        "host_overhead": slider(1275 / 700, 1.0, 3.0, 0.01, "host overhead (server ÷ chip power)", ".2f"),
        "power_fraction": slider(0.7, 0.3, 1.0, 0.05, "average ÷ rated power", ".2f"),
        "pue": slider(1.2, 1.0, 2.0, 0.01, "PUE", ".2f"),
    }
    # In the static book: the end figure, batching and utilisation (18 states), the factors
    # that move the gap most; hardware, host overhead, power and PUE stay at their defaults.
    ex = Explorer(plot_devries_waterfall, controls, title="Waterfall: from 2.9 Wh to a measured prompt",
                  figsize=(8.5, 3.8),
                  static=dict(end=list(END_FIGURES), batch=[1, 8, 64], utilisation=[0.1, 0.3]))
    return ex.set(**defaults) if defaults else ex
