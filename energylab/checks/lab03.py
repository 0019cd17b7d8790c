"""Answer checks for Lab 3, "Prune a network".

The lab's inputs live here once, so the lab's text, its solutions and these checks cannot
disagree: the small matrix of task 1, the layer of task 3, Mixtral's architecture for
task 4 and the seed's numbers for task 5. Every expected value is computed from
:mod:`energylab.sparsity` and :mod:`energylab.workloads`.
"""

from __future__ import annotations

import numpy as np

from .. import sparsity, workloads
from . import Question

#: The book variant's task inputs. Task 1: a 2×8 weight matrix (groups of 4 run along
#: each row; row 2 holds a tie). Task 3: a layer of FP16 weights at 50 % density.
BOOK_INPUTS = {
    "matrix": np.array([[0.9, -0.2, 0.05, -1.3, 0.4, -0.4, -0.1, 0.0],
                        [0.3, 0.3, -0.3, 0.1, -2.0, 0.7, 0.6, -0.65]]),
    "layer_shape": (4096, 4096),
    "value_bits": 16,
    "layer_density": 0.5,
}
#: Kept for code that reads the book's values directly.
MATRIX = BOOK_INPUTS["matrix"]
LAYER_SHAPE = BOOK_INPUTS["layer_shape"]
VALUE_BITS = BOOK_INPUTS["value_bits"]
LAYER_DENSITY = BOOK_INPUTS["layer_density"]
#: Task 2: target sparsity and the three ways to reach it (N:M along the reduction axis 0).
TARGET_SPARSITY = 0.5
WAYS = ("unstructured", "2:4", "4:8")


def draw_inputs(rng) -> dict:
    """Another variant: the matrix of task 1 and the layer of task 3 differ."""
    matrix = np.round(rng.uniform(-2.0, 2.0, size=(2, 8)), 1)
    matrix[1, 1] = -matrix[1, 0]  # one tie of magnitudes, as in the book's matrix
    return {
        "matrix": matrix,
        "layer_shape": [(2048, 8192), (8192, 2048), (4096, 11008), (5120, 5120)][int(rng.integers(4))],
        "value_bits": int(rng.choice([8, 16, 32])),
    }


#: Task 4: Mixtral 8x7B's architecture, from Table 1 of :cite:p:`jiang2024mixtral`.
MIXTRAL = {
    "dim": 4096,            # model width
    "n_layers": 32,
    "head_dim": 128,
    "hidden_dim": 14336,    # width of each expert's feed-forward (SwiGLU: 3 matrices)
    "n_heads": 32,
    "n_kv_heads": 8,        # grouped-query attention: K and V are narrower
    "vocab_size": 32000,
    "num_experts": 8,
    "top_k_experts": 2,
}
#: Task 5: the seed's claim (seed 000): PaLM-540B activates ~8 % of its parameters,
#: "about 64 B" per inference :cite:p:`chowdhery2022palm,du2022glam`.
SEED_ACTIVE_B = 64.0
PALM_TOTAL_B = 540.0


def _pruned_accuracies() -> np.ndarray:
    net = workloads.digits_mlp()
    out = []
    for way in WAYS:
        if way == "unstructured":
            ws = [sparsity.magnitude_prune(w, TARGET_SPARSITY) for w in net.weights]
        else:
            n, m = (int(x) for x in way.split(":"))
            ws = [sparsity.apply_nm(w, n, m, axis=0) for w in net.weights]
        out.append(workloads.accuracy(net, weights=ws))
    return np.array(out)


def _best_way() -> str:
    acc = _pruned_accuracies()
    return WAYS[int(np.argmax(acc))]


def _storage(p) -> np.ndarray:
    shape, d, bits = p["layer_shape"], p["layer_density"], p["value_bits"]
    return np.array([
        sparsity.storage_bits(shape, d, bits, "dense"),
        sparsity.storage_bits(shape, d, bits, "csr"),
        sparsity.storage_bits(shape, d, bits, "nm", n=2, m=4),
    ])


def _ecf_best(p, answers):
    acc = answers.get("lab03.accuracies")
    try:
        acc = np.asarray(acc, dtype=float)
    except (TypeError, ValueError):
        return None
    return WAYS[int(np.argmax(acc))] if acc.shape == (len(WAYS),) else None


def mixtral_parameters() -> sparsity.MoEParameters:
    """Mixtral's parameters from its architecture (norms ignored: < 0.3 M parameters)."""
    c = MIXTRAL
    d, layers = c["dim"], c["n_layers"]
    expert = layers * 3 * d * c["hidden_dim"]                         # w1, w2, w3 per layer
    kv = c["n_kv_heads"] * c["head_dim"]
    attention = layers * (2 * d * c["n_heads"] * c["head_dim"] + 2 * d * kv)  # Wq, Wo, Wk, Wv
    embeddings = 2 * c["vocab_size"] * d                              # input table + output head
    router = layers * d * c["num_experts"]
    return sparsity.moe_active_parameters(c["num_experts"], c["top_k_experts"], expert,
                                          attention + embeddings + router)


def _glam_fraction() -> float:
    g = sparsity.MOE_MODELS["GLaM"]
    return g["active"] / g["total"]


QUESTIONS = {
    "lab03.mask_by_hand": Question(
        expected=lambda p: sparsity.nm_mask(p["matrix"], 2, 4).astype(int),
        rtol=0.0,
        hint="In each group of 4 along a row: 1 for the two largest |w|, 0 else; ties: lower index."),
    "lab03.accuracies": Question(
        expected=_pruned_accuracies, rtol=0.0, atol=1e-9,
        hint="Prune each layer alone (apply_nm: axis=0), then workloads.accuracy(net, weights=...)."),
    "lab03.best_way": Question(
        expected=_best_way, ecf=_ecf_best,
        hint="The way with the highest accuracy, spelled as in WAYS."),
    "lab03.storage_bits": Question(
        expected=_storage, rtol=1e-6, unit="bits",
        hint="CSR: nnz·(bits + ⌈log2 cols⌉) + (rows + 1)·⌈log2(size + 1)⌉; 2:4: size/2·(bits + 2)."),
    "lab03.break_even": Question(
        expected=lambda p: sparsity.csr_break_even_density(p["layer_shape"], p["value_bits"]),
        rtol=0.01,
        hint="Solve nnz·(bits + index bits) + row pointers = size·bits for the density nnz/size."),
    "lab03.mixtral_active_fraction": Question(
        expected=lambda: float(mixtral_parameters().active_fraction), rtol=0.01,
        hint="Active = shared (attention, embeddings, router) + 2 experts of 32 × 3 × 4096×14336."),
    "lab03.mixtral_flops_per_token": Question(
        expected=lambda: float(mixtral_parameters().flops_per_token), rtol=0.01, unit="FLOP",
        hint="A forward pass costs about 2 FLOP per active parameter."),
    "lab03.palm_active_fraction": Question(
        expected=lambda: 1.0, rtol=0.0,
        hint="PaLM is a dense Transformer: is any parameter skipped for a token?"),
    "lab03.seed_fraction": Question(
        expected=lambda: SEED_ACTIVE_B / PALM_TOTAL_B, rtol=0.01,
        hint="The seed's own two numbers: 64 B active out of 540 B."),
    "lab03.glam_active_fraction": Question(
        expected=_glam_fraction, rtol=0.01,
        hint="GLaM: 96.6 B active of 1.2 T."),
}
