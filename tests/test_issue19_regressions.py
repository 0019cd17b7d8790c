"""Each silent wrong answer reported in issue 19, as a test of its right answer or its error."""

import numpy as np
import pytest

from energylab import cooling, datasets, footprint, measure, pim, precision, scaling, validate, workloads


def test_a_string_flag_is_not_true():
    dense = datasets.peak_flops("H100", "fp16")
    assert datasets.peak_flops("H100", "fp16", sparse=True) == 2 * dense
    with pytest.raises(ValueError, match="sparse must be True or False"):
        datasets.peak_flops("H100", "fp16", sparse="False")


@pytest.mark.parametrize("value, word", [("3", "str"), (True, "bool"), (None, "None"),
                                         (np.array([1 + 2j]), "complex")])
def test_as_array_takes_only_real_numbers(value, word):
    with pytest.raises(ValueError, match=word):
        validate.as_array("x", value)


def test_infinite_inputs_are_errors_not_infinite_answers():
    with pytest.raises(ValueError, match="pue must be finite"):
        cooling.facility_energy(1.0, np.inf)
    with pytest.raises(ValueError, match="batch must be finite"):
        pim.decode_step(7e9, 2, np.inf, "H100")


def test_decode_step_prices_each_precision_at_its_own_peak():
    both = pim.decode_step(70e9, np.array([2.0, 0.5]), 64, "H100")
    one_by_one = [pim.decode_step(70e9, b, 64, "H100").compute_time_s for b in (2.0, 0.5)]
    np.testing.assert_allclose(both.compute_time_s, one_by_one, rtol=1e-12)
    # FP16 runs at half the FP8 peak on an H100 (989.4 vs 1,978.9 TFLOP/s dense)
    assert one_by_one[0] / one_by_one[1] == pytest.approx(1978.9 / 989.4, rel=1e-3)


def test_drift_never_raises_a_conductance():
    with pytest.raises(ValueError, match="t_s must be >= t0_s"):
        pim.drift_conductance(1e-5, np.array([5.0, 20.0]), 0.05, t0_s=np.array([10.0, 10.0]))
    g = pim.drift_conductance(1e-5, np.array([10.0, 20.0]), 0.05, t0_s=10.0)
    assert np.all(g <= 1e-5)


def test_a_drifted_copy_does_not_change_its_parents_next_read():
    w = np.random.default_rng(1).standard_normal((8, 4))
    x = np.ones(8)
    a = pim.Crossbar(w, sigma=0.05, rng=3)
    b = pim.Crossbar(w, sigma=0.05, rng=3)
    aged = b.drift(1e4, 0.05, nu_sigma=0.02)
    aged.vmm(x, read_noise=0.1)
    np.testing.assert_array_equal(a.vmm(x, read_noise=0.1), b.vmm(x, read_noise=0.1))


def test_unknown_names_are_errors():
    with pytest.raises(ValueError, match="did you mean 'Language'"):
        scaling.select_models(domain="Langauge")
    with pytest.raises(ValueError, match="label must be one of"):
        footprint.site("Mars")


def test_a_nan_quantizer_is_an_error_not_ten_percent():
    net = workloads.digits_mlp()
    with pytest.raises(ValueError, match="not finite"):
        workloads.accuracy(net, activation_fn=lambda h: h * np.nan)


def test_divergent_training_is_an_error_not_nan_weights():
    net = workloads.digits_mlp()
    masks = [np.ones(w.shape, bool) for w in net.weights]
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="diverge"):
        workloads.finetune(net, masks, epochs=1, learning_rate=1e300)


def test_loops_have_bounds():
    net = workloads.digits_mlp()
    masks = [np.ones(w.shape, bool) for w in net.weights]
    with pytest.raises(ValueError, match="epochs must be <="):
        workloads.finetune(net, masks, epochs=1e300)
    with pytest.raises(ValueError, match="repeat must be <="):
        measure.energy(lambda: None, repeat=10**30)


def test_throttling_with_a_step_far_below_rc_stays_finite():
    kw = dict(r_th_k_per_w=0.1, t_max_k=358.15, t_ambient_k=308.15, f_max_hz=2e9, p_at_f_max_w=700.0)
    # dt/RC = 1e-16: 1 − exp(−dt/RC) rounds to 0, which divided the capped power by zero
    r = cooling.simulate_throttling(1.0, 1e-3, c_th_j_per_k=1e14, t_start_k=358.15, **kw)
    assert np.all(np.isfinite(r.frequency_hz)) and np.all(np.isfinite(r.power_w))
    assert np.all(r.temperature_k <= 358.15)
    # Held at t_max, the chip may draw exactly (t_max − t_amb)/R = 500 W, so its clock is
    # f_max·(500/700)^(1/3) whatever C is; 1 − a computed as 1 − exp(·) drifted from it.
    for c in (1e10, 1e12):
        r = cooling.simulate_throttling(0.1, 1e-3, c_th_j_per_k=c, t_start_k=358.15, **kw)
        np.testing.assert_allclose(r.power_w, 500.0, rtol=1e-9)
        np.testing.assert_allclose(r.frequency_hz, 2e9 * (500 / 700) ** (1 / 3), rtol=1e-9)
    # a milder dt ≪ RC still conserves energy: heat in = heat stored + heat removed
    r = cooling.simulate_throttling(1.0, 1e-3, c_th_j_per_k=1e5, t_start_k=358.0, **kw)
    assert r.heat_in_j == pytest.approx(r.heat_stored_j + r.heat_removed_j, rel=1e-6)


def test_overflowing_float_format_is_documented_and_saturate_removes_it():
    assert np.isnan(precision.fake_quantize(1e6, "fp8_e4m3"))          # E4M3 has no inf
    assert precision.fake_quantize(1e6, "fp8_e4m3", saturate=True) == 448.0
