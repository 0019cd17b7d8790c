"""Chapter 4 figures and explorers: number formats, quantization, energy per bit.

Pure drawing functions ``plot_*(ax, ...)`` plus two explorers built on
:class:`~energylab.widgets.base.Explorer`:

* :func:`formats_explorer` — a format on the log number line: its range, its values,
  and where an input value lands (neighbours, rounding error);
* :func:`quantization_explorer` — the digits MLP's weights in a chosen format and
  scale granularity: weights vs quantized weights, SQNR measured vs theory, accuracy,
  energy per inference and memory.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import datasets, precision
from .base import Explorer, dropdown, log_slider, toggle

__all__ = [
    "FORMAT_ORDER",
    "plot_bit_layout",
    "plot_number_line",
    "plot_energy_vs_bits",
    "plot_running_sum",
    "plot_sqnr_vs_bits",
    "plot_weights_quantized",
    "plot_accuracy_energy",
    "format_table",
    "formats_explorer",
    "quantization_explorer",
]

#: Formats in the order the chapter shows them (widest first).
FORMAT_ORDER = ["fp32", "tf32", "fp16", "bf16", "fp8_e5m2", "fp8_e4m3", "fp4_e2m1", "int8", "int4"]
_COLOURS = {"sign": "#d62728", "exponent": "#1f77b4", "mantissa": "#2ca02c", "int": "#9467bd"}


def _label(fmt: str) -> str:
    return precision.format_spec(fmt).label


def plot_bit_layout(ax, formats=tuple(FORMAT_ORDER)):
    """Sign, exponent and mantissa fields of each format as coloured boxes, one bit each."""
    for row, fmt in enumerate(formats):
        spec = precision.format_spec(fmt)
        y = len(formats) - 1 - row
        if spec.kind == "int":
            fields = [("sign", 1), ("int", spec.bits - 1)]
        else:
            fields = [("sign", 1), ("exponent", spec.exponent_bits), ("mantissa", spec.mantissa_bits)]
        x = 0
        for field, width in fields:
            if width:
                ax.barh(y, width, left=x, height=0.7, color=_COLOURS[field], edgecolor="white", linewidth=0.5)
                if width >= 2:
                    ax.text(x + width / 2, y, str(width), ha="center", va="center", color="white", fontsize=8)
            x += width
        ax.text(-0.7, y, spec.label, ha="right", va="center", fontsize=9)
        ax.text(x + 0.5, y, f"{spec.bits} bits", va="center", fontsize=8, color="0.3")
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=k if k != "int" else "integer magnitude") for k, c in _COLOURS.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=4)
    ax.set_xlim(-10, 36)
    ax.set_yticks([])
    ax.set_xticks([])
    ax.grid(False)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.set_title("How each format spends its bits")


def plot_number_line(ax, fmt: str = "fp8_e4m3", value: float = 0.3, formats=tuple(FORMAT_ORDER)):
    """Positive range of every format on a log axis; the chosen one's values and a probe value.

    Returns
    -------
    dict
        ``below``, ``above`` (neighbours of ``value``), ``rounded``, ``rel_error``,
        ``eps``, ``max``, ``min_subnormal`` of the chosen format.
    """
    for row, name in enumerate(formats):
        info = precision.format_info(name)
        y = len(formats) - 1 - row
        chosen = name == fmt
        colour = "C3" if chosen else "0.6"
        ax.plot([info.min_subnormal, info.max], [y, y], lw=6 if chosen else 3, color=colour,
                alpha=0.35 if chosen else 0.6, solid_capstyle="butt")
        if precision.format_spec(name).bits <= 8:
            vals = precision.representable_values(name, positive_only=True)
            ax.plot(vals, np.full(vals.size, y), "|", ms=9 if chosen else 6, color=colour, mew=1)
    ax.axvline(value, color="k", lw=1, ls="--")
    below, above = (float(v) for v in precision.neighbours(value, fmt))
    rounded = float(precision.fake_quantize(value, fmt, saturate=True)) if precision.format_spec(fmt).kind == "fp" \
        else float(precision.quantize(value, fmt, scale=1.0).values)
    info = precision.format_info(fmt)
    rel = abs(rounded - value) / value
    # Seven whole decades around x (at least three on each side), not the 85 between
    # FP32's smallest subnormal and its maximum: at that span every format's grid is a
    # smear and x cannot be placed. Whole decades, so that moving x within a decade keeps
    # the axes (and a redraw reuses their background, issue 18). A row whose range lies
    # wholly outside the window says where it is instead.
    decade = math.floor(math.log10(value))
    lo, hi = 10.0 ** (decade - 3), 10.0 ** (decade + 4)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    for row, name in enumerate(formats):
        y = len(formats) - 1 - row
        info_row = precision.format_info(name)
        if info_row.max < lo:
            ax.text(lo * 1.15, y + 0.18, f"◂ range ends at {info_row.max:.3g}", fontsize=7,
                    color="0.35", ha="left", va="bottom")
        elif info_row.min_subnormal > hi:
            ax.text(hi / 1.15, y + 0.18, f"range starts at {info_row.min_subnormal:.3g} ▸",
                    fontsize=7, color="0.35", ha="right", va="bottom")
    # the chosen format is the row drawn thick and red (its label stays as the others, so
    # that changing the format keeps the axes' background)
    ax.set_yticks(range(len(formats)), [_label(n) for n in formats][::-1], fontsize=8)
    ax.set_xlabel("positive values, the seven decades around x (log scale; integers with scale 1)")
    text = (f"{_label(fmt)}: eps = {info.eps:.3g}, range {info.min_subnormal:.3g} … {info.max:.4g}\n"
            f"x = {value:.4g} lies between {below:.6g} and {above:.6g}\n"
            f"rounds to {rounded:.6g}: relative error {rel:.2%}"
            + (" (saturated to the maximum;\nwithout saturation "
               + ("a plain cast wraps around)" if precision.format_spec(fmt).kind == "int"
                  else "it overflows to " + ("inf)" if info.has_inf else "NaN)"))
               if abs(value) > info.max else ""))
    # bottom left, over the lowest rows
    ax.text(0.01, 0.02, text, transform=ax.transAxes, ha="left", va="bottom", fontsize=8,
            bbox={"boxstyle": "round", "fc": "white", "ec": "0.7"})
    ax.set_title("Range and resolution of each format (ticks: every value of the ≤8-bit formats)")
    return {"below": below, "above": above, "rounded": rounded, "rel_error": rel,
            "eps": info.eps, "max": info.max, "min_subnormal": info.min_subnormal}


def plot_energy_vs_bits(ax):
    """The 45 nm energies per operation with their fitted power laws (log-log).

    Returns
    -------
    dict
        The fitted exponent of each ``(op, kind)``.
    """
    table = datasets.load("energy_per_op")
    bits = np.geomspace(4, 64, 50)
    out = {}
    for (op, kind), style in {("add", "int"): ("C0", "o"), ("mul", "int"): ("C1", "s"),
                              ("add", "fp"): ("C2", "^"), ("mul", "fp"): ("C3", "D")}.items():
        fit = precision.energy_fit(op, kind)
        pts = table[(table["operation"] == op) & (table["number_kind"] == kind)]
        colour, marker = style
        ax.plot(pts["bits"], pts["energy_j"] * 1e12, marker, color=colour, ms=7)
        ax.plot(bits, precision.op_energy(op, bits, kind) * 1e12, color=colour, lw=1.2,
                label=f"{kind} {op}: E ∝ bits^{fit.exponent:.2f}")
        out[(op, kind)] = fit.exponent
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("bit width")
    ax.set_ylabel("energy per operation (pJ, 45 nm)")
    ax.set_title("Adders grow about linearly, multipliers about quadratically")
    ax.legend()
    return out


def plot_running_sum(ax, n_terms: int = 4000, term: float = 0.01, formats=("fp32", "bf16", "fp16")):
    """Running sums of ``n_terms`` copies of ``term`` with the accumulator in each format."""
    exact = term * np.arange(1, n_terms + 1)
    ax.plot(exact, color="0.5", lw=4, alpha=0.4, label="exact")
    finals = {}
    for fmt in formats:
        s = precision.running_sum(np.full(n_terms, term), fmt)
        ax.plot(s, label=f"{_label(fmt)} accumulator: ends at {s[-1]:.4g}")
        finals[fmt] = float(s[-1])
    ax.set_xlabel("number of terms added")
    ax.set_ylabel("running sum")
    ax.set_title(f"Adding {term:g} again and again")
    ax.legend()
    return finals


def plot_sqnr_vs_bits(ax, bits=range(2, 13), n: int = 100_000, seed: int = 0):
    """Measured SQNR of the symmetric integer quantizer on uniform data vs the rules."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    bits = np.asarray(list(bits))
    measured = np.array([precision.sqnr_db(x, precision.quantize(x, f"int{b}", scale=1 / (2 ** (b - 1) - 1)))
                         for b in bits])
    ax.plot(bits, measured, "o", color="C0", label="measured (uniform data, symmetric INT)")
    ax.plot(bits, precision.sqnr_theory_db(bits, "uniform"), "-", color="C0", lw=1,
            label="theory: Δ²/12 noise, $2^b - 1$ levels")
    ax.plot(bits, 6.02 * bits, "--", color="0.4", lw=1, label="rule 6.02·b (uniform, $2^b$ levels)")
    ax.plot(bits, 6.02 * bits + 1.76, ":", color="0.4", lw=1, label="rule 6.02·b + 1.76 (sine)")
    ax.set_xlabel("bits")
    ax.set_ylabel("SQNR (dB)")
    ax.set_title("Every bit buys about 6 dB")
    ax.legend()
    return {"bits": bits, "measured_db": measured}


def _weight_error(fmt: str, per_channel: bool):
    from .. import workloads

    w = workloads.digits_mlp().weights[0]
    if precision.format_spec(fmt).kind == "int":
        q = precision.quantize(w, fmt, axis=1 if per_channel else None)
        wq = q.values
        theory = 10 * np.log10(np.mean(w ** 2) / np.mean(np.broadcast_to(q.scale, w.shape) ** 2 / 12))
    else:
        wq = precision.quantize_weights([w], fmt, per_channel=per_channel)[0]
        theory = precision.float_sqnr_theory_db(fmt)
    return w, wq, precision.sqnr_db(w, wq), float(theory)


def plot_weights_quantized(ax, fmt: str = "int4", per_channel: bool = False):
    """Each first-layer weight of the digits MLP against its quantized value."""
    w, wq, measured, theory = _weight_error(fmt, per_channel)
    ax.plot(w.ravel(), wq.ravel(), ".", ms=2, alpha=0.5, color="C0")
    lim = np.abs(w).max() * 1.05
    ax.plot([-lim, lim], [-lim, lim], color="0.5", lw=0.8)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_xlabel("weight (float64)")
    # the same axis label for every format (the format is in the title): a redraw then
    # reuses the axes' cached background (issue 18)
    ax.set_ylabel("weight after quantizing")
    gran = "per-channel" if per_channel else "per-tensor"
    ax.set_title(f"Layer-1 weights in {_label(fmt)}, {gran} scale\n"
                 f"SQNR {measured:.1f} dB (theory {theory:.1f} dB)")
    return {"sqnr_db": measured, "theory_db": theory}


@functools.cache
def _format_table(per_channel: bool, activations: bool):
    import pandas as pd

    from .. import workloads

    net = workloads.digits_mlp()
    rows = []
    for fmt in FORMAT_ORDER[:-1] + ["int6", "int5", "int4", "int3", "int2"]:
        spec = precision.format_spec(fmt)
        n_scales = sum(w.shape[1] if per_channel else 1 for w in net.weights) if (
            spec.kind == "int" or per_channel) else 0
        e = precision.forward_pass_energy(net.macs_per_inference, net.macs_per_inference, fmt,
                                       memory="sram_8kb", n_scales=n_scales)
        rows.append({"format": fmt, "label": spec.label, "bits": spec.bits, "kind": spec.kind,
                     "accuracy": precision.digits_accuracy(fmt, per_channel, activations),
                     "weights_bytes": precision.memory_bytes(net.macs_per_inference, fmt, n_scales=n_scales),
                     "compute_j": e.compute_j, "memory_j": e.memory_j, "energy_j": e.total_j})
    return pd.DataFrame(rows)


def format_table(per_channel: bool = False, activations: bool = False):
    """Accuracy, weight memory and energy per inference of the digits MLP in each format.

    Energy is the 45 nm MAC energy at each width plus reading every weight once from an
    8 KB SRAM (the weights fit on chip). Computed once per setting.
    """
    return _format_table(bool(per_channel), bool(activations)).copy()


#: Label offsets of :func:`plot_accuracy_energy`, by setting and axes size.
_LABEL_OFFSETS: dict = {}


def plot_accuracy_energy(ax, fmt: str = "int4", per_channel: bool = False, activations: bool = False):
    """Accuracy vs energy per inference for every format; ``fmt`` highlighted."""
    table = format_table(per_channel, activations)
    base = table.loc[table["format"] == "fp32", "accuracy"].item()
    good = table[table["accuracy"] >= 0.8]
    low = max(0.0, 100 * good["accuracy"].min() - 4)
    ax.set_xscale("log")
    ax.set_xlim(1, 60)
    ax.set_ylim(low, 100)
    renderer = ax.figure.canvas.get_renderer()
    placed = []  # label boxes already drawn, in display coordinates
    # where each label went depends on the table and the axes' size, not on ``fmt``: found
    # once per setting and size (measuring every candidate label was a third of a redraw)
    where = (bool(per_channel), bool(activations), tuple(ax.get_position().bounds),
             tuple(ax.figure.get_size_inches()), ax.figure.dpi)
    offsets = _LABEL_OFFSETS.get(where)
    found = []
    for i, (_, r) in enumerate(table.sort_values("energy_j").iterrows()):
        chosen = r["format"] == fmt
        acc = 100 * r["accuracy"]
        y = max(acc, low + 0.5)  # formats that collapse are pinned to the bottom edge
        ax.plot(r["energy_j"] * 1e9, y, ("o" if r["kind"] == "fp" else "s") if acc >= low else "v",
                color="C3" if chosen else ("C0" if r["kind"] == "fp" else "C2"), ms=9 if chosen else 6)
        name = r["label"].replace(" (MX)", "") + ("" if acc >= low else f" ({acc:.0f}%)")
        if offsets is not None:
            dx, dy = offsets[i]
            ax.annotate(name, (r["energy_j"] * 1e9, y), xytext=(dx, dy), textcoords="offset points",
                        fontsize=7, ha="left" if dx > 0 else "right")
            continue
        # Formats with (nearly) the same energy and accuracy sit on top of each other: try
        # label positions above, below, then further out until one overlaps no earlier label.
        for dx, dy in [(4, 4), (4, -10), (4, 13), (4, -19), (-4, 4), (-4, -10), (4, 22), (4, -28)]:
            label = ax.annotate(name, (r["energy_j"] * 1e9, y), xytext=(dx, dy), textcoords="offset points",
                                fontsize=7, ha="left" if dx > 0 else "right")
            box = label.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed):
                break
            label.remove()
        else:
            dx, dy = 4, 4
            label = ax.annotate(name, (r["energy_j"] * 1e9, y), xytext=(dx, dy), textcoords="offset points",
                                fontsize=7, ha="left")
            box = label.get_window_extent(renderer)
        placed.append(box)
        found.append((dx, dy))
    if offsets is None:
        _LABEL_OFFSETS[where] = tuple(found)
    ax.axhspan(100 * base - 1, 100 * base, color="C2", alpha=0.15, label="within 1 point of FP32")
    ax.set_xticks([1, 2, 5, 10, 20, 50], ["1", "2", "5", "10", "20", "50"])
    # two lines: on one line the label is wider than the half-width axes and was cut off
    ax.set_xlabel("energy per inference (nJ)\n45 nm MACs + SRAM weight reads")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(low, 100)
    row = table[table["format"] == fmt].iloc[0]
    # two lines: on one, the longest format's title ran past the figure's edge
    ax.set_title(f"{row['label']}: {100 * row['accuracy']:.1f}% at {row['energy_j'] * 1e9:.2f} nJ,\n"
                 f"{row['weights_bytes'] / 1e3:.1f} kB of weights")
    ax.legend(loc="lower right")
    return {"accuracy": float(row["accuracy"]), "energy_j": float(row["energy_j"]),
            "weights_bytes": float(row["weights_bytes"])}


_QUANT_FORMATS = [("FP32", "fp32"), ("FP16", "fp16"), ("BF16", "bf16"), ("FP8 E4M3", "fp8_e4m3"),
                  ("FP8 E5M2", "fp8_e5m2"), ("FP4 E2M1", "fp4_e2m1"), ("INT8", "int8"), ("INT6", "int6"),
                  ("INT5", "int5"), ("INT4", "int4"), ("INT3", "int3"), ("INT2", "int2")]


def formats_explorer(**defaults) -> Explorer:
    """Pick a format and a value: see the range, the grid and the rounding error."""
    controls = {
        "fmt": dropdown([(precision.format_spec(f).label, f) for f in FORMAT_ORDER], "fp8_e4m3", "format"),
        "value": log_slider(0.3, -6, 5, "value x", step=0.05),
    }
    ex = Explorer(plot_number_line, controls, title="Number formats: range, resolution and rounding",
                  figsize=(8.0, 4.2),
                  static=dict(fmt=[o[1] for o in controls["fmt"].options], value=[1e-6, 1e-4, 1e-2, 0.3, 1.0, 100.0, 1e4, 1e5]),
                  # the longest format name, and the two ends of the value's range
                  layout_states=[dict(fmt="fp4_e2m1", value=1e-6), dict(fmt="int8", value=1e5)])
    return ex.set(**defaults) if defaults else ex


def _plot_quantization(axes, fmt="int4", per_channel=False, activations=False):
    left = plot_weights_quantized(axes[0], fmt, per_channel)
    right = plot_accuracy_energy(axes[1], fmt, per_channel, activations)
    return {**left, **right}


def quantization_explorer(**defaults) -> Explorer:
    """Quantize the digits MLP: format and scale granularity → error, accuracy, energy."""
    controls = {
        "fmt": dropdown(_QUANT_FORMATS, "int4", "format"),
        "per_channel": toggle(False, "per-channel scales"),
        "activations": toggle(False, "quantize activations too"),
    }
    ex = Explorer(_plot_quantization, controls, title="Quantizing the digits network", ncols=2,
                  figsize=(8.5, 4.2),
                  static=dict(fmt=[o[1] for o in controls["fmt"].options], per_channel=[False, True], activations=[False, True]),
                  layout_states=[dict(fmt="fp4_e2m1")])  # its widest labels
    return ex.set(**defaults) if defaults else ex
