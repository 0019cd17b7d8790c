"""Tests of energylab.precision: formats, quantization, error theory, energy per bit."""

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from energylab import datasets, precision as P

FLOATS = ["fp32", "fp16", "bf16", "fp8_e4m3", "fp8_e5m2", "fp4_e2m1"]
ML_DTYPES = {"fp32": np.float32, "fp16": np.float16, "bf16": ml_dtypes.bfloat16,
             "fp8_e4m3": ml_dtypes.float8_e4m3fn, "fp8_e5m2": ml_dtypes.float8_e5m2,
             "fp4_e2m1": ml_dtypes.float4_e2m1fn}


def _bits(a):
    a = np.asarray(a)
    return a.view({1: np.uint8, 2: np.uint16, 4: np.uint32}[a.dtype.itemsize])


def _nasty(rng, n=20000, with_nan=True):
    """Random values spanning every format's range, plus overflow, subnormals, ties, NaN."""
    x = rng.normal(size=n) * 10.0 ** rng.uniform(-12, 6, size=n)
    specials = [0.0, -0.0, 448.0, 464.0, 465.0, 1e6, -1e6, 57344.0, 61440.0, 65504.0, 65520.0,
                2.0 ** -9, 2.0 ** -10, 2.0 ** -17, 2.0 ** -24, 2.0 ** -25, 1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8,
                np.inf, -np.inf, 3.4e38, 1e-45, 6.0, 7.0, 0.25, 0.75]
    if with_nan:
        specials.append(np.nan)
    return np.concatenate([x, specials])


# --------------------------------------------------------------------------- formats
def test_format_keys_are_the_contract():
    assert {"fp32", "tf32", "fp16", "bf16", "fp8_e4m3", "fp8_e5m2", "int8", "int4"} <= set(P.FORMATS)
    for name, spec in P.FORMATS.items():
        assert spec.name == name
        if spec.kind == "fp":
            assert spec.bits == 1 + spec.exponent_bits + spec.mantissa_bits
        else:
            assert spec.exponent_bits == 0 and spec.mantissa_bits == spec.bits - 1


@pytest.mark.parametrize("fmt, eps, fmax, tiny, sub, has_inf", [
    ("fp32", 2.0 ** -23, float(np.finfo(np.float32).max), 2.0 ** -126, 2.0 ** -149, True),
    ("tf32", 2.0 ** -10, (2 - 2.0 ** -10) * 2.0 ** 127, 2.0 ** -126, 2.0 ** -136, True),
    ("fp16", 2.0 ** -10, 65504.0, 2.0 ** -14, 2.0 ** -24, True),
    ("bf16", 2.0 ** -7, float(ml_dtypes.finfo(ml_dtypes.bfloat16).max), 2.0 ** -126, 2.0 ** -133, True),
    ("fp8_e4m3", 2.0 ** -3, 448.0, 2.0 ** -6, 2.0 ** -9, False),    # Micikevicius et al. 2022, Table 1
    ("fp8_e5m2", 2.0 ** -2, 57344.0, 2.0 ** -14, 2.0 ** -16, True),
    ("fp4_e2m1", 0.5, 6.0, 1.0, 0.5, False),                        # OCP MX spec
])
def test_format_info_known_values(fmt, eps, fmax, tiny, sub, has_inf):
    i = P.format_info(fmt)
    assert (i.eps, i.max, i.min_normal, i.min_subnormal, i.has_inf) == (eps, fmax, tiny, sub, has_inf)
    assert i.eps == 2.0 ** -P.FORMATS[fmt].mantissa_bits


def test_int_format_info_and_intN():
    assert P.format_info("int8").max == 127 and P.format_info("int4").max == 7
    assert not P.format_info("int8").has_nan
    assert P.format_spec("int6").bits == 6 and P.format_spec("INT12").bits == 12


@pytest.mark.parametrize("fmt, n_positive", [("fp8_e4m3", 126), ("fp8_e5m2", 123), ("fp16", 31743),
                                              ("fp4_e2m1", 7), ("int8", 127), ("int4", 7),
                                              ("tf32", 2 ** 18 - 2 ** 10 - 1)])
def test_representable_values_count(fmt, n_positive):
    pos = P.representable_values(fmt, positive_only=True)
    assert len(pos) == n_positive and np.all(np.diff(pos) > 0)
    assert pos[-1] == P.format_info(fmt).max
    allv = P.representable_values(fmt)
    assert len(allv) == 2 * n_positive + 1 and np.array_equal(allv, -allv[::-1])


def test_values_per_binade_is_two_to_the_mantissa():
    pos = P.representable_values("fp8_e4m3", positive_only=True)
    assert np.sum((pos >= 1) & (pos < 2)) == 2 ** 3
    pos = P.representable_values("bf16", positive_only=True)
    assert np.sum((pos >= 1) & (pos < 2)) == 2 ** 7


# --------------------------------------------------------------------------- float rounding
@pytest.mark.parametrize("fmt", FLOATS)
@pytest.mark.parametrize("src", [np.float32, np.float64])
def test_quantize_is_bit_exact_with_ml_dtypes(fmt, src):
    rng = np.random.default_rng(7)
    x = _nasty(rng, with_nan=fmt != "fp4_e2m1").astype(src)
    q = P.quantize(x, fmt)
    with np.errstate(over="ignore"):
        ref = x.astype(ML_DTYPES[fmt])
    assert q.codes.dtype == ref.dtype
    assert np.array_equal(_bits(q.codes), _bits(ref))


def test_special_values_follow_each_format():
    x = np.array([1000.0, np.inf, np.nan])
    e4m3 = P.quantize(x, "fp8_e4m3").codes.astype(float)
    assert np.isnan(e4m3).all()                       # E4M3FN: no inf, overflow gives NaN
    e5m2 = P.quantize(x, "fp8_e5m2").codes.astype(float)
    assert e5m2[0] == 1024 and np.isinf(e5m2[1]) and np.isnan(e5m2[2])
    assert np.isinf(P.quantize(1e5, "fp8_e5m2").codes.astype(float))   # beyond 57344 + half step
    sat = P.quantize(x, "fp8_e4m3", saturate=True).values
    assert sat[0] == 448 and sat[1] == 448 and np.isnan(sat[2])


def test_tf32_matches_fp16_rounding_where_fp16_is_normal():
    # TF32 and FP16 share the 10-bit mantissa, so inside FP16's normal range they round alike.
    rng = np.random.default_rng(3)
    x = (rng.uniform(-1, 1, 200000) * 2.0 ** rng.integers(-13, 15, 200000)).astype(np.float32)
    ties = (1 + (2 * np.arange(1, 100) + 1) * 2.0 ** -11).astype(np.float32)   # exact halfway
    x = np.concatenate([x, ties, -ties])
    x = x[(np.abs(x) >= 2.0 ** -14) & (np.abs(x) < 65504)]
    t = P.quantize(x, "tf32").codes
    assert np.array_equal(t, x.astype(np.float16).astype(np.float32))


def test_tf32_grid_range_and_specials():
    rng = np.random.default_rng(4)
    x = (rng.normal(size=50000) * 10.0 ** rng.uniform(-40, 38, 50000)).astype(np.float32)
    t = P.quantize(x, "tf32").codes
    assert np.all(_bits(t) & np.uint32(0x1FFF) == 0)            # 13 low mantissa bits cleared
    below, above = P.neighbours(x.astype(float), "tf32")
    err = np.abs(t.astype(float) - x.astype(float))
    assert np.all(err <= (above - below) / 2)                     # nearest representable
    s = P.quantize(np.array([np.inf, -np.inf, np.nan, np.finfo(np.float32).max, 0.0], dtype=np.float32), "tf32").codes
    assert np.isposinf(s[0]) and np.isneginf(s[1]) and np.isnan(s[2]) and np.isposinf(s[3]) and s[4] == 0


@pytest.mark.parametrize("fmt", ["fp32", "tf32", "fp16", "bf16", "fp8_e4m3"])
def test_scalar_in_scalar_out(fmt):
    # A 0-d input keeps its shape in every float format (TF32 once returned a 1-element
    # array, which broke float(...) in the formats explorer).
    q = P.fake_quantize(0.3, fmt)
    assert np.shape(q) == () and np.shape(P.quantize(np.float32(0.3), fmt).codes) == ()
    assert abs(float(q) - 0.3) <= 0.3 * P.format_info(fmt).eps / 2


@given(arrays(np.float32, st.integers(1, 40), elements=st.floats(-1e4, 1e4, width=32)),
       st.sampled_from(FLOATS[1:5] + ["tf32"]))
@settings(max_examples=80, deadline=None)
def test_float_rounding_picks_a_nearest_neighbour(x, fmt):
    q = P.fake_quantize(x, fmt)
    below, above = P.neighbours(x.astype(float), fmt)
    finite = np.isfinite(q)
    assert np.all((q[finite] == below[finite]) | (q[finite] == above[finite]))
    gap = np.abs(above - below)
    ok = finite & np.isfinite(gap)
    assert np.all(np.abs(q - x)[ok] <= gap[ok] / 2)


@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(-1e3, 1e3)),
       st.sampled_from(list(P.FORMATS) + ["int3", "int12"]))
@settings(max_examples=80, deadline=None)
def test_quantization_is_idempotent(x, fmt):
    q = P.quantize(x, fmt, saturate=True) if P.FORMATS.get(fmt, P.format_spec(fmt)).kind == "fp" \
        else P.quantize(x, fmt)
    again = P.quantize(q.values, fmt, scale=q.scale if q.fmt.startswith("int") else None)
    assert np.array_equal(P.dequantize(again), q.values)


# --------------------------------------------------------------------------- integers
def test_int_error_bounded_inside_range_and_saturating_outside():
    rng = np.random.default_rng(1)
    x = rng.uniform(-3, 3, 10000)
    for fmt, qmax in [("int8", 127), ("int4", 7), ("int6", 31)]:
        scale = 2.0 / qmax
        q = P.quantize(x, fmt, scale=scale)
        inside = np.abs(x) <= qmax * scale
        err = np.abs(q.values - x)
        assert np.all(err[inside] <= scale / 2 + 1e-15)
        assert np.all(q.values[x > qmax * scale] == qmax * scale)
        assert np.all(q.values[x < -qmax * scale] == -qmax * scale)
        assert np.abs(q.codes.astype(int)).max() == qmax


def test_int4_saturates_where_ml_dtypes_wraps():
    x = np.array([9.0, -9.0, 100.0])
    assert x.astype(ml_dtypes.int4).astype(int).tolist() == [-7, 7, 4]      # wrap-around
    q = P.quantize(x, "int4", scale=1.0)
    assert q.codes.dtype == np.dtype(ml_dtypes.int4)
    assert q.codes.astype(int).tolist() == [7, -7, 7]


def test_per_tensor_scale_maps_max_to_qmax():
    rng = np.random.default_rng(2)
    w = rng.normal(size=(64, 10))
    q = P.quantize(w, "int8")
    assert q.scale.shape == (1, 1)
    assert np.isclose(q.scale.item(), np.abs(w).max() / 127)
    assert np.abs(q.codes.astype(int)).max() == 127


def test_per_channel_beats_per_tensor_on_uneven_channels():
    rng = np.random.default_rng(5)
    w = rng.normal(size=(64, 16)) * np.geomspace(0.01, 1, 16)     # channels of very different size
    per_t = P.quantize(w, "int4")
    per_c = P.quantize(w, "int4", axis=1)
    assert per_c.scale.shape == (1, 16)
    assert np.all(np.abs(per_c.codes.astype(int)).max(axis=0) == 7)   # every channel uses its range
    assert P.sqnr_db(w, per_c) > P.sqnr_db(w, per_t) + 3
    assert np.allclose(P.dequantize(per_c.codes, "int4", per_c.scale), per_c.values)


def test_zero_channel_gets_unit_scale():
    w = np.zeros((3, 2))
    w[:, 1] = [1.0, -2.0, 0.5]
    q = P.quantize(w, "int8", axis=1)
    assert q.scale[0, 0] == 1.0 and np.all(q.values[:, 0] == 0)


# --------------------------------------------------------------------------- error and theory
@pytest.mark.parametrize("bits", range(4, 13))
def test_sqnr_rule_on_uniform_data(bits):
    rng = np.random.default_rng(bits)
    x = rng.uniform(-1, 1, 200000)
    measured = P.sqnr_db(x, P.quantize(x, f"int{bits}", scale=1 / (2 ** (bits - 1) - 1)))
    assert abs(measured - P.sqnr_theory_db(bits, "uniform")) < 0.5
    # the textbook rule 6.02 b dB (2**b levels) sits above the symmetric quantizer by 20 log10(2**b/(2**b-2))
    gap = P.sqnr_theory_db(bits, "uniform", symmetric=False) - P.sqnr_theory_db(bits, "uniform")
    assert np.isclose(gap, 20 * np.log10(2 ** bits / (2 ** bits - 2)))
    assert np.isclose(P.sqnr_theory_db(bits, "uniform", symmetric=False), 20 * bits * np.log10(2))


def test_sqnr_rule_on_a_sine():
    t = np.linspace(0, 1, 100000, endpoint=False)
    x = np.sin(2 * np.pi * 50.3 * t)
    for bits in (8, 10, 12):
        measured = P.sqnr_db(x, P.quantize(x, f"int{bits}", scale=1 / (2 ** (bits - 1) - 1)))
        assert abs(measured - (6.02 * bits + 1.76)) < 0.5


def test_error_measures():
    e = P.quantization_error([1.0, -1.0, 2.0], [1.0, -1.5, 2.0])
    assert e.max_abs == 0.5 and np.isclose(e.rms, np.sqrt(0.25 / 3))
    assert np.isclose(e.sqnr_db, 10 * np.log10(6 / 0.25))
    assert P.sqnr_db([1.0, 2.0], [1.0, 2.0]) == np.inf
    assert P.sqnr_db([1.0, 2.0], [np.inf, 2.0]) == -np.inf


def test_float_sqnr_is_scale_free_and_grows_with_mantissa():
    rng = np.random.default_rng(0)
    x = rng.normal(size=100000)
    s = {f: P.sqnr_db(x, P.quantize(x, f)) for f in ["fp8_e5m2", "fp8_e4m3", "bf16", "fp16"]}
    assert s["fp8_e5m2"] < s["fp8_e4m3"] < s["bf16"] < s["fp16"]
    assert abs(P.sqnr_db(1000 * x, P.quantize(1000 * x, "bf16")) - s["bf16"]) < 0.2
    # each extra mantissa bit is worth about 6 dB
    assert abs((s["fp16"] - s["bf16"]) / 3 - 6.02) < 0.3


@pytest.mark.parametrize("fmt", ["fp16", "bf16", "fp8_e4m3", "fp8_e5m2", "tf32"])
def test_float_sqnr_theory_on_gaussian_data_at_any_scale(fmt):
    rng = np.random.default_rng(11)
    for sigma in (0.25, 1.0, 30.0):   # inside every format's normal range
        x = sigma * rng.normal(size=200000)
        assert abs(P.sqnr_db(x, P.quantize(x, fmt)) - P.float_sqnr_theory_db(fmt)) < 0.5


def test_running_sum_stalls_in_bf16():
    s = P.running_sum(np.ones(1000), "bf16")
    assert s[-1] == 256 and s[255] == 256                      # 256 + 1 is a tie, rounds to even
    assert np.all(np.diff(s) >= 0)
    assert P.running_sum(np.ones(1000), "fp32")[-1] == 1000


# --------------------------------------------------------------------------- energy and memory
def test_op_energy_reproduces_the_table():
    table = datasets.load("energy_per_op")
    for _, row in table.iterrows():
        got = P.op_energy(row["operation"], row["bits"], row["number_kind"])
        assert np.isclose(got, row["energy_j"], rtol=1e-9)
    assert np.isclose(P.op_energy("mac", 8, "int"), 0.23e-12)
    assert np.isclose(P.op_energy("mac", 32, "fp"), 4.6e-12)


def test_energy_exponents_adder_linear_multiplier_quadratic():
    assert 0.8 < P.energy_fit("add", "int").exponent < 1.2
    assert 1.9 < P.energy_fit("mul", "int").exponent < 2.1
    assert P.energy_fit("mul", "fp").exponent > P.energy_fit("add", "fp").exponent
    b = np.arange(2, 65)
    for op in ("add", "mul", "mac"):
        for kind in ("int", "fp"):
            assert np.all(np.diff(P.op_energy(op, b, kind)) > 0)


def test_memory_bytes():
    assert P.memory_bytes(70e9, "fp16") == 140e9 and P.memory_bytes(70e9, "int8") == 70e9
    assert P.memory_bytes(10, "int4") == 5 and P.memory_bytes(10, "int4", n_scales=1) == 9
    assert np.allclose(P.memory_bytes([1, 2], "fp32"), [4, 8])


def test_chip_energy_per_op():
    assert np.isclose(P.chip_energy_per_op("H100", "fp16"), 700 / 989.4e12)
    assert np.isclose(P.chip_energy_per_op("H100", "fp8") * 2, P.chip_energy_per_op("H100", "fp16"),
                      rtol=1e-3)
    assert np.isclose(P.chip_energy_per_op("H100", "fp8", sparse=True),
                      P.chip_energy_per_op("H100", "fp8") / 2)


def test_forward_pass_energy_scales_with_bits():
    e8 = P.forward_pass_energy(1000, 1000, "int8")
    e4 = P.forward_pass_energy(1000, 1000, "int4")
    assert np.isclose(e4.memory_j * 2, e8.memory_j)
    assert e4.compute_j < e8.compute_j and e8.total_j == e8.compute_j + e8.memory_j


# --------------------------------------------------------------------------- the digits MLP
def test_digits_accuracy_by_format():
    from energylab import workloads

    base = workloads.digits_mlp().test_accuracy
    assert P.digits_accuracy("fp32") == base
    for fmt in ("bf16", "fp16", "int8"):
        assert abs(P.digits_accuracy(fmt) - base) < 0.005
    assert P.digits_accuracy("int2") < 0.5                                # two bits break it
    assert P.digits_accuracy("int3", per_channel=True) > P.digits_accuracy("int3") + 0.01
    assert P.digits_accuracy("fp4_e2m1", per_channel=True) > P.digits_accuracy("fp4_e2m1") + 0.02


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, match", [
    (lambda: P.format_spec("fp9"), "fp8_e4m3"),
    (lambda: P.format_spec("int1"), "intN"),
    (lambda: P.quantize([1.0, np.nan], "int8"), "finite"),
    (lambda: P.quantize([1.0, np.inf], "int4"), "finite"),
    (lambda: P.quantize([1.0, np.nan], "fp4_e2m1"), "NaN"),
    (lambda: P.quantize([1.0], "int8", scale=-1.0), "scale"),
    (lambda: P.quantize([1.0], "int8", scale=1.0, axis=0), "axis"),
    (lambda: P.quantize([1.0], "bf16", axis=0), "axis"),
    (lambda: P.quantize(np.ones((2, 3)), "int8", axis=2), "axis"),
    (lambda: P.quantize(np.ones((2, 3)), "int8", scale=np.ones(2)), "broadcast"),
    (lambda: P.quantize([], "int8"), "empty"),
    (lambda: P.int_scale([1.0], "bf16"), "integer"),
    (lambda: P.dequantize([1, 2]), "fmt"),
    (lambda: P.dequantize(P.quantize([1.0], "int8"), "int4"), "match"),
    (lambda: P.sqnr_db([0.0, 0.0], [0.0, 0.0]), "zero"),
    (lambda: P.sqnr_db([1.0, 2.0], [1.0]), "shape"),
    (lambda: P.sqnr_theory_db(1), "bits"),
    (lambda: P.float_sqnr_theory_db("int8"), "float format"),
    (lambda: P.sqnr_theory_db(8, "square"), "signal"),
    (lambda: P.op_energy("div", 8, "int"), "op"),
    (lambda: P.op_energy("add", 8, "posit"), "kind"),
    (lambda: P.op_energy("add", 128, "int"), "bits"),
    (lambda: P.memory_bytes(-1, "int8"), "n_values"),
    (lambda: P.running_sum([1.0], "int8"), "float format"),
    (lambda: P.running_sum([[1.0]], "bf16"), "1-D"),
    (lambda: P.representable_values("fp32"), "19 bits"),
    (lambda: P.neighbours(np.nan, "bf16"), "finite"),
    (lambda: P.chip_energy_per_op("H100", "int4"), "int4"),
    (lambda: P.forward_pass_energy(10, 10, "int8", memory="tape"), "memory"),
])
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- lab 4 checks
def test_lab04_expected_answers(capsys):
    from energylab.checks import check, expected, question_ids, verdict

    assert expected("lab04.fp8_decode") == 26.0                        # 2**(11-7) * (1 + 5/8)
    assert expected("lab04.fp8_decode_subnormal") == -3 / 8 * 2.0 ** -6
    assert expected("lab04.int8_sqnr_per_channel") > expected("lab04.int8_sqnr_per_tensor")
    assert 3 <= expected("lab04.fewest_bits") <= 8
    assert 5 < expected("lab04.memory_saving") < 32 / expected("lab04.fewest_bits")
    assert np.isclose(expected("lab04.h100_fp8_dense_tflops"), 1978.9, rtol=1e-3)
    assert expected("lab04.h100_claim_is_sparse") is True
    from _check_tolerance import assert_tolerance_is_honoured

    assert question_ids("lab04") and assert_tolerance_is_honoured("lab04") >= 3
    assert not verdict("lab04.fp8_decode", 24.0)
    check("lab04.fp8_decode", 24.0)
    assert "✘" in capsys.readouterr().out


def test_chapter4_explorer_results_match_models():
    from energylab.widgets import ch04

    r = ch04.formats_explorer(fmt="bf16", value=1.01).result
    assert (r["below"], r["above"], r["rounded"]) == (1.0078125, 1.015625, 1.0078125)
    assert r["eps"] == 2.0 ** -7
    r = ch04.formats_explorer(fmt="int8", value=300.0).result
    assert r["rounded"] == 127 and r["above"] == np.inf       # saturates beyond the range
    r = ch04.quantization_explorer(fmt="int4", per_channel=True).result
    assert r["accuracy"] == P.digits_accuracy("int4", per_channel=True)
    assert abs(r["sqnr_db"] - r["theory_db"]) < 1.5             # uniform-noise theory, Δ²/12
    with pytest.raises(ValueError):
        ch04.formats_explorer(value=1e9)                           # beyond the slider
