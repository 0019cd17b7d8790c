"""measure: the RAPL reader against temporary powercap-style trees, NVML through a stand-in module."""

import os
import sys
import types

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from energylab import measure

MAX = 262_143_328_850  # a typical package max_energy_range_uj (2^38 µJ scale)


def make_zone(root, dirname, name, energy_uj, max_range=MAX):
    d = root / dirname
    d.mkdir()
    (d / "name").write_text(name + "\n")
    (d / "energy_uj").write_text(f"{energy_uj}\n")
    (d / "max_energy_range_uj").write_text(f"{max_range}\n")
    return d


@pytest.fixture
def tree(tmp_path):
    """A two-package machine with core and dram sub-zones and a control-type directory."""
    (tmp_path / "intel-rapl").mkdir()  # control type: no counter
    p0 = make_zone(tmp_path, "intel-rapl:0", "package-0", 1_000_000)
    p1 = make_zone(tmp_path, "intel-rapl:1", "package-1", 5_000_000)
    make_zone(tmp_path, "intel-rapl:0:0", "core", 700_000)
    make_zone(tmp_path, "intel-rapl:0:1", "dram", 100_000)
    return tmp_path, p0, p1


def bump(zone_dir, new_value):
    (zone_dir / "energy_uj").write_text(f"{new_value}\n")


# ------------------------------------------------------------------ pure wrap-around arithmetic
def test_delta_without_and_with_wrap():
    assert measure.energy_delta_uj(10, 25, 100) == 15
    assert measure.energy_delta_uj(90, 5, 100) == 15
    np.testing.assert_array_equal(measure.energy_delta_uj([0, 50, 99], [10, 40, 0], 100), [10, 90, 1])


@given(start=st.integers(0, MAX), used=st.integers(0, MAX - 1))
def test_delta_round_trip_through_a_wrapping_counter(start, used):
    end = start + used if start + used <= MAX else start + used - MAX
    assert measure.energy_delta_uj(start, end, MAX) == used


@pytest.mark.parametrize("args,msg", [
    ((-1, 5, 100), "start_uj must be >= 0"),
    ((5, 101, 100), r"end_uj must be in \[0, max_energy_range_uj\], got 101"),
    ((5, 6, 0), "max_energy_range_uj must be > 0"),
])
def test_delta_bad_input(args, msg):
    with pytest.raises(ValueError, match=msg):
        measure.energy_delta_uj(*args)


# ------------------------------------------------------------------ zones and readers
def test_zones_are_found_and_subzones_kept_apart(tree):
    root, _, _ = tree
    assert [z.name for z in measure.rapl_zones(root)] == ["package-0", "package-1"]
    assert [z.name for z in measure.rapl_zones(root, subzones=True)] == ["package-0", "core", "dram", "package-1"]
    assert measure.rapl_zones(root / "missing") == []


def test_energy_of_a_normal_run_sums_packages_only(tree):
    root, p0, p1 = tree

    def work():  # the "machine" spends 3 J on package 0 and 1.5 J on package 1
        bump(p0, 1_000_000 + 3_000_000)
        bump(p1, 5_000_000 + 1_500_000)

    m = measure.energy(work, repeat=1, source="rapl", root=root)
    assert m.source == "rapl" and m.zones == ("package-0", "package-1")
    assert m.energy_j[0] == pytest.approx(4.5)
    assert m.seconds[0] >= 0 and np.all(m.power_w > 0)


def test_energy_across_a_wrap_around(tree):
    root, p0, p1 = tree
    bump(p0, MAX - 1_000_000)  # 1 J before the counter wraps
    state = {"p0": MAX - 1_000_000, "p1": 5_000_000}

    def work():  # 2.5 J on package 0 (wraps), 0.5 J on package 1
        state["p0"] = (state["p0"] + 2_500_000) % MAX
        state["p1"] += 500_000
        bump(p0, state["p0"])
        bump(p1, state["p1"])

    m = measure.energy(work, repeat=3, source="rapl", root=root)
    np.testing.assert_allclose(m.energy_j, [3.0, 3.0, 3.0])
    assert m.median_j == pytest.approx(3.0)


def test_psys_zone_is_not_double_counted(tmp_path):
    p0 = make_zone(tmp_path, "intel-rapl:0", "package-0", 0)
    make_zone(tmp_path, "intel-rapl:1", "psys", 0)
    reader = measure.RaplReader(tmp_path)
    assert reader.names == ["package-0"]
    start = reader.read()
    bump(p0, 2_000_000)
    assert reader.joules_between(start, reader.read()) == pytest.approx(2.0)


def test_unreadable_counters_say_so(tree):
    root, p0, _ = tree
    (p0 / "energy_uj").write_text("not a number\n")  # unreadable in the sense that matters
    assert not measure.available("rapl", root=root)
    assert "cannot be read" in measure.status("rapl", root=root)
    with pytest.raises(measure.CounterUnavailable, match="no energy counter is readable"):
        measure.energy(lambda: None, source="rapl", root=root)


def test_permission_denied_counter(tree, monkeypatch):
    """An unreadable counter (mode 0400 and not root, as on Linux >= 5.10), simulated so
    the test also runs as root, as CI does: reading that one file raises PermissionError."""
    root, p0, _ = tree
    real_read_text = type(p0).read_text

    def read_text(self, *args, **kwargs):
        if self == p0 / "energy_uj":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(type(p0), "read_text", read_text)
    try:
        assert not measure.available("rapl", root=root)
        assert "PermissionError" in measure.status("rapl", root=root)
    finally:
        os.chmod(p0 / "energy_uj", 0o644)


def test_no_powercap_at_all(tmp_path):
    assert not measure.available("rapl", root=tmp_path / "nothing")
    assert "no RAPL zone" in measure.status("rapl", root=tmp_path / "nothing")


# ------------------------------------------------------------------ NVML through a stand-in module
def fake_pynvml(counters_mj):
    mod = types.ModuleType("pynvml")
    mod.nvmlInit = lambda: None
    mod.nvmlDeviceGetCount = lambda: len(counters_mj)
    mod.nvmlDeviceGetHandleByIndex = lambda i: i
    mod.nvmlDeviceGetName = lambda h: f"GPU {h}"
    mod.nvmlDeviceGetTotalEnergyConsumption = lambda h: counters_mj[h]
    return mod


def test_nvml_reader_with_a_stand_in_module(monkeypatch, tmp_path):
    counters = [10_000, 20_000]
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml(counters))

    def work():
        counters[0] += 1500  # 1.5 J
        counters[1] += 500   # 0.5 J

    m = measure.energy(work, repeat=2, source="nvml")
    assert m.source == "nvml" and m.zones == ("GPU 0", "GPU 1")
    np.testing.assert_allclose(m.energy_j, [2.0, 2.0])
    assert measure.available("auto", root=tmp_path / "none")  # NVML alone is enough


def test_nvml_missing_is_reported(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import fails
    assert not measure.available("nvml")
    assert "pynvml is not installed" in measure.status("nvml")


# ------------------------------------------------------------------ bad input
def test_energy_bad_input(tree):
    root, _, _ = tree
    with pytest.raises(ValueError, match="fn must be callable"):
        measure.energy(42, root=root)
    with pytest.raises(ValueError, match="repeat must be >= 1, got 0"):
        measure.energy(lambda: None, repeat=0, root=root)
    with pytest.raises(ValueError, match="source must be one of 'auto', 'rapl', 'nvml'"):
        measure.energy(lambda: None, source="watts", root=root)


def test_this_machine_reports_a_status_sentence():
    # Whatever the machine, status() returns a sentence per kind of counter and agrees with available().
    text = measure.status()
    assert "RAPL" in text and "NVML" in text
    assert measure.available() == ("readable" in text)
