"""Power laws, exponentials and the scaling laws of large models.

* Fits in log space by ordinary least squares: a power law ``y = a·x^b`` is a straight
  line on log–log axes, an exponential ``y = y0·e^(r·t)`` a straight line on semilog axes
  :cite:p:`taylor1997`.
* Training compute ``C ≈ 6·N·D`` FLOP for N parameters and D tokens :cite:p:`kaplan2020`.
* The Chinchilla loss ``L(N, D) = E + A/N^α + B/D^β`` with E = 1.69, A = 406.4,
  B = 410.7, α = 0.34, β = 0.28 :cite:p:`hoffmann2022` (a later replication refits these
  constants :cite:p:`besiroglu2024chinchilla`).

>>> from energylab import scaling
>>> fit = scaling.fit_power_law([1, 2, 4, 8], [3, 12, 48, 192])
>>> round(fit.exponent, 6), round(fit.coefficient, 6)
(2.0, 3.0)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from . import validate
from .constants import LN2

__all__ = [
    "PowerLawFit",
    "ExponentialFit",
    "fit_power_law",
    "fit_exponential",
    "doubling_time",
    "decimal_year",
    "training_flops",
    "CHINCHILLA",
    "chinchilla_loss",
    "compute_optimal",
    "optimal_loss",
    "compute_for_loss",
    "MODEL_DOMAINS",
    "models_with_compute",
    "select_models",
]

#: Domains of the ``models`` dataset a selection can ask for ("All" = every domain).
MODEL_DOMAINS = ["All", "Language", "Vision", "Games", "Speech", "Biology", "Multimodal"]


@dataclass(frozen=True)
class PowerLawFit:
    """Result of :func:`fit_power_law`: ``y = coefficient · x^exponent``.

    ``r2`` is the coefficient of determination in log space; ``exponent_stderr`` the
    standard error of the fitted exponent (least-squares slope).
    """

    coefficient: float
    exponent: float
    r2: float
    exponent_stderr: float
    n: int = 0

    def __call__(self, x):
        return self.coefficient * np.asarray(x, dtype=float) ** self.exponent


@dataclass(frozen=True)
class ExponentialFit:
    """Result of :func:`fit_exponential`: ``y = exp(intercept + rate_per_year · t)``.

    ``doubling_time_years = ln 2 / rate_per_year``; ``doubling_time_stderr_years``
    propagates the slope's standard error to first order.
    """

    rate_per_year: float
    doubling_time_years: float
    r2: float
    intercept: float = 0.0
    rate_stderr: float = 0.0
    doubling_time_stderr_years: float = 0.0
    n: int = 0

    @property
    def doubling_time_months(self) -> float:
        return 12.0 * self.doubling_time_years

    @property
    def growth_per_year(self) -> float:
        """Factor by which y grows in one year."""
        return float(np.exp(self.rate_per_year))

    def __call__(self, t_years):
        return np.exp(self.intercept + self.rate_per_year * np.asarray(t_years, dtype=float))


def _line_fit(x: np.ndarray, y: np.ndarray):
    """Least-squares line y = c + m·x; returns m, c, r², stderr(m)."""
    n = x.size
    xm, ym = x.mean(), y.mean()
    sxx = np.sum((x - xm) ** 2)
    if sxx == 0:
        raise ValueError("x must take at least two distinct values to fit a line")
    m = np.sum((x - xm) * (y - ym)) / sxx
    c = ym - m * xm
    resid = y - (c + m * x)
    ss_res = float(np.sum(resid**2))
    ss_tot = float(np.sum((y - ym) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    stderr = float(np.sqrt(ss_res / (n - 2) / sxx)) if n > 2 else float("nan")
    return float(m), float(c), float(r2), stderr


def _xy(xname, x, yname, y):
    x = validate.finite(xname, x)
    y = validate.finite(yname, y)
    x, y = np.ravel(x), np.ravel(y)
    validate.same_shape((xname, yname), x, y)
    if x.size < 3:
        raise ValueError(f"{xname} and {yname} need at least 3 points to fit with an uncertainty, got {x.size}")
    return x, y


def fit_power_law(x, y) -> PowerLawFit:
    """Fit ``y = a·x^b`` by least squares on ``log x`` and ``log y``.

    Parameters
    ----------
    x, y : array_like
        Positive, finite, same length, at least 3 points.

    Returns
    -------
    PowerLawFit
        coefficient a, exponent b, r² (log space), standard error of b.

    Raises
    ------
    ValueError
        For non-positive, NaN or infinite values, mismatched lengths or fewer than 3 points.

    Examples
    --------
    >>> fit = fit_power_law([1, 10, 100], [5, 50, 500])
    >>> round(fit.exponent, 9), round(fit.r2, 9)
    (1.0, 1.0)

    References
    ----------
    Least squares and the standard error of a slope: :cite:p:`taylor1997`, ch. 8.
    """
    x, y = _xy("x", x, "y", y)
    validate.positive("x", x)
    validate.positive("y", y)
    m, c, r2, se = _line_fit(np.log(x), np.log(y))
    return PowerLawFit(float(np.exp(c)), m, r2, se, int(x.size))


def fit_exponential(t_years, y) -> ExponentialFit:
    """Fit ``y = y0·e^(r·t)`` by least squares on ``t`` and ``ln y``.

    Parameters
    ----------
    t_years : array_like
        Times in years (e.g. decimal years from :func:`decimal_year`).
    y : array_like
        Positive values, same length, at least 3 points.

    Returns
    -------
    ExponentialFit
        rate per year r, doubling time ln 2 / r in years, r² (log space), and more.

    Raises
    ------
    ValueError
        For non-positive y, NaN or infinite values, mismatched lengths, fewer than 3 points.

    Examples
    --------
    >>> t = [2000, 2001, 2002, 2003]
    >>> fit = fit_exponential(t, [1, 2, 4, 8])
    >>> round(fit.doubling_time_years, 9)
    1.0

    References
    ----------
    :cite:p:`taylor1997`; applied to AI compute in :cite:p:`sevilla2022`.
    """
    t, y = _xy("t_years", t_years, "y", y)
    validate.positive("y", y)
    m, c, r2, se = _line_fit(t, np.log(y))
    doubling = LN2 / m if m != 0 else float("inf")
    doubling_se = abs(LN2 / m**2) * se if m != 0 else float("inf")
    return ExponentialFit(m, doubling, r2, c, se, doubling_se, int(t.size))


def doubling_time(growth_factor, years):
    """Doubling time (years) of a quantity that grew by ``growth_factor`` in ``years``.

    ``T₂ = years · ln 2 / ln(growth_factor)``. A factor below 1 gives a negative value
    (a halving time).

    Raises
    ------
    ValueError
        If ``growth_factor`` is not > 0 or equals 1, or ``years`` is not > 0.

    Examples
    --------
    >>> round(float(doubling_time(300_000, 5.16)) * 12, 1)   # 300,000x in 5.16 years, in months
    3.4

    References
    ----------
    :cite:p:`amodei2018`.
    """
    g = validate.positive("growth_factor", growth_factor)
    yrs = validate.positive("years", years)
    if np.any(np.asarray(g) == 1):
        raise ValueError("growth_factor must differ from 1 (no growth never doubles), got 1")
    return yrs * LN2 / np.log(g)


def decimal_year(dates):
    """Dates (anything pandas can parse) as decimal years, e.g. 2020-07-02 -> 2020.5.

    Examples
    --------
    >>> decimal_year("2020-07-02"), decimal_year(["2021-01-01", "2022-01-01"]).tolist()
    (2020.5, [2021.0, 2022.0])
    """
    import pandas as pd

    if dates is None or isinstance(dates, (bool, float, complex)) or \
            isinstance(dates, (int, np.integer)) or \
            (isinstance(dates, (list, tuple)) and not all(isinstance(x, str) for x in dates)):
        raise ValueError(f"dates must be date strings or datetimes, got {dates!r}")
    try:
        d = pd.to_datetime(pd.Series(np.atleast_1d(dates)))
    except (TypeError, ValueError, OverflowError) as err:
        raise ValueError(f"dates must be date strings or datetimes, got {dates!r} ({err})") from None
    if d.isna().any():
        raise ValueError(f"dates must not hold missing values, got {dates!r}")
    start = pd.to_datetime(d.dt.year.astype(str) + "-01-01")
    length = np.where(d.dt.is_leap_year, 366.0, 365.0)
    out = d.dt.year.to_numpy(float) + (d - start).dt.total_seconds().to_numpy() / (length * 86400.0)
    return out if np.ndim(dates) else float(out[0])


def training_flops(parameters, tokens):
    """Training compute of a dense transformer, ``C ≈ 6·N·D`` FLOP.

    Two FLOP per parameter per token for the forward pass (a multiply and an add) and
    about twice that for the backward pass.

    Examples
    --------
    >>> float(training_flops(175e9, 300e9))   # GPT-3
    3.15e+23

    References
    ----------
    :cite:p:`kaplan2020`.
    """
    n = validate.positive("parameters", parameters)
    d = validate.positive("tokens", tokens)
    return 6.0 * n * d


#: Chinchilla fit (Approach 3) of :cite:p:`hoffmann2022`.
CHINCHILLA = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def chinchilla_loss(parameters, tokens):
    """Pre-training loss predicted by the Chinchilla fit, ``E + A/N^α + B/D^β`` (nats/token).

    Examples
    --------
    >>> round(float(chinchilla_loss(70e9, 1.4e12)), 3)   # Chinchilla itself
    1.937

    References
    ----------
    :cite:p:`hoffmann2022`, eq. 10.
    """
    n = validate.positive("parameters", parameters)
    d = validate.positive("tokens", tokens)
    p = CHINCHILLA
    return p["E"] + p["A"] / n ** p["alpha"] + p["B"] / d ** p["beta"]


def compute_optimal(compute_flop):
    """Compute-optimal parameters and tokens for a training budget under the Chinchilla fit.

    Minimising ``L(N, D)`` subject to ``6·N·D = C`` gives
    ``N* = G·(C/6)^(β/(α+β))`` and ``D* = (C/6)/N*``, with
    ``G = (α·A / (β·B))^(1/(α+β))``.

    Returns
    -------
    tuple of (parameters, tokens)

    Examples
    --------
    >>> n, d = compute_optimal(5.76e23)   # Chinchilla's budget
    >>> round(float(6 * n * d / 5.76e23), 12)
    1.0

    References
    ----------
    :cite:p:`hoffmann2022`, appendix D.2.
    """
    c = validate.positive("compute_flop", compute_flop)
    p = CHINCHILLA
    a, b = p["alpha"], p["beta"]
    g = (a * p["A"] / (b * p["B"])) ** (1.0 / (a + b))
    n = g * (c / 6.0) ** (b / (a + b))
    d = (c / 6.0) / n
    return n, d


def optimal_loss(compute_flop):
    """The lowest Chinchilla loss reachable with ``compute_flop`` (at the optimal N, D)."""
    n, d = compute_optimal(compute_flop)
    return chinchilla_loss(n, d)


def compute_for_loss(target_loss):
    """Smallest training compute (FLOP) whose compute-optimal loss equals ``target_loss``.

    Inverts :func:`optimal_loss`, which falls monotonically towards the irreducible
    loss E = 1.69; every further step down costs more compute than the last.

    At the optimum both finite-size terms of the Chinchilla loss fall as the same power
    of compute, ``A/N*^α = A·G^−α·(C/6)^−γ`` and ``B/D*^β = B·G^β·(C/6)^−γ`` with
    ``γ = αβ/(α+β)``, so ``L*(C) = E + K·(C/6)^−γ`` with ``K = A·G^−α + B·G^β`` and the
    inverse is closed-form and vectorised: ``C = 6·(K/(L − E))^(1/γ)``.

    Raises
    ------
    ValueError
        If ``target_loss`` is not above E, is above the loss of a 1e10-FLOP run, or is
        so close to E that the compute overflows a float.

    Examples
    --------
    >>> c = compute_for_loss(2.0)
    >>> round(float(optimal_loss(c)), 9)
    2.0
    >>> compute_for_loss([2.0, 1.9]).round(-20) / 1e24 > 0
    array([ True,  True])

    References
    ----------
    :cite:p:`hoffmann2022`, appendix D.2.
    """
    p = CHINCHILLA
    e, a, b = p["E"], p["alpha"], p["beta"]
    top = float(optimal_loss(1e10))
    target = validate.in_range("target_loss", target_loss, e, top, low_inclusive=False)
    g = (a * p["A"] / (b * p["B"])) ** (1.0 / (a + b))
    k = p["A"] * g ** (-a) + p["B"] * g ** b
    gamma = a * b / (a + b)
    with np.errstate(over="ignore"):
        c = 6.0 * (k / (np.asarray(target, dtype=float) - e)) ** (1.0 / gamma)
    if not np.all(np.isfinite(c)):
        raise ValueError(f"target_loss is too close to E = {e:g}: the compute it needs exceeds "
                         f"the float range, got {target!r}")
    return c.item() if c.ndim == 0 else c


# --------------------------------------------------------------------------- the models dataset
@functools.cache
def _models():
    from . import datasets

    df = datasets.load("models")
    df = df[df["training_compute_flop"] > 0].copy()
    df["year"] = decimal_year(df["publication_date"])
    df["frontier"] = df["compute_rank_when_published"] <= 10
    return df


def models_with_compute():
    """The ``models`` dataset (models with a known training compute) with a decimal
    ``year`` and a ``frontier`` flag (a copy).

    Examples
    --------
    >>> df = models_with_compute()
    >>> bool((df["training_compute_flop"] > 0).all()), {"year", "frontier"} <= set(df.columns)
    (True, True)
    """
    return _models().copy()


def select_models(start_year=2010.0, end_year=2026.0, domain="All", frontier_only=False):
    """Models published in ``[start_year, end_year)``, of a domain, optionally frontier only.

    A model is *frontier* when Epoch ranks it among the ten most compute-intensive
    models at the time of publication :cite:p:`epoch2025models`.

    Parameters
    ----------
    start_year, end_year : float
        Decimal years, ``start_year <= end_year`` (equal: an empty selection).
    domain : str
        One of :data:`MODEL_DOMAINS` (case ignored); ``"All"`` keeps every domain.
    frontier_only : bool
        Keep only frontier models.

    Returns
    -------
    pandas.DataFrame
        The selected rows of :func:`models_with_compute` (a copy).

    Raises
    ------
    ValueError
        For an unknown domain (the message lists the known ones), years that are not
        finite numbers or out of order, or a flag that is not a bool.

    Examples
    --------
    >>> len(select_models(2012, 2019, frontier_only=True)) <= len(select_models(2012, 2019))
    True
    >>> select_models(domain="Langauge")
    Traceback (most recent call last):
    ...
    ValueError: domain must be one of 'All', 'Language', 'Vision', 'Games', 'Speech', 'Biology', 'Multimodal', got 'Langauge' (did you mean 'Language'?)
    """
    start = validate.scalar("start_year", validate.finite("start_year", start_year))
    end = validate.scalar("end_year", validate.finite("end_year", end_year))
    # an empty window (end = start) selects nothing, which is allowed
    validate.less_than(("start_year", "end_year"), start, end, or_equal=True)
    domain = validate.one_of("domain", domain, MODEL_DOMAINS)
    frontier_only = validate.flag("frontier_only", frontier_only)
    df = _models()
    sel = (df["year"] >= start) & (df["year"] < end)
    if domain != "All":
        sel &= df["domain"].str.contains(domain, na=False)
    if frontier_only:
        sel &= df["frontier"]
    return df[sel].copy()
