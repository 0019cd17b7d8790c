"""Every control state an explorer offers is a valid state.

For every ``*_explorer`` in ``energylab/widgets/ch*.py``: each dropdown option, each
checkbox state and both ends of each slider (one control at a time, the others at their
defaults, then all sliders at their minimum and at their maximum together) must draw
without an exception and without NaN in the figures of merit. The drawing function is
called directly on an off-screen figure (the PNG step is the Explorer's, tested in
test_widgets.py), so this sweep is quick.
"""

import importlib
import inspect
import pathlib

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

WIDGETS = pathlib.Path(__file__).resolve().parents[1] / "energylab" / "widgets"


def _explorers():
    found = []
    for path in sorted(WIDGETS.glob("ch*.py")):
        mod = importlib.import_module(f"energylab.widgets.{path.stem}")
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if name.endswith("_explorer") and fn.__module__ == mod.__name__:
                found.append(pytest.param(fn, id=f"{path.stem}.{name}"))
    return found


def _values(control):
    if isinstance(control, widgets.Checkbox):
        return [True, False]
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.SelectionSlider)):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if isinstance(control, widgets.IntRangeSlider):
        return [(control.min, control.min), (control.min, control.max), (control.max, control.max)]
    if isinstance(control, widgets.FloatLogSlider):
        return [control.base ** control.min, control.base ** control.max]
    if hasattr(control, "min"):
        return [control.min, control.max]
    return []


def _draw(ex, values):
    fig = Figure(figsize=tuple(ex.figure.get_size_inches()))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ex._ncols, squeeze=True)
    result = ex._plot(axes, **values)

    if isinstance(result, dict):
        for key, value in result.items():
            if isinstance(value, (int, float, np.floating)) and not isinstance(value, bool):
                assert not np.isnan(value), f"{key} is NaN for {values}"


def test_there_are_explorers_in_every_chapter():
    chapters = {p.values[0].__module__.split(".")[-1] for p in _explorers()}
    assert {"ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "ch08"} <= chapters


@pytest.mark.parametrize("factory", _explorers())
def test_every_reachable_control_state_draws(factory):
    ex = factory()
    defaults = ex.values
    for name, control in ex.controls.items():
        for value in _values(control):
            _draw(ex, {**defaults, name: value})
    for end in ("min", "max"):
        values = dict(defaults)
        for name, control in ex.controls.items():
            if isinstance(control, widgets.FloatLogSlider):
                values[name] = control.base ** getattr(control, end)
            elif isinstance(control, (widgets.FloatSlider, widgets.IntSlider)):
                values[name] = getattr(control, end)
        _draw(ex, values)


#: Controls whose effect only shows in some state of the others: set these first.
CONTEXT = {
    ("ch04.quantization_explorer", "activations"): {"fmt": "int3"},  # visible only at few bits
    # batching raises utilisation only until the chip is saturated (min(batch x u, 1))
    ("ch07.per_query_explorer", "batch"): {"utilization": 0.1},
    ("ch08.waterfall_explorer", "batch"): {"utilization": 0.1},
}


@pytest.mark.parametrize("factory", _explorers())
def test_every_control_changes_the_figure(factory):
    """Moving any control, as a user would, redraws the explorer's PNG differently."""
    from energylab.widgets.base import another_value

    ex = factory()
    key = f"{factory.__module__.split('.')[-1]}.{factory.__name__}"
    for name, control in ex.controls.items():
        ex.set(**CONTEXT.get((key, name), {}))
        before = ex.png
        ex.set(**{name: another_value(control)})
        assert ex.png != before, f"{key}: moving {name} did not change the figure"
