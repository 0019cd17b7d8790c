"""Tests of energylab.cooling: heat removal, thermal model, throttling, PUE, water, carbon."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energylab import circuits, cooling, datasets
from energylab.constants import J_PER_KWH, ZERO_CELSIUS_K

# A 700 W accelerator on an air cooler and on a cold plate (the chapter's two coolers).
GPU = dict(t_max_k=ZERO_CELSIUS_K + 85.0, t_ambient_k=ZERO_CELSIUS_K + 35.0, f_max_hz=1.98e9,
           p_at_f_max_w=700.0, p_static_w=100.0)


# --------------------------------------------------------------------------- fluids and flow
def test_fluid_properties_match_incropera_tables():
    # Incropera et al. Table A.4 (air, 300 K) and A.6 (saturated water, 300 K)
    assert cooling.FLUIDS["air"].cp_j_per_kg_k == 1007.0
    assert cooling.FLUIDS["air"].density_kg_per_m3 == 1.1614
    assert cooling.FLUIDS["water"].cp_j_per_kg_k == 4179.0
    assert cooling.FLUIDS["water"].density_kg_per_m3 == pytest.approx(997.0, abs=0.05)
    for fluid in cooling.FLUIDS.values():
        assert fluid.source == "incropera2007"


def test_water_carries_about_3500_times_more_heat_per_volume_than_air():
    ratio = (cooling.FLUIDS["water"].volumetric_heat_capacity_j_per_m3_k
             / cooling.FLUIDS["air"].volumetric_heat_capacity_j_per_m3_k)
    assert 3400 < ratio < 3700


def test_heat_removal_flow_hand_calculation():
    # 120 kW at 10 K in water: m = 120e3 / (4179 * 10) = 2.8715 kg/s
    flow = cooling.heat_removal_flow(120e3, 10.0, "water")
    assert flow.mass_kg_per_s == pytest.approx(120e3 / 41790.0)
    assert flow.volume_m3_per_s == pytest.approx(flow.mass_kg_per_s * 1.003e-3)
    assert flow.volume_l_per_min == pytest.approx(flow.volume_m3_per_s * 60e3)
    # 40 kW in air at 15 K: ~2.28 m^3/s
    air = cooling.heat_removal_flow(40e3, 15.0, "air")
    assert air.volume_m3_per_s == pytest.approx(40e3 / (1007.0 * 15.0 * 1.1614))


@given(st.floats(0.0, 1e7), st.floats(0.1, 100.0), st.sampled_from(["air", "water"]))
def test_flow_energy_balance_round_trip(power_w, delta_t_k, name):
    flow = cooling.heat_removal_flow(power_w, delta_t_k, name)
    fluid = cooling.FLUIDS[name]
    assert flow.mass_kg_per_s * fluid.cp_j_per_kg_k * delta_t_k == pytest.approx(power_w, rel=1e-12, abs=1e-9)
    assert flow.volume_m3_per_s * fluid.density_kg_per_m3 == pytest.approx(flow.mass_kg_per_s)


def test_flow_broadcasts_and_halves_with_double_rise():
    flow = cooling.heat_removal_flow(np.array([700.0, 1400.0]), np.array([[5.0], [10.0]]), "air")
    assert flow.mass_kg_per_s.shape == (2, 2)
    assert flow.mass_kg_per_s[1, 0] == pytest.approx(flow.mass_kg_per_s[0, 0] / 2)
    assert flow.mass_kg_per_s[0, 1] == pytest.approx(2 * flow.mass_kg_per_s[0, 0])


# --------------------------------------------------------------------------- thermal model
def test_junction_temperature():
    assert cooling.junction_temperature(700.0, 0.08, 308.15) == pytest.approx(364.15)
    assert cooling.junction_temperature(0.0, 0.08, 300.0) == 300.0


def test_sustained_frequency_hand_calculation():
    # P_hold = 50 K / 0.1 K/W = 500 W; (500/700)^(1/3) of 2 GHz
    f = cooling.sustained_frequency(0.1, 358.15, 308.15, 2e9, 700.0)
    assert f == pytest.approx(2e9 * (500 / 700) ** (1 / 3))
    # and the DVFS model of chapter 1 draws exactly the hold power there
    assert circuits.dvfs_power(f, 2e9, 700.0) == pytest.approx(500.0)
    # a good cooler never throttles
    assert cooling.sustained_frequency(0.05, 358.15, 308.15, 2e9, 700.0) == 2e9


def test_steady_state_without_throttling_is_ambient_plus_p_r():
    # P = 300 W, R = 0.1 K/W: T -> 35 °C + 30 K; 20 time constants -> converged
    r = cooling.simulate_throttling(200.0, 0.01, 0.1, 100.0, t_max_k=400.0, t_ambient_k=308.15,
                                    f_max_hz=1e9, p_at_f_max_w=300.0)
    assert r.temperature_k[-1] == pytest.approx(308.15 + 300.0 * 0.1, abs=1e-6)
    assert r.sustained_fraction == 1.0
    assert math.isnan(r.time_to_throttle_s)


def test_temperature_follows_exponential_approach():
    tau = 0.1 * 50.0
    r = cooling.simulate_throttling(20.0, 0.5, 0.1, 50.0, t_max_k=400.0, t_ambient_k=300.0,
                                    f_max_hz=1e9, p_at_f_max_w=300.0)
    exact = 300.0 + 30.0 * (1 - np.exp(-r.time_s / tau))
    np.testing.assert_allclose(r.temperature_k, exact, rtol=0, atol=1e-9)


def test_throttled_run_settles_at_sustained_clock_and_never_exceeds_t_max():
    for r_th in (0.10, 0.04):
        r = cooling.simulate_throttling(600.0, 0.01, r_th, 400.0, **GPU)
        assert r.temperature_k.max() <= GPU["t_max_k"] + 1e-9
        f_sus = cooling.sustained_frequency(r_th, GPU["t_max_k"], GPU["t_ambient_k"],
                                            GPU["f_max_hz"], GPU["p_at_f_max_w"], GPU["p_static_w"])
        assert r.frequency_hz[-1] == pytest.approx(f_sus, rel=1e-6)


def test_better_cooler_never_does_less_work():
    air = cooling.simulate_throttling(300.0, 0.01, 0.10, 400.0, **GPU)
    liquid = cooling.simulate_throttling(300.0, 0.01, 0.04, 400.0, **GPU)
    assert liquid.work_cycles >= air.work_cycles
    assert air.sustained_fraction < 1.0


@settings(max_examples=40, deadline=None)
@given(r_th=st.floats(0.02, 0.3), c_th=st.floats(5.0, 2000.0), dt=st.floats(1e-3, 0.5),
       p_static=st.floats(0.0, 150.0), exponent=st.floats(1.0, 4.0),
       seed=st.integers(0, 2**32 - 1))
def test_energy_conservation_and_bound_under_random_workloads(r_th, c_th, dt, p_static, exponent,
                                                             seed):
    rng = np.random.default_rng(seed)
    duration = 200 * dt
    n = int(round(duration / dt))
    workload = rng.uniform(0.0, 1.0, n)
    t_max = 300.0 + p_static * r_th + 20.0
    r = cooling.simulate_throttling(duration, dt, r_th, c_th, t_max, 300.0, 2e9, 800.0,
                                    p_static_w=p_static, exponent=exponent, workload=workload)
    # heat in = stored + removed (exact per-step integration, so to rounding)
    assert r.heat_in_j == pytest.approx(r.heat_stored_j + r.heat_removed_j, rel=1e-9, abs=1e-6)
    # the same balance with the removed heat integrated numerically (trapezoid, O(dt^2))
    trapz = np.sum((r.temperature_k[1:] + r.temperature_k[:-1]) / 2 - 300.0) * dt / r_th
    assert r.heat_in_j == pytest.approx(r.heat_stored_j + trapz, rel=0.02 * (dt / (r_th * c_th)) + 1e-6)
    # the controller holds the limit
    assert r.temperature_k.max() <= t_max + 1e-9 * t_max
    assert np.all(r.frequency_hz <= 2e9) and np.all(r.frequency_hz > 0)
    assert r.work_cycles <= r.peak_work_cycles * (1 + 1e-12)


@settings(max_examples=25, deadline=None)
@given(r_th=st.floats(0.02, 0.3), c_th=st.floats(5.0, 500.0), seed=st.integers(0, 2**32 - 1))
def test_vectorised_scan_matches_step_by_step_loop(r_th, c_th, seed):
    rng = np.random.default_rng(seed)
    n = 1500  # crosses block boundaries of the scan
    workload = rng.uniform(0.2, 1.0, n)
    kw = dict(duration_s=n * 0.01, dt_s=0.01, r_th_k_per_w=r_th, c_th_j_per_k=c_th,
              t_max_k=340.0, t_ambient_k=300.0, f_max_hz=2e9, p_at_f_max_w=700.0,
              p_static_w=50.0, workload=workload)
    fast = cooling.simulate_throttling(**kw)
    slow = cooling.simulate_throttling_loop(**kw)
    np.testing.assert_allclose(fast.temperature_k, slow.temperature_k, rtol=0, atol=1e-6)
    np.testing.assert_allclose(fast.power_w, slow.power_w, rtol=1e-5, atol=1e-6)
    assert fast.work_cycles == pytest.approx(slow.work_cycles, rel=1e-6)


def test_power_matches_dvfs_model_of_chapter_one():
    r = cooling.simulate_throttling(120.0, 0.01, 0.1, 200.0, **GPU)
    expected = circuits.dvfs_power(r.frequency_hz, GPU["f_max_hz"],
                                   GPU["p_at_f_max_w"] - GPU["p_static_w"], GPU["p_static_w"])
    np.testing.assert_allclose(r.power_w, expected, rtol=1e-12)


def test_workload_forms_agree():
    kw = dict(duration_s=10.0, dt_s=0.1, r_th_k_per_w=0.1, c_th_j_per_k=50.0, **GPU)
    const = cooling.simulate_throttling(**kw, workload=0.5)
    array = cooling.simulate_throttling(**kw, workload=np.full(100, 0.5))
    func = cooling.simulate_throttling(**kw, workload=lambda t: 0.5 + 0 * t)
    np.testing.assert_array_equal(const.temperature_k, array.temperature_k)
    np.testing.assert_array_equal(const.temperature_k, func.temperature_k)
    idle = cooling.simulate_throttling(**kw, workload=0.0)
    assert idle.power_w == pytest.approx(np.full(100, GPU["p_static_w"]))
    assert idle.work_cycles == 0.0 and idle.sustained_fraction == 1.0


def test_result_shapes():
    r = cooling.simulate_throttling(1.0, 0.01, 0.1, 50.0, **GPU)
    assert r.time_s.shape == r.temperature_k.shape == (101,)
    assert r.frequency_hz.shape == r.power_w.shape == r.step_start_s.shape == (100,)
    assert r.time_s[-1] == pytest.approx(1.0)


# --------------------------------------------------------------------------- facility
def test_pue_hand_calculation_and_bounds():
    assert cooling.pue(100.0, 40.0, 12.0, 4.0) == pytest.approx(1.56)
    assert cooling.pue(1.0, 0.0, 0.0) == 1.0
    assert cooling.pue_from_shares(0.6) == pytest.approx(2.5)
    assert cooling.pue_from_shares(0.3, 0.1) == pytest.approx(1 / 0.6)
    assert cooling.overhead_share(1.56) == pytest.approx(1 - 1 / 1.56)
    assert cooling.facility_energy(1287.0, 1.1) == pytest.approx(1415.7)


@given(st.floats(1e-3, 1e9), st.floats(0, 1e9), st.floats(0, 1e9), st.floats(0, 1e9))
def test_pue_is_at_least_one_and_round_trips(it, cool, loss, other):
    p = cooling.pue(it, cool, loss, other)
    assert p >= 1.0
    assert cooling.facility_energy(it, p) == pytest.approx(it + cool + loss + other)


def test_sparsity_does_not_lower_pue_with_fixed_overhead():
    # ledger C034: halve IT and proportional cooling, keep a fixed overhead -> PUE rises
    before = cooling.pue(1.0, 0.3, 0.0, 0.1)
    after = cooling.pue(0.5, 0.15, 0.0, 0.1)
    assert before == pytest.approx(1.4) and after == pytest.approx(1.5)


def test_water_use_hand_calculation():
    w = cooling.water_use(1287e3, 0.55, 1.17, 3.14)
    assert w.onsite_l == pytest.approx(1287e3 * 0.55)
    assert w.offsite_l == pytest.approx(1287e3 * 1.17 * 3.14)
    assert w.total_l == pytest.approx(1287e3 * (0.55 + 1.17 * 3.14))
    arr = cooling.water_use(np.array([1.0, 2.0]), 0.5, 1.2, 2.0)
    np.testing.assert_allclose(arr.total_l, [2.9, 5.8])


def test_latent_heat_and_evaporative_bound_from_constants():
    # IAPWS-95: h_fg = 2256.4 kJ/kg at 100 °C and 2429.8 kJ/kg at 30 °C
    assert cooling.latent_heat_water(373.15) == pytest.approx(2.2564e6)
    assert cooling.latent_heat_water(303.15) == pytest.approx(2.4298e6)
    assert cooling.evaporative_water_per_kwh(303.15) == pytest.approx(
        J_PER_KWH / 2.4298e6 / 995.65 * 1000)
    # the textbook "2.26 MJ/kg -> 1.6 kg per kWh"
    assert J_PER_KWH / cooling.latent_heat_water(373.15) == pytest.approx(1.6, abs=0.01)
    t = np.linspace(273.16, 373.15, 50)
    assert np.all(np.diff(cooling.latent_heat_water(t)) < 0)      # less heat needed when hot
    assert np.all((cooling.evaporative_water_per_kwh(t) > 1.4) &
                  (cooling.evaporative_water_per_kwh(t) < 1.7))


def test_carbon_hand_calculation():
    assert cooling.carbon_kg(1287e3, 0.429) == pytest.approx(552_123.0)
    np.testing.assert_allclose(cooling.carbon_kg(np.array([1.0, 2.0]), 0.5), [0.5, 1.0])


def test_energy_reuse_factor():
    assert cooling.energy_reuse_factor(30.0, 120.0) == 0.25
    assert cooling.energy_reuse_factor(0.0, 1.0) == 0.0


# --------------------------------------------------------------------------- datasets
def test_new_datasets_load_with_sources():
    for name in ("grid_intensity", "datacenter_efficiency"):
        assert name in datasets.names()
        src = datasets.source(name)
        assert src["citation"] and src["url"].startswith("http")
    grid = datasets.load("grid_intensity")
    assert {"region", "year", "intensity_g_per_kwh", "confidence", "source"} <= set(grid.columns)
    assert grid["intensity_g_per_kwh"].between(0, 1200).all()
    assert set(grid["confidence"]) <= {"V", "K"}
    us = grid[(grid.region == "United States") & (grid.year == 2023)]
    assert us["intensity_g_per_kwh"].item() == pytest.approx(367, abs=1)   # EIA: 0.81 lb/kWh
    eff = datasets.load("datacenter_efficiency")
    assert {"operator_or_region", "year", "pue", "wue_l_per_kwh", "confidence", "source"} <= set(eff.columns)
    assert (eff["pue"].dropna() >= 1.0).all()
    assert (eff["wue_l_per_kwh"].dropna() >= 0).all()
    assert set(eff["confidence"]) <= {"V", "K"}
    uptime = eff[eff.operator_or_region.str.startswith("Global average")].set_index("year")["pue"]
    assert uptime[2024] == 1.56 and uptime[2011] == 1.8


def test_every_source_key_is_in_references_bib():
    from pathlib import Path
    bib = (Path(__file__).resolve().parents[1] / "references.bib").read_text(encoding="utf-8")
    keys = set()
    for name in ("grid_intensity", "datacenter_efficiency"):
        keys |= set(datasets.load(name)["source"])
        keys.add(datasets.source(name)["citation"])
    keys |= {f.source for f in cooling.FLUIDS.values()}
    keys |= {"wagner2002iapws", "nist_webbook", "greengrid2012pue", "greengrid2010ere",
             "li2023thirsty"}
    for key in keys:
        assert f"{{{key}," in bib, key


# --------------------------------------------------------------------------- bad input
BAD = [
    (lambda: cooling.heat_removal_flow(-1.0, 10.0, "water"), "power_w"),
    (lambda: cooling.heat_removal_flow(1.0, 0.0, "water"), "delta_t_k"),
    (lambda: cooling.heat_removal_flow(1.0, 10.0, "oil"), "fluid"),
    (lambda: cooling.heat_removal_flow(np.nan, 10.0, "air"), "power_w"),
    (lambda: cooling.junction_temperature(100.0, -0.1, 300.0), "r_th_k_per_w"),
    (lambda: cooling.junction_temperature(100.0, 0.1, 0.0), "t_coolant_k"),
    (lambda: cooling.simulate_throttling(10, 0.1, 0.1, 50, 300.0, 310.0, 1e9, 500.0), "t_max_k"),
    (lambda: cooling.simulate_throttling(10, 0.1, 0.1, 50, 310.0, 310.0, 1e9, 500.0), "t_max_k"),
    (lambda: cooling.simulate_throttling(10, 0.1, 0.1, 50, 350.0, 300.0, 1e9, 500.0,
                                         p_static_w=600.0), "p_static_w"),
    (lambda: cooling.simulate_throttling(10, 0.1, 1.0, 50, 350.0, 300.0, 1e9, 500.0,
                                         p_static_w=60.0), "leakage"),
    (lambda: cooling.simulate_throttling(-10, 0.1, 0.1, 50, 350.0, 300.0, 1e9, 500.0), "duration_s"),
    (lambda: cooling.simulate_throttling(10, 0.0, 0.1, 50, 350.0, 300.0, 1e9, 500.0), "dt_s"),
    (lambda: cooling.simulate_throttling(1, 5.0, 0.1, 50, 350.0, 300.0, 1e9, 500.0), "dt_s"),
    (lambda: cooling.simulate_throttling(10, 0.1, 0.1, -5, 350.0, 300.0, 1e9, 500.0), "c_th_j_per_k"),
    (lambda: cooling.simulate_throttling(10, 0.1, 0.1, 50, 350.0, 300.0, 1e9, 500.0,
                                         exponent=5), "exponent"),
    (lambda: cooling.simulate_throttling(10, 0.1, 0.1, 50, 350.0, 300.0, 1e9, 500.0,
                                         workload=1.5), "workload"),
    (lambda: cooling.simulate_throttling(10, 0.1, 0.1, 50, 350.0, 300.0, 1e9, 500.0,
                                         workload=np.ones(7)), "workload"),
    (lambda: cooling.simulate_throttling(10, 0.1, 0.1, 50, 350.0, 300.0, 1e9, 500.0,
                                         t_start_k=360.0), "t_start_k"),
    (lambda: cooling.sustained_frequency(0.1, 350.0, 300.0, 1e9, 500.0, utilisation=-0.1),
     "utilisation"),
    (lambda: cooling.pue(0.0, 1.0, 1.0), "it_energy"),
    (lambda: cooling.pue(1.0, -1.0, 1.0), "cooling_energy"),
    (lambda: cooling.pue(1.0, 1.0, -1.0), "power_losses"),
    (lambda: cooling.pue(1.0, 1.0, 1.0, other=-1.0), "other"),
    (lambda: cooling.pue_from_shares(1.0), "cooling_share"),
    (lambda: cooling.pue_from_shares(0.6, 0.5), "cooling_share + other_share"),
    (lambda: cooling.overhead_share(0.9), "pue"),
    (lambda: cooling.facility_energy(100.0, 0.9), "pue"),
    (lambda: cooling.facility_energy(-1.0, 1.2), "it_energy"),
    (lambda: cooling.water_use(-1.0, 0.5, 1.2, 3.0), "it_energy_kwh"),
    (lambda: cooling.water_use(1.0, -0.5, 1.2, 3.0), "wue_onsite_l_per_kwh"),
    (lambda: cooling.water_use(1.0, 0.5, 0.99, 3.0), "pue"),
    (lambda: cooling.water_use(1.0, 0.5, 1.2, -3.0), "ewif_l_per_kwh"),
    (lambda: cooling.evaporative_water_per_kwh(400.0), "t_k"),
    (lambda: cooling.latent_heat_water(200.0), "t_k"),
    (lambda: cooling.carbon_kg(-1.0, 0.4), "energy_kwh"),
    (lambda: cooling.carbon_kg(1.0, -0.4), "intensity_kg_per_kwh"),
    (lambda: cooling.energy_reuse_factor(2.0, 1.0), "reused_energy"),
    (lambda: cooling.energy_reuse_factor(1.0, 0.0), "facility_energy_total"),
]


@pytest.mark.parametrize("call, name", BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)])
def test_bad_input_raises_a_clear_value_error(call, name):
    with pytest.raises(ValueError, match=name.replace("+", r"\+")):
        call()


# --------------------------------------------------------------------------- widgets and checks
def test_throttling_explorer_renders_and_better_cooling_helps():
    from energylab.widgets import ch06

    ex = ch06.throttling_explorer()
    assert ex.png.startswith(b"\x89PNG")
    air = ex.set(r_th_k_per_w=0.12).result
    liquid = ex.set(r_th_k_per_w=0.03).result
    assert air["sustained_fraction"] < 1.0 <= liquid["sustained_fraction"] + 1e-12
    assert air["final_clock_ghz"] == pytest.approx(air["sustained_clock_ghz"], rel=1e-6)
    for workload in ch06.WORKLOADS:
        assert 0.0 < ex.set(workload=workload).result["sustained_fraction"] <= 1.0
    # the worst reachable corner is still a valid model state
    ex.set(r_th_k_per_w=0.2, t_max_c=70.0, t_ambient_c=40.0, c_th_j_per_k=10 ** 3.5)
    with pytest.raises(ValueError):
        ex.set(t_max_c=60.0)


def test_datacenter_explorer_matches_models():
    from energylab.widgets import ch06

    ex = ch06.datacenter_explorer()
    r = ex.result
    assert r["pue"] == 1.56
    assert r["facility_gwh"] == pytest.approx(r["it_gwh"] * 1.56)
    assert r["it_gwh"] == pytest.approx(10 * 8.76)
    assert r["carbon_kt"] == pytest.approx(r["facility_gwh"] * 1e6 * 0.367 / 1e6)
    clean = ex.set(clean_share=1.0).result
    assert clean["carbon_kt"] == 0.0 and clean["offsite_ml"] == 0.0
    meta = ex.set(practice=ch06.COOLING_PRACTICES[-1], clean_share=0.0).result
    assert meta["pue"] == 1.09 and meta["onsite_ml"] == pytest.approx(87.6e6 * 0.26 / 1e6)


def test_static_plots_return_dataset_values():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from energylab.widgets import ch06

    fig, axes = plt.subplots(1, 3)
    flows = ch06.plot_flows(axes[0])
    assert flows["120 kW rack/air"] / flows["120 kW rack/water"] > 1000
    assert ch06.plot_pue_history(axes[1])["uptime"][2024] == 1.56
    assert ch06.plot_grid_intensity(axes[2])["United States 2023"] == 367.0
    plt.close(fig)


def test_lab06_checks_accept_expected_and_reject_wrong(capsys):
    from energylab.checks import check, expected, question_ids, verdict

    ids = question_ids("lab06")
    assert len(ids) >= 5
    from _check_tolerance import assert_tolerance_is_honoured

    assert assert_tolerance_is_honoured("lab06") >= 3
    assert not verdict(ids[0], np.asarray(expected(ids[0])) * 1.5)
    assert expected("lab06.pue_from_60pct_cooling") == pytest.approx(2.5)
    assert expected("lab06.sustained_ghz_liquid") == pytest.approx(2.0)
    assert not verdict("lab06.rack_flow_l_per_min", None)
    check("lab06.rack_flow_l_per_min", None)
