"""Low precision: number formats, quantization, its error, and what a bit costs.

A number format spends its bits on a sign, an exponent (range) and a mantissa
(precision) :cite:p:`ieee754_2019`. This module describes the formats used in machine
learning (FP32, TF32, FP16, BF16 :cite:p:`kalamkar2019bf16`, FP8 E4M3 and E5M2
:cite:p:`micikevicius2022fp8`, MX FP4 :cite:p:`rouhani2023mx`, INT8 :cite:p:`jouppi2017tpu`,
INT4), rounds arrays into them, measures the error, and prices the arithmetic with the
45 nm energy table :cite:p:`horowitz2014`.

* Float formats are rounded by casting with NumPy and ``ml_dtypes`` :cite:p:`ml_dtypes`
  (round to nearest, ties to even), so :func:`quantize` is bit-exact with
  ``x.astype(ml_dtypes.float8_e4m3fn)`` and friends. TF32 has no storage type; it is
  rounded here with the same rule (float32 with the 13 lowest mantissa bits zero).
* Integer formats are symmetric: ``code = clip(rint(x / scale), -qmax, qmax)`` with
  ``qmax = 2**(bits-1) - 1`` and one scale per tensor or per channel. Out-of-range values
  saturate (``ml_dtypes.int4`` would wrap around instead).
* Quantization error is measured by its maximum, its RMS and the signal-to-quantization-
  noise ratio (SQNR), and compared with the uniform-noise theory :cite:p:`widrow2008`.

>>> from energylab import precision
>>> precision.format_info("bf16").eps
0.0078125
>>> float(precision.fake_quantize(0.1, "fp8_e4m3"))
0.1015625
>>> q = precision.quantize([0.5, -1.0, 0.25], "int8")
>>> q.codes.tolist(), q.scale.item()
([64, -127, 32], 0.007874015748031496)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import ml_dtypes
import numpy as np

from . import validate

__all__ = [
    "FormatSpec",
    "FormatInfo",
    "FORMATS",
    "format_spec",
    "format_info",
    "representable_values",
    "neighbours",
    "Quantized",
    "int_scale",
    "quantize",
    "dequantize",
    "fake_quantize",
    "QuantError",
    "quantization_error",
    "sqnr_db",
    "sqnr_theory_db",
    "float_sqnr_theory_db",
    "running_sum",
    "EnergyFit",
    "energy_fit",
    "op_energy",
    "memory_bytes",
    "chip_energy_per_op",
    "ForwardPassEnergy",
    "forward_pass_energy",
    "quantize_weights",
    "digits_accuracy",
]


# --------------------------------------------------------------------------- formats
@dataclass(frozen=True)
class FormatSpec:
    """How a format spends its bits.

    Attributes
    ----------
    name : str
        Key in :data:`FORMATS` (``"fp8_e4m3"``).
    bits : int
        Total width, sign included.
    exponent_bits, mantissa_bits : int
        Field widths. Integers have no exponent; their ``mantissa_bits`` are the
        ``bits - 1`` magnitude bits.
    kind : str
        ``"fp"`` or ``"int"``.
    label : str
        How people write it (``"FP8 E4M3"``).
    dtype : numpy.dtype or None
        Storage type used for rounding (``None`` for TF32, which has none).
    """

    name: str
    bits: int
    exponent_bits: int
    mantissa_bits: int
    kind: str
    label: str
    dtype: object = None

    @property
    def dtype_name(self) -> str:
        """Name of the storage type (``"float8_e4m3fn"``), or ``"float32"`` for TF32."""
        return np.dtype(self.dtype).name if self.dtype is not None else "float32"


def _int_spec(bits: int) -> FormatSpec:
    dtype = {2: ml_dtypes.int2, 4: ml_dtypes.int4, 8: np.int8, 16: np.int16}.get(bits)
    if dtype is None:
        dtype = np.int8 if bits < 8 else np.int16
    return FormatSpec(f"int{bits}", bits, 0, bits - 1, "int", f"INT{bits}", np.dtype(dtype))


#: The course's formats: name -> :class:`FormatSpec`. Any ``"intN"`` with 2 <= N <= 16 is
#: also accepted by every function (for bit-width sweeps).
FORMATS: dict[str, FormatSpec] = {
    "fp32": FormatSpec("fp32", 32, 8, 23, "fp", "FP32", np.dtype(np.float32)),
    "tf32": FormatSpec("tf32", 19, 8, 10, "fp", "TF32", None),
    "fp16": FormatSpec("fp16", 16, 5, 10, "fp", "FP16", np.dtype(np.float16)),
    "bf16": FormatSpec("bf16", 16, 8, 7, "fp", "BF16", np.dtype(ml_dtypes.bfloat16)),
    "fp8_e4m3": FormatSpec("fp8_e4m3", 8, 4, 3, "fp", "FP8 E4M3", np.dtype(ml_dtypes.float8_e4m3fn)),
    "fp8_e5m2": FormatSpec("fp8_e5m2", 8, 5, 2, "fp", "FP8 E5M2", np.dtype(ml_dtypes.float8_e5m2)),
    "fp4_e2m1": FormatSpec("fp4_e2m1", 4, 2, 1, "fp", "FP4 E2M1 (MX)", np.dtype(ml_dtypes.float4_e2m1fn)),
    "int8": _int_spec(8),
    "int4": _int_spec(4),
}

_INT_RE = re.compile(r"^int(\d+)$")


def format_spec(fmt: str) -> FormatSpec:
    """The :class:`FormatSpec` of a format name.

    Parameters
    ----------
    fmt : str
        A key of :data:`FORMATS`, or ``"intN"`` with 2 <= N <= 16.

    Returns
    -------
    FormatSpec

    Raises
    ------
    ValueError
        If the name is unknown; the message lists the known formats.

    Examples
    --------
    >>> format_spec("bf16").exponent_bits, format_spec("int6").bits
    (8, 6)
    """
    if isinstance(fmt, FormatSpec):
        return fmt
    if isinstance(fmt, str):
        key = fmt.strip().lower()
        if key in FORMATS:
            return FORMATS[key]
        m = _INT_RE.match(key)
        if m and 2 <= int(m.group(1)) <= 16:
            return _int_spec(int(m.group(1)))
    known = ", ".join(repr(k) for k in FORMATS)
    raise ValueError(f"fmt must be one of {known} (or 'intN' with 2 <= N <= 16), got {fmt!r}")


@dataclass(frozen=True)
class FormatInfo:
    """Range and precision of a format.

    Attributes
    ----------
    name : str
    bits : int
    eps : float
        Gap between 1 and the next representable number (floats, ``2**-mantissa_bits``);
        for integers, the step between codes (1).
    max : float
        Largest finite value (integers: ``qmax = 2**(bits-1) - 1`` in code units).
    min_normal : float
        Smallest positive normal number (integers: 1).
    min_subnormal : float
        Smallest positive number (integers: 1).
    has_inf, has_nan : bool
        Whether the format can represent infinity and NaN.
    dynamic_range_db : float
        ``20 log10(max / min_subnormal)``.
    """

    name: str
    bits: int
    eps: float
    max: float
    min_normal: float
    min_subnormal: float
    has_inf: bool
    has_nan: bool

    @property
    def dynamic_range_db(self) -> float:
        return float(20 * np.log10(self.max / self.min_subnormal))


def format_info(fmt: str) -> FormatInfo:
    """Eps, range and special values of a format (from ``ml_dtypes.finfo``).

    Parameters
    ----------
    fmt : str
        A format name (see :func:`format_spec`).

    Returns
    -------
    FormatInfo

    Raises
    ------
    ValueError
        If ``fmt`` is unknown.

    Examples
    --------
    >>> i = format_info("fp8_e4m3")
    >>> i.max, i.min_subnormal, i.has_inf, i.has_nan
    (448.0, 0.001953125, False, True)

    References
    ----------
    :cite:p:`ieee754_2019` (FP32, FP16), :cite:p:`micikevicius2022fp8` (FP8),
    :cite:p:`rouhani2023mx` (FP4 E2M1).
    """
    spec = format_spec(fmt)
    if spec.kind == "int":
        qmax = float(2 ** (spec.bits - 1) - 1)
        return FormatInfo(spec.name, spec.bits, 1.0, qmax, 1.0, 1.0, False, False)
    if spec.name == "tf32":  # float32's exponent, fp16's 10-bit mantissa
        return FormatInfo("tf32", 19, 2.0 ** -10, (2 - 2.0 ** -10) * 2.0 ** 127,
                          2.0 ** -126, 2.0 ** -136, True, True)
    fi = ml_dtypes.finfo(spec.dtype)
    has_inf = bool(np.isinf(np.array([np.inf]).astype(spec.dtype)).all())
    has_nan = bool(np.isnan(np.array([np.nan]).astype(spec.dtype).astype(np.float32)).all())
    return FormatInfo(spec.name, spec.bits, float(fi.eps), float(fi.max), float(fi.smallest_normal),
                      float(fi.smallest_subnormal), has_inf, has_nan)


@functools.cache
@np.errstate(invalid="ignore")
def _positive_values(name: str) -> np.ndarray:
    spec = format_spec(name)
    if spec.kind == "int":
        return np.arange(1, 2 ** (spec.bits - 1), dtype=float)
    if spec.name == "tf32":
        patterns = (np.arange(2 ** 18, dtype=np.uint32) << np.uint32(13)).view(np.float32)
        vals = patterns.astype(float)
    else:
        raw_dtype = {8: np.uint8, 16: np.uint16}.get(spec.bits)
        if spec.bits == 4:  # one code per byte in ml_dtypes' 4-bit types
            vals = np.arange(16, dtype=np.uint8).view(spec.dtype).astype(float)
        else:
            vals = np.arange(2 ** spec.bits, dtype=raw_dtype).view(spec.dtype).astype(float)
    vals = vals[np.isfinite(vals) & (vals > 0)]
    return np.unique(vals)


def representable_values(fmt: str, positive_only: bool = False) -> np.ndarray:
    """Every finite value a format can hold, sorted (zero included once).

    Parameters
    ----------
    fmt : str
        A format of at most 19 bits (FP32 has 4 billion values: use :func:`neighbours`).
    positive_only : bool
        Return only the values > 0.

    Returns
    -------
    numpy.ndarray of float

    Raises
    ------
    ValueError
        If ``fmt`` is unknown or is FP32.

    Examples
    --------
    >>> representable_values("fp4_e2m1", positive_only=True).tolist()
    [0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]
    """
    positive_only = validate.flag("positive_only", positive_only)
    spec = format_spec(fmt)
    if spec.bits > 19:
        raise ValueError(f"fmt must have at most 19 bits to list its values, got {spec.name!r} "
                         f"({spec.bits} bits); use neighbours() instead")
    pos = _positive_values(spec.name)
    if positive_only:
        return pos.copy()
    return np.concatenate([-pos[::-1], [0.0], pos])


def neighbours(x, fmt: str, scale=None):
    """The representable numbers just below and just above ``x``.

    Parameters
    ----------
    x : float or array_like
        Finite values.
    fmt : str
        A format name.
    scale : float, optional
        For integer formats, the step between codes (default 1: plain integers).

    Returns
    -------
    below, above : numpy.ndarray
        Largest representable value <= x and smallest >= x (equal when x is
        representable). Beyond the finite range the bound that does not exist is ±inf.

    Raises
    ------
    ValueError
        For an unknown format, non-finite ``x`` or a non-positive ``scale``.

    Examples
    --------
    >>> [float(v) for v in neighbours(0.3, "fp8_e4m3")]
    [0.28125, 0.3125]
    """
    spec = format_spec(fmt)
    x = np.asarray(validate.finite("x", x), dtype=float)
    if scale is not None:
        scale = validate.positive("scale", scale)
        if spec.kind != "int":
            raise ValueError(f"scale applies to integer formats only, got scale={scale!r} with fmt={spec.name!r}")
    if spec.kind == "int":
        s = 1.0 if scale is None else np.asarray(scale, dtype=float)
        qmax = 2 ** (spec.bits - 1) - 1
        lo, hi = np.floor(x / s), np.ceil(x / s)
        below = np.where(lo < -qmax, -np.inf, np.minimum(lo, qmax) * s)
        above = np.where(hi > qmax, np.inf, np.maximum(hi, -qmax) * s)
        return below, above
    if spec.name == "fp32":
        x32 = x.astype(np.float32)
        below = np.where(x32.astype(float) <= x, x32, np.nextafter(x32, np.float32(-np.inf)))
        above = np.where(x32.astype(float) >= x, x32, np.nextafter(x32, np.float32(np.inf)))
        return below.astype(float), above.astype(float)
    vals = representable_values(spec.name)
    i = np.searchsorted(vals, x, side="right") - 1  # last value <= x
    below = np.where(i >= 0, vals[np.clip(i, 0, len(vals) - 1)], -np.inf)
    exact = (i >= 0) & (vals[np.clip(i, 0, len(vals) - 1)] == x)
    j = np.where(exact, i, i + 1)
    above = np.where(j < len(vals), vals[np.clip(j, 0, len(vals) - 1)], np.inf)
    return below, above


# --------------------------------------------------------------------------- quantization
@dataclass(frozen=True)
class Quantized:
    """Values stored in a low-precision format.

    Attributes
    ----------
    codes : numpy.ndarray
        What is stored: float values in the format's storage type (``float8_e4m3fn``,
        ``bfloat16``, ...; TF32 as float32), or integer codes for integer formats.
    scale : numpy.ndarray
        Multiply the codes by it to get back real numbers. Shape 1 (per tensor) or
        broadcastable to ``codes`` (one scale per channel along :attr:`axis`).
    fmt : str
        The format's name.
    axis : int or None
        The channel axis of a per-channel scale.
    """

    codes: np.ndarray
    scale: np.ndarray
    fmt: str
    axis: int | None = None

    @property
    def values(self) -> np.ndarray:
        """The dequantized values as float64 (``codes * scale``)."""
        return dequantize(self)

    @property
    def nbytes(self) -> float:
        """Bytes of the packed codes plus FP32 scales (see :func:`memory_bytes`)."""
        n_scales = 0 if np.all(self.scale == 1.0) and format_spec(self.fmt).kind == "fp" else self.scale.size
        return memory_bytes(self.codes.size, self.fmt, n_scales=n_scales)


def _reduce_axes(ndim: int, axis: int | None):
    if axis is None:
        return None
    axis = validate.integer("axis", axis, minimum=-ndim, maximum=ndim - 1) if ndim else None
    if axis is None:
        raise ValueError("axis must be None for a scalar x")
    axis %= ndim
    return tuple(a for a in range(ndim) if a != axis), axis


def int_scale(x, fmt: str = "int8", axis: int | None = None) -> np.ndarray:
    """Symmetric max-abs scale: ``max|x| / qmax``, per tensor or per channel.

    Parameters
    ----------
    x : array_like
        Finite values.
    fmt : str
        An integer format (``"int8"``, ``"int4"``, ``"intN"``).
    axis : int, optional
        Channel axis: one scale per index along it (max over all other axes).
        ``None``: one scale for the whole tensor.

    Returns
    -------
    numpy.ndarray
        Shape ``(1,) * x.ndim`` (or ``(1,)`` for a scalar) per tensor, or ``x.shape`` with
        every axis but ``axis`` set to 1. All-zero channels get scale 1.

    Raises
    ------
    ValueError
        For a float format, non-finite ``x`` or a bad ``axis``.

    Examples
    --------
    >>> int_scale([[1.0, -2.0], [0.5, 4.0]], "int8", axis=1).ravel().round(5).tolist()
    [0.00787, 0.0315]
    """
    spec = format_spec(fmt)
    if spec.kind != "int":
        raise ValueError(f"fmt must be an integer format for int_scale, got {spec.name!r}")
    x = np.asarray(validate.finite("x", x), dtype=float)
    return _maxabs_scale(x, 2 ** (spec.bits - 1) - 1, axis)


def _maxabs_scale(x: np.ndarray, qmax: int, axis: int | None) -> np.ndarray:
    red = _reduce_axes(x.ndim, axis)
    if red is None:
        amax = np.abs(x).reshape(1) if x.ndim == 0 else np.maximum(np.max(x, keepdims=True),
                                                                  -np.min(x, keepdims=True))
    else:
        amax = np.max(np.abs(x), axis=red[0], keepdims=True)
    return np.where(amax > 0, amax / qmax, 1.0)


def _round_tf32(x32: np.ndarray) -> np.ndarray:
    """Round float32 values to 10 mantissa bits, ties to even (TF32 held in a float32).

    Adding ``0xFFF`` plus the lowest kept bit to the raw bits and clearing the 13 dropped
    bits rounds to nearest with ties to even; a carry out of the mantissa correctly bumps
    the exponent (and turns the largest values into infinity). NaNs are passed through.
    """
    shape = np.shape(x32)  # ascontiguousarray turns a 0-d array into 1-d: restore it below
    x32 = np.ascontiguousarray(x32, dtype=np.float32)
    u = x32.view(np.uint32)
    r = u >> np.uint32(13)
    r &= np.uint32(1)
    r += np.uint32(0xFFF)
    r += u
    r &= np.uint32(0xFFFFE000)
    r = r.view(np.float32)
    if np.isnan(np.min(x32)):  # min propagates NaN: only then pay for the mask
        r = np.where(np.isnan(x32), x32, r)
    return r.reshape(shape)


def quantize(x, fmt: str, scale=None, axis: int | None = None, saturate: bool = False) -> Quantized:
    """Round ``x`` into a number format.

    Parameters
    ----------
    x : array_like
        Values to quantize (any shape).
    fmt : str
        A format name (see :func:`format_spec`).
    scale : float or array_like, optional
        Integer formats: the value of one code step, broadcastable to ``x``; default
        :func:`int_scale` (symmetric max-abs, per tensor or per ``axis``). Float formats:
        ``x / scale`` is cast (scaled FP8); default 1, a plain cast.
    axis : int, optional
        Integer formats with ``scale=None``: the channel axis of a per-channel scale.
    saturate : bool
        Float formats only: clip to ±max before casting, as FP8 hardware usually does.
        By default overflow follows the format (E4M3: NaN, E5M2/FP16/BF16: ±inf,
        FP4: saturates), bit-exact with ``ml_dtypes`` casting.

    Returns
    -------
    Quantized
        ``codes`` (storage type) and ``scale``; ``.values`` gives them back as floats.

    Raises
    ------
    ValueError
        Unknown format; NaN or inf in ``x`` for an integer format (or NaN for FP4, which
        has no NaN); a non-positive scale; ``axis`` with a float format or with an
        explicit scale.

    Notes
    -----
    Float formats round to nearest, ties to even :cite:p:`ieee754_2019`; like
    ``ml_dtypes``, float64 input is first rounded to float32. Integer codes are
    ``clip(rint(x / scale), -qmax, qmax)``, ``qmax = 2**(bits-1) - 1``, so inside the range
    the error is at most ``scale / 2`` and outside it saturates.

    Examples
    --------
    >>> quantize([1.0, 1000.0], "fp8_e4m3").codes.astype(float).tolist()
    [1.0, nan]
    >>> quantize([1.0, 1000.0], "fp8_e4m3", saturate=True).values.tolist()
    [1.0, 448.0]
    >>> quantize([0.1, 0.26, 9.0], "int4", scale=0.1).codes.astype(int).tolist()
    [1, 3, 7]
    """
    saturate = validate.flag("saturate", saturate)
    spec = format_spec(fmt)
    if isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.size:
        arr = x  # keep float16/32/64 as they are: a cast from the caller's own dtype
    else:
        arr = validate.as_array("x", x)
    if spec.kind == "int":
        arr = np.asarray(arr, dtype=float)
        if not np.isfinite(arr.sum()):  # NaN or inf anywhere makes the sum non-finite
            validate.finite("x", arr)
        qmax = 2 ** (spec.bits - 1) - 1
        if scale is None:
            s = _maxabs_scale(arr, qmax, axis)
        else:
            if axis is not None:
                raise ValueError("axis must be None when scale is given (the scale's shape sets the channels)")
            s = np.asarray(validate.positive("scale", scale), dtype=float)
            s = s.reshape(1) if s.ndim == 0 else s
            try:
                np.broadcast_shapes(s.shape, arr.shape)
            except ValueError:
                raise ValueError(f"scale of shape {s.shape} does not broadcast to x of shape {arr.shape}") from None
        q = np.asarray(arr / s, dtype=float)
        np.rint(q, out=q)
        np.clip(q, -qmax, qmax, out=q)
        codes = q.astype(spec.dtype)
        if arr.ndim == 0:
            codes = codes.reshape(())
        return Quantized(codes, s, spec.name, None if axis is None else axis % max(arr.ndim, 1))
    if axis is not None:
        raise ValueError(f"axis applies to integer formats only (per-channel scales), got axis={axis} "
                         f"with fmt={spec.name!r}")
    if scale is None:
        s = np.ones(1)
    else:
        s = np.asarray(validate.positive("scale", scale), dtype=float)
        s = s.reshape(1) if s.ndim == 0 else s
        arr = arr / s
    info = format_info(spec.name)
    if not info.has_nan and np.isnan(np.min(arr)):  # min propagates NaN, without a mask
        raise ValueError(f"x contains NaN, which {spec.label} cannot represent")
    if saturate:
        arr = np.where(np.isnan(arr), arr, np.clip(arr, -info.max, info.max))
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is the format's business
        if spec.name == "tf32":
            codes = _round_tf32(arr.astype(np.float32))
        else:
            codes = arr.astype(spec.dtype)
    return Quantized(codes, s, spec.name, None)


def dequantize(q, fmt: str | None = None, scale=None) -> np.ndarray:
    """Turn stored codes back into float64 values: ``codes * scale``.

    Parameters
    ----------
    q : Quantized or array_like
        The result of :func:`quantize`, or raw codes.
    fmt : str, optional
        Required with raw codes; with a :class:`Quantized` it must match its format.
    scale : float or array_like, optional
        Required meaning only with raw codes (default 1); with a :class:`Quantized`
        its own scale is used and this must be None.

    Returns
    -------
    numpy.ndarray of float64

    Raises
    ------
    ValueError
        Unknown or mismatched format, missing format for raw codes, bad scale.

    Examples
    --------
    >>> q = quantize([0.5, -1.0], "int8")
    >>> dequantize(q).round(4).tolist()
    [0.5039, -1.0]
    >>> dequantize(q.codes, "int8", q.scale).round(4).tolist()
    [0.5039, -1.0]
    """
    if isinstance(q, Quantized):
        if fmt is not None and format_spec(fmt).name != q.fmt:
            raise ValueError(f"fmt {fmt!r} does not match the quantized data's format {q.fmt!r}")
        if scale is not None:
            raise ValueError("scale must be None for a Quantized input (it carries its own scale)")
        codes, s = q.codes, q.scale
    else:
        if fmt is None:
            raise ValueError("fmt must be given when q is a raw array of codes")
        spec = format_spec(fmt)
        codes = np.asarray(q)
        if codes.dtype.kind not in "iuf" and codes.dtype != spec.dtype:
            codes = codes.astype(spec.dtype)
        s = 1.0 if scale is None else np.asarray(validate.positive("scale", scale), dtype=float)
    out = np.asarray(codes).astype(np.float64) * s
    return out.reshape(np.shape(codes)) if np.ndim(codes) == 0 else out


def fake_quantize(x, fmt: str, scale=None, axis: int | None = None, saturate: bool = False) -> np.ndarray:
    """Quantize and dequantize in one step ("fake quantization"): float64 on the format's grid.

    Parameters and errors as :func:`quantize`.

    Examples
    --------
    >>> fake_quantize([1.0, 1.01, 3.14159], "bf16").tolist()
    [1.0, 1.0078125, 3.140625]
    """
    saturate = validate.flag("saturate", saturate)
    return dequantize(quantize(x, fmt, scale=scale, axis=axis, saturate=saturate))


# --------------------------------------------------------------------------- error
@dataclass(frozen=True)
class QuantError:
    """Error of a quantized array against the original (same units as the data)."""

    max_abs: float
    rms: float
    sqnr_db: float


def _pair(x, xq):
    x = np.asarray(validate.finite("x", x), dtype=float)
    xq = dequantize(xq) if isinstance(xq, Quantized) else np.asarray(validate.as_array("xq", xq), dtype=float)
    validate.same_shape(("x", "xq"), x, xq)
    return x, xq


def sqnr_db(x, xq) -> float:
    """Signal-to-quantization-noise ratio ``10 log10(Σx² / Σ(x - xq)²)`` in dB.

    Parameters
    ----------
    x : array_like
        The original values (finite, not all zero).
    xq : array_like or Quantized
        The quantized values, same shape. NaN or inf in ``xq`` (an overflow) gives
        an SQNR of -inf.

    Returns
    -------
    float
        ``inf`` if ``xq == x`` exactly.

    Raises
    ------
    ValueError
        If the shapes differ, ``x`` is not finite or is all zero.

    Examples
    --------
    >>> round(sqnr_db([1.0, -1.0], [1.1, -1.1]), 2)
    20.0

    References
    ----------
    :cite:p:`widrow2008`.
    """
    x, xq = _pair(x, xq)
    signal = float(np.sum(x ** 2))
    if signal == 0:
        raise ValueError("x must not be all zero (the SQNR of a zero signal is undefined)")
    if not np.all(np.isfinite(xq)):
        return float("-inf")
    noise = float(np.sum((x - xq) ** 2))
    return float("inf") if noise == 0 else float(10 * np.log10(signal / noise))


def quantization_error(x, xq) -> QuantError:
    """Max absolute error, RMS error and SQNR of ``xq`` against ``x``.

    Examples
    --------
    >>> e = quantization_error([1.0, -1.0], [1.1, -1.1])
    >>> round(e.max_abs, 3), round(e.rms, 3)
    (0.1, 0.1)
    """
    x, xq = _pair(x, xq)
    err = x - xq
    return QuantError(float(np.max(np.abs(err))), float(np.sqrt(np.mean(err ** 2))), sqnr_db(x, xq))


def sqnr_theory_db(bits, signal: str = "uniform", symmetric: bool = True):
    """Uniform-quantization SQNR for a full-scale signal: the "6.02 b + 1.76 dB" rule.

    With step Δ the rounding error is uniform on ±Δ/2, so its power is Δ²/12
    :cite:p:`widrow2008`. A full-scale signal of peak A has power A²/3 (uniform) or
    A²/2 (sine). A quantizer with ``2**b`` levels has Δ = 2A/2**b, giving
    ``20 log10(2**b) = 6.02 b`` dB (uniform) and ``6.02 b + 1.76`` dB (sine). The
    symmetric integer quantizer of :func:`quantize` uses ``2**b - 1`` levels with
    Δ = A/qmax, which costs ``20 log10(2**b / (2**b - 2))`` dB: 1.2 dB at 4 bits,
    0.03 dB at 10.

    Parameters
    ----------
    bits : int or array_like
        Bit width(s), >= 2.
    signal : {"uniform", "sine"}
        Distribution of a full-scale input.
    symmetric : bool
        True: the symmetric quantizer (``qmax = 2**(b-1) - 1``); False: the textbook
        ``2**b``-level quantizer.

    Returns
    -------
    float or numpy.ndarray
        SQNR in dB.

    Raises
    ------
    ValueError
        For bits < 2 or an unknown signal.

    Examples
    --------
    >>> round(float(sqnr_theory_db(8, "sine", symmetric=False)), 2)
    49.93
    """
    symmetric = validate.flag("symmetric", symmetric)
    b = np.asarray(validate.in_range("bits", bits, 2, 64), dtype=float)
    signal = validate.one_of("signal", signal, ["uniform", "sine"])
    power = {"uniform": 1 / 3, "sine": 1 / 2}[signal]  # in units of A²
    step = 1 / (2 ** (b - 1) - 1) if symmetric else 2 / 2 ** b  # in units of A
    out = 10 * np.log10(power / (step ** 2 / 12))
    return float(out) if out.ndim == 0 else out


def float_sqnr_theory_db(fmt: str) -> float:
    """SQNR of rounding to a float format, for data well inside its normal range (dB).

    A float format keeps the *relative* error roughly constant: in the binade
    [2**e, 2**(e+1)) the step is 2**(e - m). Averaging the uniform-noise power Δ²/12
    relative to x² over a binade (mantissas spread evenly on a log scale) gives
    ``2**(-2m) / (32 ln 2) ≈ 0.180 · 2**(-2p)`` with p = m + 1 precision bits, Widrow and
    Kollár's result :cite:p:`widrow2008`, so ``SQNR ≈ 6.02 m + 13.46 dB`` whatever the
    scale of the data. It fits bell-shaped data (weights) to a few hundredths of a dB;
    data whose power sits at the top of a binade can differ by up to ±0.7 dB.

    Parameters
    ----------
    fmt : str
        A float format.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For an integer or unknown format.

    Examples
    --------
    >>> round(float_sqnr_theory_db("bf16"), 1)
    55.6
    """
    spec = format_spec(fmt)
    if spec.kind != "fp":
        raise ValueError(f"fmt must be a float format, got {spec.name!r} (use sqnr_theory_db for integers)")
    return float(10 * np.log10(32 * np.log(2) * 2.0 ** (2 * spec.mantissa_bits)))


# --------------------------------------------------------------------------- accumulation
def running_sum(values, fmt: str = "bf16") -> np.ndarray:
    """Partial sums of ``values`` with the accumulator kept in ``fmt``.

    Each addition is rounded back to the format (NumPy's ``add.accumulate`` on the
    format's dtype), as a narrow accumulator register would. A BF16 sum of ones stops
    at 256: beyond it one is less than half a step.

    Parameters
    ----------
    values : array_like
        1-D finite values (first cast into ``fmt``).
    fmt : str
        A float format with a storage type (not TF32).

    Returns
    -------
    numpy.ndarray of float64
        The running sum after each term.

    Raises
    ------
    ValueError
        For an integer format, TF32, or non-finite or non-1-D values.

    Examples
    --------
    >>> float(running_sum([1.0] * 1000, "bf16")[-1]), float(running_sum([1.0] * 1000, "fp32")[-1])
    (256.0, 1000.0)
    """
    spec = format_spec(fmt)
    if spec.kind != "fp" or spec.dtype is None:
        raise ValueError(f"fmt must be a float format with a storage type for running_sum, got {spec.name!r}")
    v = np.asarray(validate.finite("values", values), dtype=float)
    if v.ndim != 1:
        raise ValueError(f"values must be 1-D, got shape {v.shape}")
    return np.add.accumulate(v.astype(spec.dtype)).astype(np.float64)


# --------------------------------------------------------------------------- energy
@dataclass(frozen=True)
class EnergyFit:
    """Power law ``E = energy_ref_j * (bits / bits_ref) ** exponent`` for one operation."""

    op: str
    kind: str
    energy_ref_j: float
    bits_ref: float
    exponent: float
    bits: tuple
    energy_j: tuple


@functools.cache
def energy_fit(op: str, kind: str) -> EnergyFit:
    """Fit ``E ∝ bits**k`` to the 45 nm energies of one operation (least squares in log-log).

    Parameters
    ----------
    op : {"add", "mul"}
    kind : {"int", "fp"}

    Returns
    -------
    EnergyFit
        With two table points per operation the fit passes through both; the exponent
        is ≈ 0.9 (int add), 2.0 (int mul), 1.2 (fp add), 1.8 (fp mul).

    Raises
    ------
    ValueError
        For an unknown op or kind.

    Examples
    --------
    >>> round(energy_fit("mul", "int").exponent, 2)
    1.98

    References
    ----------
    Data: :cite:p:`horowitz2014` (45 nm, 0.9 V).
    """
    from . import datasets

    op = validate.one_of("op", op, ["add", "mul"])
    kind = validate.one_of("kind", kind, ["int", "fp"])
    df = datasets.load("energy_per_op")
    df = df[(df["operation"] == op) & (df["number_kind"] == kind)].sort_values("bits")
    b = df["bits"].to_numpy(float)
    e = df["energy_j"].to_numpy(float)
    k, c = np.polyfit(np.log(b), np.log(e), 1)
    b_ref = float(np.exp(np.mean(np.log(b))))
    return EnergyFit(op, kind, float(np.exp(c) * b_ref ** k), b_ref, float(k), tuple(b), tuple(e))


def op_energy(op: str, bits, kind: str):
    """Energy of one arithmetic operation at 45 nm, scaled to any bit width (J).

    Parameters
    ----------
    op : {"add", "mul", "mac"}
        ``"mac"`` is a multiply plus an add of the same width.
    bits : int, float or array_like
        Operand width in bits, 2 to 64. Widths outside the table (8–32 int, 16–32 fp)
        are extrapolated with the fitted power law; treat them as estimates.
    kind : {"int", "fp"}

    Returns
    -------
    float or numpy.ndarray
        Energy in joules; reproduces the table's points exactly.

    Raises
    ------
    ValueError
        For an unknown op or kind, or bits outside [2, 64].

    Examples
    --------
    >>> round(op_energy("mul", 8, "int") * 1e12, 3), round(op_energy("mac", 8, "int") * 1e12, 3)
    (0.2, 0.23)

    References
    ----------
    :cite:p:`horowitz2014`; the power-law fit is this course's (see :func:`energy_fit`).
    """
    op = validate.one_of("op", op, ["add", "mul", "mac"])
    kind = validate.one_of("kind", kind, ["int", "fp"])
    b = np.asarray(validate.in_range("bits", bits, 2, 64), dtype=float)
    if op == "mac":
        out = op_energy("mul", b, kind) + op_energy("add", b, kind)
        return out
    f = energy_fit(op, kind)
    out = f.energy_ref_j * (b / f.bits_ref) ** f.exponent
    return float(out) if out.ndim == 0 else out


def memory_bytes(n_values, fmt: str, n_scales=0, scale_bits: int = 32):
    """Bytes needed to store ``n_values`` numbers in ``fmt`` (packed), plus their scales.

    Parameters
    ----------
    n_values : int or array_like
        Number of stored values (>= 0).
    fmt : str
        A format name; its bit width sets the cost (INT4: half a byte per value).
    n_scales : int or array_like
        Number of scale factors stored alongside (one per tensor or channel; 0 for plain
        float formats).
    scale_bits : int
        Width of one scale (32 for FP32 scales; 8 for the E8M0 scales of MX formats
        :cite:p:`rouhani2023mx`).

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    ValueError
        For an unknown format or negative counts.

    Examples
    --------
    >>> memory_bytes(70e9, "fp16") / 1e9, memory_bytes(70e9, "int8") / 1e9
    (140.0, 70.0)
    """
    spec = format_spec(fmt)
    n = np.asarray(validate.nonnegative("n_values", n_values), dtype=float)
    ns = np.asarray(validate.nonnegative("n_scales", n_scales), dtype=float)
    sb = validate.integer("scale_bits", scale_bits, minimum=1, maximum=64)
    out = (n * spec.bits + ns * sb) / 8
    return float(out) if out.ndim == 0 else out


def chip_energy_per_op(chip_name: str, precision: str = "fp16", sparse: bool = False) -> float:
    """Energy per operation of a chip at its TDP and peak throughput (J/op).

    ``tdp_w / peak_flops(chip, precision)``: a lower bound on the real energy per
    operation, which is higher at the utilisations real workloads reach.

    Parameters
    ----------
    chip_name : str
        A chip of the ``chips`` dataset (``"H100"``).
    precision : str
        A precision of ``energylab.datasets.peak_flops`` (``"fp8"``, ``"int8"``, ...).
    sparse : bool
        Use the 2:4-sparse peak (twice dense) where the chip has one.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the chip has no figure for that precision.

    Examples
    --------
    >>> round(chip_energy_per_op("H100", "fp8") * 1e12, 3)
    0.354

    References
    ----------
    Peaks and TDP from the ``chips`` dataset :cite:p:`epoch2025hardware,nvidia2022h100datasheet`.
    """
    sparse = validate.flag("sparse", sparse)
    from . import circuits, datasets

    row = datasets.chip(chip_name, param="chip_name")
    return float(circuits.joules_per_op(float(row["tdp_w"]),
                                        datasets.peak_flops(chip_name, precision, sparse=sparse)))


def _out(a):
    """0-d results as Python floats, arrays unchanged."""
    a = np.asarray(a, dtype=float)
    return a.item() if a.ndim == 0 else a


@dataclass(frozen=True)
class ForwardPassEnergy:
    """Energy of one inference: arithmetic plus reading the weights once (J)."""

    compute_j: float
    memory_j: float

    @property
    def total_j(self) -> float:
        return self.compute_j + self.memory_j


def forward_pass_energy(n_macs, n_weights, fmt: str, memory: str = "dram_45nm", n_scales=0) -> ForwardPassEnergy:
    """Energy of one forward pass: ``n_macs`` MACs in ``fmt`` plus fetching every weight once.

    Parameters
    ----------
    n_macs : int
        Multiply-accumulates per inference.
    n_weights : int
        Weights read per inference.
    fmt : str
        Format of weights and arithmetic (its bits and kind set the MAC energy).
    memory : str
        A ``level`` of the ``memory_energy`` dataset (energy per bit moved).
    n_scales : int
        FP32 scale factors read as well.

    Returns
    -------
    ForwardPassEnergy

    Raises
    ------
    ValueError
        For unknown format or memory level, or negative counts.

    Examples
    --------
    >>> e = forward_pass_energy(1000, 1000, "int8", memory="sram_8kb")
    >>> round(e.compute_j * 1e12, 1), round(e.memory_j * 1e12, 1)
    (230.0, 1250.0)

    References
    ----------
    :cite:p:`horowitz2014`; memory energies as cited in ``datasets.source("memory_energy")``.
    """
    from . import datasets

    from . import pim

    spec = format_spec(fmt)
    n_macs = validate.nonnegative("n_macs", n_macs)
    n_weights = validate.nonnegative("n_weights", n_weights)
    n_scales = validate.nonnegative("n_scales", n_scales)
    validate.broadcast(n_macs=n_macs, n_weights=n_weights, n_scales=n_scales)
    level = validate.one_of("memory", memory, pim.memory_levels())
    compute = n_macs * op_energy("mac", spec.bits, spec.kind)
    moved_bytes = memory_bytes(n_weights, spec.name, n_scales=n_scales)
    return ForwardPassEnergy(_out(compute), _out(pim.movement_energy(moved_bytes, level)))


# --------------------------------------------------------------------------- digits MLP
def quantize_weights(weights, fmt: str, per_channel: bool = False, saturate: bool = True) -> list[np.ndarray]:
    """Fake-quantize a list of weight matrices (shape ``(fan_in, fan_out)``).

    Parameters
    ----------
    weights : list of array_like
    fmt : str
    per_channel : bool
        Integer formats: one scale per output channel (column) instead of per matrix.
        Float formats: scale each column so its max-abs meets the format's max
        (as scaled FP8 and MX formats do); otherwise floats are cast unscaled.
    saturate : bool
        Float formats: clip to the format's range instead of overflowing.

    Returns
    -------
    list of numpy.ndarray (float64)

    Examples
    --------
    >>> w = quantize_weights([np.array([[0.5, -1.0], [0.25, 2.0]])], "int4")  # step 2/7
    >>> (w[0] * 7 / 2).round(6).tolist()        # codes; -3.5 rounds to even, -4
    [[2.0, -4.0], [1.0, 7.0]]
    """
    per_channel = validate.flag("per_channel", per_channel)
    saturate = validate.flag("saturate", saturate)
    spec = format_spec(fmt)
    if not isinstance(weights, (list, tuple)):
        raise ValueError(f"weights must be a list of weight matrices, got {type(weights).__name__}")
    out = []
    for w in weights:
        if spec.kind == "int":
            out.append(fake_quantize(w, spec.name, axis=1 if per_channel else None))
        elif per_channel:  # scaled float: each column's max-abs maps to the format's max
            w = np.asarray(w, dtype=float)
            amax = np.max(np.abs(w), axis=0, keepdims=True)
            scale = np.where(amax > 0, amax / format_info(spec.name).max, 1.0)
            out.append(fake_quantize(w, spec.name, scale=scale, saturate=saturate))
        else:
            out.append(fake_quantize(w, spec.name, saturate=saturate))
    return out


@functools.cache
def _digits_accuracy(fmt: str, per_channel: bool, activations: bool) -> float:
    from . import workloads

    net = workloads.digits_mlp()
    spec = format_spec(fmt)
    ws = quantize_weights(net.weights, spec.name, per_channel=per_channel)
    act = None
    if activations:
        if spec.kind == "int":
            # calibrate one scale per hidden layer on the training set (max-abs)
            hs = workloads.hidden_activations(net, net.x_train, weights=ws)
            scales = [int_scale(h, spec.name) for h in hs]
            layer = {"i": 0}

            def act(h):  # forward() calls this once per hidden layer, in order
                i = layer["i"] % len(scales)
                layer["i"] += 1
                return fake_quantize(h, spec.name, scale=scales[i])
        else:
            def act(h):
                return fake_quantize(h, spec.name, saturate=True)
    return workloads.accuracy(net, weights=ws, activation_fn=act)


def digits_accuracy(fmt: str, per_channel: bool = False, activations: bool = False) -> float:
    """Test accuracy of the course's digits MLP with weights (and activations) in ``fmt``.

    Weights are fake-quantized (per matrix, or per output channel for integer formats);
    with ``activations=True`` the hidden activations are too (integer formats use one
    max-abs scale per layer calibrated on the training images). Biases, inputs and
    accumulation stay in float64, as integer inference keeps wide accumulators. Cached.

    Parameters
    ----------
    fmt : str
    per_channel : bool
    activations : bool

    Returns
    -------
    float
        Accuracy in [0, 1].

    Raises
    ------
    ValueError
        For an unknown format.

    Examples
    --------
    >>> from energylab import workloads
    >>> abs(digits_accuracy("fp16") - workloads.digits_mlp().test_accuracy) < 0.01
    True
    """
    per_channel = validate.flag("per_channel", per_channel)
    activations = validate.flag("activations", activations)
    spec = format_spec(fmt)
    return _digits_accuracy(spec.name, bool(per_channel), bool(activations))
