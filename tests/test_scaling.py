"""Chapter 1 models: fits, scaling laws, CMOS power and DVFS."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energylab import circuits, scaling

finite_pos = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)


# ------------------------------------------------------------------ fits
@settings(max_examples=50, deadline=None)
@given(a=finite_pos, b=st.floats(min_value=-3, max_value=3), n=st.integers(3, 40))
def test_power_law_fit_recovers_exact_exponent(a, b, n):
    x = np.logspace(-2, 3, n)
    fit = scaling.fit_power_law(x, a * x**b)
    assert fit.exponent == pytest.approx(b, abs=1e-9)
    assert fit.coefficient == pytest.approx(a, rel=1e-9)
    assert fit.exponent_stderr == pytest.approx(0.0, abs=1e-8)
    assert fit(x) == pytest.approx(a * x**b, rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(t2=st.floats(min_value=0.05, max_value=20), y0=finite_pos, n=st.integers(3, 30))
def test_exponential_fit_recovers_doubling_time(t2, y0, n):
    t = np.linspace(2000, 2010, n)
    y = y0 * 2.0 ** ((t - 2000) / t2)
    fit = scaling.fit_exponential(t, y)
    assert fit.doubling_time_years == pytest.approx(t2, rel=1e-7)
    assert fit.r2 == pytest.approx(1.0, abs=1e-9)
    assert fit.growth_per_year == pytest.approx(2 ** (1 / t2), rel=1e-7)


def test_fit_uncertainty_covers_truth_with_noise():
    rng = np.random.default_rng(0)
    x = np.logspace(0, 3, 200)
    y = 3.0 * x**0.7 * np.exp(rng.normal(0, 0.3, x.size))
    fit = scaling.fit_power_law(x, y)
    assert abs(fit.exponent - 0.7) < 3 * fit.exponent_stderr
    assert 0 < fit.r2 < 1


@pytest.mark.parametrize("x,y,msg", [
    ([1, 2, 3], [1, 2], "same shape"),
    ([1, 2], [1, 2], "at least 3 points"),
    ([1, -2, 3], [1, 2, 3], "x must be > 0"),
    ([1, 2, 3], [1, 0, 3], "y must be > 0"),
    ([1, np.nan, 3], [1, 2, 3], "x must be finite"),
    ([1, 2, 3], [1, np.inf, 3], "y must be finite"),
    ([2, 2, 2], [1, 2, 3], "two distinct values"),
])
def test_power_law_bad_input(x, y, msg):
    with pytest.raises(ValueError, match=msg):
        scaling.fit_power_law(x, y)


def test_exponential_bad_input():
    with pytest.raises(ValueError, match="y must be > 0"):
        scaling.fit_exponential([2000, 2001, 2002], [1, -1, 2])
    with pytest.raises(ValueError, match="t_years must be finite"):
        scaling.fit_exponential([2000, np.nan, 2002], [1, 1, 2])


def test_doubling_time():
    # Amodei & Hernandez 2018: 300,000x over ~62 months is a 3.4-month doubling
    assert scaling.doubling_time(300_000, 62 / 12) * 12 == pytest.approx(3.4, abs=0.01)
    assert scaling.doubling_time(2, 1.5) == pytest.approx(1.5)
    assert scaling.doubling_time(0.5, 2) == pytest.approx(-2)  # a halving time
    np.testing.assert_allclose(scaling.doubling_time(np.array([4, 8]), 1), [0.5, 1 / 3])
    for bad, msg in [((1, 1), "differ from 1"), ((0, 1), "growth_factor must be > 0"),
                     ((2, -1), "years must be > 0"), ((np.nan, 1), "growth_factor must be > 0")]:
        with pytest.raises(ValueError, match=msg):
            scaling.doubling_time(*bad)


def test_decimal_year():
    assert scaling.decimal_year("2020-01-01") == 2020.0
    assert scaling.decimal_year("2021-07-02T12:00") == pytest.approx(2021.5, abs=1e-3)
    np.testing.assert_allclose(scaling.decimal_year(["2000-01-01", "2001-01-01"]), [2000, 2001])


# ------------------------------------------------------------------ scaling laws
def test_training_flops_gpt3():
    # Patterson et al. 2021 report 3.14e23 FLOP for GPT-3 (175 B params, 300 B tokens)
    assert scaling.training_flops(175e9, 300e9) == pytest.approx(3.14e23, rel=0.005)
    with pytest.raises(ValueError, match="tokens must be > 0"):
        scaling.training_flops(1e9, 0)


def test_chinchilla_loss_limits_and_monotonicity():
    assert scaling.chinchilla_loss(1e30, 1e30) == pytest.approx(1.69, abs=1e-5)  # irreducible E
    n = np.logspace(6, 12, 20)
    assert np.all(np.diff(scaling.chinchilla_loss(n, 1e12)) < 0)
    assert np.all(np.diff(scaling.chinchilla_loss(1e10, n)) < 0)
    with pytest.raises(ValueError, match="parameters must be > 0"):
        scaling.chinchilla_loss(-1, 1e9)


@settings(max_examples=30, deadline=None)
@given(log_c=st.floats(min_value=18, max_value=27))
def test_compute_optimal_satisfies_budget_and_minimises_loss(log_c):
    c = 10.0**log_c
    n, d = scaling.compute_optimal(c)
    assert 6 * n * d == pytest.approx(c, rel=1e-12)
    # brute force along the constraint 6ND = C
    grid = n * np.logspace(-1, 1, 4001)
    losses = scaling.chinchilla_loss(grid, c / (6 * grid))
    best = grid[np.argmin(losses)]
    assert best == pytest.approx(n, rel=2e-3)
    assert scaling.chinchilla_loss(n, d) <= losses.min() + 1e-12


def test_compute_optimal_exponents():
    # N* ∝ C^(β/(α+β)) (Hoffmann et al. 2022)
    c = np.logspace(20, 26, 7)
    n, d = scaling.compute_optimal(c)
    fit_n = scaling.fit_power_law(c, n)
    assert fit_n.exponent == pytest.approx(0.28 / 0.62, rel=1e-9)
    assert scaling.fit_power_law(c, d).exponent == pytest.approx(0.34 / 0.62, rel=1e-9)


def test_compute_for_loss_inverts_optimal_loss():
    targets = np.array([2.5, 2.0, 1.8, 1.75])
    c = scaling.compute_for_loss(targets)
    np.testing.assert_allclose(scaling.optimal_loss(c), targets, rtol=1e-9)
    assert np.all(np.diff(c) > 0)  # lower loss costs more compute
    with pytest.raises(ValueError, match=r"target_loss must be in \(1.69"):
        scaling.compute_for_loss(1.6)


def test_compute_for_loss_matches_a_brute_force_root_finder_and_is_vectorised():
    import time

    from scipy.optimize import brentq

    targets = np.array([3.5, 2.5, 2.0, 1.8, 1.72])
    brute = [10 ** brentq(lambda lc, t=t: float(scaling.optimal_loss(10 ** lc)) - t, 10, 40, xtol=1e-14)
             for t in targets]
    np.testing.assert_allclose(scaling.compute_for_loss(targets), brute, rtol=1e-9)
    t0 = time.perf_counter()
    many = scaling.compute_for_loss(np.linspace(1.7, 3.0, 1_000_000))
    assert time.perf_counter() - t0 < 2.0  # one root-finder per element took ≈ 800 s
    assert many.shape == (1_000_000,) and np.all(np.diff(many) < 0)
    # the closest float above E still needs a finite compute (no overflow to inf)
    assert np.isfinite(scaling.compute_for_loss(np.nextafter(1.69, 2.0)))


# ------------------------------------------------------------------ circuits
def test_switching_and_dynamic_power():
    assert circuits.switching_energy(2e-15, 1.0) == pytest.approx(1e-15)
    assert circuits.dynamic_power(0.5, 1e-9, 1.0, 1e9) == pytest.approx(0.5)
    # P ∝ V²
    assert circuits.dynamic_power(0.1, 1e-9, 2.0, 1e9) / circuits.dynamic_power(0.1, 1e-9, 1.0, 1e9) == pytest.approx(4)
    for args, msg in [((1.2, 1e-9, 1, 1e9), "activity must be in"), ((0.1, 0, 1, 1e9), "capacitance_f must be > 0"),
                      ((0.1, 1e-9, -1, 1e9), "voltage_v must be > 0"), ((0.1, 1e-9, 1, np.nan), "frequency_hz must be > 0")]:
        with pytest.raises(ValueError, match=msg):
            circuits.dynamic_power(*args)


@settings(max_examples=50, deadline=None)
@given(k=st.floats(min_value=1.01, max_value=10))
def test_cube_law(k):
    p1 = circuits.dvfs_power(1e9, 1e9, 10.0)
    pk = circuits.dvfs_power(k * 1e9, 1e9, 10.0)
    assert pk / p1 == pytest.approx(k**3, rel=1e-12)
    # energy per operation scales as f²
    e1 = circuits.energy_per_task(1e9, 1e9, 1e9, 10.0, 0.0)
    ek = circuits.energy_per_task(1e9, k * 1e9, 1e9, 10.0, 0.0)
    assert ek / e1 == pytest.approx(k**2, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(p_dyn=st.floats(1, 500), p_static=st.floats(1, 500), f_ref=st.floats(0.5e9, 4e9))
def test_optimal_frequency_against_brute_force(p_dyn, p_static, f_ref):
    f_opt = float(circuits.optimal_frequency(1e12, f_ref, p_dyn, p_static))
    grid = f_opt * np.linspace(0.5, 1.5, 20001)
    e = circuits.energy_per_task(1e12, grid, f_ref, p_dyn, p_static)
    assert grid[np.argmin(e)] == pytest.approx(f_opt, rel=1e-4)


def test_optimal_frequency_bounds_and_errors():
    assert circuits.optimal_frequency(1, 1e9, 10, 0.0) == 0.0
    assert circuits.optimal_frequency(1, 1e9, 10, 0.0, f_min_hz=0.5e9) == 0.5e9
    assert circuits.optimal_frequency(1, 1e9, 10, 1e6, f_max_hz=2e9) == 2e9
    with pytest.raises(ValueError, match="exponent must be > 1"):
        circuits.optimal_frequency(1, 1e9, 10, 5, exponent=1)
    with pytest.raises(ValueError, match="f_min_hz must be <= f_max_hz"):
        circuits.optimal_frequency(1, 1e9, 10, 5, f_min_hz=3e9, f_max_hz=2e9)
    with pytest.raises(ValueError, match="p_static_w must be >= 0"):
        circuits.optimal_frequency(1, 1e9, 10, -5)
    with pytest.raises(ValueError, match="cycles must be > 0"):
        circuits.energy_per_task(0, 1e9, 1e9, 10, 5)


def test_chip_power_by_hand():
    # 80e9 transistors, 10% activity, 0.5 fF, 0.8 V, 1.8 GHz: 80e9*0.1*0.5e-15*0.64*1.8e9 = 4608 W
    p = circuits.chip_power(80e9, 0.1, 0.5e-15, 0.8, 1.8e9, leakage_per_transistor_w=1e-9)
    assert p.dynamic_w == pytest.approx(4608.0)
    assert p.static_w == pytest.approx(80.0)
    assert p.total_w == pytest.approx(p.dynamic_w + p.static_w)
    with pytest.raises(ValueError, match="leakage_per_transistor_w must be >= 0"):
        circuits.chip_power(1e9, 0.1, 1e-15, 1, 1e9, leakage_per_transistor_w=-1)


def test_joules_per_op():
    assert circuits.joules_per_op(700, 989.4e12) == pytest.approx(7.075e-13, rel=1e-3)
    with pytest.raises(ValueError, match="ops_per_s must be > 0"):
        circuits.joules_per_op(700, 0)
