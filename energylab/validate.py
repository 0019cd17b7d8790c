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
    "flag",
    "one_of",
    "same_shape",
    "rgba_pixels",
    "broadcastable",
    "broadcast",
    "less_than",
    "PUE_RANGE",
    "BITS_RANGE",
    "ADC_BITS_RANGE",
    "pue",
    "bits",
    "adc_bits",
    "utilisation",
    "scalar",
    "callable_",
    "text",
    "mapping",
    "rng",
    "names",
]

#: PUE is facility energy / IT energy: >= 1 by definition :cite:p:`greengrid2012pue`, with
#: no upper bound in principle (a nearly idle hall); it must be finite.
PUE_RANGE = (1.0, float("inf"))
#: Bits per number of a format (a 1-bit sign up to a 64-bit double).
BITS_RANGE = (1, 64)
#: Resolution of an ADC or DAC in a crossbar, bits (flash ADCs of 1 bit up to 16 bits).
ADC_BITS_RANGE = (1, 16)


def _kind(value) -> str:
    """What a rejected value is, for a message: "None", "a str", "a bool", ..."""
    if value is None:
        return "None"
    if isinstance(value, str):
        return f"a str ({value!r})"
    if isinstance(value, (bool, np.bool_)):
        return f"a bool ({value!r})"
    if isinstance(value, (complex, np.complexfloating)):
        return f"a complex number ({value!r})"
    return f"a {type(value).__name__}"


def _show(value) -> str:
    try:
        arr = np.asarray(value)
    except Exception:  # ragged or odd input
        return _kind(value)
    if arr.dtype.kind not in "iuf":
        return _kind(value)
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
    """Convert ``value`` to a float array, or raise a ValueError naming ``name``.

    Only real numbers count: ``None``, strings, booleans, complex numbers, objects and
    ragged nested lists are rejected (``"3"`` is not 3, ``True`` is not 1). NaN and inf
    pass here; :func:`finite` and the range checks reject them.

    >>> as_array("x", [1, 2.5])
    array([1. , 2.5])
    >>> as_array("x", "3")
    Traceback (most recent call last):
    ...
    ValueError: x must be a number or an array of numbers, got a str ('3')
    """
    if value is None or isinstance(value, (str, bytes, bool, np.bool_, complex, np.complexfloating)):
        raise ValueError(f"{name} must be a number or an array of numbers, got {_kind(value)}")
    try:
        with np.errstate(all="ignore"):
            raw = np.asarray(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers of one shape "
                         f"(not a ragged list), got {_kind(value)}") from None
    if raw.dtype.kind not in "iuf":
        what = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "strings",
                "O": "objects or a ragged list"}.get(raw.dtype.kind, f"dtype {raw.dtype}")
        raise ValueError(f"{name} must be a number or an array of numbers, got {what}")
    arr = raw.astype(float)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return arr


def finite(name: str, value):
    """Reject NaN and ±inf (and everything :func:`as_array` rejects)."""
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
    arr = np.asarray(finite(name, value), dtype=float)
    bad = arr < 0
    if bad.any():
        raise ValueError(f"{name} must be >= 0, got {_offending(arr, bad)}")
    return _out(arr)


def in_range(name: str, value, low: float, high: float,
             low_inclusive: bool = True, high_inclusive: bool = True, allow_inf: bool = False):
    """Require ``low <= value <= high`` (bounds inclusive or not) element-wise.

    ±inf is rejected even when a bound is infinite, unless ``allow_inf``.

    >>> in_range("pue", 1.2, 1.0, float("inf"))
    1.2
    >>> in_range("pue", float("inf"), 1.0, float("inf"))
    Traceback (most recent call last):
    ...
    ValueError: pue must be finite and in [1, inf], got inf
    """
    arr = as_array(name, value)
    lb = "[" if low_inclusive else "("
    hb = "]" if high_inclusive else ")"
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite and in {lb}{low:g}, {high:g}{hb}, "
                         f"got {_offending(arr, np.isinf(arr))}")
    lo_ok = arr >= low if low_inclusive else arr > low
    hi_ok = arr <= high if high_inclusive else arr < high
    bad = ~(lo_ok & hi_ok)  # NaN fails both comparisons, so it is caught here too
    if bad.any():
        raise ValueError(f"{name} must be in {lb}{low:g}, {high:g}{hb}, got {_offending(arr, bad)}")
    return _out(arr)


def fraction(name: str, value, allow_one: bool = True, allow_zero: bool = True):
    """Require a fraction: ``0 <= value <= 1`` (endpoints optional)."""
    return in_range(name, value, 0.0, 1.0, low_inclusive=allow_zero, high_inclusive=allow_one)


def integer(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """Require a whole number (an int, or a float with no fractional part) within bounds.

    A loop count should always pass a ``maximum``, so no input can make a model run for
    ever.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise ValueError(f"{name} must be an integer, got {_show(value)}")
    if isinstance(value, (float, np.floating)) and (not np.isfinite(value) or value != int(value)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def flag(name: str, value) -> bool:
    """Require a real boolean (``True``/``False``, or a NumPy bool).

    A string such as ``"False"`` is true in Python, so no other type is accepted.

    >>> flag("sparse", False)
    False
    >>> flag("sparse", "False")
    Traceback (most recent call last):
    ...
    ValueError: sparse must be True or False, got a str ('False')
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name} must be True or False, got {_kind(value) if not isinstance(value, (int, float)) else repr(value)}")


def scalar(name: str, value) -> float:
    """Require a single real number (for models whose time loop is inherently scalar)."""
    arr = as_array(name, value)
    if arr.ndim != 0 and arr.size != 1:
        raise ValueError(f"{name} must be a single number, got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def callable_(name: str, value):
    """Require a callable (a model or a function to time)."""
    if not callable(value):
        raise ValueError(f"{name} must be callable, got {_kind(value)}")
    return value


def text(name: str, value) -> str:
    """Require a str (a label, a unit, a name)."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a str, got {_kind(value)}")
    return value


def mapping(name: str, value) -> dict:
    """Require a mapping (a dict of keyword arguments, say); returns a plain dict."""
    from collections.abc import Mapping

    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a mapping (a dict), got {_kind(value)}")
    return dict(value)


def rng(name: str, value) -> np.random.Generator:
    """A NumPy Generator from ``None`` (fresh entropy), a seed (int >= 0) or a Generator."""
    if isinstance(value, np.random.Generator):
        return value
    if value is None:
        return np.random.default_rng()
    return np.random.default_rng(integer(name, value, minimum=0))


def names(name: str, value) -> tuple[str, ...]:
    """Require a sequence of str (source keys, chip names); returns a tuple."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{name} must be a list or tuple of str, got {_kind(value)}")
    for item in value:
        text(name, item)
    return tuple(value)


def pue(name: str, value):
    """A power usage effectiveness: in :data:`PUE_RANGE` (>= 1 by definition)."""
    return in_range(name, value, *PUE_RANGE)


def bits(name: str, value, minimum: float = BITS_RANGE[0]):
    """Bits per number of a format, in ``[minimum, 64]`` (not necessarily whole)."""
    return in_range(name, value, minimum, BITS_RANGE[1])


def adc_bits(name: str, value, minimum: int = ADC_BITS_RANGE[0]) -> int:
    """The resolution of a crossbar's ADC or DAC, a whole number in ``[minimum, 16]``."""
    return integer(name, value, minimum=minimum, maximum=ADC_BITS_RANGE[1])


def utilisation(name: str, value, allow_zero: bool = False):
    """A utilisation (busy share of a peak): a fraction, in (0, 1] unless ``allow_zero``."""
    return fraction(name, value, allow_zero=allow_zero)


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


def rgba_pixels(name: str, value) -> np.ndarray:
    """Require an image as matplotlib's Agg canvas gives it: an array of shape
    ``(height, width, 4)`` of 8-bit levels (``uint8``). Returns it as a contiguous array.

    >>> rgba_pixels("rgba", np.zeros((2, 3, 4), np.uint8)).shape
    (2, 3, 4)
    >>> rgba_pixels("rgba", np.zeros((2, 3)))
    Traceback (most recent call last):
    ...
    ValueError: rgba must be an array of shape (height, width, 4) of uint8 levels 0-255, got shape (2, 3) of float64
    """
    arr = np.asarray(value) if isinstance(value, (np.ndarray, memoryview)) else None
    if arr is None or arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] != 4 or arr.size == 0:
        got = (f"shape {arr.shape} of {arr.dtype}" if arr is not None else _kind(value))
        raise ValueError(f"{name} must be an array of shape (height, width, 4) of uint8 levels "
                         f"0-255, got {got}")
    return np.ascontiguousarray(arr)


def same_shape(names: tuple[str, str], a, b) -> None:  # noqa: D401
    """Require two arrays to have the same shape (e.g. x and y of a fit)."""
    sa, sb = np.shape(a), np.shape(b)
    if sa != sb:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got {sa} and {sb}")


def broadcastable(names: tuple[str, str], a, b) -> tuple[int, ...]:
    """Require two arrays to broadcast together; the error names both parameters.

    Returns the broadcast shape.
    """
    return broadcast(**{names[0]: a, names[1]: b})


def broadcast(**named) -> tuple[int, ...]:
    """Require arrays to broadcast together; the error names the parameters that disagree.

    >>> broadcast(power_w=[1.0, 2.0], time_s=3.0)
    (2,)
    >>> broadcast(power_w=[1.0, 2.0], time_s=[1.0, 2.0, 3.0])
    Traceback (most recent call last):
    ...
    ValueError: power_w and time_s must have shapes that broadcast together, got (2,) and (3,)
    """
    shapes = {}
    for k, v in named.items():
        try:
            shapes[k] = np.shape(v)
        except ValueError:  # a ragged list: say which parameter it is
            as_array(k, v)
            raise
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        pass
    items = list(shapes.items())
    for i, (ka, sa) in enumerate(items):  # the first pair that disagrees, by name
        for kb, sb in items[i + 1:]:
            try:
                np.broadcast_shapes(sa, sb)
            except ValueError:
                raise ValueError(f"{ka} and {kb} must have shapes that broadcast together, "
                                 f"got {sa} and {sb}") from None
    raise ValueError(", ".join(shapes) + " must have shapes that broadcast together, got "
                     + ", ".join(str(s) for s in shapes.values()))


def less_than(names: tuple[str, str], a, b, or_equal: bool = False) -> None:
    """Require ``a < b`` (``a <= b`` with ``or_equal``) element-wise, for an ordered pair of
    parameters (a range's ends, a part and its whole); the error names both.

    Validate each value on its own first (this checks only their order); the two must
    broadcast together.

    >>> less_than(("t_ambient_k", "t_max_k"), 300.0, 358.0)
    >>> less_than(("t_ambient_k", "t_max_k"), 300.0, [358.0, 290.0])
    Traceback (most recent call last):
    ...
    ValueError: t_ambient_k must be < t_max_k, got t_ambient_k=300 and t_max_k=290
    """
    if not (isinstance(names, tuple) and len(names) == 2 and all(isinstance(n, str) for n in names)):
        raise ValueError(f"names must be a pair of parameter names, got {names!r}")
    x, y = as_array(names[0], a), as_array(names[1], b)
    broadcast(**{names[0]: x, names[1]: y})
    x, y = np.broadcast_arrays(x, y)
    bad = ~(x <= y) if or_equal else ~(x < y)  # NaN in either is out of order too
    if bad.any():
        op = "<=" if or_equal else "<"
        raise ValueError(f"{names[0]} must be {op} {names[1]}, got {names[0]}={_offending(x, bad)} "
                         f"and {names[1]}={_offending(y, bad)}")
