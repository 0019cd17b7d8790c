"""Chapter 3 figures and explorers: pruning, N:M patterns, storage, MoE, sparse matmul energy.

Each ``plot_*`` draws on the axes it is given and returns its figures of merit; each
``*_explorer`` wires controls to one of them through :class:`~energylab.widgets.base.Explorer`.
The digits network and everything derived from it (pruned accuracies, fine-tuned
accuracies) are computed once per process and cached, never on each slider move.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.ticker import EngFormatter, FuncFormatter, PercentFormatter

from .. import datasets, pim, precision, sparsity, workloads
from .base import Explorer, dropdown, int_slider, log_slider, slider, toggle

__all__ = [
    "PATTERNS",
    "MEMORIES",
    "fp16_mac_energy_j",
    "memory_energy_per_byte_j",
    "pruned_weights",
    "pruned_accuracy",
    "plot_nm_pattern",
    "nm_pattern_explorer",
    "plot_reconstruction_error",
    "plot_pruning_accuracy",
    "pruning_explorer",
    "plot_storage",
    "plot_activation_sparsity",
    "plot_moe",
    "moe_explorer",
    "compare_layer",
    "plot_matmul_energy",
    "matmul_energy_explorer",
    "plot_sparse_training",
]

#: Pruning patterns offered by the explorers: name -> (n, m), or None for unstructured.
PATTERNS = {"unstructured": None, "1:2": (1, 2), "2:4": (2, 4), "4:8": (4, 8),
            "1:4": (1, 4), "2:8": (2, 8), "1:8": (1, 8)}
#: Memories offered by the explorers: label -> row of the memory_energy dataset.
MEMORIES = {"on-chip SRAM 8 KB (45 nm)": "sram_8kb", "HBM2 DRAM": "hbm2",
            "DDR4 DRAM": "ddr4"}

_JOULES = EngFormatter(unit="J")
_PATTERN_COLOURS = {"unstructured": "tab:blue", "1:2": "tab:purple", "2:4": "tab:orange",
                    "4:8": "tab:green", "1:4": "tab:red", "2:8": "tab:brown", "1:8": "tab:gray"}
_SPARSITIES = np.round(np.arange(0.0, 0.951, 0.05), 2)


# --------------------------------------------------------------------------- shared inputs
@functools.cache
def fp16_mac_energy_j() -> float:
    """Energy of an FP16 multiply plus an FP16 add at 45 nm (Horowitz 2014), in joules."""
    ops = datasets.load("energy_per_op")
    fp16 = ops[(ops["number_kind"] == "fp") & (ops["bits"] == 16)].set_index("operation")
    return float(fp16.loc["mul", "energy_j"] + fp16.loc["add", "energy_j"])


@functools.cache
def memory_energy_per_byte_j(level: str) -> float:
    """Energy to move one byte from a memory of the ``memory_energy`` dataset (J);
    :func:`energylab.pim.energy_per_byte` is the one model of it."""
    return pim.energy_per_byte(level)


@functools.cache
def _net():
    return workloads.digits_mlp()


def pruned_weights(pattern: str, sparsity_: float = 0.5, finetune: bool = False):
    """The digits MLP's weights pruned by ``pattern`` (N:M along the reduction axis 0).

    ``sparsity_`` is used only for ``"unstructured"`` (each layer pruned separately);
    N:M patterns have sparsity ``1 − n/m``. With ``finetune`` the kept weights are
    retrained for 5 epochs (seed 0) by :func:`energylab.workloads.finetune`.
    """
    return [w.copy() for w in _pruned(pattern, round(float(sparsity_), 4), bool(finetune))]


@functools.cache
def _pruned(pattern: str, s: float, finetune: bool):
    if pattern not in PATTERNS:
        raise ValueError(f"pattern must be one of {', '.join(PATTERNS)}, got {pattern!r}")
    net = _net()
    nm = PATTERNS[pattern]
    if nm is None:
        masks = [sparsity.magnitude_mask(w, s) for w in net.weights]
    else:
        masks = [sparsity.nm_mask(w, nm[0], nm[1], axis=0) for w in net.weights]
    if finetune:
        return tuple(workloads.finetune(net, masks, epochs=5, seed=0))
    return tuple(np.where(mk, w, 0.0) for mk, w in zip(masks, net.weights))


@functools.cache
def pruned_accuracy(pattern: str, sparsity_: float = 0.5, finetune: bool = False) -> float:
    """Test accuracy of the digits MLP pruned as in :func:`pruned_weights` (cached)."""
    return workloads.accuracy(_net(), weights=list(_pruned(pattern, round(float(sparsity_), 4),
                                                           bool(finetune))))


def _pattern_sparsity(pattern: str, s: float) -> float:
    nm = PATTERNS[pattern]
    return s if nm is None else 1 - nm[0] / nm[1]


# --------------------------------------------------------------------------- N:M pattern
def plot_nm_pattern(axes, pattern="2:4", rows=8, cols=16, value_bits=16):
    """A block of the digits MLP's first layer, before and after N:M pruning.

    The block is shown with the reduction dimension running left to right (one row per
    output neuron), so each group of ``m`` is a run of cells between the thin lines.
    The right panel greys out the pruned weights; its title gives the relative error
    of the block and the compressed size of the whole layer.

    Returns
    -------
    dict
        ``relative_error`` (Frobenius, whole layer), ``compressed_fraction``
        (N:M bits ÷ dense bits), ``kept_per_group``.
    """
    n, m = PATTERNS[pattern] if PATTERNS.get(pattern) else (2, 4)
    w = _net().weights[0].T          # (outputs, inputs): reduction along axis 1
    mask = sparsity.nm_mask(w, n, m, axis=1)
    block = w[:rows, :cols]
    bmask = mask[:rows, :cols]
    lim = float(np.abs(block).max())
    ax0, ax1 = axes
    ax0.imshow(block, cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax0.set_title(f"dense block ({rows}×{cols} of {w.shape[0]}×{w.shape[1]})")
    pruned = np.ma.masked_where(~bmask, block)
    ax1.imshow(np.zeros_like(block), cmap=ListedColormap(["0.85"]), vmin=0, vmax=1)
    ax1.imshow(pruned, cmap="RdBu_r", vmin=-lim, vmax=lim)
    err = float(np.linalg.norm(w - np.where(mask, w, 0.0)) / np.linalg.norm(w))
    dense_bits = sparsity.storage_bits(w.shape, 1.0, value_bits, "dense")
    nm_bits = sparsity.storage_bits(w.shape, n / m, value_bits, "nm", n=n, m=m)
    ax1.set_title(f"{n}:{m}: error {err:.0%}, size {nm_bits / dense_bits:.0%} of dense")
    for ax in axes:
        ax.grid(False)
        ax.set_xticks(np.arange(0, cols, m) - 0.5, [str(i) for i in range(0, cols, m)])
        ax.set_yticks([])
        for x in np.arange(m, cols, m) - 0.5:
            ax.axvline(x, color="k", lw=0.6)
        ax.set_xlabel("input (reduction) index →")
    return {"relative_error": err, "compressed_fraction": float(nm_bits / dense_bits),
            "kept_per_group": n}


def nm_pattern_explorer(**defaults) -> Explorer:
    """N:M pattern on a block of real weights: the mask, the error and the compressed size."""
    controls = {
        "pattern": dropdown([p for p in PATTERNS if p != "unstructured"], "2:4", "pattern N:M"),
        "value_bits": dropdown([("FP32", 32), ("FP16", 16), ("INT8", 8)], 16, "values"),
    }
    ex = Explorer(plot_nm_pattern, controls, title="N:M sparsity: keep the n largest of every m",
                  ncols=2, figsize=(8.5, 3.4),
                  static=dict(pattern=["1:2", "2:4", "4:8", "1:4", "2:8", "1:8"], value_bits=[32, 16, 8]))
    return ex.set(**defaults) if defaults else ex


# --------------------------------------------------------------------------- pruning sweeps
def plot_reconstruction_error(ax, patterns=("2:4", "4:8", "1:4", "1:2", "2:8")):
    """Relative error ‖W − W_pruned‖/‖W‖ of the first layer vs sparsity.

    Unstructured magnitude pruning as a curve, N:M patterns as points at their sparsity.

    Returns
    -------
    dict
        ``unstructured`` (array of errors on the sparsity grid) and one error per pattern.
    """
    w = _net().weights[0]
    norm = np.linalg.norm(w)
    errs = np.array([np.linalg.norm(w - sparsity.magnitude_prune(w, s)) / norm
                     for s in _SPARSITIES])
    ax.plot(_SPARSITIES, errs, color=_PATTERN_COLOURS["unstructured"], label="unstructured")
    out = {"unstructured": errs}
    for p in patterns:
        n, m = PATTERNS[p]
        e = float(np.linalg.norm(w - sparsity.apply_nm(w, n, m, axis=0)) / norm)
        ax.plot(1 - n / m, e, "o", color=_PATTERN_COLOURS[p], label=p, ms=7)
        out[p] = e
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("sparsity (share of weights set to zero)")
    ax.set_ylabel("relative error of the layer")
    ax.set_title("What pruning removes from layer 1")
    ax.legend()
    return out


def plot_pruning_accuracy(axes, sparsity_=0.5, pattern="2:4", finetune=False,
                          memory="HBM2 DRAM"):
    """Digits MLP: test accuracy vs sparsity (left) and energy per inference (right).

    Left: unstructured magnitude pruning (curve; dashed after a 5-epoch masked
    fine-tune if chosen) and the N:M patterns (dots one-shot, triangles fine-tuned). The
    diamond marks unstructured pruning at ``sparsity_``; the ring marks ``pattern`` (an
    N:M pattern has its own sparsity, 1 − n/m). Right: energy of one inference (FP16
    MACs at 45 nm, weights read from ``memory``) for the dense network, unstructured
    pruning stored as CSR, and the chosen pattern on N:M hardware, split into compute,
    weights, index metadata and activations.

    Returns
    -------
    dict
        ``accuracy`` and ``sparsity`` of ``pattern``; ``unstructured_accuracy`` at
        ``sparsity_``; ``dense_accuracy``; ``energy_j`` (pattern),
        ``unstructured_energy_j`` and ``dense_energy_j``.
    """
    ax0, ax1 = axes
    net = _net()
    su = float(sparsity_)
    s = _pattern_sparsity(pattern, su)
    curve = [pruned_accuracy("unstructured", x, False) for x in _SPARSITIES]
    ax0.plot(_SPARSITIES, curve, color="tab:blue", label="unstructured")
    if finetune:
        tuned = [pruned_accuracy("unstructured", x, True) for x in _SPARSITIES]
        ax0.plot(_SPARSITIES, tuned, color="tab:blue", ls="--", label="unstructured + fine-tune")
    for p, nm in PATTERNS.items():
        if nm is None:
            continue
        x = 1 - nm[0] / nm[1]
        ax0.plot(x, pruned_accuracy(p, 0.5, False), "o", color=_PATTERN_COLOURS[p], label=p)
        if finetune:
            ax0.plot(x, pruned_accuracy(p, 0.5, True), "^", color=_PATTERN_COLOURS[p])
    if finetune:  # say in the legend what the triangles are (the dots stay one-shot)
        ax0.plot([], [], "^", color="0.5", label="N:M + fine-tune (dots: one-shot)")
    acc_u = pruned_accuracy("unstructured", su, finetune)
    acc = pruned_accuracy(pattern, su if PATTERNS[pattern] is None else 0.5, finetune)
    ax0.plot(su, acc_u, "D", ms=8, color="tab:blue", mec="k")
    ax0.plot(s, acc, "o", ms=15, mfc="none", mec="k", mew=1.5)
    ax0.axhline(net.test_accuracy, color="k", lw=0.8, ls=":")
    ax0.set_ylim(0, 1.02)
    ax0.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax0.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax0.set_xlabel("sparsity")
    ax0.set_ylabel("test accuracy")  # the legend says which marks are fine-tuned
    title = f"unstructured ({su:.0%}): {acc_u:.1%}"
    if PATTERNS[pattern] is not None:   # the unstructured point once, not twice
        title = f"{pattern} ({s:.0%}): {acc:.1%}   " + title
    ax0.set_title(title, fontsize=10)
    ax0.legend(ncol=2, fontsize=7, loc="lower left")

    e_mac, e_byte = fp16_mac_energy_j(), memory_energy_per_byte_j(MEMORIES[memory])
    dense = _layers_energy(net, "dense", 1.0, None, None, e_mac, e_byte)
    unstructured = _layers_energy(net, "csr", 1 - su, None, None, e_mac, e_byte)
    # the sparsity is in the left panel's title: a label that stays the same lets a
    # redraw reuse this axes' background (issue 18)
    labels, bars = ["dense", "unstructured\n(CSR)"], [dense, unstructured]
    chosen = unstructured
    if PATTERNS[pattern] is not None:
        n, m = PATTERNS[pattern]
        chosen = _layers_energy(net, "nm", None, n, m, e_mac, e_byte)
        labels.append(f"{pattern}\n(N:M)")
        bars.append(chosen)
    _stacked(ax1, labels, bars)
    # one energy scale for every sparsity (the largest bar any gives: CSR with nothing
    # pruned), so that bars compare across moves and a redraw reuses the axes (issue 18)
    top = max(dense["total"], _layers_energy(net, "csr", 1.0, None, None, e_mac, e_byte)["total"])
    ax1.set_ylim(0, 1.05 * top)
    # two lines: on one, the longest pattern's title ran past the figure's edge
    ax1.set_title(f"energy per inference\n{pattern}: {chosen['total'] / dense['total']:.0%} "
                  "of dense", fontsize=10)
    return {"accuracy": acc, "sparsity": s, "unstructured_accuracy": acc_u,
            "dense_accuracy": net.test_accuracy, "energy_j": chosen["total"],
            "unstructured_energy_j": unstructured["total"], "dense_energy_j": dense["total"]}


def _layers_energy(net, fmt, density, n, m, e_mac, e_byte, tokens=1):
    parts = {"compute": 0.0, "weights": 0.0, "metadata": 0.0, "activations": 0.0}
    for w in net.weights:
        kw = dict(fmt=fmt, n=n, m=m) if fmt == "nm" else dict(fmt=fmt, density=density)
        e = sparsity.matmul_energy(tokens, w.shape[0], w.shape[1], energy_per_mac_j=e_mac,
                                   energy_per_byte_j=e_byte, **kw)
        parts["compute"] += e.compute_j
        parts["weights"] += e.weight_j
        parts["metadata"] += e.metadata_j
        parts["activations"] += e.activation_j
    parts["total"] = sum(parts.values())
    return parts


_PART_COLOURS = {"compute": "tab:red", "weights": "tab:blue", "metadata": "tab:orange",
                 "activations": "tab:green"}


def _stacked(ax, labels, breakdowns):
    x = np.arange(len(labels))
    bottom = np.zeros(len(labels))
    for part, colour in _PART_COLOURS.items():
        vals = np.array([float(b[part]) for b in breakdowns])
        ax.bar(x, vals, bottom=bottom, color=colour, label=part, width=0.6)
        bottom += vals
    ax.set_xticks(x, labels)
    ax.yaxis.set_major_formatter(_JOULES)
    ax.set_ylabel("energy")
    ax.grid(axis="x", visible=False)
    ax.legend(fontsize=7)


def pruning_explorer(**defaults) -> Explorer:
    """Prune the digits MLP: pattern and sparsity → accuracy and energy per inference."""
    controls = {
        "pattern": dropdown(list(PATTERNS), "2:4", "pattern"),
        "sparsity_": slider(0.5, 0.0, 0.95, 0.05, "unstructured sparsity", ".2f"),
        "finetune": toggle(False, "fine-tune 5 epochs after pruning"),
        "memory": dropdown(list(MEMORIES), "HBM2 DRAM", "weights read from"),
    }
    ex = Explorer(plot_pruning_accuracy, controls, title="Pruning the digits network",
                  ncols=2, figsize=(8.5, 3.8),
                  static=dict(pattern=["unstructured", "1:2", "2:4", "4:8", "1:4", "2:8", "1:8"], sparsity_=[0.0, 0.25, 0.5, 0.75, 0.9, 0.95], finetune=[False, True]),
                  layout_states=[dict(pattern="unstructured", sparsity_=0.0)])  # its widest labels
    return ex.set(**defaults) if defaults else ex


# --------------------------------------------------------------------------- storage
def plot_storage(ax, shape=(4096, 4096), value_bits=16, index_bits=None):
    """Bits to store a matrix vs its density: dense, CSR and 2:4 / 1:4 (N:M).

    Returns
    -------
    dict
        ``break_even_density`` (CSR vs dense) and ``nm_fraction`` (2:4 bits ÷ dense bits).
    """
    d = np.linspace(0.0, 1.0, 201)
    dense = sparsity.storage_bits(shape, d, value_bits, "dense")
    csr = sparsity.storage_bits(shape, d, value_bits, "csr", index_bits=index_bits)
    scale = dense[0]
    ax.plot(d, dense / scale, color="k", label="dense")
    ax.plot(d, csr / scale, color="tab:blue", label="CSR (values + indices + row pointers)")
    for (n, m), colour in [((2, 4), "tab:orange"), ((1, 4), "tab:red")]:
        dd = d[d <= n / m]
        ax.plot(dd, sparsity.storage_bits(shape, dd, value_bits, "nm", n=n, m=m) / scale,
                color=colour, lw=3, label=f"{n}:{m} (values + {int(np.ceil(np.log2(m)))}-bit indices)")
    d_star = sparsity.csr_break_even_density(shape, value_bits, index_bits=index_bits)
    ax.axvline(d_star, color="tab:blue", ls=":", lw=1)
    ax.annotate(f"break-even\ndensity {d_star:.0%}", (d_star, 0.2), xytext=(6, 0),
                textcoords="offset points", fontsize=8, color="tab:blue")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("density (share of non-zero weights)")
    ax.set_ylabel("storage, share of dense")
    ib = "minimal" if index_bits is None else f"{index_bits}-bit"
    ax.set_title(f"{shape[0]}×{shape[1]} matrix, {value_bits}-bit values, {ib} indices")
    ax.legend(fontsize=8, loc="upper left")
    nm_fraction = float(sparsity.storage_bits(shape, 0.5, value_bits, "nm", n=2, m=4) / scale)
    return {"break_even_density": float(d_star), "nm_fraction": nm_fraction}


# --------------------------------------------------------------------------- activations
def plot_activation_sparsity(ax):
    """Histogram of the digits MLP's hidden activations on the test set (after ReLU).

    Returns
    -------
    dict
        ``zero_fraction``: share of exact zeros among all hidden activations.
    """
    (h,) = workloads.hidden_activations(_net())
    zero = 1 - sparsity.density(h)
    ax.hist(h.ravel(), bins=60, color="tab:green")
    ax.set_yscale("log")
    ax.set_xlabel("hidden activation value (after ReLU)")
    ax.set_ylabel("count (log scale)")
    ax.set_title(f"{zero:.0%} of the hidden activations are exactly zero")
    return {"zero_fraction": zero}


# --------------------------------------------------------------------------- mixture of experts
def plot_moe(ax, experts=64, active_experts=2, expert_params_b=17.8, shared_params_b=61.0,
             chip="H100"):
    """Total vs active parameters of a mixture of experts, with FLOPs and energy per token.

    Energy per token is a floor: forward FLOPs ``2·N_active`` at the chip's dense FP16
    peak drawing its full TDP (100 % utilisation), the best case.

    Returns
    -------
    dict
        ``total``, ``active``, ``active_fraction``, ``flops_per_token``,
        ``energy_per_token_j`` and ``dense_energy_per_token_j`` (a dense model of the same
        total size).
    """
    p = sparsity.moe_active_parameters(experts, active_experts, expert_params_b * 1e9,
                                       shared_params_b * 1e9)
    j_per_flop = precision.chip_energy_per_op(chip, "fp16")
    e_tok = p.flops_per_token * j_per_flop
    e_dense = 2 * p.total * j_per_flop
    labels = ["all parameters\n(stored)", "active per token\n(computed)"]
    shared = shared_params_b * 1e9
    ax.bar(labels, [shared, shared], color="tab:gray", label="shared (attention, embeddings)")
    ax.bar(labels, [p.total - shared, p.active - shared], bottom=[shared, shared],
           color="tab:purple", label="experts")
    # billions, as the text and the controls say them ("800 B", not EngFormatter's "800 G")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e9:,.4g} B"))
    ax.set_ylabel("parameters")
    ax.grid(axis="x", visible=False)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(f"{active_experts} of {experts} experts: {p.active_fraction:.1%} active, "
                 f"{p.flops_per_token / 1e9:.0f} GFLOP/token")
    ax.text(0.98, 0.6, f"≥ {e_tok:.3g} J per token on {chip}\n(dense model of the same size: "
            f"{e_dense:.3g} J)", transform=ax.transAxes, ha="right", fontsize=8)
    return {"total": float(p.total), "active": float(p.active),
            "active_fraction": float(p.active_fraction),
            "flops_per_token": float(p.flops_per_token), "energy_per_token_j": float(e_tok),
            "dense_energy_per_token_j": float(e_dense)}


def moe_explorer(**defaults) -> Explorer:
    """Mixture of experts: experts, top-k and sizes → active share, FLOPs and energy per token."""
    controls = {
        "experts": int_slider(64, 2, 256, "experts"),
        "active_experts": int_slider(2, 1, 2, "experts per token (top-k)"),
        "expert_params_b": log_slider(17.8, -1, 2, "parameters per expert (B)", step=0.02),
        "shared_params_b": log_slider(61.0, -1, 2.5, "shared parameters (B)", step=0.02),
        "chip": dropdown(["A100", "H100", "B200"], "H100", "chip"),
    }
    ex = Explorer(plot_moe, controls, title="Mixture of experts: stored vs computed",
                  figsize=(7.5, 4.0),
                  static=dict(experts=[8, 16, 32, 64, 128, 256], active_experts=[1, 2, 4, 8], expert_params_b=[1.8, 17.8, 100.0]))
    # top-k can never exceed the number of experts: its slider's maximum follows it. As a
    # constraint of the explorer (not a second observer) it runs before every redraw, so
    # no draw sees top-k above the number of experts, whatever order controls move in.
    ex.add_constraint(lambda c: setattr(c["active_experts"], "max", min(8, c["experts"].value)))
    if "experts" in defaults:           # first, so that top-k's range follows it
        ex.set(experts=defaults.pop("experts"))
    return ex.set(**defaults) if defaults else ex


# --------------------------------------------------------------------------- matmul energy
def _roofline_time_s(e, peak_flop_per_s, bandwidth_bytes_per_s):
    """Time of a matmul on a roofline: the larger of compute time and memory time.

    Sparse tensor cores execute the kept MACs at the dense rate (that is how 2:4 doubles
    the *effective* peak), so the executed MACs go at the dense peak for every format.
    """
    moved = e.weight_bytes + e.metadata_bytes + e.activation_bytes
    return np.maximum(2 * e.macs / peak_flop_per_s, moved / bandwidth_bytes_per_s)


def compare_layer(tokens=1.0, size=4096, csr_density=0.3, memory="HBM2 DRAM", chip="A100"):
    """Energy of a ``size × size`` FP16 layer for dense, CSR and 2:4 weights, and 2:4's speed-up.

    Energy from :func:`energylab.sparsity.matmul_energy` with an FP16 MAC at 45 nm and
    the chosen memory's energy per byte; time on the chip's roofline (compute at its
    dense FP16 peak, bytes at its bandwidth). No drawing: the numbers behind
    :func:`plot_matmul_energy`.

    Returns
    -------
    dict
        ``runs`` (format -> :class:`~energylab.sparsity.MatmulEnergy`), ``energy_j``
        (format -> J), ``nm_speedup`` (dense time ÷ 2:4 time), ``nm_energy_ratio``
        (2:4 energy ÷ dense energy).
    """
    e_mac, e_byte = fp16_mac_energy_j(), memory_energy_per_byte_j(MEMORIES[memory])
    kw = dict(energy_per_mac_j=e_mac, energy_per_byte_j=e_byte)
    runs = {
        "dense": sparsity.matmul_energy(tokens, size, size, **kw),
        f"CSR {csr_density:.0%}": sparsity.matmul_energy(tokens, size, size, fmt="csr",
                                                         density=csr_density, **kw),
        "2:4": sparsity.matmul_energy(tokens, size, size, fmt="nm", n=2, m=4, **kw),
    }
    peak = datasets.peak_flops(chip, "fp16")
    bw = float(datasets.chip(chip)["memory_bandwidth_bytes_per_s"])
    speedup = (_roofline_time_s(runs["dense"], peak, bw) / _roofline_time_s(runs["2:4"], peak, bw))
    return {"runs": runs, "energy_j": {k: float(v.total_j) for k, v in runs.items()},
            "nm_speedup": float(speedup),
            "nm_energy_ratio": float(runs["2:4"].total_j / runs["dense"].total_j)}


def plot_matmul_energy(axes, tokens=1.0, size=4096, csr_density=0.3,
                       memory="HBM2 DRAM", chip="A100"):
    """A ``size × size`` FP16 layer applied to ``tokens`` rows: dense, CSR and 2:4.

    Left: energy split into compute (FP16 MACs at 45 nm), weights, index metadata and
    activations (moved at the chosen memory's energy per byte). Right: the 2:4 layer's
    speed-up over dense on the chip's roofline (compute at its FP16 peak, bytes at its
    bandwidth) and its energy saving, against the number of tokens sharing each weight
    read; the dotted line marks the chosen ``tokens``. CSR gets no time: how fast a GPU
    runs it depends on the kernel, and at moderate densities it is usually slower than
    dense :cite:p:`gale2020sparse`.

    Returns
    -------
    dict
        As :func:`compare_layer`, without ``runs``.
    """
    ax0, ax1 = axes
    cmp = compare_layer(tokens, size, csr_density, memory, chip)
    runs = cmp.pop("runs")
    breakdowns = [{"compute": e.compute_j, "weights": e.weight_j, "metadata": e.metadata_j,
                   "activations": e.activation_j} for e in runs.values()]
    _stacked(ax0, list(runs), breakdowns)
    ax0.set_title(f"{size}×{size} FP16, {tokens:.0f} token(s): 2:4 uses {cmp['nm_energy_ratio']:.0%}")

    e_mac, e_byte = fp16_mac_energy_j(), memory_energy_per_byte_j(MEMORIES[memory])
    kw = dict(energy_per_mac_j=e_mac, energy_per_byte_j=e_byte)
    peak = datasets.peak_flops(chip, "fp16")
    bw = float(datasets.chip(chip)["memory_bandwidth_bytes_per_s"])
    t = np.logspace(0, 4, 81)
    dense = sparsity.matmul_energy(t, size, size, **kw)
    nm = sparsity.matmul_energy(t, size, size, fmt="nm", n=2, m=4, **kw)
    speedups = _roofline_time_s(dense, peak, bw) / _roofline_time_s(nm, peak, bw)
    ax1.semilogx(t, speedups, color="tab:orange", label="2:4 speed-up (time dense ÷ 2:4)")
    ax1.semilogx(t, dense.total_j / nm.total_j, color="tab:purple", ls="--",
                 label="2:4 energy saving (dense ÷ 2:4)")
    ax1.axhline(2.0, color="k", lw=0.8, ls=":")
    ax1.axvline(tokens, color="k", lw=0.8, ls=":")
    ax1.set_ylim(1.0, 2.1)
    ax1.set_xlabel("tokens per weight read (batch)")
    ax1.set_ylabel("ratio")
    ax1.set_title(f"on {chip}: 2:4 is {cmp['nm_speedup']:.2f}× faster here")
    ax1.legend(fontsize=8, loc="lower right")
    return cmp


def matmul_energy_explorer(**defaults) -> Explorer:
    """Sparse matmul energy: batch size, layer size, CSR density and memory → energy and speed-up."""
    controls = {
        "tokens": log_slider(1.0, 0.0, 4.0, "tokens per weight read (batch)", step=0.1,
                             readout_format=".0f"),
        "size": dropdown([1024, 4096, 8192], 4096, "layer size"),
        "csr_density": slider(0.3, 0.05, 1.0, 0.05, "CSR density", ".2f"),
        "memory": dropdown(list(MEMORIES), "HBM2 DRAM", "weights read from"),
        "chip": dropdown(["A100", "H100"], "A100", "chip (for time)"),
    }
    ex = Explorer(plot_matmul_energy, controls, title="Where the energy of a sparse layer goes",
                  ncols=2, figsize=(8.5, 4.2),
                  static=dict(tokens=[1.0, 10.0, 100.0, 1000.0, 10000.0], csr_density=[0.05, 0.1, 0.3, 0.5, 1.0], memory=["on-chip SRAM 8 KB (45 nm)", "HBM2 DRAM", "DDR4 DRAM"]),
                  layout_states=[dict(tokens=1.0, csr_density=1.0, memory="HBM2 DRAM")])  # widest labels
    return ex.set(**defaults) if defaults else ex


# --------------------------------------------------------------------------- sparse training
def plot_sparse_training(ax, final_sparsity=0.8, steps=32000, update_interval=100):
    """Gradual pruning schedule vs RigL's constant sparsity, with training-FLOP fractions.

    Returns
    -------
    dict
        ``gradual_fraction`` and ``rigl_fraction`` of dense training FLOPs.
    """
    t = np.arange(steps + 1)
    gradual = sparsity.gradual_sparsity(t, final_sparsity, int(0.1 * steps), int(0.6 * steps))
    f_gradual = sparsity.training_flops_fraction(gradual)
    f_rigl = float(sparsity.rigl_flops_fraction(final_sparsity, update_interval))
    ax.plot(t, gradual, label=f"gradual pruning (dense → sparse): {f_gradual:.0%} of dense FLOPs")
    ax.plot(t, np.full_like(t, final_sparsity, dtype=float),
            label=f"RigL (sparse from the start, ΔT = {update_interval}): {f_rigl:.0%}")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_xlabel("training step")
    ax.set_ylabel("sparsity")
    ax.set_title(f"Training to {final_sparsity:.0%} sparsity: two schedules")
    ax.legend(fontsize=8, loc="lower right")
    return {"gradual_fraction": f_gradual, "rigl_fraction": f_rigl}
