"""Tests of energylab.pim: memory energy, roofline, decode step, analog crossbars."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from energylab import datasets, pim, workloads

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


def matrices(max_side=8):
    shape = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    return shape.flatmap(lambda s: arrays(float, s, elements=finite))


# ----------------------------------------------------------------- moving data
def test_movement_energy_matches_dataset_per_bit():
    df = datasets.load("memory_energy").set_index("level")
    for level, row in df.iterrows():
        assert pim.movement_energy(3.0, level) == pytest.approx(24 * row["energy_j_per_bit"])


def test_known_values_from_sources():
    # O'Connor et al. 2017: HBM2 3.97 pJ/bit; Horowitz 2014: 64-bit DRAM read 1.3-2.6 nJ
    assert pim.energy_per_byte("hbm2") == pytest.approx(8 * 3.97e-12)
    assert 1.3e-9 <= pim.movement_energy(8, "dram_45nm") <= 2.6e-9
    # Horowitz 2014: 8-bit int multiply 0.2 pJ + add 0.03 pJ
    assert pim.mac_energy("int8") == pytest.approx(0.23e-12)


def test_memory_hierarchy_costs_grow_with_distance():
    e = [pim.energy_per_byte(lv) for lv in ("register_file", "sram_8kb", "sram_1mb", "dram_45nm")]
    assert all(a < b for a, b in zip(e, e[1:]))


@given(st.floats(0, 1e12), st.floats(0, 1e12))
def test_movement_energy_is_additive(a, b):
    e = pim.movement_energy
    assert e(a + b, "hbm2") == pytest.approx(e(a, "hbm2") + e(b, "hbm2"), rel=1e-12, abs=1e-300)


# ----------------------------------------------------------------- roofline
@given(st.floats(1e6, 1e15), st.floats(1e3, 1e15), st.floats(1e9, 1e16), st.floats(1e9, 1e13))
def test_roofline_equals_a_kernel_timed_with_overlapped_compute_and_memory(flops, n_bytes, peak, bw):
    # Independent of the formula: a kernel of F FLOP and B bytes, compute and memory
    # overlapped, takes max(F/peak, B/bw) seconds; its attained rate is F over that time.
    attained = flops / max(flops / peak, n_bytes / bw)
    assert pim.roofline(flops / n_bytes, peak, bw) == pytest.approx(attained, rel=1e-12)


def test_roofline_hand_values():
    # 100 GFLOP/s and 10 GB/s: at 1 FLOP/B memory-bound at 10 GFLOP/s, at 100 FLOP/B at peak
    np.testing.assert_allclose(pim.roofline([1.0, 100.0], 100e9, 10e9), [10e9, 100e9])


@given(st.floats(1e9, 1e16), st.floats(1e9, 1e13))
def test_roofline_meets_peak_at_ridge(peak, bw):
    ridge = pim.ridge_point(peak, bw)
    assert pim.roofline(ridge, peak, bw) == pytest.approx(peak, rel=1e-12)
    assert pim.roofline(0.5 * ridge, peak, bw) == pytest.approx(0.5 * peak, rel=1e-12)


def test_roofline_monotone_and_broadcasts():
    i = np.logspace(-2, 4, 50)
    p = pim.roofline(i, 989.4e12, 3.35e12)
    assert p.shape == i.shape and np.all(np.diff(p) >= 0) and p.max() == 989.4e12


def test_ridge_points_of_known_chips():
    # ledger C101: H100 989e12 / 3.35e12 ≈ 295 FLOP/B
    h100 = datasets.chip("H100")
    ridge = pim.ridge_point(datasets.peak_flops("H100", "fp16"), h100["memory_bandwidth_bytes_per_s"])
    assert round(ridge) == 295


def test_arithmetic_intensity_gemv_fp16_is_one():
    n = 1000
    assert pim.arithmetic_intensity(2 * n * n, 2 * n * n) == 1.0


# ----------------------------------------------------------------- decode
def test_decode_batch1_is_memory_bound_and_intensity_two_over_b():
    for bpp in (4.0, 2.0, 1.0, 0.5):
        s = pim.decode_step(7e9, bpp, 1, "H100")
        assert s.memory_bound
        assert s.intensity_flop_per_byte == pytest.approx(2 / bpp)
        assert s.time_s == pytest.approx(7e9 * bpp / 3.35e12)


def test_decode_energy_is_sum_of_parts_and_batch_amortises_weights():
    b = np.array([1, 2, 8, 64, 512])
    s = pim.decode_step(7e9, 2, b, "H100", static_power_w=100.0)
    np.testing.assert_allclose(s.energy_j, s.compute_energy_j + s.memory_energy_j + s.static_energy_j)
    assert np.all(np.diff(s.energy_per_token_j) < 0)       # batching amortises the weight bytes
    assert np.all(np.diff(s.memory_share) < 0)
    np.testing.assert_allclose(s.memory_energy_j, s.memory_energy_j[0])  # weights read once per step
    assert np.all((0 < s.memory_share) & (s.memory_share < 1))


def test_decode_compute_bound_at_large_batch():
    s = pim.decode_step(7e9, 2, 1024, "H100")
    assert not s.memory_bound
    assert s.time_s == pytest.approx(s.flops / 989.4e12)


def test_decode_kv_cache_traffic_is_not_amortised():
    kv = pim.kv_cache_bytes(32, 4096, 4096)
    a = pim.decode_step(7e9, 2, 64, "H100", kv_bytes_per_sequence=kv)
    b = pim.decode_step(7e9, 2, 64, "H100")
    assert a.n_bytes - b.n_bytes == pytest.approx(64 * kv)
    # KV reads have intensity 1 FLOP/B in FP16 whatever the batch
    assert (a.flops - b.flops) / (a.n_bytes - b.n_bytes) == pytest.approx(1.0)


def test_decode_explicit_energies():
    s = pim.decode_step(1e9, 2, 1, "A100", pj_per_byte=10.0, pj_per_flop=1.0)
    assert s.memory_energy_j == pytest.approx(2e9 * 10e-12)
    assert s.compute_energy_j == pytest.approx(2e9 * 1e-12)


# ----------------------------------------------------------------- crossbar physics
def test_column_currents_ledger_example():
    # ledger C111: G = [[1, 2], [3, 4]] µS, V = [0.1, 0.2] V -> I = [0.7, 1.0] µA
    i = pim.column_currents([0.1, 0.2], np.array([[1, 2], [3, 4]]) * 1e-6)
    np.testing.assert_allclose(i, [0.7e-6, 1.0e-6], rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(matrices(), st.integers(0, 2**31))
def test_ideal_crossbar_equals_matmul(w, seed):
    x = np.random.default_rng(seed).uniform(-1, 1, (5, w.shape[0]))
    y = pim.Crossbar(w).vmm(x)
    ref = x @ w
    np.testing.assert_allclose(y, ref, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(ref).max()))


@settings(max_examples=60, deadline=None)
@given(matrices(), st.sampled_from([None, 2, 5, 64]), st.floats(0, 0.5),
       st.sampled_from([None, 3.0, 100.0]))
def test_conductances_stay_in_range(w, levels, sigma, on_off):
    xb = pim.Crossbar(w, g_min=2e-6, g_max=5e-5, levels=levels, sigma=sigma, on_off_ratio=on_off, rng=0)
    for g in (xb.g_pos, xb.g_neg):
        assert np.all(g >= 2e-6) and np.all(g <= 5e-5)
        assert np.all(g >= xb.g_low)


@settings(max_examples=40, deadline=None)
@given(matrices())
def test_differential_pair_encodes_weights(w):
    gp, gn, s = pim.weights_to_conductances(w, 1e-6, 1e-4)
    np.testing.assert_allclose((gp - gn) / s, w, atol=1e-9 * max(1.0, np.abs(w).max()))
    assert np.all(np.minimum(gp, gn) == 1e-6)   # one device of each pair idles at g_min


def test_levels_quantize_conductances():
    w = np.random.default_rng(0).standard_normal((30, 20))
    xb = pim.Crossbar(w, levels=4)
    step = (xb.g_max - xb.g_low) / 3
    k = (np.concatenate([xb.g_pos, xb.g_neg]) - xb.g_low) / step
    np.testing.assert_allclose(k, np.round(k), atol=1e-9)
    assert len(np.unique(np.round(k))) <= 4


def _mean_error(sigma, seeds=range(8), **vmm):
    rng = np.random.default_rng(123)
    w = rng.standard_normal((64, 32))
    x = rng.uniform(0, 1, (16, 64))
    ref = x @ w
    errs = [np.mean(np.abs(pim.Crossbar(w, sigma=sigma, rng=s).vmm(x, **vmm) - ref)) for s in seeds]
    return np.mean(errs)


def test_more_variation_never_lowers_mean_error():
    errs = [_mean_error(s) for s in (0.0, 0.01, 0.03, 0.1, 0.3)]
    assert errs[0] < 1e-9
    assert all(a <= b for a, b in zip(errs, errs[1:]))


def test_more_adc_bits_never_raise_error():
    errs = [_mean_error(0.0, seeds=[0], adc_bits=b) for b in (3, 4, 6, 8, 12)]
    assert all(a >= b for a, b in zip(errs, errs[1:]))


def test_read_noise_has_the_predicted_spread():
    w = np.full((100, 1), 0.5)
    xb = pim.Crossbar(w, g_min=1e-6, g_max=1e-4)
    x = np.ones((20000, 100))
    y = xb.vmm(x, read_noise=0.05, rng=0)
    # per device G·(1 + 0.05·ε); both devices of 100 pairs contribute to the variance
    v = 0.2
    std_i = 0.05 * np.sqrt(100 * v**2 * (xb.g_pos[0, 0] ** 2 + xb.g_neg[0, 0] ** 2))
    expected = std_i / (v * xb.siemens_per_unit)
    assert np.std(y) == pytest.approx(expected, rel=0.03)
    assert np.mean(y) == pytest.approx(50.0, rel=1e-3)


def test_noise_is_seeded():
    w = np.random.default_rng(0).standard_normal((8, 4))
    a = pim.Crossbar(w, sigma=0.1, rng=7).vmm(np.ones(8), read_noise=0.1)
    b = pim.Crossbar(w, sigma=0.1, rng=7).vmm(np.ones(8), read_noise=0.1)
    np.testing.assert_array_equal(a, b)


@given(st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0.001, 0.2))
def test_drift_is_monotone_in_time(a, b, nu):
    t1, t2 = 1.0 + min(a, b), 1.0 + max(a, b)
    g1, g2 = pim.drift_conductance(1e-5, np.array([t1, t2]), nu)
    assert g2 <= g1 <= 1e-5


def test_drift_of_a_crossbar_composes_and_shrinks_outputs():
    w = np.random.default_rng(1).uniform(0.1, 1, (16, 4))
    xb = pim.Crossbar(w)
    day = xb.drift(86400.0, 0.05)
    twice = xb.drift(3600.0, 0.05).drift(86400.0, 0.05)
    np.testing.assert_allclose(day.g_pos, twice.g_pos, rtol=1e-12)
    np.testing.assert_allclose(day.vmm(np.ones(16)), (86400.0 ** -0.05) * (np.ones(16) @ w), rtol=1e-9)
    assert xb.age_s is None and day.age_s == 86400.0     # the original is unchanged
    years = [np.abs(xb.drift(t, 0.05, nu_sigma=0.01, rng=0).vmm(np.ones(16))).sum()
             for t in (1.0, 1e3, 1e6, 1e9)]
    assert all(a > b for a, b in zip(years, years[1:]))


def test_energy_parts_and_adc_dominance():
    w = np.random.default_rng(0).standard_normal((256, 256))
    e = pim.Crossbar(w).energy(adc_bits=8, dac_bits=8)
    assert e.total_j == pytest.approx(e.array_j + e.adc_j + e.dac_j)
    assert e.adc_j == pytest.approx(256 * 10e-15 * 256)
    assert e.adc_j > e.dac_j
    # the ADC energy doubles per extra bit
    e9 = pim.Crossbar(w).energy(adc_bits=9, dac_bits=8)
    assert e9.adc_j == pytest.approx(2 * e.adc_j)
    # the array's Joule heat is t·ΣV²G: all rows at 0.2 V for 10 ns
    xb = pim.Crossbar(np.ones((2, 1)), g_min=1e-6, g_max=1e-4)
    assert xb.energy().array_j == pytest.approx(10e-9 * 0.04 * 2 * (1e-4 + 1e-6))


def test_digital_energy_counts_macs_and_weight_bytes():
    e = pim.digital_vmm_energy(64, 10, "int8", "sram_8kb", batch=2)
    assert e.compute_j == pytest.approx(640 * 0.23e-12)
    assert e.weights_j == pytest.approx(640 * pim.energy_per_byte("sram_8kb") / 2)


def test_digits_mlp_on_ideal_crossbars_keeps_its_accuracy():
    net = workloads.digits_mlp()
    xbars = pim.crossbar_network(net.weights)
    assert workloads.accuracy(net, matmul=pim.crossbar_matmul(xbars)) == net.test_accuracy
    noisy = pim.crossbar_network(net.weights, sigma=1.0, rng=0)
    assert workloads.accuracy(net, matmul=pim.crossbar_matmul(noisy, adc_bits=2)) < net.test_accuracy


# ----------------------------------------------------------------- bad input
W = np.ones((3, 2))


@pytest.mark.parametrize("kwargs, match", [
    (dict(g_min=1e-4, g_max=1e-4), "g_min must be < g_max"),
    (dict(g_min=2e-4, g_max=1e-4), "g_min must be < g_max"),
    (dict(g_min=-1e-6), "g_min must be > 0"),
    (dict(levels=1), "levels must be >= 2"),
    (dict(levels=2.5), "levels must be an integer"),
    (dict(sigma=-0.1), "sigma must be >= 0"),
    (dict(sigma=float("nan")), "sigma must be finite"),
    (dict(on_off_ratio=1.0), "on_off_ratio must be in"),
])
def test_bad_crossbar_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pim.Crossbar(W, **kwargs)


@pytest.mark.parametrize("call, match", [
    (lambda: pim.Crossbar(np.ones(3)), "weights must be a 2-D array"),
    (lambda: pim.Crossbar([[1.0, np.inf]]), "weights must be finite"),
    (lambda: pim.Crossbar(W).vmm(np.ones(4)), "x must have 3 entries"),
    (lambda: pim.Crossbar(W).vmm(np.ones(3), adc_bits=1), "adc_bits must be >= 2"),
    (lambda: pim.Crossbar(W).vmm(np.ones(3), read_noise=-1), "read_noise must be >= 0"),
    (lambda: pim.Crossbar(W).drift(0.5, 0.05), "t_s must be >="),
    (lambda: pim.Crossbar(W).drift(10.0, 0.05).drift(5.0, 0.05), "t_s must be >="),
    (lambda: pim.Crossbar(W).drift(10.0, 1.5), "nu must be in"),
    (lambda: pim.Crossbar(W).energy(adc_bits=0), "adc_bits must be >= 1"),
    (lambda: pim.column_currents(np.ones(2), np.ones((3, 2))), "voltage_v must have 3 entries"),
    (lambda: pim.column_currents(np.ones(3), -np.ones((3, 2))), "conductance_s must be >= 0"),
    (lambda: pim.crossbar_matmul(pim.crossbar_network([W]))(0, np.ones((1, 2)), np.ones((2, 2))),
     "do not match"),
    (lambda: pim.movement_energy(-1, "hbm2"), "n_bytes must be >= 0"),
    (lambda: pim.movement_energy(1, "hbm9"), "level must be one of"),
    (lambda: pim.mac_energy("int7"), "number must be one of"),
    (lambda: pim.roofline(-1, 1e12, 1e12), "intensity must be >= 0"),
    (lambda: pim.roofline(1, 0, 1e12), "peak_flops must be > 0"),
    (lambda: pim.roofline(1, 1e12, np.nan), "bandwidth_bytes_per_s must be > 0"),
    (lambda: pim.arithmetic_intensity(1, 0), "n_bytes must be > 0"),
    (lambda: pim.decode_step(7e9, 2, 0.5, "H100"), "batch must be in"),
    (lambda: pim.decode_step(-1, 2, 1, "H100"), "parameters must be > 0"),
    (lambda: pim.decode_step(7e9, 2, 1, "H999"), "no chip named"),
    (lambda: pim.decode_step(7e9, 2, 1, "P100"), "no memory bandwidth"),
    (lambda: pim.decode_step(7e9, 2, 1, "H100", pj_per_byte=0), "pj_per_byte must be > 0"),
    (lambda: pim.kv_cache_bytes(32, 4096, 10, kv_fraction=0), "kv_fraction must be in"),
    (lambda: pim.drift_conductance(1e-5, 10.0, -0.1), "nu must be in"),
    (lambda: pim.converter_energy(0), "bits must be in"),
    (lambda: pim.digital_vmm_energy(0, 4), "n_inputs must be >= 1"),
])
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ----------------------------------------------------------------- explorers and lab checks
def test_memory_wall_explorer_reports_the_decode_model():
    from energylab.widgets import ch05

    ex = ch05.memory_wall_explorer()
    assert ex.png.startswith(b"\x89PNG")
    r1 = ex.result
    r64 = ex.set(batch=64).result
    s = pim.decode_step(7e9, 2, 64, "H100")
    assert r64["j_per_token"] == pytest.approx(s.energy_per_token_j)
    assert r64["j_per_token"] < r1["j_per_token"] and r64["memory_share"] < r1["memory_share"]
    with pytest.raises(ValueError):
        ex.set(batch=0)


def test_crossbar_explorer_accuracy_falls_with_variation():
    from energylab.widgets import ch05

    ex = ch05.crossbar_explorer(levels=0, sigma=0.0, read_noise=0.0, adc_bits=12, nu_sigma=0.0)
    ideal = ex.result
    assert ideal["accuracy"] == pytest.approx(ideal["ideal_accuracy"], abs=0.005)
    assert ideal["analog_j"] < ideal["digital_j"]
    worse = ex.set(sigma=0.5, read_noise=0.3, adc_bits=3).result
    assert worse["accuracy"] < ideal["accuracy"] and worse["relative_error"] > ideal["relative_error"]


def test_lab05_expected_answers_follow_the_models():
    from energylab.checks import expected, lab05, verdict

    assert expected("lab05.ridge_a100") == pytest.approx(312e12 / 2.039e12)
    assert expected("lab05.memory_share_b1") > 0.9 > expected("lab05.memory_share_b64")
    np.testing.assert_allclose(expected("lab05.currents"),
                               pim.Crossbar(lab05.LAYER_WEIGHTS, lab05.LAYER_G_MIN, lab05.LAYER_G_MAX)
                               .currents(lab05.LAYER_VOLTAGES_V), rtol=1e-12)
    # the variation threshold really loses a point, the grid step before does not
    net = workloads.digits_mlp()
    s = expected("lab05.sigma_one_point")
    assert pim.analog_accuracy(net, sigma=s, seeds=lab05.SIGMA_SEEDS) <= net.test_accuracy - 0.01
    assert pim.analog_accuracy(net, sigma=s - 0.02, seeds=lab05.SIGMA_SEEDS) > net.test_accuracy - 0.01
    assert verdict("lab05.pim_bound_b64", expected("lab05.pim_bound_b64"))
    assert not verdict("lab05.pim_bound_b1", 100.0)


def test_memory_wall_explorer_flags_models_that_do_not_fit():
    from energylab.widgets import ch05

    ex = ch05.memory_wall_explorer()
    assert ex.result["fits_in_memory"]
    assert not ex.set(parameters_b=100.0).result["fits_in_memory"]   # 200 GB of FP16 weights > 80 GB


def test_energy_roofline_balance_point():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from energylab.widgets import ch05

    r = ch05.plot_energy_roofline(Figure().subplots())
    # Datasheet and paper values, not the code's: H100 SXM 700 W over 989.4 TFLOP/s dense
    # FP16; HBM2 3.97 pJ/bit (O'Connor et al. 2017) = 31.76 pJ/B; 3.35 TB/s.
    e_flop, e_byte = 700.0 / 989.4e12, 8 * 3.97e-12
    assert r["j_per_flop"] == pytest.approx(e_flop, rel=1e-9)
    assert r["j_per_byte"] == pytest.approx(e_byte, rel=1e-3)
    assert r["energy_balance"] == pytest.approx(e_byte / e_flop, rel=1e-3)   # ≈ 45 FLOP/B
    assert r["ridge"] == pytest.approx(989.4e12 / 3.35e12, rel=1e-9)          # ≈ 295 FLOP/B
    assert r["energy_balance"] < r["ridge"]
