"""The one place for argument checks.

Every model validates its inputs through these helpers, so every error reads the
same way: the parameter's name, the value received and the valid range, e.g.
``ValueError: temperature_k must be > 0, got -3``. Each helper returns its input
as a float NumPy array (or a Python float for a scalar) so callers can broadcast.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np

__all__ = [
    "as_array",
    "finite",
    "positive",
    "nonnegative",
    "fraction",
    "in_range",
    "integer",
    "one_of",
    "same_shape",
    "broadcastable",
]


def _show(value) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(arr.item())
    if arr.size <= 6:
        return repr(arr.tolist())
    return f"an array of shape {arr.shape}"


def _offending(arr: np.ndarray, bad: np.ndarray) -> str:
    """The first offending element (for the message), or the whole scalar, as ``%g``."""
    value = arr.item() if arr.ndim == 0 else arr[bad].flat[0].item()
    return f"{value:g}"


def _out(arr: np.ndarray):
    return arr.item() if arr.ndim == 0 else arr


def as_array(name: str, value) -> np.ndarray:
    """Convert ``value`` to a float array, or raise a ValueError naming ``name``."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}")
    if isinstance(value, np.ndarray) and value.dtype.kind in "bUSO" and value.dtype.kind != "O":
        raise ValueError(f"{name} must be a number or an array of numbers, got an array of {value.dtype}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {_show(value) if not isinstance(value, str) else repr(value)}") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return arr


def finite(name: str, value):
    """Reject NaN and ±inf."""
    arr = as_array(name, value)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name} must be finite (no NaN or inf), got {_offending(arr, bad)}")
    return _out(arr)


def positive(name: str, value, allow_inf: bool = False):
    """Require ``value > 0`` element-wise (and finite unless ``allow_inf``)."""
    arr = as_array(name, value)
    if np.isnan(arr).any():
        raise ValueError(f"{name} must be > 0, got nan")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite and > 0, got {_offending(arr, np.isinf(arr))}")
    bad = arr <= 0
    if bad.any():
        raise ValueError(f"{name} must be > 0, got {_offending(arr, bad)}")
    return _out(arr)


def nonnegative(name: str, value):
    """Require ``value >= 0`` element-wise and finite."""
    arr = finite(name, value)
    arr = np.asarray(arr, dtype=float)
    bad = arr < 0
    if bad.any():
        raise ValueError(f"{name} must be >= 0, got {_offending(arr, bad)}")
    return _out(arr)


def in_range(name: str, value, low: float, high: float,
             low_inclusive: bool = True, high_inclusive: bool = True):
    """Require ``low <= value <= high`` (bounds inclusive or not) element-wise."""
    arr = as_array(name, value)
    lo_ok = arr >= low if low_inclusive else arr > low
    hi_ok = arr <= high if high_inclusive else arr < high
    bad = ~(lo_ok & hi_ok)  # NaN fails both comparisons, so it is caught here too
    if bad.any():
        lb = "[" if low_inclusive else "("
        hb = "]" if high_inclusive else ")"
        raise ValueError(f"{name} must be in {lb}{low:g}, {high:g}{hb}, got {_offending(arr, bad)}")
    return _out(arr)


def fraction(name: str, value, allow_one: bool = True, allow_zero: bool = True):
    """Require a fraction: ``0 <= value <= 1`` (endpoints optional)."""
    return in_range(name, value, 0.0, 1.0, low_inclusive=allow_zero, high_inclusive=allow_one)


def integer(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """Require a whole number (an int, or a float with no fractional part) within bounds."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, (float, np.floating)) and (not np.isfinite(value) or value != int(value)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def one_of(name: str, value, options: Iterable[str], normalise=str.lower):
    """Require ``value`` to be one of ``options``; the error lists them all.

    Matching ignores case (``normalise``); the canonical option is returned.
    """
    options = list(options)
    if isinstance(value, str):
        lookup = {normalise(o): o for o in options}
        key = normalise(value)
        if key in lookup:
            return lookup[key]
        close = difflib.get_close_matches(key, list(lookup), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(lookup[c]) for c in close)}?)" if close else ""
    else:
        hint = ""
    raise ValueError(f"{name} must be one of {', '.join(repr(o) for o in options)}, got {value!r}{hint}")


def same_shape(names: tuple[str, str], a, b) -> None:
    """Require two arrays to have the same shape (e.g. x and y of a fit)."""
    sa, sb = np.shape(a), np.shape(b)
    if sa != sb:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got {sa} and {sb}")


def broadcastable(names: tuple[str, str], a, b) -> tuple[int, ...]:
    """Require two arrays to broadcast together; the error names both parameters.

    Returns the broadcast shape.
    """
    sa, sb = np.shape(a), np.shape(b)
    try:
        return np.broadcast_shapes(sa, sb)
    except ValueError:
        raise ValueError(f"{names[0]} and {names[1]} must have shapes that broadcast together, "
                         f"got {sa} and {sb}") from None
