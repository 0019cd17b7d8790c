"""Figures and explorers of chapter 5: the memory wall, the roofline, analog crossbars.

Pure drawing functions ``plot_*(ax, ...)`` and explorers built on
:class:`energylab.widgets.base.Explorer`:

* :func:`memory_wall_explorer` — model size, precision, batch and chip → tokens/s,
  J/token, the compute/memory split and the point on the roofline;
* :func:`crossbar_explorer` — conductance levels, programming variation, read noise,
  ADC bits and drift time → ideal vs analog outputs, digits accuracy, energy per
  inference.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.ticker import EngFormatter

from .. import datasets, pim, workloads
from .. import precision as _precision
from ..constants import PICO
from .base import Explorer, dropdown, int_slider, log_slider, slider

__all__ = [
    "plot_memory_energy",
    "plot_roofline",
    "plot_energy_roofline",
    "plot_decode",
    "plot_memory_wall",
    "memory_wall_explorer",
    "plot_crossbar_outputs",
    "plot_inference_energy",
    "plot_crossbar",
    "crossbar_explorer",
    "MEMORY_LEVELS",
    "ROOFLINE_CHIPS",
]

#: Levels drawn in :func:`plot_memory_energy`, nearest first, with short labels.
MEMORY_LEVELS = {
    "register_file": "register file",
    "sram_8kb": "SRAM 8 KB",
    "sram_32kb": "SRAM 32 KB",
    "sram_1mb": "SRAM 1 MB",
    "hbm3": "HBM3",
    "hbm2": "HBM2",
    "lpddr5": "LPDDR5",
    "gddr5": "GDDR5",
    "ddr4": "DDR4",
    "dram_45nm": "DRAM (45 nm)",
}
#: Chips on the roofline figure.
ROOFLINE_CHIPS = ("V100", "A100", "H100")
#: Test images whose first-layer outputs the crossbar explorer scatters (all 540 are
#: used for the accuracy).
SCATTER_IMAGES = 150
_PRECISION_BYTES = {"FP32": 4.0, "FP16": 2.0, "FP8/INT8": 1.0, "INT4": 0.5}


def plot_memory_energy(ax, levels=tuple(MEMORY_LEVELS)):
    """Energy to move one byte from each memory level, against the energy of a MAC.

    Returns
    -------
    dict
        ``{level: J per byte}``.
    """
    energies = {lv: pim.energy_per_byte(lv) for lv in levels}
    y = np.arange(len(energies))
    ax.barh(y, [e / PICO for e in energies.values()], color="tab:blue", alpha=0.8)
    ax.set_yticks(y, [MEMORY_LEVELS.get(lv, lv) for lv in energies])
    ax.invert_yaxis()
    ax.set_xscale("log")
    for number, color in (("int8", "tab:green"), ("fp32", "tab:red")):
        e = pim.mac_energy(number) / PICO
        ax.axvline(e, color=color, ls="--", lw=1.5, label=f"one {number} MAC, 45 nm ({e:.2g} pJ)")
    ax.set_xlabel("energy to move one byte (pJ, log scale)")
    ax.set_title("Moving a byte vs computing with it")
    ax.legend(loc="upper right")  # the short bars (registers, small SRAMs) leave that corner free
    return energies


def plot_roofline(ax, chips=ROOFLINE_CHIPS, precision="fp16", points=None):
    """Rooflines of several chips, with their ridge points and optional kernels.

    Parameters
    ----------
    chips : sequence of str
        Chip names for :func:`energylab.datasets.chip`.
    precision : str
        Precision of the peak (``datasets.peak_flops``).
    points : mapping of str to float, optional
        Kernels to mark on the last chip's roof: label -> intensity (FLOP/byte).

    Returns
    -------
    dict
        ``{chip: ridge point in FLOP/byte}``.
    """
    intensity = np.logspace(-1, 4, 400)
    ridges = {}
    for name in chips:
        row = datasets.chip(name)
        peak = datasets.peak_flops(name, precision)
        bw = float(row["memory_bandwidth_bytes_per_s"])
        ridge = float(pim.ridge_point(peak, bw))
        ridges[name] = ridge
        line, = ax.loglog(intensity, pim.roofline(intensity, peak, bw), lw=2,
                          label=f"{name}: ridge {ridge:.0f} FLOP/B")
        ax.plot([ridge], [peak], "o", color=line.get_color())
    if points:
        row = datasets.chip(chips[-1])
        peak = datasets.peak_flops(chips[-1], precision)
        bw = float(row["memory_bandwidth_bytes_per_s"])
        for label, i in points.items():
            p = float(pim.roofline(i, peak, bw))
            ax.plot([i], [p], "k*", ms=10)
            # to the left of a point in the right third of the axis (0.1-10^4 FLOP/B), so
            # that the label stays inside the panel (beside a second panel, it ran over
            # that panel's tick labels at batch 512)
            right = i > 10 ** 2.3
            ax.annotate(label, (i, p), textcoords="offset points", xytext=(-6 if right else 6, -12),
                        ha="right" if right else "left", fontsize=9)
    ax.yaxis.set_major_formatter(EngFormatter(unit="FLOP/s"))
    ax.set_xlabel("arithmetic intensity (FLOP per byte of memory traffic)")
    ax.set_ylabel(f"attainable {precision.upper()} throughput")
    ax.set_title("Roofline: min(peak, intensity × bandwidth)")
    ax.legend(loc="lower right")
    return ridges


def plot_energy_roofline(ax, chip="H100", precision="fp16", level=pim.DEFAULT_HBM_LEVEL):
    """Energy per FLOP against arithmetic intensity: ``E_flop + E_byte / I``.

    ``E_flop`` is the chip's TDP over its dense peak, ``E_byte`` the energy per byte of
    ``level``. Marks the energy balance point ``E_byte / E_flop`` (where moving data and
    computing cost the same) and the chip's time ridge point.

    Returns
    -------
    dict
        j_per_flop, j_per_byte, energy_balance (FLOP/byte), ridge (FLOP/byte).
    """
    row = datasets.chip(chip)
    peak = datasets.peak_flops(chip, precision)
    e_flop = _precision.chip_energy_per_op(chip, precision)   # the one energy per FLOP of a chip
    e_byte = pim.energy_per_byte(level)
    ridge = float(pim.ridge_point(peak, row["memory_bandwidth_bytes_per_s"]))
    balance = e_byte / e_flop
    intensity = np.logspace(-1, 4, 400)
    total = e_flop + e_byte / intensity
    ax.loglog(intensity, total / PICO, lw=2, color="k", label="total")
    ax.loglog(intensity, np.full_like(intensity, e_flop / PICO), "--", color="tab:orange", label="arithmetic")
    ax.loglog(intensity, e_byte / intensity / PICO, "--", color="tab:blue", label=f"memory traffic ({level.upper()})")
    ax.axvline(balance, color="tab:green", lw=1, label=f"energy balance {balance:.0f} FLOP/B")
    ax.axvline(ridge, color="tab:red", lw=1, label=f"time ridge {ridge:.0f} FLOP/B")
    ax.set_xlabel("arithmetic intensity (FLOP per byte of memory traffic)")
    ax.set_ylabel("energy per FLOP (pJ)")
    ax.set_title(f"Energy roofline of the {chip} ({precision.upper()}, TDP / peak per FLOP)")
    ax.legend(loc="lower left")
    return {"j_per_flop": e_flop, "j_per_byte": e_byte, "energy_balance": balance, "ridge": ridge}


def plot_decode(ax, parameters=7e9, bytes_per_parameter=2.0, chip="H100", batches=None,
                kv_bytes_per_sequence=0.0):
    """Energy per token of decoding vs batch size, split into memory and compute.

    Returns
    -------
    pim.DecodeStep
        The decode steps at every batch size drawn.
    """
    batches = np.unique(np.round(np.logspace(0, 10, 41, base=2))) if batches is None else np.asarray(batches)
    s = pim.decode_step(parameters, bytes_per_parameter, batches, chip,
                        kv_bytes_per_sequence=kv_bytes_per_sequence)
    mem = s.memory_energy_j / batches
    comp = s.compute_energy_j / batches
    # Lines, not a stacked area: on a log axis a band's thickness is not its size, and a
    # stack makes the constant arithmetic energy per token look as if it grew with batch.
    ax.plot(batches, mem + comp, color="k", lw=2, label="total")
    ax.plot(batches, mem, color="tab:blue", label="memory traffic (weights shared by the batch)")
    ax.plot(batches, comp, color="tab:orange", ls="--", label="arithmetic (same for every token)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(EngFormatter(unit="J"))
    ax.set_xlabel("batch (sequences decoded together)")
    ax.set_ylabel("energy per token")
    ax.set_title(f"Decoding a {parameters / 1e9:g} B model on {chip}")
    ax.legend(loc="upper right", fontsize=8)
    return s


def plot_memory_wall(axes, parameters_b=7.0, precision="FP16", batch=1, chip="H100",
                     context_k=0.0):
    """Two panels: the decode step on the chip's roofline, and its energy split.

    Parameters
    ----------
    axes : array of two matplotlib Axes
    parameters_b : float
        Model size in billions of parameters.
    precision : {"FP32", "FP16", "FP8/INT8", "INT4"}
        Weight format.
    batch : int
        Sequences decoded together.
    chip : str
        A chip with a memory bandwidth in the ``chips`` dataset.
    context_k : float
        Context length in thousands of tokens whose key–value cache each sequence reads
        (a Llama-2-7B-like shape scaled with the model: 32 layers × 4096 wide at 7 B).

    Returns
    -------
    dict
        tokens_per_s, j_per_token, memory_share, intensity, memory_bound.
    """
    ax_roof, ax_bar = axes
    n = parameters_b * 1e9
    bpp = _PRECISION_BYTES[precision]
    scale = (parameters_b / 7.0) ** (1 / 3)
    kv = float(pim.kv_cache_bytes(32 * scale, 4096 * scale, context_k * 1e3, bpp)) if context_k > 0 else 0.0
    s = pim.decode_step(n, bpp, batch, chip, kv_bytes_per_sequence=kv)
    prec = pim.default_precision(chip, bpp)
    plot_roofline(ax_roof, chips=(chip,), precision=prec,
                  points={f"decode, batch {batch}": s.intensity_flop_per_byte})
    ax_roof.set_title(f"{chip}: {'memory' if s.memory_bound else 'compute'}-bound at batch {batch}")
    capacity = float(datasets.chip(chip)["memory_bytes"])
    fits = not np.isfinite(capacity) or s.n_bytes <= capacity
    if not fits:
        ax_roof.text(0.03, 0.95, f"weights + KV cache = {s.n_bytes / 1e9:,.0f} GB:\n"
                     f"more than the {capacity / 1e9:,.0f} GB on one {chip}",
                     transform=ax_roof.transAxes, va="top", color="tab:red", fontsize=9)
    parts = {"memory\ntraffic": s.memory_energy_j / batch, "arithmetic": s.compute_energy_j / batch}
    ax_bar.bar(list(parts), list(parts.values()), color=["tab:blue", "tab:orange"])
    eng = EngFormatter(unit="J")
    ax_bar.yaxis.set_major_formatter(eng)
    ax_bar.set_ylabel("energy per token")
    j_per_token = eng(float(f"{s.energy_per_token_j:.3g}"))  # three significant figures: "455 mJ"
    ax_bar.set_title(f"{s.tokens_per_s:,.0f} tokens/s · {j_per_token}/token\n"
                     f"memory share {s.memory_share:.0%}")
    return {"tokens_per_s": s.tokens_per_s, "j_per_token": s.energy_per_token_j,
            "memory_share": s.memory_share, "intensity": s.intensity_flop_per_byte,
            "memory_bound": s.memory_bound, "fits_in_memory": fits}


def _bandwidth_chips() -> list[str]:
    chips = datasets.load("chips")
    return [a.split(";")[0] for a, bw in zip(chips["aliases"], chips["memory_bandwidth_bytes_per_s"])
            if np.isfinite(bw)]


def memory_wall_explorer(**defaults) -> Explorer:
    """Explorer: model size, precision, batch, context and chip → the memory wall."""
    controls = {
        "parameters_b": log_slider(7.0, 0, 3, "model size (billions of parameters)"),
        "precision": dropdown(list(_PRECISION_BYTES), "FP16", "weight format"),
        "batch": int_slider(1, 1, 512, "batch"),
        "chip": dropdown(_bandwidth_chips(), "H100", "chip"),
        "context_k": slider(0.0, 0.0, 32.0, 1.0, "context (k tokens, KV cache)"),
    }
    ex = Explorer(plot_memory_wall, controls, title="The memory wall: decoding one token",
                  ncols=2, figsize=(8.5, 3.8),
                  static=dict(parameters_b=[1.0, 7.0, 70.0, 1000.0], batch=[1, 16, 64, 512], precision=["FP32", "FP16", "FP8/INT8", "INT4"]))
    return ex.set(**defaults) if defaults else ex


# --------------------------------------------------------------------------- crossbars
@functools.cache
def _net():
    return workloads.digits_mlp()


def plot_crossbar_outputs(ax, xbar, x, **vmm_kwargs):
    """Scatter of analog vs ideal outputs of one crossbar for inputs ``x``.

    Returns
    -------
    float
        The relative RMS error ``‖y − x·W‖ / ‖x·W‖``.
    """
    ideal = np.asarray(x) @ xbar.weights
    analog = xbar.vmm(x, **vmm_kwargs)
    err = float(np.linalg.norm(analog - ideal) / np.linalg.norm(ideal))
    lim = float(np.max(np.abs(ideal))) * 1.1
    ax.plot([-lim, lim], [-lim, lim], color="0.5", lw=1)
    ax.scatter(ideal.ravel(), analog.ravel(), s=3, alpha=0.3, color="tab:purple", rasterized=True)
    ax.set_xlim(-lim, lim)
    ax.set_xlabel("ideal output (x · W)")
    ax.set_ylabel("crossbar output")
    return err


def plot_inference_energy(ax, energy: pim.NetworkEnergy):
    """Bars (log scale) of one inference's energy by part, analog crossbars vs digital."""
    parts = [("cells", energy.array_j, "tab:olive"), ("DACs", energy.dac_j, "tab:cyan"),
             ("ADCs", energy.adc_j, "tab:red"), ("analog\ntotal", energy.analog_j, "tab:purple"),
             ("MACs", energy.digital_compute_j, "tab:orange"),
             ("weight\nreads", energy.digital_weights_j, "tab:blue"),
             ("digital\ntotal", energy.digital_j, "0.3")]
    x = np.arange(len(parts))
    ax.bar(x, [p[1] for p in parts], color=[p[2] for p in parts])
    ax.axvline(3.5, color="0.6", lw=1)
    ax.set_xticks(x, [p[0] for p in parts], fontsize=8)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(EngFormatter(unit="J"))
    ax.set_ylabel("energy per inference (log scale)")


def plot_crossbar(axes, levels=16, sigma=0.05, read_noise=0.02, adc_bits=6,
                  drift_time_s=1.0, nu_sigma=0.01, seed=0):
    """Two panels: ideal vs analog outputs of the digits MLP's first layer; energy per
    inference, analog vs digital. The title carries the digits accuracy.

    Parameters
    ----------
    levels : int
        Conductance levels per device; 0 means continuous.
    sigma : float
        Relative programming variation.
    read_noise : float
        Relative read noise per device and read.
    adc_bits : int
        Column ADC resolution.
    drift_time_s : float
        Time since programming (s); drift exponent 0.05 with spread ``nu_sigma``.
    nu_sigma : float
        Device-to-device spread of the drift exponent.
    seed : int
        Seed of the programming, drift and read noise.

    Returns
    -------
    dict
        accuracy, ideal_accuracy, relative_error, analog_j, digital_j.
    """
    ax_sc, ax_e = axes
    net = _net()
    lv = None if levels == 0 else int(levels)
    acc = pim.analog_accuracy(net, levels=lv, sigma=sigma, adc_bits=adc_bits, read_noise=read_noise,
                              drift_time_s=drift_time_s if drift_time_s > 1.0 else None,
                              nu=0.05, nu_sigma=nu_sigma, seeds=(seed,))
    gen = np.random.default_rng(seed)
    xbar = pim.Crossbar(net.weights[0], levels=lv, sigma=sigma, rng=gen)
    if drift_time_s > 1.0:
        xbar = xbar.drift(drift_time_s, 0.05, nu_sigma=nu_sigma, rng=gen)
    err = plot_crossbar_outputs(ax_sc, xbar, net.x_test[:SCATTER_IMAGES], adc_bits=adc_bits,
                                read_noise=read_noise, rng=gen)
    ax_sc.set_title(f"layer 1 (64×64), {SCATTER_IMAGES} test images: error {err:.1%}\n"
                    f"digits accuracy {acc:.1%} (ideal {net.test_accuracy:.1%})")
    energy = pim.network_energy(net.weights, adc_bits=adc_bits, dac_bits=8)
    plot_inference_energy(ax_e, energy)
    ax_e.set_title(f"analog {energy.analog_j / 1e-9:.2g} nJ vs digital {energy.digital_j / 1e-9:.2g} nJ\n"
                   f"ADCs: {energy.adc_j / energy.analog_j:.0%} of the analog energy")
    return {"accuracy": acc, "ideal_accuracy": net.test_accuracy, "relative_error": err,
            "analog_j": energy.analog_j, "digital_j": energy.digital_j}


def crossbar_explorer(**defaults) -> Explorer:
    """Explorer: device and converter non-idealities → outputs, accuracy and energy."""
    controls = {
        "levels": dropdown([("continuous", 0)] + [(str(2 ** k), 2 ** k) for k in range(1, 9)],
                           16, "conductance levels"),
        "sigma": slider(0.05, 0.0, 0.5, 0.01, "programming variation σ"),
        "read_noise": slider(0.02, 0.0, 0.3, 0.01, "read noise"),
        "adc_bits": int_slider(6, 2, 12, "ADC bits"),
        "drift_time_s": log_slider(1.0, 0, 8, "time since programming (s)", step=0.5),
        "nu_sigma": slider(0.01, 0.0, 0.05, 0.005, "drift-exponent spread"),
    }
    ex = Explorer(plot_crossbar, controls, title="An analog crossbar runs the digits MLP",
                  ncols=2, figsize=(8.5, 4.0),
                  static=dict(levels=[0, 4, 16, 64, 256], sigma=[0.0, 0.05, 0.2, 0.5], adc_bits=[4, 6, 8, 12]))
    return ex.set(**defaults) if defaults else ex
