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
import io
import json
import pathlib
import random

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from energylab.widgets import base

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
    ("ch07.per_query_explorer", "batch"): {"utilisation": 0.1},
    ("ch08.waterfall_explorer", "batch"): {"utilisation": 0.1},
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


# --------------------------------------------------------------------------- static book
BUILT_FRAMES = pathlib.Path(__file__).resolve().parents[1] / "_build" / "html" / "_static" / "explorers"


@pytest.mark.parametrize("factory", _explorers())
def test_every_explorer_declares_a_small_static_grid(factory):
    """Each explorer moves in the static book, within the budget of ~250 states."""
    ex = factory()
    assert ex.factory == f"{factory.__module__}:{factory.__name__}"
    assert ex.static, f"{factory.__name__} declares no static controls"
    assert 2 <= len(ex.states()) <= 250
    assert ex.recipe() == {"factory": ex.factory, "values": json.loads(json.dumps(ex.recipe()["values"]))}


@pytest.mark.parametrize("factory", _explorers())
def test_exported_frames_equal_the_live_render(factory):
    """Random states of the grid, drawn live (after a random walk through other states),
    are pixel-identical to the exported frames, with the same figures of merit (the live
    view compresses its PNG less, so the bytes differ).

    The export draws the states in grid order on one explorer; the live side builds a
    fresh explorer and visits the same states in a shuffled order, so a frame that
    depended on the states drawn before it (the layout cache) would differ. When the
    book has been built, the shipped frame files are compared too.
    """
    rng = random.Random(13)
    exporter = factory()
    grid = exporter.grid()
    states = rng.sample(exporter.states(), 3)
    keys = {exporter.state_key(grid, s) for s in states}
    index = exporter.export_states(keys=keys)
    assert set(index["states"]) == keys
    live = factory()
    for state in rng.sample(states, len(states)):
        live.set(**state)
        entry = index["states"][live.state_key(grid, state)]
        assert np.array_equal(_pixels(live.png), _pixels(entry["png"])), \
            f"{factory.__name__} {state}: frame differs from the live view"
        assert json.loads(json.dumps(base._jsonable(live.result))) == entry["result"]
        assert entry["frame"] == live.frame_name()
        shipped = BUILT_FRAMES / f"{factory.__module__.split('.')[-1]}.{factory.__name__}" / f"{entry['frame']}.png"
        if shipped.exists():
            assert shipped.read_bytes() == entry["png"], f"shipped {shipped.name} differs from the export"
            assert np.array_equal(_pixels(shipped.read_bytes()), _pixels(live.png))


def _pixels(png):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.mark.parametrize("factory", _explorers())
def test_a_random_walk_through_every_control_always_draws(factory, monkeypatch):
    """Three hundred seeded moves per explorer, one control at a time as a user would drag
    it (``control.value = v``, so observers and constraints run in the widget's order):
    every state must draw without an exception and without NaN in the figures of merit.

    The Agg rasterisation and PNG step (tested above) is skipped to keep this quick: the
    plot code, the explorer's observers and its constraints run in full.
    """
    monkeypatch.setattr(base.Explorer, "_render", classmethod(lambda cls, fig, check_fit=False, **kw: b"drawn"))
    rng = np.random.default_rng(13)
    ex = factory()
    names = list(ex.controls)
    for move in range(300):
        name = names[rng.integers(len(names))]
        control = ex.controls[name]
        value = _random_value(control, rng)
        before = dict(ex.values)
        try:
            control.value = value
        except Exception as err:  # noqa: BLE001 - report the path that broke
            raise AssertionError(f"{factory.__name__}: move {move} {name}={value!r} from {before}: {err!r}")
        for key, merit in (ex.result or {}).items():
            if isinstance(merit, (float, np.floating)):
                assert not np.isnan(merit), f"{factory.__name__}: {key} is NaN after {name}={value!r}"


def _random_value(control, rng):
    if isinstance(control, widgets.Checkbox):
        return bool(rng.integers(2))
    options = getattr(control, "options", None)
    if options is not None:
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        return values[rng.integers(len(values))]
    if isinstance(control, widgets.IntRangeSlider):
        a, b = sorted(int(v) for v in rng.integers(control.min, control.max + 1, size=2))
        return (a, b)
    steps = int(round((control.max - control.min) / control.step))
    value = control.min + control.step * int(rng.integers(steps + 1))
    if isinstance(control, widgets.FloatLogSlider):
        return float(control.base ** min(value, control.max))
    if isinstance(control, widgets.IntSlider):
        return int(min(value, control.max))
    return float(min(value, control.max))


def test_moe_topk_follows_experts_whatever_the_order():
    """Chapter 3's MoE explorer: top-k at 8, then experts down to 2, used to draw 8 of 2."""
    from energylab.widgets import ch03

    ex = ch03.moe_explorer()
    ex.controls["active_experts"].value = 8
    ex.controls["experts"].value = 2           # as a user drags: no exception, top-k follows
    assert ex.values["active_experts"] == 2 and ex.controls["active_experts"].max == 2
    assert ex.result["active"] <= ex.result["total"]
    ex.set(experts=64, active_experts=8)       # raising experts first lets top-k go back up
    assert ex.values["active_experts"] == 8
    with pytest.raises(ValueError, match="active_experts must be in"):
        ex.set(experts=4, active_experts=8)
    assert ex.values == ch03.moe_explorer(experts=64, active_experts=8).values  # left as it was
