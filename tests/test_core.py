"""Core of energylab: validators, datasets and their sources, checks, imports."""

import subprocess
import sys
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from energylab import checks, constants, datasets, validate

DATA = resources.files("energylab") / "data"


# ------------------------------------------------------------------ constants
def test_constants_are_codata_exact():
    assert constants.BOLTZMANN_J_PER_K == 1.380649e-23
    assert constants.ELEMENTARY_CHARGE_C == 1.602176634e-19
    assert constants.PLANCK_J_S == 6.62607015e-34
    assert constants.J_PER_KWH == 1000 * constants.J_PER_WH == 3.6e6
    assert constants.J_PER_MWH == 1000 * constants.J_PER_KWH
    assert constants.LITRES_PER_US_GALLON == 3.785411784
    assert constants.LN2 == pytest.approx(np.log(2), rel=1e-15)
    assert constants.SECONDS_PER_DAY == 24 * constants.SECONDS_PER_HOUR


# ------------------------------------------------------------------ validators
@pytest.mark.parametrize("fn,args,msg", [
    (validate.positive, ("temperature_k", -3), "temperature_k must be > 0, got -3"),
    (validate.positive, ("power_w", 0.0), "power_w must be > 0, got 0"),
    (validate.positive, ("power_w", float("nan")), "power_w must be > 0, got nan"),
    (validate.positive, ("power_w", float("inf")), "power_w must be finite and > 0, got inf"),
    (validate.nonnegative, ("energy_j", [1.0, -2.0]), "energy_j must be >= 0, got -2"),
    (validate.fraction, ("activity", 1.5), "activity must be in [0, 1], got 1.5"),
    (validate.fraction, ("activity", float("nan")), "activity must be in [0, 1], got nan"),
    (validate.in_range, ("sparsity", 1.0, 0.0, 1.0, True, False), "sparsity must be in [0, 1), got 1"),
    (validate.finite, ("x", [1.0, np.inf]), "x must be finite (no NaN or inf), got inf"),
    (validate.integer, ("bits", 2.5), "bits must be an integer, got 2.5"),
    (validate.integer, ("bits", 0, 1), "bits must be >= 1, got 0"),
    (validate.as_array, ("x", "abc"), "x must be a number or an array of numbers, got a str ('abc')"),
    (validate.as_array, ("x", "3"), "x must be a number or an array of numbers, got a str ('3')"),
    (validate.as_array, ("x", None), "x must be a number or an array of numbers, got None"),
    (validate.as_array, ("x", True), "x must be a number or an array of numbers, got a bool (True)"),
    (validate.as_array, ("x", np.array([1 + 1j])), "x must be a number or an array of numbers, got complex numbers"),
    (validate.as_array, ("x", [[1.0, 2.0], [3.0]]),
     "x must be a number or an array of numbers of one shape (not a ragged list), got a list"),
    (validate.in_range, ("pue", float("inf"), 1.0, float("inf")), "pue must be finite and in [1, inf], got inf"),
    (validate.flag, ("sparse", "False"), "sparse must be True or False, got a str ('False')"),
    (validate.flag, ("sparse", 1), "sparse must be True or False, got 1"),
    (validate.integer, ("epochs", 10**30, 1, 10**6), "epochs must be <= 1000000, got " + str(10**30)),
    (validate.as_array, ("x", []), "x must not be empty"),
])
def test_validators_name_parameter_value_and_range(fn, args, msg):
    with pytest.raises(ValueError) as err:
        fn(*args)
    assert str(err.value) == msg


def test_validators_pass_good_values_through():
    assert validate.positive("x", 2) == 2.0
    np.testing.assert_array_equal(validate.fraction("a", [0.0, 0.5, 1.0]), [0.0, 0.5, 1.0])
    assert validate.integer("n", 4.0) == 4
    assert validate.one_of("fmt", "CSR", ["dense", "csr", "nm"]) == "csr"


def test_broadcast_names_the_parameters_that_disagree():
    assert validate.broadcast(a=np.ones(3), b=2.0, c=np.ones((2, 1))) == (2, 3)
    with pytest.raises(ValueError, match=r"b and c must have shapes that broadcast together, got \(3,\) and \(2,\)"):
        validate.broadcast(a=1.0, b=np.ones(3), c=np.ones(2))


def test_less_than_orders_a_pair_and_names_both():
    validate.less_than(("a", "b"), [1.0, 2.0], 3.0)
    validate.less_than(("a", "b"), 3.0, 3.0, or_equal=True)        # equal ends allowed
    with pytest.raises(ValueError, match=r"^a must be < b, got a=3 and b=3$"):
        validate.less_than(("a", "b"), 3.0, 3.0)                   # ...only with or_equal
    with pytest.raises(ValueError, match=r"a must be <= b, got a=5 and b=4"):
        validate.less_than(("a", "b"), [1.0, 5.0], [2.0, 4.0], or_equal=True)  # the offending pair
    with pytest.raises(ValueError, match="a must be <= b"):
        validate.less_than(("a", "b"), float("nan"), 1.0, or_equal=True)     # NaN is not ordered
    with pytest.raises(ValueError, match="a and b must have shapes that broadcast"):
        validate.less_than(("a", "b"), np.ones(2), np.ones(3))
    # the models' own pairs go through it: the message names the caller's parameters
    from energylab import cooling, sparsity
    with pytest.raises(ValueError, match="t_ambient_k must be < t_max_k, got t_ambient_k=400 and t_max_k=358"):
        cooling.simulate_throttling(10.0, 0.1, 0.1, 50.0, t_max_k=358.0, t_ambient_k=400.0,
                                    f_max_hz=2e9, p_at_f_max_w=700.0)
    with pytest.raises(ValueError, match="active_experts must be <= experts, got active_experts=9"):
        sparsity.moe_active_parameters(8, 9, 1e9, 0)


def test_one_of_lists_the_options_and_suggests():
    with pytest.raises(ValueError, match=r"fmt must be one of 'dense', 'csr', 'nm', got 'cssr' \(did you mean 'csr'\?\)"):
        validate.one_of("fmt", "cssr", ["dense", "csr", "nm"])


def test_same_shape():
    with pytest.raises(ValueError, match=r"x and y must have the same shape, got \(3,\) and \(2,\)"):
        validate.same_shape(("x", "y"), [1, 2, 3], [1, 2])


# ------------------------------------------------------------------ datasets
EXPECTED_COLUMNS = {
    "models": {"name": "str", "organization": "str", "domain": "str", "publication_date": "datetime",
               "parameters": "float", "training_compute_flop": "float", "training_hardware": "str",
               "chip_count": "float", "training_time_hours": "float", "training_power_draw_w": "float",
               "numerical_format": "str", "confidence": "str"},
    "chips": {"name": "str", "vendor": "str", "year": "int", "tdp_w": "float",
              "fp64_flop_per_s": "float", "fp32_flop_per_s": "float", "tf32_flop_per_s": "float",
              "fp16_flop_per_s": "float", "fp8_flop_per_s": "float", "int8_op_per_s": "float",
              "int4_op_per_s": "float", "memory_bytes": "float", "memory_bandwidth_bytes_per_s": "float",
              "die_area_mm2": "float", "transistors": "float", "process_nm": "float",
              "sparsity_2to4": "bool", "notes": "str"},
    "energy_per_op": {"operation": "str", "number_kind": "str", "bits": "int", "energy_j": "float"},
    "memory_energy": {"level": "str", "access_bits": "int", "energy_j": "float", "energy_j_per_bit": "float"},
}

KIND = {"float": pd.api.types.is_float_dtype, "int": pd.api.types.is_integer_dtype,
        "bool": pd.api.types.is_bool_dtype, "datetime": pd.api.types.is_datetime64_any_dtype,
        "str": lambda s: pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s)}


@pytest.mark.parametrize("name", sorted(EXPECTED_COLUMNS))
def test_dataset_columns_and_dtypes(name):
    df = datasets.load(name)
    assert len(df) > 0
    for col, kind in EXPECTED_COLUMNS[name].items():
        assert col in df.columns, f"{name} lacks {col}"
        assert KIND[kind](df[col]), f"{name}.{col} should be {kind}, is {df[col].dtype}"


def test_models_dataset_units_are_plausible():
    m = datasets.load("models")
    assert len(m) == 988
    gpt3 = m[m["name"].str.startswith("GPT-3 175B")].iloc[0]
    assert gpt3["parameters"] == pytest.approx(175e9)
    assert gpt3["training_compute_flop"] == pytest.approx(3.14e23, rel=0.01)  # Patterson et al. 2021
    assert (m["training_compute_flop"] > 0).all()


def test_load_returns_a_copy():
    a = datasets.load("chips")
    a.loc[0, "tdp_w"] = -1
    assert datasets.load("chips").loc[0, "tdp_w"] > 0


@pytest.mark.parametrize("chip,tdp,fp16,sparse", [
    # ledger §3.4: dense 16-bit tensor peaks and TDPs (manufacturer datasheets)
    ("V100", 300, 125e12, False),
    ("A100", 400, 312e12, True),
    ("H100", 700, 989.4e12, True),
    ("B200", 1000, 2250e12, True),
    ("TPU v4", 170, 275e12, False),   # ledger gives ~192 W max; Epoch's 170 W is kept (see notes)
])
def test_chips_cross_checked_against_ledger(chip, tdp, fp16, sparse):
    row = datasets.chip(chip)
    assert row["tdp_w"] == tdp
    assert row["fp16_flop_per_s"] == pytest.approx(fp16, rel=0.002)
    assert bool(row["sparsity_2to4"]) is sparse


def test_h100_fp8_is_dense_and_sparse_doubles_it():
    assert datasets.peak_flops("H100", "fp8") == pytest.approx(1978.9e12, rel=1e-3)
    assert datasets.peak_flops("H100", "fp8", sparse=True) == pytest.approx(3957.8e12, rel=1e-3)
    with pytest.raises(ValueError, match="no 2:4 sparse tensor math"):
        datasets.peak_flops("V100", "fp16", sparse=True)
    with pytest.raises(ValueError, match="has no int4 figure"):
        datasets.peak_flops("H100", "int4")  # Hopper has no INT4 tensor path
    with pytest.raises(ValueError, match="precision must be one of"):
        datasets.peak_flops("H100", "fp7")


@pytest.mark.parametrize("name", ["H100", "h100 sxm", "NVIDIA H100 SXM5 80 GB", "H100-SXM5"])
def test_chip_forgiving_names(name):
    assert datasets.chip(name)["name"] == "NVIDIA H100 SXM5 80 GB"


def test_chip_ambiguous_and_unknown_names():
    with pytest.raises(ValueError, match="ambiguous.*H100 SXM5.*H100 PCIe"):
        datasets.chip("H1")
    with pytest.raises(ValueError, match="no chip named 'H1000'.*close matches"):
        datasets.chip("H1000")
    with pytest.raises(ValueError, match="chip name"):
        datasets.chip("")


def test_energy_per_op_is_horowitz_table():
    e = datasets.load("energy_per_op").set_index(["operation", "number_kind", "bits"])["energy_j"]
    assert e[("add", "int", 8)] == pytest.approx(0.03e-12)
    assert e[("mul", "int", 32)] == pytest.approx(3.1e-12)
    assert e[("mul", "fp", 32)] == pytest.approx(3.7e-12)
    # an operation costs more at more bits (monotone)
    for (op, kind), grp in datasets.load("energy_per_op").groupby(["operation", "number_kind"]):
        assert grp.sort_values("bits")["energy_j"].is_monotonic_increasing


def test_memory_energy_ranges_contain_midpoints():
    m = datasets.load("memory_energy")
    ranged = m.dropna(subset=["energy_low_j"])
    assert ((ranged["energy_low_j"] <= ranged["energy_j"]) & (ranged["energy_j"] <= ranged["energy_high_j"])).all()
    np.testing.assert_allclose(m["energy_j_per_bit"], m["energy_j"] / m["access_bits"])
    hbm2 = m.set_index("level").loc["hbm2", "energy_j_per_bit"]
    assert hbm2 == pytest.approx(3.97e-12)  # O'Connor et al. 2017


def test_every_data_file_has_a_source_and_every_source_a_file():
    with (DATA / "sources.toml").open("rb") as fh:
        sources = tomllib.load(fh)
    files = {p.name for p in DATA.iterdir() if p.name.endswith(".csv")}
    assert files == {entry["file"] for entry in sources.values()}
    bib = (resources.files("energylab").parent / "references.bib")
    bibtext = bib.read_text(encoding="utf-8") if bib.is_file() else ""
    for name, entry in sources.items():
        for field in ("title", "origin", "url", "licence", "retrieved", "citation", "notes"):
            assert entry.get(field), f"sources.toml [{name}] lacks {field}"
        if bibtext:
            assert "{" + entry["citation"] + "," in bibtext, f"{entry['citation']} not in references.bib"
        assert datasets.source(name)["licence"] == entry["licence"]


def test_unknown_dataset_lists_names():
    with pytest.raises(ValueError, match="name must be one of .*'chips'"):
        datasets.load("chipz")


# ------------------------------------------------------------------ checks
def test_check_prints_tick_cross_and_not_answered(capsys):
    target = checks.expected("lab01.optimal_clock_ghz")
    assert checks.check("lab01.optimal_clock_ghz", target) is None  # prints, returns nothing
    assert checks.verdict("lab01.optimal_clock_ghz", target) is True
    assert checks.check("lab01.optimal_clock_ghz", target * 1.5) is None
    assert checks.verdict("lab01.optimal_clock_ghz", target * 1.5) is False
    assert checks.check("lab01.optimal_clock_ghz", None) is None
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("✔") and out[1].startswith("✘") and "Hint" in out[1]
    assert "not answered yet" in out[2]
    # the message never shows the expected value
    assert f"{target:.4g}" not in out[0] + out[1] and f"{target:.3g}" not in out[0] + out[1]


def test_check_rejects_wrong_types_and_unknown_ids():
    assert checks.verdict("lab01.claim_holds_today", 0) is False  # a bool is expected
    assert checks.verdict("lab01.optimal_clock_ghz", "fast") is False
    with pytest.raises(ValueError, match="unknown question_id"):
        checks.check("lab01.nope", 1)
    with pytest.raises(ValueError, match="look like 'lab01.name'"):
        checks.check("nope", 1)


def test_every_question_has_a_finite_expected_value():
    import pkgutil

    labs = [m.name for m in pkgutil.iter_modules(checks.__path__) if m.name.startswith("lab")]
    assert len(labs) >= 7
    for lab in labs:
        for qid in checks.question_ids(lab):
            value = checks.expected(qid)
            assert value is not None
            if not isinstance(value, (bool, np.bool_, str)):
                assert np.all(np.isfinite(value))


# ------------------------------------------------------------------ imports
def test_import_energylab_is_light():
    code = ("import sys, energylab, energylab.scaling, energylab.circuits, energylab.datasets;"
            "heavy = [m for m in ('matplotlib', 'ipywidgets', 'sklearn') if m in sys.modules];"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_doctests_of_core_modules():
    import doctest

    import energylab.circuits
    import energylab.datasets
    import energylab.scaling
    import energylab.workloads

    for mod in (energylab.circuits, energylab.datasets, energylab.scaling, energylab.workloads):
        result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, mod.__name__


# ------------------------------------------------------------------ references
def test_references_bib_parses_and_keys_are_unique():
    import pathlib
    import re

    from pybtex.database import parse_file

    bib = pathlib.Path(__file__).resolve().parents[1] / "references.bib"
    db = parse_file(str(bib))  # raises on a syntax error (e.g. a brace lost in a merge)
    keys = re.findall(r"^@\w+\{([^,]+),", bib.read_text(encoding="utf-8"), flags=re.M)
    assert len(keys) == len(set(keys)) == len(db.entries)


_THROTTLE = dict(duration_s=5.0, dt_s=0.01, r_th_k_per_w=0.1, c_th_j_per_k=20.0, t_max_k=358.15,
                 t_ambient_k=308.15, f_max_hz=2e9, p_at_f_max_w=700.0, p_static_w=10.0, exponent=3,
                 t_start_k=310.0)


@pytest.mark.parametrize("build, kwargs", [
    *[("throttle", {k: v}) for k, v in _THROTTLE.items()],
    *[("loop", {k: v}) for k, v in _THROTTLE.items()],
    *[("crossbar", {k: v}) for k, v in dict(g_min=1e-6, g_max=1e-4, levels=16, sigma=0.01,
                                            on_off_ratio=10.0).items()],
    *[("footprint", {k: 1.5}) for k in ("it_energy_j", "pue", "intensity_kg_per_kwh",
                                        "wue_onsite_l_per_kwh", "ewif_l_per_kwh", "embodied_kg")],
    *[("ladder", {k: 1.0}) for k in ("temperature_k", "bits_erased", "capacitance_f", "voltage_v")],
    *[("gpu_table", {k: 1.0}) for k in ("temperature_k", "bits_erased")],
])
def test_scalar_only_models_reject_an_array_by_name(build, kwargs):
    """The models whose docstrings say they take single numbers reject two by name."""
    from energylab import cooling, footprint, pim, thermo

    (name, value), = kwargs.items()
    arr = np.array([value, value])
    call = {
        "throttle": lambda: cooling.simulate_throttling(**{**_THROTTLE, name: arr}),
        "loop": lambda: cooling.simulate_throttling_loop(**{**_THROTTLE, name: arr}),
        "crossbar": lambda: pim.Crossbar(np.ones((2, 2)), **{name: arr}),
        "footprint": lambda: footprint.Footprint(**{"it_energy_j": 1.0, name: arr}),
        "ladder": lambda: thermo.energy_ladder(**{name: arr}),
        "gpu_table": lambda: thermo.gpu_energy_table(**{name: arr}),
    }[build]
    with pytest.raises(ValueError, match=name):
        call()
    if build in ("throttle", "loop"):  # ...and accept the same value as a single number
        fn = cooling.simulate_throttling if build == "throttle" else cooling.simulate_throttling_loop
        assert np.isfinite(fn(**{**_THROTTLE, name: arr[:1]}).heat_in_j)
