"""Tests for energylab.thermo and the chip-power helpers of energylab.circuits (chapter 2)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import constants as sc

from energylab import circuits, constants, datasets, thermo

temperatures = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False)
bit_counts = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)
positive_bits = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False)


# --------------------------------------------------------------------------- Landauer limit
def test_landauer_energy_is_kT_ln2_with_scipy_constant():
    for t in (4.0, 77.0, 300.0):
        assert thermo.landauer_energy(t) == pytest.approx(sc.k * t * math.log(2), rel=1e-15)


def test_landauer_energy_known_values():
    # Ledger §3.1: 2.871e-21 J = 0.0179 eV at 300 K; 7.37e-22 J at 77 K.
    assert thermo.landauer_energy(300.0) == pytest.approx(2.871e-21, rel=1e-3)
    assert thermo.landauer_energy(300.0) / sc.electron_volt == pytest.approx(0.0179, rel=2e-3)
    assert thermo.landauer_energy(77.0) == pytest.approx(7.37e-22, rel=1e-3)


def test_landauer_energy_broadcasts():
    t = np.array([[4.0], [77.0], [300.0]])
    bits = np.array([1.0, 8.0, 16.0])
    e = thermo.landauer_energy(t, bits)
    assert e.shape == (3, 3)
    np.testing.assert_allclose(e, sc.k * t * np.log(2) * bits, rtol=1e-15)


@given(temperatures, temperatures, bit_counts)
def test_landauer_energy_linear_in_temperature(t1, t2, bits):
    lhs = thermo.landauer_energy(t1 + t2, bits)
    rhs = thermo.landauer_energy(t1, bits) + thermo.landauer_energy(t2, bits)
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-300)


@given(temperatures, bit_counts, st.floats(min_value=0.0, max_value=1e3))
def test_landauer_energy_linear_in_bits(t, bits, k):
    assert thermo.landauer_energy(t, k * bits) == pytest.approx(
        k * thermo.landauer_energy(t, bits), rel=1e-12, abs=1e-300)


def test_landauer_energy_zero_bits_costs_nothing():
    assert thermo.landauer_energy(300.0, 0) == 0.0


@pytest.mark.parametrize("kwargs, name", [
    ({"temperature_k": 0.0}, "temperature_k"),
    ({"temperature_k": -3.0}, "temperature_k"),
    ({"temperature_k": float("nan")}, "temperature_k"),
    ({"temperature_k": float("inf")}, "temperature_k"),
    ({"temperature_k": [300.0, -1.0]}, "temperature_k"),
    ({"temperature_k": 300.0, "bits": -1}, "bits"),
    ({"temperature_k": 300.0, "bits": float("nan")}, "bits"),
    ({"temperature_k": "warm"}, "temperature_k"),
])
def test_landauer_energy_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        thermo.landauer_energy(**kwargs)


# --------------------------------------------------------------------------- the gap
def test_landauer_gap_h100_known_value():
    # Ledger C077: 700 W / 989.4 TFLOPS = 0.71 pJ per FLOP, 2.5e8 times kT ln 2 at 300 K.
    e = circuits.joules_per_op(700.0, 989.4e12)
    assert e == pytest.approx(0.7075e-12, rel=1e-3)
    assert thermo.landauer_gap(e, bits_erased=1) == pytest.approx(2.46e8, rel=1e-2)


@given(st.floats(min_value=1e-20, max_value=1e-6), positive_bits, temperatures)
def test_landauer_gap_round_trip(e, bits, t):
    gap = thermo.landauer_gap(e, bits, t)
    assert gap * thermo.landauer_energy(t, bits) == pytest.approx(e, rel=1e-12)


@given(st.floats(min_value=1e-20, max_value=1e-6), positive_bits, positive_bits)
def test_landauer_gap_shrinks_with_more_bits(e, b1, b2):
    lo, hi = sorted((b1, b2))
    assert thermo.landauer_gap(e, hi) <= thermo.landauer_gap(e, lo)


def test_gap_is_larger_when_cold():
    assert thermo.landauer_gap(1e-12, 1, 4.0) == pytest.approx(75 * thermo.landauer_gap(1e-12, 1, 300.0))


@pytest.mark.parametrize("args, name", [
    ((0.0, 1), "energy_per_op_j"),
    ((-1e-12, 1), "energy_per_op_j"),
    ((1e-12, 0), "bits_erased"),
    ((1e-12, -2), "bits_erased"),
    ((1e-12, 1, 0.0), "temperature_k"),
])
def test_landauer_gap_rejects_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        thermo.landauer_gap(*args)


def test_gpu_energy_table_known_chips():
    t = thermo.gpu_energy_table(bits_erased=1, temperature_k=300.0).set_index("year")
    # Ledger §3.4 derived efficiencies: V100 0.42, A100 0.78, H100 1.41, B200 2.25 TFLOPS/W.
    tflops_per_w = 1e-12 / t["energy_per_op_j"]
    np.testing.assert_allclose(tflops_per_w.to_numpy(), [0.417, 0.78, 1.413, 2.25], rtol=2e-3)
    assert t.loc[2017, "energy_per_op_j"] == pytest.approx(2.4e-12)
    np.testing.assert_allclose(t["gap"], t["energy_per_op_j"] / thermo.landauer_energy(300.0))
    assert t["gap"].is_monotonic_decreasing


def test_gpu_energy_table_gap_scales_inversely_with_bits():
    g1 = thermo.gpu_energy_table(bits_erased=1)["gap"].to_numpy()
    g16 = thermo.gpu_energy_table(bits_erased=16)["gap"].to_numpy()
    np.testing.assert_allclose(g1 / g16, 16.0)


def test_gpu_energy_table_rejects_bad_input():
    with pytest.raises(ValueError, match="bits_erased"):
        thermo.gpu_energy_table(bits_erased=0)
    with pytest.raises(ValueError, match="no chip named"):
        thermo.gpu_energy_table(["Z9000"])
    with pytest.raises(ValueError, match="precision"):
        thermo.gpu_energy_table(precision="fp7")


def test_energy_ladder_order_and_sources():
    ladder = thermo.energy_ladder(temperature_k=300.0, bits_erased=1.0)
    assert ladder["energy_j"].is_monotonic_increasing
    assert ladder["gap"].iloc[0] == 1.0 and ladder["rung"].iloc[0].startswith("Landauer")
    assert ladder["rung"].iloc[-1].startswith("DRAM")
    # every rung names a references.bib key
    with open("references.bib", encoding="utf-8") as fh:
        bib = fh.read()
    for key in ladder["source"]:
        assert "{" + key + "," in bib
    # DRAM read is 1.95 nJ (Horowitz 2014, midpoint of 1.3–2.6 nJ): ~7e11 times kT ln 2.
    assert ladder["energy_j"].iloc[-1] == pytest.approx(1.95e-9)
    assert ladder["gap"].iloc[-1] == pytest.approx(1.95e-9 / thermo.landauer_energy(300.0))


def test_energy_ladder_cv2_rung_is_full_cycle():
    ladder = thermo.energy_ladder(capacitance_f=1e-15, voltage_v=0.75).set_index("source")
    assert ladder.loc["weste2011", "energy_j"] == pytest.approx(1e-15 * 0.75**2)


# --------------------------------------------------------------------------- Joule heating
def test_joule_heating_hand_values():
    assert thermo.joule_heating(2.0, 3.0) == 12.0
    assert thermo.joule_heating(-2.0, 3.0) == 12.0  # direction does not matter
    assert thermo.joule_heating(5.0, 0.0) == 0.0    # superconductor
    np.testing.assert_allclose(thermo.joule_heating(np.array([1.0, 10.0]), 0.5), [0.5, 50.0])


@given(st.floats(min_value=-1e3, max_value=1e3), st.floats(min_value=0, max_value=1e3),
       st.floats(min_value=0.0, max_value=10.0))
def test_joule_heating_quadratic_in_current(i, r, k):
    assert thermo.joule_heating(k * i, r) == pytest.approx(k**2 * thermo.joule_heating(i, r),
                                                          rel=1e-12, abs=1e-300)


def test_joule_heating_of_a_1kw_kettle():
    # A kettle rated 1 kW at 230 V: R = V²/P = 52.9 Ω and I = V/R; the heat is the rating.
    r = 230.0**2 / 1000.0
    assert thermo.joule_heating(230.0 / r, r) == pytest.approx(1000.0, rel=1e-12)


@pytest.mark.parametrize("args, name", [
    ((float("nan"), 1.0), "current_a"),
    ((float("inf"), 1.0), "current_a"),
    ((1.0, -1.0), "resistance_ohm"),
    ((1.0, float("inf")), "resistance_ohm"),
])
def test_joule_heating_rejects_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        thermo.joule_heating(*args)


# --------------------------------------------------------------------------- power density
def test_power_density_units():
    # 1 W over 1 cm² is 1e4 W/m²
    assert thermo.power_density(1.0, 1e-4) == pytest.approx(1e4)
    h100 = datasets.chip("H100")
    w_per_cm2 = thermo.power_density(h100["tdp_w"], h100["die_area_mm2"] * 1e-6) / 1e4
    assert w_per_cm2 == pytest.approx(700 / 8.14)


@given(st.floats(min_value=0, max_value=1e6), st.floats(min_value=1e-8, max_value=1e3),
       st.floats(min_value=1e-3, max_value=1e3))
def test_power_density_scaling(p, a, k):
    # Twice the area, half the flux; twice the power, twice the flux.
    assert thermo.power_density(p, k * a) == pytest.approx(thermo.power_density(p, a) / k, rel=1e-12)
    assert thermo.power_density(k * p, a) == pytest.approx(k * thermo.power_density(p, a), rel=1e-12)


@pytest.mark.parametrize("args, name", [
    ((-1.0, 1.0), "power_w"),
    ((1.0, 0.0), "area_m2"),
    ((1.0, -1e-4), "area_m2"),
])
def test_power_density_rejects_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        thermo.power_density(*args)


def test_blackbody_flux_sun():
    # σ·T⁴ at 5772 K is 6.29e7 W/m² (the Sun's luminosity over its surface, IAU 2015:
    # 3.828e26 W / (4π·(6.957e8 m)²) = 6.294e7 W/m²).
    sun = 3.828e26 / (4 * math.pi * 6.957e8**2)
    assert thermo.blackbody_flux(constants.SUN_EFFECTIVE_TEMPERATURE_K) == pytest.approx(sun, rel=1e-3)
    with pytest.raises(ValueError, match="temperature_k"):
        thermo.blackbody_flux(0.0)


@given(temperatures)
def test_blackbody_flux_fourth_power(t):
    assert thermo.blackbody_flux(2 * t) == pytest.approx(16 * thermo.blackbody_flux(t), rel=1e-12)


# --------------------------------------------------------------------------- Koomey years
def test_years_to_close():
    assert thermo.years_to_close(1.0) == 0.0
    assert thermo.years_to_close(2.0**10, doubling_years=1.57) == pytest.approx(15.7)
    assert thermo.years_to_close(1e8, 2.6) / thermo.years_to_close(1e8, 1.57) == pytest.approx(2.6 / 1.57)
    with pytest.raises(ValueError, match="gap"):
        thermo.years_to_close(0.5)
    with pytest.raises(ValueError, match="doubling_years"):
        thermo.years_to_close(10.0, doubling_years=0)


@given(st.floats(min_value=1.0, max_value=1e30), st.floats(min_value=1.0, max_value=1e30))
def test_years_to_close_adds_over_products(g1, g2):
    assert thermo.years_to_close(g1 * g2) == pytest.approx(
        thermo.years_to_close(g1) + thermo.years_to_close(g2), rel=1e-9, abs=1e-9)


# --------------------------------------------------------------------------- circuits.chip_power
def test_chip_power_hand_calculation():
    # N·α·C·V²·f = 80e9 · 0.01 · 0.5e-15 · 0.75² · 1.83e9, and N·P_leak = 80e9 · 1e-9
    p = circuits.chip_power(80e9, 0.01, 0.5e-15, 0.75, 1.83e9, leakage_per_transistor_w=1e-9)
    assert p.dynamic_w == pytest.approx(80e9 * 0.01 * 0.5e-15 * 0.5625 * 1.83e9)
    assert p.dynamic_w == pytest.approx(411.75)
    assert p.static_w == pytest.approx(80.0)
    assert p.total_w == pytest.approx(491.75)


def test_chip_power_is_frozen_and_vectorised():
    p = circuits.chip_power(np.array([1e9, 2e9]), 0.1, 1e-15, 1.0, 1e9, 1e-8)
    np.testing.assert_allclose(p.total_w, [110.0, 220.0])
    with pytest.raises(AttributeError):
        p.total_w = 0.0


@given(st.floats(min_value=1e6, max_value=1e12), st.floats(min_value=0, max_value=1),
       st.floats(min_value=1e-17, max_value=1e-14), st.floats(min_value=0.3, max_value=1.5),
       st.floats(min_value=1e8, max_value=5e9), st.floats(min_value=0, max_value=1e-8))
@settings(max_examples=50)
def test_chip_power_invariants(n, a, c, v, f, leak):
    p = circuits.chip_power(n, a, c, v, f, leak)
    assert p.total_w == pytest.approx(p.dynamic_w + p.static_w)
    assert p.dynamic_w >= 0 and p.static_w >= 0
    # doubling the voltage quadruples the dynamic part and leaves the static part alone
    p2 = circuits.chip_power(n, a, c, 2 * v, f, leak)
    assert p2.dynamic_w == pytest.approx(4 * p.dynamic_w, abs=1e-300)
    assert p2.static_w == p.static_w


@pytest.mark.parametrize("kwargs, name", [
    ({"activity": 1.5}, "activity"),
    ({"activity": -0.1}, "activity"),
    ({"transistors": 0}, "transistors"),
    ({"capacitance_per_transistor_f": 0.0}, "capacitance_per_transistor_f must be > 0, got 0"),
    ({"voltage_v": -0.8}, "voltage_v"),
    ({"frequency_hz": 0.0}, "frequency_hz"),
    ({"leakage_per_transistor_w": -1e-9}, "leakage_per_transistor_w"),
])
def test_chip_power_rejects_bad_input(kwargs, name):
    args = {"transistors": 1e9, "activity": 0.1, "capacitance_per_transistor_f": 1e-15,
            "voltage_v": 1.0, "frequency_hz": 1e9, "leakage_per_transistor_w": 0.0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        circuits.chip_power(**args)


# --------------------------------------------------------------------------- circuits.joules_per_op
def test_joules_per_op_known_chips():
    for name, expected_pj in (("V100", 2.4), ("A100", 400 / 312), ("H100", 700 / 989.4)):
        row = datasets.chip(name)
        e = circuits.joules_per_op(row["tdp_w"], row["fp16_flop_per_s"])
        assert e * 1e12 == pytest.approx(expected_pj, rel=1e-9)


@given(st.floats(min_value=1e-3, max_value=1e9), st.floats(min_value=1e-3, max_value=1e20))
def test_joules_per_op_round_trip(p, r):
    assert circuits.joules_per_op(p, r) * r == pytest.approx(p, rel=1e-12)


@pytest.mark.parametrize("args, name", [((0.0, 1e12), "power_w"), ((700.0, -1.0), "ops_per_s"),
                                        ((700.0, float("nan")), "ops_per_s")])
def test_joules_per_op_rejects_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        circuits.joules_per_op(*args)


# --------------------------------------------------------------------------- explorers
def test_energy_ladder_explorer_follows_its_controls():
    from energylab.widgets import ch02

    ex = ch02.energy_ladder_explorer()
    assert ex.png.startswith(b"\x89PNG")
    base = ex.result["landauer_j"]
    ex.set(temperature_k=150.0, bits_erased=2.0)
    assert ex.result["landauer_j"] == pytest.approx(base)          # half T, twice the bits
    ex.set(temperature_k=4.0, bits_erased=1.0)
    assert ex.result["landauer_j"] == pytest.approx(thermo.landauer_energy(4.0))
    assert ex.result["dram_gap"] == pytest.approx(1.95e-9 / thermo.landauer_energy(4.0))
    with pytest.raises(ValueError, match="temperature_k"):
        ex.set(temperature_k=0.0)                                   # the slider cannot reach it


def test_gpu_gap_explorer_reports_koomey_years():
    from energylab.widgets import ch02

    ex = ch02.gpu_gap_explorer(bits_erased=1.0, temperature_k=300.0, doubling_years=2.0)
    b200 = thermo.gpu_energy_table(["B200"], bits_erased=1.0)["gap"].iloc[0]
    assert ex.result["gap_newest"] == pytest.approx(b200)
    assert ex.result["koomey_years"] == pytest.approx(2.0 * math.log2(b200))
    assert 1.0 < ex.result["factor_per_year"] < 2.0                 # energy per FLOP falls


def test_chip_power_explorer_matches_chip_power():
    from energylab.widgets import ch02

    ex = ch02.chip_power_explorer()
    expected = circuits.chip_power(80e9, 0.015, 0.5e-15, 0.75, 1.83e9, 1e-9)
    assert ex.result["total_w"] == pytest.approx(expected.total_w)
    assert ex.result["tdp_w"] == 700.0
    assert ex.result["estimate_w_per_cm2"] == pytest.approx(expected.total_w / 8.14)
    ex.set(chip="B200", activity=0.0, leakage_nw=0.0)               # no die area, no power
    assert ex.result["total_w"] == 0.0 and ex.result["estimate_w_per_cm2"] is None
    assert ex.result["tdp_w"] == 1000.0
    with pytest.raises(ValueError, match="activity"):
        ex.set(activity=1.5)


# --------------------------------------------------------------------------- lab 2 checks
def test_lab02_expected_values_by_hand():
    from energylab.checks import expected

    np.testing.assert_allclose(expected("lab02.kT_ln2"), sc.k * np.array([4, 77, 300]) * math.log(2))
    # (700 W − 80e9 × 1 nW) / (80e9 × 0.5 fF × 0.75² V² × 1.83 GHz) = 620 / 41,175
    assert expected("lab02.activity_for_tdp") == pytest.approx(620 / 41175)
    assert expected("lab02.h100_power_w") == pytest.approx(41175 * 0.1 + 80)
    # GPT-3: 3.14e23 FLOP × 16 bits × kT ln 2 ≈ 14 kJ, and 1,287 MWh is ~3e8 times that
    assert expected("lab02.gpt3_landauer_j") == pytest.approx(3.14e23 * 16 * sc.k * 300 * math.log(2))
    assert expected("lab02.gpt3_gap") == pytest.approx(1287 * 3.6e9 / expected("lab02.gpt3_landauer_j"))
    gaps = expected("lab02.gaps")
    assert gaps.shape == (4,) and np.all(np.diff(gaps) < 0)
    # the fitted yearly factor lies between the slowest and fastest step between generations
    years = np.array([2017, 2020, 2022, 2024])
    steps = (gaps[:-1] / gaps[1:]) ** (1 / np.diff(years))
    assert steps.min() <= expected("lab02.gap_factor_per_year") <= steps.max()


def test_lab02_checks_accept_right_and_reject_wrong(capsys):
    from energylab.checks import check, expected, question_ids, verdict

    from _check_tolerance import assert_tolerance_is_honoured

    assert assert_tolerance_is_honoured("lab02") >= 3
    for qid in question_ids("lab02"):
        assert verdict(qid, None) is False
        assert check(qid, None) is None
        check(qid, expected(qid))
        check(qid, 2 * np.asarray(expected(qid)))
    out = capsys.readouterr().out
    assert "✔" in out and "✘" in out and "not answered yet" in out
