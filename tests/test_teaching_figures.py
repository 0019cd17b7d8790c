"""Figures that used to mislead a reader (issue 15), checked against invariants."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from energylab import thermo  # noqa: E402
from energylab.widgets import ch01, ch02, ch04, ch05  # noqa: E402


def test_gap_trend_reaches_the_landauer_line_where_it_says():
    fig, ax = plt.subplots()
    r16 = ch02.plot_gpu_gap(ax, bits_erased=16.0)
    ax.clear()
    r1 = ch02.plot_gpu_gap(ax, bits_erased=1.0)
    plt.close(fig)
    # a 16-fold lower floor is reached ln 16 / ln(factor per year) years later
    assert np.isclose(r1["meet_year"] - r16["meet_year"], np.log(16) / np.log(r16["factor_per_year"]))
    # the dashed trend is drawn at least to the meeting point, and it ends on the floor there
    trend = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"][0]
    assert trend.get_xdata().max() >= r1["meet_year"]
    floor = float(thermo.landauer_energy(300.0, 1.0))
    assert np.isclose(np.interp(r1["meet_year"], trend.get_xdata(), trend.get_ydata()), floor, rtol=0.05)


def test_decode_figure_draws_arithmetic_flat_and_total_as_the_sum():
    fig, ax = plt.subplots()
    ch05.plot_decode(ax)
    lines = {ln.get_label().split(" (")[0]: ln.get_ydata() for ln in ax.get_lines()}
    plt.close(fig)
    assert np.allclose(lines["arithmetic"], lines["arithmetic"][0])          # same for every batch
    assert np.allclose(lines["total"], lines["memory traffic"] + lines["arithmetic"])
    assert np.all(np.diff(lines["memory traffic"]) < 0)                      # falls with batch


def test_number_line_window_is_seven_whole_decades_round_the_value():
    """x ÷ 1000 and x × 1000 are always in view, the window's ends are powers of ten, and
    moving x within a decade keeps the window (so the axes' background is reused)."""
    for value in (1e-6, 3e-5, 0.3, 0.99, 1.0, 3000.0, 1e5):
        ex = ch04.formats_explorer(fmt="fp8_e4m3", value=value)
        lo, hi = ex.figure.axes[0].get_xlim()
        assert np.isclose(np.log10(hi / lo), 7.0)
        assert np.isclose(np.log10(lo), round(np.log10(lo)))
        assert lo <= value / 1000 * (1 + 1e-12) and hi >= value * 1000
    for value in (3e-5, 0.3, 3000.0):                 # x × 1.5 stays in x's decade
        windows = {ch04.formats_explorer(fmt=f, value=v).figure.axes[0].get_xlim()
                   for f in ("fp8_e4m3", "int8") for v in (value, 1.5 * value)}
        assert len(windows) == 1


def test_dvfs_label_says_it_compares_energy():
    fig, axes = plt.subplots(1, 2)
    r = ch01.plot_dvfs(axes, frequency_ghz=2.0, static_share=0.3)
    labels = [ln.get_label() for ln in axes[1].get_lines()]
    plt.close(fig)
    assert any(f"{r['energy_j'] / r['energy_opt_j']:.2f}× the minimum energy" in lb for lb in labels)
