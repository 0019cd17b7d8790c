"""footprint: GPT-3 from Patterson's inputs, top-down = bottom-up, per-query figures, bad input."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energylab import footprint
from energylab.constants import J_PER_KWH, J_PER_MWH, J_PER_WH

# Patterson et al. 2021, Table 4: 10,000 V100s, 14.8 days, 330 W average system power per
# GPU, PUE 1.1 -> 1,287 MWh; at 0.429 kg CO2e/kWh -> 552 t CO2e.
GPT3 = dict(chips=10_000, hours=14.8 * 24, power_per_chip_w=330.0, pue=1.1)


# ------------------------------------------------------------------ training, top-down
def test_gpt3_energy_from_pattersons_inputs_within_one_percent():
    e = footprint.training_energy(**GPT3)
    assert e / J_PER_MWH == pytest.approx(1287, rel=0.01)


def test_gpt3_carbon_from_pattersons_inputs_within_one_percent():
    e = footprint.training_energy(**GPT3)
    fp = footprint.Footprint(e / GPT3["pue"], pue=GPT3["pue"], intensity_kg_per_kwh=0.429)
    assert fp.facility_energy_j == pytest.approx(e, rel=1e-12)
    assert fp.carbon_kg / 1e3 == pytest.approx(552, rel=0.01)


def test_gpt3_bottom_up_at_measured_throughput_matches():
    # Patterson et al. measured 24.6 TFLOPS per V100 for GPT-3's 3.14e23 FLOP.
    e = footprint.training_energy_from_flops(3.14e23, "V100", "fp16", 24.6 / 125, pue=1.1,
                                             power_per_chip_w=330.0)
    assert e / J_PER_MWH == pytest.approx(1287, rel=0.01)
    hours = footprint.training_chip_hours(3.14e23, "V100", "fp16", 24.6 / 125) / 10_000
    assert hours / 24 == pytest.approx(14.8, rel=0.01)


def test_training_energy_is_a_product():
    assert footprint.training_energy(2, 3, 100.0, pue=1.5) == pytest.approx(2 * 3 * 3600 * 100 * 1.5)
    np.testing.assert_allclose(footprint.training_energy([1, 2, 4], 1, 1000.0),
                               [3.6e6, 7.2e6, 14.4e6])


#: Dense FP16 tensor peaks from NVIDIA's datasheets (V100 SXM2, A100 SXM4, H100 SXM5),
#: written here rather than read from the dataset the code uses.
DATASHEET_FP16 = {"V100": 125e12, "A100": 312e12, "H100": 989.4e12}


@settings(max_examples=60, deadline=None)
@given(flops=st.floats(1e18, 1e26), chips=st.integers(1, 100_000), mfu=st.floats(0.05, 1.0),
       overhead=st.floats(1.0, 2.0), pue=st.floats(1.0, 2.0), power=st.floats(50, 1500),
       chip=st.sampled_from(sorted(DATASHEET_FP16)))
def test_top_down_equals_bottom_up_with_consistent_inputs(flops, chips, mfu, overhead, pue, power, chip):
    # the wall-clock hours worked out by hand from the datasheet peak, not by the code
    hours = flops / (DATASHEET_FP16[chip] * mfu) / 3600.0 / chips
    assert footprint.training_chip_hours(flops, chip, "fp16", mfu) / chips == pytest.approx(hours, rel=1e-12)
    top = footprint.training_energy(chips, hours, power * overhead, pue=pue)
    bottom = footprint.training_energy_from_flops(flops, chip, "fp16", mfu, pue=pue,
                                                  server_overhead=overhead, power_per_chip_w=power)
    assert top == pytest.approx(bottom, rel=1e-9)


def test_bottom_up_defaults_to_tdp_and_falls_with_mfu():
    from energylab import datasets

    e1 = footprint.training_energy_from_flops(1e24, "H100", "bf16", 0.4)
    expected = 1e24 / (datasets.peak_flops("H100", "bf16") * 0.4) * datasets.chip("H100")["tdp_w"]
    assert e1 == pytest.approx(expected, rel=1e-12)
    e = footprint.training_energy_from_flops(1e24, "H100", "bf16", np.array([0.2, 0.4, 0.8]))
    assert np.all(np.diff(e) < 0)
    np.testing.assert_allclose(e[0] / e[1], 2.0)  # energy ∝ 1/MFU


def test_epoch_power_draw_column_overstates_gpt3():
    # Epoch's hardware-count power column (TDP x overheads) gives a larger energy than
    # Patterson's measured 330 W average: the reason TDP-based estimates come out higher.
    from energylab import datasets

    m = datasets.load("models")
    row = m[m["name"].str.startswith("GPT-3 175B")].iloc[0]
    epoch_mwh = row["training_power_draw_w"] * row["training_time_hours"] * 3600 / J_PER_MWH
    assert epoch_mwh > 1.3 * footprint.training_energy(**GPT3) / J_PER_MWH


# ------------------------------------------------------------------ inference
def test_epoch_2025_per_query_figure():
    # You (Epoch AI) 2025: 100 B active, 500 tokens, H100 at 10 %, 1,275 W x 0.7, PUE 1.2 -> 0.3 Wh
    e = footprint.inference_energy(500, 100e9, "H100", "bf16", 0.10, pue=1.2, power_per_chip_w=0.7 * 1275)
    assert e / J_PER_WH == pytest.approx(0.301, rel=0.01)


def test_de_vries_2023_per_query_figure_top_down():
    # 3,617 HGX A100 servers at 6.5 kW for 24 h = 564 MWh/day, over 195 M requests -> 2.9 Wh
    day = footprint.training_energy(3617, 24, 6500.0)
    assert day / J_PER_MWH == pytest.approx(564, rel=0.005)
    assert day / 195e6 / J_PER_WH == pytest.approx(2.9, rel=0.01)
    assert footprint.fleet_energy(195e6, day / 195e6) == pytest.approx(day)


def test_inference_scales_linearly_with_tokens_and_parameters():
    base = footprint.inference_energy(100, 1e9, "A100", "fp16", 0.2)
    assert footprint.inference_energy(300, 1e9, "A100", "fp16", 0.2) == pytest.approx(3 * base)
    assert footprint.inference_energy(100, 5e9, "A100", "fp16", 0.2) == pytest.approx(5 * base)
    assert footprint.inference_flops(10, 7e9) == 2 * 7e9 * 10


@settings(max_examples=50, deadline=None)
@given(u=st.floats(0.001, 1.0), b=st.integers(1, 512))
def test_batching_helps_until_the_chip_is_compute_bound(u, b):
    e1 = footprint.inference_energy(100, 1e9, "H100", "bf16", u, batch=b)
    e2 = footprint.inference_energy(100, 1e9, "H100", "bf16", u, batch=b + 1)
    assert e2 <= e1 * (1 + 1e-12)
    floor = footprint.inference_energy(100, 1e9, "H100", "bf16", 1.0)
    assert e1 >= floor * (1 - 1e-12)  # never better than running at the full peak
    if b * u >= 1:
        assert e1 == pytest.approx(floor)


# ------------------------------------------------------------------ Footprint
def test_footprint_breakdown_adds_up():
    fp = footprint.Footprint(1e12, pue=1.4, intensity_kg_per_kwh=0.4, wue_onsite_l_per_kwh=1.8,
                             ewif_l_per_kwh=3.14, embodied_kg=100.0, label="job")
    kwh = 1e12 / J_PER_KWH
    assert fp.facility_energy_j == pytest.approx(1.4e12)
    assert fp.overhead_energy_j == pytest.approx(0.4e12)
    assert fp.operational_carbon_kg == pytest.approx(1.4 * kwh * 0.4)
    assert fp.carbon_kg == pytest.approx(fp.operational_carbon_kg + 100.0)
    assert fp.water_onsite_l == pytest.approx(kwh * 1.8)
    assert fp.water_offsite_l == pytest.approx(kwh * 1.4 * 3.14)
    assert fp.water_l == pytest.approx(fp.water_onsite_l + fp.water_offsite_l)
    t = fp.table()
    for q, grp in t.groupby("quantity"):
        parts = grp[grp["part"] != "total"]["value"].sum()
        assert parts == pytest.approx(grp[grp["part"] == "total"]["value"].item())


def test_footprint_bars_are_drawn_by_the_widgets_layer_not_the_model():
    from matplotlib.figure import Figure

    from energylab.widgets.ch07 import plot_footprint_shares

    assert not hasattr(footprint.Footprint, "plot")  # models never draw
    ax = Figure().subplots()
    merit = plot_footprint_shares(ax, footprint.Footprint(3.6e9, pue=1.2, intensity_kg_per_kwh=0.4,
                                                          wue_onsite_l_per_kwh=0.5))
    assert merit["energy_mwh"] == pytest.approx(1.2)  # 1 MWh of IT energy × PUE 1.2
    assert len(ax.patches) == 6  # two parts per quantity


def test_equivalents():
    eq = footprint.equivalents(1287 * J_PER_MWH)
    assert round(eq["US household-years"]) == 120  # C003: 1,287 MWh ≈ 120 US households
    assert eq["EV miles"] == pytest.approx(5.148e6)  # C120: ≈ 5 M miles, not 600 M


# ------------------------------------------------------------------ sensitivity
def test_sensitivity_ranks_inputs_by_swing():
    t = footprint.sensitivity(lambda a, b, c: a * b**2 + c, {"a": 1.0, "b": 1.0, "c": 0.0},
                              {"a": (0.5, 2.0), "b": (0.5, 2.0), "c": (0.0, 0.1)})
    assert list(t["parameter"]) == ["b", "a", "c"]
    assert t.attrs["baseline_value"] == 1.0
    row = t.set_index("parameter").loc["b"]
    assert (row["value_low"], row["value_high"]) == (0.25, 4.0)
    assert row["ratio"] == pytest.approx(16.0)


def test_sensitivity_of_energy_per_query_is_led_by_an_inverse_input():
    base = dict(tokens=500, active_parameters=100e9, chip="H100", precision="bf16",
                utilisation=0.1, pue=1.2)
    t = footprint.sensitivity(footprint.inference_energy, base,
                              {"tokens": (250, 1000), "utilisation": (0.02, 0.4), "pue": (1.1, 1.6)})
    assert t["parameter"].iloc[0] == "utilisation"
    assert t["ratio"].iloc[0] == pytest.approx(20.0)   # energy ∝ 1/utilisation: 0.4/0.02


def test_one_spelling_of_utilisation_in_the_public_api():
    """No public callable of the package takes ``utilization`` (the alias is gone), and the
    old keyword is refused rather than silently ignored."""
    import importlib
    import inspect
    import pkgutil

    import energylab

    found = []
    for info in pkgutil.walk_packages(energylab.__path__, "energylab."):
        mod = importlib.import_module(info.name)
        for name, obj in vars(mod).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
                continue
            fns = [obj] if inspect.isfunction(obj) else \
                [m for m in vars(obj).values() if inspect.isfunction(m)] if inspect.isclass(obj) else []
            for fn in fns:
                bad = [p for p in inspect.signature(fn).parameters if "utiliz" in p]
                found += [f"{mod.__name__}.{fn.__qualname__}({p})" for p in bad]
    assert not found, found
    base = dict(tokens=500, active_parameters=100e9, chip="H100", precision="bf16", pue=1.2)
    with pytest.raises(TypeError, match="utilization"):
        footprint.inference_energy(**base, utilization=0.1)


@pytest.mark.parametrize("ranges,msg", [
    ({"z": (1, 2)}, "ranges names 'z', which is not in baseline"),
    ({"a": (1, 2, 3)}, r"ranges\['a'\] must be a \(low, high\) pair"),
    ({"a": "12"}, r"ranges\['a'\] must be a \(low, high\) pair"),
    ({}, "ranges must name at least one input"),
])
def test_sensitivity_bad_ranges(ranges, msg):
    with pytest.raises(ValueError, match=msg):
        footprint.sensitivity(lambda a: a, {"a": 1.0}, ranges)


def test_sensitivity_rejects_non_finite_results():
    with pytest.raises(ValueError, match="finite"):
        footprint.sensitivity(lambda a: 1 / a if a else np.inf, {"a": 1.0}, {"a": (0.0, 1.0)})
    with pytest.raises(ValueError, match="callable"):
        footprint.sensitivity(3, {"a": 1.0}, {"a": (0.0, 1.0)})


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("call,msg", [
    (lambda: footprint.training_energy(0, 1, 1), "chips must be > 0, got 0"),
    (lambda: footprint.training_energy(1, -1, 1), "hours must be > 0, got -1"),
    (lambda: footprint.training_energy(1, 1, float("nan")), "power_per_chip_w must be > 0, got nan"),
    (lambda: footprint.training_energy(1, 1, 1, pue=0.9), r"pue must be in \[1, inf\], got 0.9"),
    (lambda: footprint.training_energy_from_flops(-1, "H100", "fp16", 0.4), "flops must be > 0"),
    (lambda: footprint.training_energy_from_flops(1e20, "H100", "fp16", 0.0), r"mfu must be in \(0, 1\]"),
    (lambda: footprint.training_energy_from_flops(1e20, "H100", "fp16", 1.2), r"mfu must be in \(0, 1\]"),
    (lambda: footprint.training_energy_from_flops(1e20, "H100", "fp7", 0.4), "precision must be one of"),
    (lambda: footprint.training_energy_from_flops(1e20, "H1000", "fp16", 0.4), "no chip named 'H1000'"),
    (lambda: footprint.training_energy_from_flops(1e20, "H100", "int4", 0.4), "has no int4 figure"),
    (lambda: footprint.training_energy_from_flops(1e20, "H100", "fp16", 0.4, server_overhead=0.5),
     r"server_overhead must be in \[1, 10\]"),
    (lambda: footprint.inference_energy(0, 1e9, "H100", "fp16", 0.1), "tokens must be > 0"),
    (lambda: footprint.inference_energy(10, -1e9, "H100", "fp16", 0.1), "active_parameters must be > 0"),
    (lambda: footprint.inference_energy(10, 1e9, "H100", "fp16", 0.1, batch=0), "batch must be >= 1"),
    (lambda: footprint.inference_energy(10, 1e9, "H100", "fp16", 0.1, batch=2.5), "batch must be an integer"),
    (lambda: footprint.inference_energy(10, 1e9, "H100", "fp16", 0.1, power_per_chip_w=0),
     "power_per_chip_w must be > 0"),
    (lambda: footprint.fleet_energy(-1, 1), "queries_per_day must be >= 0"),
    (lambda: footprint.Footprint(-1.0), "it_energy_j must be >= 0"),
    (lambda: footprint.Footprint(1.0, pue=0.5), r"pue must be in \[1, inf\]"),
    (lambda: footprint.Footprint(1.0, intensity_kg_per_kwh=-0.1), "intensity_kg_per_kwh must be >= 0"),
    (lambda: footprint.equivalents(-5), "energy_j must be >= 0"),
])
def test_bad_input_raises_a_clear_value_error(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()


def test_doctests():
    import doctest

    result = doctest.testmod(footprint, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


# ------------------------------------------------------------------ the claims dataset
REPO = Path(__file__).resolve().parents[1]
TOPICS = {"power-laws", "landauer-joule", "sparsity", "low-precision", "pim", "cooling-water", "energy-bill"}
VERDICTS = {"correct", "roughly right", "misleading", "wrong", "unverifiable"}


def test_claims_dataset_has_every_ledger_row_with_valid_topic_and_verdict():
    from energylab import datasets

    c = datasets.load("claims")
    assert list(c["id"]) == [f"C{i:03d}" for i in range(1, 147)]  # C001..C146, once each
    assert set(c["topic"]) <= TOPICS and set(c["verdict_class"]) <= VERDICTS
    assert (c["verdict_class"] == c["verdict"]).all()  # one vocabulary; nuance in "qualifier"
    assert c["claim"].str.len().min() > 20 and not c["better_figure"].str.contains(r"\[V").any()
    assert set(";".join(c["seeds"]).split(";")) == {"000", "001", "002", "003", "004"}
    gallery = ["C038", "C042", "C120", "C054", "C133", "C130", "C050", "C104", "C057", "C139"]
    assert set(gallery) <= set(c["id"])
    row = c.set_index("id").loc["C120"]
    assert (row["topic"], row["verdict_class"]) == ("energy-bill", "wrong")


def test_measured_gemm_efficiency_is_consistent():
    from energylab import datasets

    g = datasets.load("measured_gemm_efficiency")
    both = g.dropna(subset=["rmax_flop_per_s"])
    assert (g["flop_per_j"] > 1e8).all() and (g["precision"] == "fp64").all()
    fugaku = g[g["system"].str.startswith("A64FX")].iloc[0]
    assert fugaku["rmax_flop_per_s"] / fugaku["flop_per_j"] == pytest.approx(118.5e3, rel=0.01)  # ≈118 kW
    assert len(both) >= 3


# ------------------------------------------------------------------ chapter 7 explorers
def test_footprint_explorer_reproduces_gpt3_and_covers_its_extremes():
    from energylab.widgets import ch07

    ex = ch07.footprint_explorer(mfu=0.2)  # GPT-3's MFU was 24.6/125 = 0.197; 300 W x 1.1 ≈ 330 W
    assert ex.result["energy_mwh"] == pytest.approx(1287, rel=0.02)
    options = [value for _, value in ex.controls["hardware"].options]
    assert "H100/fp8" in options and "V100/fp8" not in options  # no FP8 V100 to pick
    for hardware in options:  # every chip/precision pair the controls allow draws without error
        ex.set(hardware=hardware, site_label="China grid, 2022", pue=2.5, mfu=0.05)
        assert np.isfinite(ex.result["carbon_t"]) and ex.result["water_m3"] > 0


def test_per_query_explorer_offers_only_existing_chip_precision_pairs():
    from energylab.widgets import ch07

    ex = ch07.per_query_explorer()
    options = [value for _, value in ex.controls["hardware"].options]
    assert "A100/fp8" not in options  # the A100 has no FP8 tensor math
    for hardware in options:
        ex.set(hardware=hardware)
        assert np.isfinite(ex.result["wh_per_query"])


def test_per_query_explorer_defaults_are_epochs_estimate_and_batch_helps():
    from energylab.widgets import ch07

    ex = ch07.per_query_explorer()
    assert ex.result["wh_per_query"] == pytest.approx(0.30, rel=0.01)
    before = ex.result["wh_per_query"]
    ex.set(batch=8)
    assert ex.result["wh_per_query"] == pytest.approx(before / 8)


def test_claims_browser_filters_and_shows_html():
    from energylab.widgets import ch07

    b = ch07.claims_browser(topic="energy-bill", verdict="wrong")
    assert len(b.frame) > 0 and set(b.frame["topic"]) == {"energy-bill"}
    bundle = b._repr_mimebundle_()
    assert f"{len(b.frame)} claims" in bundle["text/html"] and "C120" in bundle["text/html"]
    from energylab import datasets

    b.controls["topic"].value = "All"  # as a user would
    claims = datasets.load("claims")
    assert len(b.frame) == (claims["verdict_class"] == "wrong").sum()


def test_footprint_estimate_ranges_are_each_totals_own_over_the_box():
    """``footprint_estimate`` builds one Footprint per corner for all six totals at once;
    each total's range must still be what propagating that total alone gives (its own
    minimum and maximum over the corners), on random boxes with some inputs exact."""
    from energylab.estimate import Estimate, propagate

    rng = np.random.default_rng(7)

    def maybe_uncertain(lo, hi):
        a, b = sorted(rng.uniform(lo, hi, 2))
        c = rng.uniform(a, b)
        return Estimate(a, c, b) if rng.random() < 0.7 else float(c)

    for _ in range(30):
        args = dict(it_energy_j=maybe_uncertain(1e9, 1e13), pue=maybe_uncertain(1.05, 1.8),
                    intensity_kg_per_kwh=maybe_uncertain(0.0, 0.9), wue_onsite_l_per_kwh=maybe_uncertain(0, 3),
                    ewif_l_per_kwh=maybe_uncertain(0, 5), embodied_kg=maybe_uncertain(0, 1e6))
        for name, got in footprint.footprint_estimate(**args).items():
            alone = propagate(lambda **kw: getattr(footprint.Footprint(**kw), name), unit=got.unit, **args)
            assert (got.low, got.central, got.high, got.sources) == (alone.low, alone.central, alone.high,
                                                                     alone.sources), name
