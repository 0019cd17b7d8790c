"""Explorers stay readable at the extremes of their controls.

An :class:`~energylab.widgets.base.Explorer` lays its figure out once and reuses those axes
positions on every redraw. A redraw whose tick labels or titles grow wider than the first
layout's pushes text off the figure (an axis label vanishes, a title is cut), and a legend
placed where the curves go hides them. These tests drive each explorer of chapters 1, 2
and 6 to the states that used to break and check every visible text against the figure
and every legend against the data.
"""

import numpy as np
import pytest

from energylab.widgets import ch01, ch02, ch06


def _texts(fig):
    out = list(fig.texts)
    for ax in fig.axes:
        out += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        out += list(ax.texts)
        if ax.get_legend() is not None:
            out += list(ax.get_legend().get_texts())
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis._update_ticks():          # only the ticks that are drawn
                out += [lab for lab in (tick.label1, tick.label2) if lab.get_visible()]
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def _clipped(ex):
    fig = ex.figure
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    bad = []
    for t in _texts(fig):
        bb = t.get_window_extent(renderer)
        if bb.x0 < -1 or bb.y0 < -1 or bb.x1 > width + 1 or bb.y1 > height + 1:
            bad.append(t.get_text())
    return bad


def _legend_covers_lines(ex):
    fig = ex.figure
    renderer = fig.canvas.get_renderer()
    covered = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        for line in ax.lines:
            xy = line.get_transform().transform(line.get_xydata())
            inside = ((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1)
                      & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1))
            if inside.any():
                covered.append(line.get_label())
    return covered


EXTREMES = [
    (ch01.scaling_law_explorer, dict(compute_flop=1e28, pj_per_flop=100.0)),
    (ch01.dvfs_explorer, dict(static_share=0.0, frequency_ghz=4.0)),
    (ch01.compute_trend_explorer, dict(years=(1950, 1951))),
    (ch02.energy_ladder_explorer, dict(capacitance_ff=0.3, bits_erased=10**2.35, temperature_k=4.0)),
    (ch02.energy_ladder_explorer, dict(capacitance_ff=0.9166, voltage_v=0.7)),
    (ch02.gpu_gap_explorer, dict(bits_erased=1e4, temperature_k=4.0)),
    (ch02.chip_power_explorer, dict(transistors_billion=150.0)),
    (ch02.chip_power_explorer, dict(activity=0.2, capacitance_ff=2.0, voltage_v=1.2, clock_ghz=3.0,
                                    transistors_billion=300.0, leakage_nw=5.0)),
    (ch02.chip_power_explorer, dict(chip="B200", transistors_billion=208.0)),
    (ch02.chip_power_explorer, dict(chip="V100", transistors_billion=1.0, activity=0.0,
                                    leakage_nw=0.0)),
    (ch02.chip_power_explorer, dict(chip="V100", transistors_billion=1.0, activity=0.0,
                                    leakage_nw=0.8)),
    (ch06.throttling_explorer, dict(t_max_c=105.0, r_th_k_per_w=0.2, t_ambient_c=40.0)),
    (ch06.throttling_explorer, dict(t_max_c=70.0, r_th_k_per_w=0.02, t_ambient_c=15.0,
                                    workload="bursts (20 s on, 20 s at 20 %)")),
    (ch06.datacenter_explorer, dict(it_load_mw=67.0)),
    (ch06.datacenter_explorer, dict(it_load_mw=200.0, site="GPT-3 training site (Microsoft) 2020",
                                    practice="2011 average (PUE 1.8, WUE 1.8)")),
    (ch06.datacenter_explorer, dict(it_load_mw=1.0, clean_share=0.95, ewif_l_per_kwh=0.0,
                                    practice="hyperscale, Meta 2021 sites (PUE 1.09, WUE 0.26)")),
    (ch06.datacenter_explorer, dict(clean_share=1.0)),
]


@pytest.mark.parametrize("factory, state", EXTREMES,
                         ids=[f"{f.__name__}-{i}" for i, (f, _) in enumerate(EXTREMES)])
def test_no_text_leaves_the_figure_at_extreme_settings(factory, state):
    ex = factory(**state)
    assert _clipped(ex) == [], f"{factory.__name__}({state}): text cut off"
    for value in (ex.result or {}).values():
        if isinstance(value, float) and factory is not ch02.chip_power_explorer:
            assert np.isfinite(value) or factory is ch06.throttling_explorer


def test_labels_of_log_slider_values_are_short():
    ex = ch02.energy_ladder_explorer(capacitance_ff=0.30000000000000004, bits_erased=10**2.35)
    labels = [t.get_text() for t in ex.figure.axes[0].get_yticklabels()]
    assert "charge and discharge 0.3 fF at 0.75 V" in labels
    assert "Landauer: 224 bits at 300 K" in labels


@pytest.mark.parametrize("state", [{}, dict(workload="bursts (20 s on, 20 s at 20 %)"),
                                   dict(r_th_k_per_w=0.02, t_ambient_c=15.0)])
def test_throttling_legends_do_not_hide_the_curves(state):
    assert _legend_covers_lines(ch06.throttling_explorer(**state)) == []
