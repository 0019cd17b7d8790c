"""Estimates known only to a range: one small type shared by every module.

An input such as a data centre's PUE, a chip's average power or a grid's carbon
intensity is rarely known exactly; the sources give a range. :class:`Estimate` holds
``low <= central <= high`` (floats or broadcastable NumPy arrays) and
:func:`propagate` carries such inputs through any model function.

How the interval is propagated
------------------------------
:func:`propagate` evaluates the model at the central inputs and at every corner of
the box spanned by the uncertain inputs (each at its low or its high end; ``2**k``
evaluations for ``k`` uncertain inputs) and reports the smallest and the largest
result. For a model that is monotone in each input separately (products, quotients
and sums of positive quantities: every energy, carbon and water model of this course)
the corners hold the extremes, so the interval is exact, not a sampling estimate
:cite:p:`moore2009interval`. Two properties follow and are tested:

* the interval always contains the central value, and collapses to a point when
  every input is exact;
* widening an input's range never narrows the result's.

A single-number caller gets the central value: ``float(estimate)`` and NumPy
conversion both give ``central``.

References
----------
moore2009interval
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from . import validate

__all__ = ["Estimate", "propagate", "central", "as_estimate"]

#: At most this many uncertain inputs in one :func:`propagate` call (2**12 model calls).
MAX_UNCERTAIN = 12


@dataclass(frozen=True)
class Estimate:
    """A quantity known to lie between ``low`` and ``high``, best guess ``central``.

    Parameters
    ----------
    low, central, high : float or array_like
        Finite numbers with ``low <= central <= high`` element-wise.
    unit : str
        SI unit of the quantity ("J", "kg", "m3", "" for a pure number).
    sources : tuple of str
        ``references.bib`` keys for the ends of the range (may be empty).

    Raises
    ------
    ValueError
        If a bound is not a finite number, or the three are out of order.

    Examples
    --------
    >>> pue = Estimate(1.08, 1.10, 1.20)
    >>> pue.central, pue.width
    (1.1, 0.11999999999999988)
    >>> float(Estimate.exact(3.0))
    3.0
    """

    low: float | np.ndarray
    central: float | np.ndarray
    high: float | np.ndarray
    unit: str = ""
    sources: tuple[str, ...] = ()

    def __post_init__(self):
        lo = validate.finite("low", self.low)
        ce = validate.finite("central", self.central)
        hi = validate.finite("high", self.high)
        validate.less_than(("low", "central"), lo, ce, or_equal=True)
        validate.less_than(("central", "high"), ce, hi, or_equal=True)
        validate.text("unit", self.unit)
        validate.names("sources", self.sources)
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "central", ce)
        object.__setattr__(self, "high", hi)
        object.__setattr__(self, "sources", tuple(self.sources))

    # -- construction -------------------------------------------------------------
    @classmethod
    def exact(cls, value, unit: str = "", sources=()) -> "Estimate":
        """An estimate with no spread (low = central = high)."""
        value = validate.finite("value", value)
        return cls(value, value, value, validate.text("unit", unit), validate.names("sources", sources))

    @classmethod
    def from_range(cls, low, high, central=None, unit: str = "", sources=()) -> "Estimate":
        """From a range; ``central`` defaults to the geometric mean of positive ends
        (the arithmetic mean otherwise)."""
        lo = validate.finite("low", low)
        hi = validate.finite("high", high)
        if central is None:
            lo_a, hi_a = np.asarray(lo, float), np.asarray(hi, float)
            central = np.where((lo_a > 0) & (hi_a > 0), np.sqrt(np.abs(lo_a * hi_a)), (lo_a + hi_a) / 2)
            central = central.item() if central.ndim == 0 else central
        return cls(lo, central, hi, unit, tuple(sources))

    # -- reading ------------------------------------------------------------------
    @property
    def width(self):
        """``high - low``."""
        return np.asarray(self.high) - np.asarray(self.low) if np.ndim(self.high) else self.high - self.low

    @property
    def is_exact(self) -> bool:
        """True when every element has low = high."""
        return bool(np.all(np.asarray(self.low) == np.asarray(self.high)))

    def contains(self, value) -> bool | np.ndarray:
        """Whether ``value`` lies in ``[low, high]`` (element-wise for arrays)."""
        v = validate.finite("value", value)
        out = (np.asarray(self.low) <= v) & (v <= np.asarray(self.high))
        return bool(out) if np.ndim(out) == 0 else out

    def scaled(self, factor) -> "Estimate":
        """This estimate times a positive exact ``factor`` (e.g. a unit conversion)."""
        f = validate.positive("factor", factor)
        return Estimate(self.low * f, self.central * f, self.high * f, self.unit, self.sources)

    def __float__(self) -> float:
        return float(self.central)

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.central, dtype=dtype)

    def format(self, scale: float = 1.0, unit: str | None = None, digits: int = 3) -> str:
        """``"central [low – high] unit"`` with ``digits`` significant figures.

        ``scale`` divides the SI values first (e.g. ``constants.J_PER_MWH``).
        """
        s = validate.scalar("scale", validate.positive("scale", scale))
        d = validate.integer("digits", digits, minimum=1, maximum=10)
        if unit is not None:
            validate.text("unit", unit)
        if np.ndim(self.central):
            raise ValueError("format needs a scalar Estimate, got an array")
        u = self.unit if unit is None else unit
        c, lo, hi = (float(x) / s for x in (self.central, self.low, self.high))
        text = f"{c:,.{d}g} [{lo:,.{d}g} – {hi:,.{d}g}]"
        return f"{text} {u}".rstrip()

    def __repr__(self) -> str:
        if np.ndim(self.central) == 0:
            return f"Estimate({float(self.low):.4g} ≤ {float(self.central):.4g} ≤ {float(self.high):.4g}{' ' + self.unit if self.unit else ''})"
        return f"Estimate(shape={np.shape(self.central)}{', ' + self.unit if self.unit else ''})"


def as_estimate(name: str, value) -> Estimate:
    """``value`` as an :class:`Estimate` (numbers become exact estimates).

    >>> as_estimate("pue", 1.2)
    Estimate(1.2 ≤ 1.2 ≤ 1.2)
    """
    validate.text("name", name)
    if isinstance(value, Estimate):
        return value
    return Estimate.exact(validate.finite(name, value))


def central(value):
    """The central value of an :class:`Estimate`, or ``value`` itself.

    >>> central(Estimate(1.0, 2.0, 3.0)), central(5.0)
    (2.0, 5.0)
    """
    return value.central if isinstance(value, Estimate) else validate.finite("value", value)


def propagate(model: Callable, unit: str = "", sources=(), **inputs) -> Estimate:
    """Evaluate ``model(**inputs)`` over the uncertain inputs' box.

    Inputs that are :class:`Estimate` vary between their ends; every other input is
    passed unchanged. The result's central value is the model at the central inputs;
    its low and high ends are the element-wise minimum and maximum over the central
    point and every corner of the box (exact for a model monotone in each input).

    Parameters
    ----------
    model : callable
        A pure function of keyword arguments returning a float or array.
    unit : str
        The unit of the result.
    sources : tuple of str
        Extra source keys; those of the inputs are added.
    **inputs
        The model's keyword arguments.

    Returns
    -------
    Estimate

    Raises
    ------
    ValueError
        If more than ``MAX_UNCERTAIN`` inputs are uncertain, or the model returns a
        non-finite value at some corner.

    Examples
    --------
    >>> e = propagate(lambda it_j, pue: it_j * pue, it_j=1e9, pue=Estimate(1.1, 1.2, 1.5))
    >>> e.low, e.central, e.high
    (1100000000.0, 1200000000.0, 1500000000.0)
    """
    validate.callable_("model", model)
    validate.text("unit", unit)
    sources = validate.names("sources", sources)
    uncertain = [k for k, v in inputs.items() if isinstance(v, Estimate) and not v.is_exact]
    if len(uncertain) > MAX_UNCERTAIN:
        raise ValueError(f"propagate takes at most {MAX_UNCERTAIN} uncertain inputs, got {len(uncertain)}: "
                         f"{', '.join(uncertain)}")
    base = {k: (v.central if isinstance(v, Estimate) else v) for k, v in inputs.items()}
    mid = np.asarray(model(**base), dtype=float)
    lo = mid.copy()
    hi = mid.copy()
    for corner in itertools.product((0, 1), repeat=len(uncertain)):
        args = dict(base)
        for k, end in zip(uncertain, corner):
            args[k] = inputs[k].high if end else inputs[k].low
        val = np.asarray(model(**args), dtype=float)
        lo = np.minimum(lo, val)
        hi = np.maximum(hi, val)
    for name, arr in (("the model's central value", mid), ("the model's range", lo), ("the model's range", hi)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} is not finite for the given inputs")
    src = tuple(sources) + tuple(s for v in inputs.values() if isinstance(v, Estimate) for s in v.sources)
    src = tuple(dict.fromkeys(src))

    def out(a):
        return a.item() if a.ndim == 0 else a

    return Estimate(out(lo), out(mid), out(hi), unit, src)
