"""Sparsity: pruning, N:M structure, compressed formats, mixture of experts, energy.

A zero weight saves energy only when the hardware (or the kernel) skips it. This module
holds the arithmetic behind chapter 3:

* **unstructured magnitude pruning** — zero the smallest-magnitude weights
  :cite:p:`han2015learning`;
* **N:M structured sparsity** — keep the ``n`` largest of every ``m`` consecutive weights
  along the reduction dimension (2:4 on NVIDIA Ampere and later), stored as the kept
  values plus a small index per value :cite:p:`mishra2021sparse`;
* **storage** of a matrix as dense, CSR (values + column indices + row pointers) or N:M;
* **mixture of experts** — total vs active parameters :cite:p:`du2022glam,jiang2024mixtral`;
* **dynamic sparse training** — the training FLOPs of a sparsity schedule and of RigL
  :cite:p:`evci2020rigl`;
* an **energy model of a sparse matrix multiply**: compute, weight traffic, index
  metadata and activation traffic, at a given energy per MAC and per byte.

>>> import numpy as np
>>> from energylab import sparsity
>>> w = np.array([[0.1, -0.9, 0.4, 0.3]])
>>> sparsity.nm_mask(w, 2, 4).astype(int)
array([[0, 1, 1, 0]])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import validate

__all__ = [
    "magnitude_mask",
    "magnitude_prune",
    "nm_mask",
    "apply_nm",
    "compress_nm",
    "decompress_nm",
    "density",
    "FORMATS",
    "storage_bits",
    "csr_break_even_density",
    "MOE_MODELS",
    "MoEParameters",
    "moe_active_parameters",
    "moe_from_totals",
    "gradual_sparsity",
    "training_flops_fraction",
    "rigl_flops_fraction",
    "MatmulEnergy",
    "matmul_energy",
]

#: Storage formats known to :func:`storage_bits` and :func:`matmul_energy`.
FORMATS = ("dense", "csr", "nm")

# Above this group size the pairwise ranking (m·(m−1)/2 comparisons per group) is slower
# than a stable sort of each group, so nm_mask switches method.
_PAIRWISE_MAX_M = 16
# Elements per block processed at once by nm_mask: bounds its temporary memory.
_BLOCK_ELEMENTS = 1 << 20


# --------------------------------------------------------------------------- helpers
def _weights(name: str, w) -> np.ndarray:
    """A real, finite, non-empty numeric array (dtype kept), or a ValueError naming ``name``."""
    arr = np.asarray(w)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        validate.finite(name, arr)  # raises, naming the first offending value
    return arr


def _nm_args(n, m, w: np.ndarray | None = None, axis=-1):
    n = validate.integer("n", n, minimum=1)
    m = validate.integer("m", m, minimum=1, maximum=255)
    validate.less_than(("n", "m"), n, m, or_equal=True)  # keep n of every m entries
    if w is None:
        return n, m, None
    axis = validate.integer("axis", axis, minimum=-w.ndim if w.ndim else -1,
                            maximum=max(w.ndim - 1, 0))
    axis = axis % max(w.ndim, 1)
    length = w.shape[axis] if w.ndim else 1
    if length % m:
        raise ValueError(f"the length of w along axis {axis} must be a multiple of m={m}, "
                         f"got {length}")
    return n, m, axis


def _keep_pairwise(a: np.ndarray, n: int) -> np.ndarray:
    """Keep mask for groups along the last axis of ``a`` (magnitudes), by pairwise ranks.

    The rank of entry j counts the entries that beat it: a larger magnitude, or an equal
    magnitude at a lower index. An entry is kept when its rank is below ``n``.
    """
    m = a.shape[-1]
    rank = np.zeros(a.shape, dtype=np.uint8)
    for i in range(m - 1):
        ai = a[..., i]
        for j in range(i + 1, m):
            beats = ai >= a[..., j]          # i (lower index) wins ties
            rank[..., j] += beats
            rank[..., i] += ~beats
    return rank < n


def _keep_sorted(a: np.ndarray, n: int) -> np.ndarray:
    """Same result as :func:`_keep_pairwise`, by a stable sort of each group."""
    order = np.argsort(-a, axis=-1, kind="stable")  # largest first, ties: lower index first
    keep = np.zeros(a.shape, dtype=bool)
    np.put_along_axis(keep, order[..., :n], True, axis=-1)
    return keep


# --------------------------------------------------------------------------- pruning
def magnitude_mask(w, sparsity):
    """Mask of unstructured magnitude pruning: False for the smallest-magnitude entries.

    Exactly ``floor(sparsity · w.size)`` entries are dropped: the smallest by absolute
    value, ties broken by dropping the entry with the lower flat index first.

    Parameters
    ----------
    w : array_like
        Weights (any shape), finite.
    sparsity : float
        Fraction of entries to drop, in [0, 1).

    Returns
    -------
    numpy.ndarray of bool
        Same shape as ``w``; True where the weight is kept.

    Raises
    ------
    ValueError
        If ``w`` holds NaN or inf, is empty or not real, or ``sparsity`` is outside [0, 1).

    Examples
    --------
    >>> magnitude_mask([0.5, -0.1, 0.3, -2.0], 0.5).tolist()
    [True, False, False, True]

    References
    ----------
    :cite:p:`han2015learning`.
    """
    arr = _weights("w", w)
    s = validate.scalar("sparsity", validate.fraction("sparsity", sparsity, allow_one=False))
    k = int(math.floor(s * arr.size + 1e-9))
    keep = np.ones(arr.size, dtype=bool)
    if k:
        order = np.argsort(np.abs(arr).ravel(), kind="stable")
        keep[order[:k]] = False
    return keep.reshape(arr.shape)


def magnitude_prune(w, sparsity):
    """Unstructured magnitude pruning: zero the ``floor(sparsity · size)`` smallest weights.

    Parameters
    ----------
    w : array_like
        Weights (any shape), finite.
    sparsity : float
        Fraction of entries to set to zero, in [0, 1).

    Returns
    -------
    numpy.ndarray
        A pruned copy of ``w`` (same shape and dtype); ``w`` itself is not modified.

    Raises
    ------
    ValueError
        As :func:`magnitude_mask`.

    Examples
    --------
    >>> magnitude_prune([0.5, -0.1, 0.3, -2.0], 0.5).tolist()
    [0.5, 0.0, 0.0, -2.0]

    References
    ----------
    :cite:p:`han2015learning`.
    """
    arr = _weights("w", w)
    return np.where(magnitude_mask(arr, sparsity), arr, np.zeros((), dtype=arr.dtype))


def nm_mask(w, n=2, m=4, axis=-1):
    """N:M mask: keep the ``n`` largest-magnitude entries of every ``m`` consecutive ones.

    Groups are consecutive runs of ``m`` entries along ``axis`` (the reduction
    dimension of the matrix multiply for hardware 2:4 sparsity). Within a group, entries
    are ranked by absolute value; ties go to the lower index. Every group keeps exactly
    ``n`` entries, even if some of them are zero.

    Parameters
    ----------
    w : array_like
        Weights (any shape, at least one element), finite.
    n, m : int
        Keep ``n`` of every ``m``; ``1 <= n <= m <= 255``.
    axis : int
        Axis along which groups run; its length must be a multiple of ``m``.

    Returns
    -------
    numpy.ndarray of bool
        Same shape as ``w``; True where the weight is kept.

    Raises
    ------
    ValueError
        If ``n > m``, ``n < 1``, the length along ``axis`` is not a multiple of ``m``,
        ``axis`` is out of range, or ``w`` holds NaN or inf.

    Notes
    -----
    Works block by block (about a million entries at a time), so its extra memory is
    the boolean result plus a few megabytes. For ``m <= 16`` each group is ranked with
    ``m·(m−1)/2`` vectorised comparisons; larger groups use a stable sort.

    Examples
    --------
    >>> nm_mask([[3, -1, 2, 2], [0, 0, 0, 5]], 2, 4).astype(int)
    array([[1, 0, 1, 0],
           [1, 0, 0, 1]])

    References
    ----------
    :cite:p:`mishra2021sparse`.
    """
    arr = np.asarray(w)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"w must be an array of real numbers, got dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError("w must not be empty")
    n, m, axis = _nm_args(n, m, arr, axis)
    x = np.moveaxis(arr, axis, -1)
    out = np.empty(x.shape, dtype=bool)
    keep_fn = _keep_pairwise if m <= _PAIRWISE_MAX_M else _keep_sorted
    x2 = x if x.ndim >= 2 else x[None]
    o2 = out if out.ndim >= 2 else out[None]
    row = int(np.prod(x2.shape[1:]))
    step = max(1, _BLOCK_ELEMENTS // row)
    for start in range(0, x2.shape[0], step):
        block = x2[start:start + step]
        if block.dtype.kind == "f" and not np.isfinite(block).all():
            validate.finite("w", block)  # raises with the offending value
        a = np.abs(block)
        a = a.reshape(a.shape[:-1] + (a.shape[-1] // m, m))
        o2[start:start + step] = keep_fn(a, n).reshape(block.shape)
    out = np.moveaxis(out, -1, axis)
    return out.reshape(()) if np.ndim(w) == 0 else out


def apply_nm(w, n=2, m=4, axis=-1):
    """Zero all but the ``n`` largest-magnitude entries of every ``m`` along ``axis``.

    Parameters
    ----------
    w, n, m, axis
        As :func:`nm_mask`.

    Returns
    -------
    numpy.ndarray
        A copy of ``w`` (same dtype) with exactly ``(m − n)/m`` of its entries zeroed.

    Raises
    ------
    ValueError
        As :func:`nm_mask`.

    Examples
    --------
    >>> apply_nm([[0.1, -0.9, 0.4, 0.3]]).tolist()
    [[0.0, -0.9, 0.4, 0.0]]

    References
    ----------
    :cite:p:`mishra2021sparse`.
    """
    arr = _weights("w", w)
    return np.where(nm_mask(arr, n, m, axis), arr, np.zeros((), dtype=arr.dtype))


def compress_nm(w, n=2, m=4, axis=-1):
    """Compress ``w`` to the N:M format: the kept values and their positions in each group.

    ``w`` is first N:M-pruned (:func:`apply_nm`); then each group of ``m`` along
    ``axis`` is stored as its ``n`` kept values in order and, for each, its position
    within the group (0 … m−1, ``log2(m)`` bits in hardware: 2 bits for 2:4).

    Parameters
    ----------
    w, n, m, axis
        As :func:`nm_mask`.

    Returns
    -------
    values : numpy.ndarray
        Same dtype as ``w``; the shape of ``w`` with the length along ``axis`` multiplied
        by ``n/m``.
    indices : numpy.ndarray of uint8
        Same shape as ``values``; positions within each group, increasing.

    Raises
    ------
    ValueError
        As :func:`nm_mask`.

    Examples
    --------
    >>> values, indices = compress_nm([[0.1, -0.9, 0.4, 0.3]])
    >>> values.tolist(), indices.tolist()
    ([[-0.9, 0.4]], [[1, 2]])

    References
    ----------
    :cite:p:`mishra2021sparse`.
    """
    arr = _weights("w", w)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    n, m, axis = _nm_args(n, m, arr, axis)
    keep = np.moveaxis(nm_mask(arr, n, m, axis), axis, -1)
    x = np.moveaxis(arr, axis, -1)
    groups = x.shape[-1] // m
    kg = keep.reshape(keep.shape[:-1] + (groups, m))
    xg = x.reshape(x.shape[:-1] + (groups, m))
    # positions of the kept entries, in increasing order (False sorts before True)
    idx = np.argsort(~kg, axis=-1, kind="stable")[..., :n]
    vals = np.take_along_axis(xg, idx, axis=-1)
    shape = x.shape[:-1] + (groups * n,)
    values = np.moveaxis(vals.reshape(shape), -1, axis)
    indices = np.moveaxis(idx.astype(np.uint8).reshape(shape), -1, axis)
    return np.ascontiguousarray(values), np.ascontiguousarray(indices)


def decompress_nm(values, indices, n, m, axis=-1):
    """Rebuild the dense (N:M-sparse) array from :func:`compress_nm`'s output.

    Parameters
    ----------
    values : array_like
        Kept values; the length along ``axis`` is a multiple of ``n``.
    indices : array_like of int
        Position of each value in its group of ``m``: same shape as ``values``, in
        [0, m), strictly increasing within each group.
    n, m : int
        The N:M pattern, ``1 <= n <= m``.
    axis : int
        Axis along which the groups run.

    Returns
    -------
    numpy.ndarray
        Dense array, same dtype as ``values``, length along ``axis`` multiplied by
        ``m/n``; ``decompress_nm(*compress_nm(w, n, m, a), n, m, a)`` equals
        ``apply_nm(w, n, m, a)`` exactly.

    Raises
    ------
    ValueError
        If shapes differ, the length is not a multiple of ``n``, an index is outside
        [0, m) or repeats within a group, or ``values`` holds NaN or inf.

    Examples
    --------
    >>> decompress_nm([[-0.9, 0.4]], [[1, 2]], 2, 4).tolist()
    [[0.0, -0.9, 0.4, 0.0]]
    """
    vals = _weights("values", values)
    idx = np.asarray(indices)
    n, m, _ = _nm_args(n, m)
    if idx.dtype.kind not in "iu":
        raise ValueError(f"indices must be integers, got dtype {idx.dtype}")
    validate.same_shape(("values", "indices"), vals, idx)
    if vals.ndim == 0:
        vals, idx = vals.reshape(1), idx.reshape(1)
    axis = validate.integer("axis", axis, minimum=-vals.ndim, maximum=vals.ndim - 1) % vals.ndim
    if vals.shape[axis] % n:
        raise ValueError(f"the length of values along axis {axis} must be a multiple of "
                         f"n={n}, got {vals.shape[axis]}")
    if idx.min() < 0 or idx.max() >= m:
        bad = idx[(idx < 0) | (idx >= m)].flat[0]
        raise ValueError(f"indices must be in [0, {m}), got {int(bad)}")
    v = np.moveaxis(vals, axis, -1)
    i = np.moveaxis(idx, axis, -1).astype(np.intp)
    groups = v.shape[-1] // n
    vg = v.reshape(v.shape[:-1] + (groups, n))
    ig = i.reshape(i.shape[:-1] + (groups, n))
    if n > 1 and np.any(np.diff(ig, axis=-1) <= 0):
        raise ValueError("indices must be strictly increasing within each group of n "
                         "(each position used once)")
    out = np.zeros(v.shape[:-1] + (groups, m), dtype=vals.dtype)
    np.put_along_axis(out, ig, vg, axis=-1)
    return np.ascontiguousarray(np.moveaxis(out.reshape(v.shape[:-1] + (groups * m,)), -1, axis))


def density(w) -> float:
    """Fraction of non-zero entries of ``w`` (1 − sparsity).

    Parameters
    ----------
    w : array_like
        Any shape, finite, non-empty.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        If ``w`` is empty, not real, or holds NaN or inf.

    Examples
    --------
    >>> density([[0, 1.5], [0, -2]])
    0.5
    """
    arr = _weights("w", w)
    return float(np.count_nonzero(arr) / arr.size)


# --------------------------------------------------------------------------- storage
def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"shape must be a tuple of positive integers, got {shape!r}") from None
    if not shape:
        raise ValueError("shape must have at least one dimension, got ()")
    return tuple(validate.integer(f"shape[{i}]", s, minimum=1) for i, s in enumerate(shape))


def _bits_for(count) -> int:
    """Bits needed to tell ``count`` values apart (at least 1)."""
    return max(1, int(math.ceil(math.log2(count)))) if count > 1 else 1


def _check_optional_ints(**named):
    """Validate optional integer arguments even when the chosen format does not use them."""
    for name, value in named.items():
        if value is not None:
            validate.integer(name, value, minimum=1, maximum=255 if name == "m" else 64)


def storage_bits(shape, density, value_bits, fmt, n=None, m=None, index_bits=None):
    """Bits needed to store a matrix in a dense, CSR or N:M format.

    * ``dense``: every entry, zeros included: ``size · value_bits``.
    * ``csr`` (compressed sparse rows, 2-D ``shape = (rows, cols)``): the non-zeros'
      values and column indices, plus ``rows + 1`` row pointers:
      ``nnz · (value_bits + index_bits) + (rows + 1) · pointer_bits``, with
      ``nnz = density · size``, ``index_bits = ceil(log2(cols))`` by default and
      ``pointer_bits = ceil(log2(size + 1))`` (enough to count every entry).
    * ``nm``: ``n`` of every ``m`` entries along the last dimension, each with a position
      of ``index_bits = ceil(log2(m))`` bits by default (2 bits for 2:4):
      ``size · n/m · (value_bits + index_bits)``. The cost is fixed by the pattern;
      ``density`` must not exceed ``n/m``.

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the matrix (positive integers).
    density : float or array
        Fraction of non-zero entries, in [0, 1]. Ignored by ``dense`` (zeros are stored).
    value_bits : float or array
        Bits per stored value (> 0), e.g. 16 for FP16.
    fmt : {"dense", "csr", "nm"}
        Storage format.
    n, m : int, optional
        The N:M pattern (required for ``nm``); the last dimension must be a multiple of m.
    index_bits : int, optional
        Override the width of each stored index (column index for CSR, in-group position
        for N:M), e.g. 32 for SciPy's int32 indices. For CSR it also sets the pointer width.

    Returns
    -------
    float or numpy.ndarray
        Storage in bits (broadcast over ``density`` and ``value_bits``).

    Raises
    ------
    ValueError
        For an unknown format, a non-2-D shape for CSR, missing or invalid ``n``/``m``,
        a last dimension not divisible by ``m``, or a density above ``n/m`` for N:M.

    Examples
    --------
    A 4×8 FP16 matrix at 25% density: dense 512 bits; CSR stores 8 values of 16 bits,
    8 column indices of 3 bits and 5 row pointers of 6 bits:

    >>> storage_bits((4, 8), 0.25, 16, "dense"), storage_bits((4, 8), 0.25, 16, "csr")
    (512.0, 182.0)
    >>> storage_bits((4, 8), 0.5, 16, "nm", n=2, m=4)   # 16 values × (16 + 2) bits
    288.0

    References
    ----------
    CSR: :cite:p:`saad2003`, §3.4; N:M metadata: :cite:p:`mishra2021sparse`.
    """
    shape = _shape(shape)
    fmt = validate.one_of("fmt", fmt, FORMATS)
    d = validate.fraction("density", density)
    vb = validate.positive("value_bits", value_bits)
    _check_optional_ints(n=n, m=m, index_bits=index_bits)
    size = math.prod(shape)
    if fmt == "dense":
        return size * vb + 0.0 * d
    if fmt == "csr":
        if len(shape) != 2:
            raise ValueError(f"shape must be 2-D (rows, cols) for fmt='csr', got {shape}")
        rows, cols = shape
        if index_bits is None:
            ib, pb = _bits_for(cols), _bits_for(size + 1)
        else:
            ib = pb = validate.integer("index_bits", index_bits, minimum=1)
        return d * size * (vb + ib) + (rows + 1) * pb
    # nm
    if n is None or m is None:
        raise ValueError("fmt='nm' needs n and m (keep n of every m), got "
                         f"n={n!r}, m={m!r}")
    n, m, _ = _nm_args(n, m)
    if shape[-1] % m:
        raise ValueError(f"the last dimension of shape must be a multiple of m={m}, "
                         f"got {shape[-1]}")
    if np.any(np.asarray(d) > n / m + 1e-12):
        raise ValueError(f"density must be <= n/m = {n / m:g} for fmt='nm', got "
                         f"{float(np.max(d)):g}")
    ib = _bits_for(m) if index_bits is None else validate.integer("index_bits", index_bits,
                                                                  minimum=1)
    return size * n / m * (vb + ib) + 0.0 * d


def csr_break_even_density(shape, value_bits, index_bits=None):
    """Density below which CSR takes fewer bits than dense storage.

    Solves ``storage_bits(shape, d, value_bits, "csr") = storage_bits(shape, d,
    value_bits, "dense")`` for ``d``:
    ``d* = (size · value_bits − (rows + 1) · pointer_bits) / (size · (value_bits + index_bits))``.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols)``.
    value_bits : float or array
        Bits per value, > 0.
    index_bits : int, optional
        As :func:`storage_bits`.

    Returns
    -------
    float or numpy.ndarray
        The break-even density (0 if CSR never pays).

    Raises
    ------
    ValueError
        As :func:`storage_bits`.

    Examples
    --------
    FP16 values with 32-bit indices pay only below a third of the entries non-zero:

    >>> round(csr_break_even_density((4096, 4096), 16, index_bits=32), 3)
    0.333
    """
    shape = _shape(shape)
    if len(shape) != 2:
        raise ValueError(f"shape must be 2-D (rows, cols), got {shape}")
    vb = validate.positive("value_bits", value_bits)
    rows, cols = shape
    size = rows * cols
    if index_bits is None:
        ib, pb = _bits_for(cols), _bits_for(size + 1)
    else:
        ib = pb = validate.integer("index_bits", index_bits, minimum=1)
    d = (size * vb - (rows + 1) * pb) / (size * (vb + ib))
    return np.clip(d, 0.0, 1.0) if np.ndim(d) else float(min(max(d, 0.0), 1.0))


# --------------------------------------------------------------------------- mixture of experts
#: Published parameter counts (total, active per token) of models the course discusses.
#: PaLM is dense (one "expert", every parameter active): it is here as the contrast.
MOE_MODELS = {
    "GLaM": {"total": 1.2e12, "active": 96.6e9, "experts": 64, "active_experts": 2,
             "source": "du2022glam"},
    "Mixtral 8x7B": {"total": 46.7e9, "active": 12.9e9, "experts": 8, "active_experts": 2,
                     "source": "jiang2024mixtral"},
    "PaLM 540B": {"total": 540e9, "active": 540e9, "experts": 1, "active_experts": 1,
                  "source": "chowdhery2022palm"},
}

@dataclass(frozen=True)
class MoEParameters:
    """Parameter counts of a mixture-of-experts model.

    Attributes
    ----------
    total : float or numpy.ndarray
        Every parameter stored: ``shared + experts · expert_parameters``.
    active : float or numpy.ndarray
        Parameters used per token: ``shared + active_experts · expert_parameters``.
    active_fraction : float or numpy.ndarray
        ``active / total``.
    flops_per_token : float or numpy.ndarray
        Forward-pass FLOPs per token, ``2 · active`` (one multiply and one add per weight).
    """

    total: float
    active: float
    active_fraction: float
    flops_per_token: float


def moe_active_parameters(experts, active_experts, expert_parameters, shared_parameters=0.0):
    """Total and active parameters of a mixture-of-experts model.

    A router sends each token to ``active_experts`` of the ``experts`` (top-k routing);
    the shared parameters (attention, embeddings, dense layers) serve every token.

    Parameters
    ----------
    experts : int or array
        Experts per MoE layer, >= 1.
    active_experts : int or array
        Experts each token uses (k of top-k), 1 <= k <= experts.
    expert_parameters : float or array
        Parameters of one expert summed over all MoE layers, > 0.
    shared_parameters : float or array
        Parameters every token uses, >= 0.

    Returns
    -------
    MoEParameters

    Raises
    ------
    ValueError
        If ``active_experts`` exceeds ``experts`` or a count is out of range.

    Examples
    --------
    Mixtral 8x7B (8 experts, top-2): 5.637 B per expert, 1.605 B shared:

    >>> p = moe_active_parameters(8, 2, 5.637e9, 1.605e9)
    >>> round(p.total / 1e9, 1), round(p.active / 1e9, 1), round(p.active_fraction, 3)
    (46.7, 12.9, 0.276)

    References
    ----------
    :cite:p:`du2022glam,jiang2024mixtral`; FLOPs per token ≈ 2·N :cite:p:`kaplan2020`.
    """
    e = validate.in_range("experts", experts, 1, np.inf)
    k = validate.in_range("active_experts", active_experts, 1, np.inf)
    if np.any(np.asarray(e) != np.round(e)) or np.any(np.asarray(k) != np.round(k)):
        raise ValueError(f"experts and active_experts must be whole numbers, got {experts!r} "
                         f"and {active_experts!r}")
    validate.less_than(("active_experts", "experts"), k, e, or_equal=True)
    p = validate.positive("expert_parameters", expert_parameters)
    s = validate.nonnegative("shared_parameters", shared_parameters)
    total = s + e * p
    active = s + k * p
    return MoEParameters(total, active, active / total, 2.0 * active)


def moe_from_totals(total_parameters, active_parameters, experts, active_experts):
    """Invert :func:`moe_active_parameters`: per-expert and shared sizes from two totals.

    From ``total = S + E·P`` and ``active = S + k·P``:
    ``P = (total − active)/(E − k)`` and ``S = active − k·P``.

    Parameters
    ----------
    total_parameters, active_parameters : float or array
        Reported totals, ``0 < active <= total``.
    experts, active_experts : int
        E and k, ``1 <= k < E``.

    Returns
    -------
    expert_parameters, shared_parameters : float or numpy.ndarray

    Raises
    ------
    ValueError
        If ``active > total``, ``k >= E``, or the totals imply negative shared parameters.

    Examples
    --------
    GLaM: 1.2 T total, 96.6 B active, 64 experts, top-2:

    >>> p, s = moe_from_totals(1.2e12, 96.6e9, 64, 2)
    >>> round(p / 1e9, 2), round(s / 1e9, 1)
    (17.8, 61.0)

    References
    ----------
    :cite:p:`du2022glam`.
    """
    t = validate.positive("total_parameters", total_parameters)
    a = validate.positive("active_parameters", active_parameters)
    e = validate.integer("experts", experts, minimum=2)
    k = validate.integer("active_experts", active_experts, minimum=1, maximum=e - 1)
    validate.less_than(("active_parameters", "total_parameters"), a, t, or_equal=True)
    p = (t - a) / (e - k)
    s = a - k * p
    if np.any(np.asarray(s) < 0):
        raise ValueError("these totals imply negative shared parameters: active_parameters "
                         f"is below active_experts/experts of total ({a!r}, {t!r})")
    return p, s


# --------------------------------------------------------------------------- sparse training
def gradual_sparsity(step, final_sparsity, start_step, end_step, initial_sparsity=0.0):
    """Gradual pruning schedule: sparsity rises as a cubic from start to end step.

    ``s(t) = s_f + (s_i − s_f) · (1 − (t − t0)/(t1 − t0))³`` for ``t0 <= t <= t1``,
    ``s_i`` before and ``s_f`` after :cite:p:`zhu2017prune`.

    Parameters
    ----------
    step : int or array
        Training step(s), >= 0.
    final_sparsity, initial_sparsity : float
        In [0, 1), ``initial <= final``.
    start_step, end_step : int
        ``0 <= start_step < end_step``.

    Returns
    -------
    float or numpy.ndarray
        Sparsity at each step.

    Raises
    ------
    ValueError
        For steps or sparsities out of range.

    Examples
    --------
    >>> gradual_sparsity([0, 50, 100, 200], 0.8, 0, 100).round(3).tolist()
    [0.0, 0.7, 0.8, 0.8]

    References
    ----------
    :cite:p:`zhu2017prune`.
    """
    t = validate.nonnegative("step", step)
    sf = validate.fraction("final_sparsity", final_sparsity, allow_one=False)
    si = validate.fraction("initial_sparsity", initial_sparsity, allow_one=False)
    validate.broadcast(step=t, final_sparsity=sf, initial_sparsity=si)
    validate.less_than(("initial_sparsity", "final_sparsity"), si, sf, or_equal=True)
    t0 = validate.integer("start_step", start_step, minimum=0)
    t1 = validate.integer("end_step", end_step, minimum=t0 + 1)
    progress = np.clip((np.asarray(t, dtype=float) - t0) / (t1 - t0), 0.0, 1.0)
    s = sf + (si - sf) * (1.0 - progress) ** 3
    return s if np.ndim(s) else float(s)


def training_flops_fraction(sparsity):
    """Training FLOPs of a sparsity schedule, as a fraction of dense training.

    With sparse kernels, each step's forward and backward FLOPs scale with the density
    ``1 − s`` of that step, so the fraction is the mean density over the steps.

    Parameters
    ----------
    sparsity : array_like
        Sparsity at each training step, each in [0, 1).

    Returns
    -------
    float
        ``mean(1 − s)``, in (0, 1].

    Raises
    ------
    ValueError
        If a sparsity is outside [0, 1).

    Examples
    --------
    >>> round(training_flops_fraction([0.0, 0.5, 0.9, 0.9]), 3)
    0.425

    References
    ----------
    :cite:p:`evci2020rigl`, §4 (FLOP accounting).
    """
    s = validate.fraction("sparsity", sparsity, allow_one=False)
    return float(np.mean(1.0 - np.asarray(s)))


def rigl_flops_fraction(sparsity, update_interval=100):
    """Training FLOPs of RigL per step, as a fraction of dense training.

    A sparse step costs ``3·f_S`` (forward, and two backward products) with
    ``f_S = (1 − s)·f_D``; every ``ΔT`` steps RigL also computes the dense gradient to
    choose which weights to regrow, costing ``2·f_S + f_D``. Averaged over ``ΔT + 1``
    steps and divided by dense training's ``3·f_D`` :cite:p:`evci2020rigl`:
    ``((3·ΔT + 2)·(1 − s) + 1) / (3·(ΔT + 1))``.

    Parameters
    ----------
    sparsity : float or array
        Sparsity held throughout training, in [0, 1).
    update_interval : int
        Steps between mask updates ΔT, >= 1 (the paper uses 100).

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    ValueError
        If ``sparsity`` is outside [0, 1) or ``update_interval < 1``.

    Examples
    --------
    >>> round(rigl_flops_fraction(0.8, 100), 3)
    0.203

    References
    ----------
    :cite:p:`evci2020rigl`.
    """
    s = validate.fraction("sparsity", sparsity, allow_one=False)
    dt = validate.integer("update_interval", update_interval, minimum=1)
    return ((3 * dt + 2) * (1.0 - s) + 1.0) / (3.0 * (dt + 1))


# --------------------------------------------------------------------------- energy model
@dataclass(frozen=True)
class MatmulEnergy:
    """Energy breakdown of one matrix multiply ``Y = X·W`` (joules, bytes, counts).

    Attributes
    ----------
    macs : float or numpy.ndarray
        Multiply–accumulates executed.
    weight_bytes, metadata_bytes, activation_bytes : float or numpy.ndarray
        Bytes moved: weight values, sparse-format indices, and activations (X in, Y out).
    compute_j, weight_j, metadata_j, activation_j : float or numpy.ndarray
        Energy of each part.
    total_j : float or numpy.ndarray
        Their sum.
    """

    macs: float
    weight_bytes: float
    metadata_bytes: float
    activation_bytes: float
    compute_j: float
    weight_j: float
    metadata_j: float
    activation_j: float
    total_j: float


def matmul_energy(tokens, in_features, out_features, *, energy_per_mac_j, energy_per_byte_j,
                  fmt="dense", density=None, n=None, m=None, value_bits=16,
                  activation_bits=16, index_bits=None, activation_density=1.0,
                  activation_energy_per_byte_j=None) -> MatmulEnergy:
    """Energy of ``Y = X·W`` for a dense, CSR or N:M weight matrix.

    ``X`` is ``tokens × in_features``, ``W`` is ``in_features × out_features`` (the
    reduction runs over ``in_features``, where N:M groups lie). The model counts:

    * **compute**: MACs executed × ``energy_per_mac_j``. Dense hardware multiplies every
      weight, zeros included; CSR kernels skip the zeros (``density`` of the MACs); N:M
      hardware executes ``n/m`` of them. Hardware that also skips zero activations
      executes only ``activation_density`` of those (independent zeros assumed).
    * **weights**: the stored values, read once (reused across tokens on chip).
    * **metadata**: CSR column indices and row pointers, or N:M positions, read once.
    * **activations**: X read and Y written once, unchanged by weight sparsity.

    Parameters
    ----------
    tokens : float or array
        Rows of X (tokens or batch size), > 0.
    in_features, out_features : int
        Matrix dimensions (for ``nm``, ``in_features`` is a multiple of ``m``).
    energy_per_mac_j : float or array
        Energy of one multiply–accumulate, > 0.
    energy_per_byte_j : float or array
        Energy to move one byte of weights or metadata from memory, >= 0.
    fmt : {"dense", "csr", "nm"}
        Format of W.
    density : float or array, optional
        Non-zero fraction of W in [0, 1]: for ``csr`` the stored fraction (default 1);
        ignored for ``dense``; for ``nm`` at most (and by default) ``n/m``.
    n, m : int, optional
        The N:M pattern (``nm`` only).
    value_bits, activation_bits : float
        Bits per weight and per activation, > 0.
    index_bits : int, optional
        As :func:`storage_bits`.
    activation_density : float or array
        Fraction of non-zero activations whose MACs run, in (0, 1]; 1 = no zero skipping.
    activation_energy_per_byte_j : float or array, optional
        Energy per activation byte (default: ``energy_per_byte_j``).

    Returns
    -------
    MatmulEnergy

    Raises
    ------
    ValueError
        For any argument outside its range, an unknown format, or as :func:`storage_bits`.

    Examples
    --------
    One token through a 4096×4096 FP16 layer, 1 pJ/MAC and 30 pJ/byte: weight traffic
    dominates, and 2:4 trims it to (16 + 2)/32 of the dense bytes:

    >>> dense = matmul_energy(1, 4096, 4096, energy_per_mac_j=1e-12, energy_per_byte_j=30e-12)
    >>> nm = matmul_energy(1, 4096, 4096, energy_per_mac_j=1e-12, energy_per_byte_j=30e-12,
    ...                    fmt="nm", n=2, m=4)
    >>> round(nm.total_j / dense.total_j, 3)
    0.562

    References
    ----------
    :cite:p:`horowitz2014,han2016eie,mishra2021sparse`.
    """
    b = validate.positive("tokens", tokens)
    k = validate.integer("in_features", in_features, minimum=1)
    nout = validate.integer("out_features", out_features, minimum=1)
    e_mac = validate.positive("energy_per_mac_j", energy_per_mac_j)
    e_byte = validate.nonnegative("energy_per_byte_j", energy_per_byte_j)
    e_act = e_byte if activation_energy_per_byte_j is None else validate.nonnegative(
        "activation_energy_per_byte_j", activation_energy_per_byte_j)
    fmt = validate.one_of("fmt", fmt, FORMATS)
    _check_optional_ints(n=n, m=m, index_bits=index_bits)
    if density is None:
        density = n / m if (fmt == "nm" and n is not None and m is not None) else 1.0
    d = validate.fraction("density", density)
    vb = validate.positive("value_bits", value_bits)
    ab = validate.positive("activation_bits", activation_bits)
    ad = validate.fraction("activation_density", activation_density, allow_zero=False)
    size = k * nout
    value_bits_total = storage_bits((nout, k), d, vb, "dense")
    if fmt == "dense":
        executed = 1.0 + 0.0 * d
        weight_bits = value_bits_total
        meta_bits = 0.0 * d
    elif fmt == "csr":
        executed = d
        weight_bits = d * size * vb
        meta_bits = storage_bits((nout, k), d, vb, "csr", index_bits=index_bits) - weight_bits
    else:
        total = storage_bits((nout, k), d, vb, "nm", n=n, m=m, index_bits=index_bits)
        n, m, _ = _nm_args(n, m)
        executed = n / m + 0.0 * d
        weight_bits = size * n / m * vb + 0.0 * d
        meta_bits = total - weight_bits
    macs = b * size * executed * ad
    weight_bytes = weight_bits / 8.0 + 0.0 * b
    meta_bytes = meta_bits / 8.0 + 0.0 * b
    act_bytes = b * (k + nout) * ab / 8.0 + 0.0 * d
    compute_j = macs * e_mac
    weight_j = weight_bytes * e_byte
    meta_j = meta_bytes * e_byte
    act_j = act_bytes * e_act
    return MatmulEnergy(macs, weight_bytes, meta_bytes, act_bytes, compute_j, weight_j, meta_j,
                        act_j, compute_j + weight_j + meta_j + act_j)
