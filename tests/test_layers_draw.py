"""An explorer's quick redraw paints what matplotlib's own full draw paints (issue 18).

A live redraw takes three short cuts (``energylab/widgets/layers.py`` and
:class:`~energylab.widgets.base.Explorer`): the axes' ticks, labels and grid come from a
cached background when the key says nothing there changed; text comes from a glyph cache;
the axes and their ticks were made before the plot styled them. Each is checked here
against stock matplotlib: a full ``FigureCanvasAgg.draw`` with Agg's own renderer, on
axes made on the spot, of the same state.
"""

import asyncio
from collections import OrderedDict

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from energylab.widgets import base, layers
from energylab.widgets.base import Explorer, another_value, dropdown, slider
from test_all_explorers import _explorers, _pixels


def _stock_frame(ex, monkeypatch):
    """The explorer's current state drawn the plain way: a full draw by stock Agg, on axes
    made during the redraw (no ticks made in advance), no cached background."""
    fig = ex._figure
    with monkeypatch.context() as m:
        m.setattr(layers, "draw", lambda f, backgrounds: f.canvas.draw() and False)
        FigureCanvasAgg(fig)
        ex._spare, ex._tick_counts = None, None
        ex.clear_frame_cache()
        ex.redraw()
        png = ex.png
    layers.Canvas(fig)
    ex.clear_frame_cache()
    return _pixels(png)


@pytest.mark.parametrize("factory", _explorers())
def test_quick_redraws_paint_what_a_full_draw_paints(factory, monkeypatch):
    """Six moves per explorer, each control in turn to another value a reader can give it
    (so states and axes repeat and the background cache is used); every frame equals the
    stock full draw of its state, pixel for pixel. Every other move draws on axes whose
    ticks were made beforehand, as in a kernel's pause; the others on axes made without
    ticks, as the book's export and scripts do."""
    ex = factory()
    names = list(ex.controls)
    for move in range(6):
        name = names[move % len(names)]
        ex.clear_frame_cache()
        if move % 2 == 0:
            ex._prepare_spare()           # what the event loop does after a redraw
            assert ex._spare is not None
        ex.set(**{name: another_value(ex.controls[name])})
        live = _pixels(ex.png)
        differ = (live != _stock_frame(ex, monkeypatch)).any(-1)
        assert not differ.any(), (f"{factory.__name__} at {ex.values}: {differ.sum()} pixels differ "
                                  f"in rows {np.flatnonzero(differ.any(1))[[0, -1]]}")


def _highlight(ax, pick=0, top=3.0):
    """A toy plot whose tick labels change style with a control (as chapter 4's formats
    explorer colours the chosen format's label) and whose limits change with another."""
    ax.plot([0, 1, 2], [1, top, 2])
    ax.set_xticks([0, 1, 2], ["a", "b", "c"])
    for i, label in enumerate(ax.get_xticklabels()):
        label.set_color("C3" if i == pick else "black")
    ax.set_ylim(0, top)
    ax.set_xlabel("position")
    return {"pick": pick}


def test_the_background_key_sees_tick_styles_and_limits(monkeypatch):
    monkeypatch.setattr(base, "_BACKGROUNDS", OrderedDict())   # none from other tests
    ex = Explorer(_highlight, {"pick": dropdown([0, 1, 2], 0, "pick"),
                               "top": slider(3.0, 2.0, 4.0, 1.0, "top")})
    quick, hits, frames = layers.draw, [], {}
    for pick, top in [(1, 3.0), (2, 3.0), (0, 4.0), (1, 3.0), (0, 3.0), (0, 4.0)]:
        ex.clear_frame_cache()
        monkeypatch.setattr(layers, "draw", lambda f, bg: hits.append(quick(f, bg)) or hits[-1])
        ex.set(pick=pick, top=top)
        monkeypatch.setattr(layers, "draw", quick)
        frames[(pick, top)] = _pixels(ex.png)
        assert np.array_equal(frames[(pick, top)], _stock_frame(ex, monkeypatch))
    # the starting state (0, 3) was drawn by the first layout; then each new (pick, top)
    # draws its background, and a revisit takes it from the cache
    assert hits == [False, False, False, True, False, True]
    assert not np.array_equal(frames[(0, 3.0)], frames[(1, 3.0)])


def test_what_the_key_cannot_describe_is_drawn_whole():
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1])
    assert layers.background_key(fig) is not None
    ax.inset_axes([0.6, 0.6, 0.3, 0.3])
    assert layers.background_key(fig) is None
    fig2 = Figure(layout="constrained")
    FigureCanvasAgg(fig2)
    fig2.add_subplot().plot([0, 1])
    backgrounds = OrderedDict()
    assert layers.draw(fig2, backgrounds) is False and not backgrounds   # drawn whole


def test_the_grid_goes_under_what_a_plot_puts_below_it():
    fig = Figure()
    ax = fig.add_subplot()
    ax.axvspan(0.2, 0.4, zorder=0)
    ax.plot([0, 1])
    layers.axis_to_bottom(ax)
    lowest = min(a.get_zorder() for a in ax.get_children()
                 if a is not ax.patch and a not in (ax.xaxis, ax.yaxis))
    assert ax.xaxis.get_zorder() < lowest and ax.yaxis.get_zorder() < lowest


@pytest.mark.parametrize("angle", [0, 90, 33])
def test_cached_glyphs_paint_what_agg_paints(angle):
    """Text of several sizes at sub-pixel positions, drawn twice by the glyph-caching
    renderer (the second time from its cache), equals stock Agg's."""
    def draw(canvas_class):
        fig = Figure(figsize=(4, 3), dpi=100)
        canvas = canvas_class(fig)
        for i, size in enumerate([7, 9.5, 13]):
            for j in range(4):
                fig.text(0.05 + 0.23 * j + 0.0013 * i, 0.15 + 0.3 * i + 0.0007 * j,
                         "Watts ≈ 0.37 J/s", fontsize=size, rotation=angle)
        canvas.draw()
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()

    assert np.array_equal(draw(layers.Canvas), draw(FigureCanvasAgg))


def test_a_live_redraw_makes_the_next_axes_while_the_reader_pauses():
    ex = Explorer(_highlight, {"pick": dropdown([0, 1, 2], 0, "pick"),
                               "top": slider(3.0, 2.0, 4.0, 1.0, "top")})

    async def move():
        ex.set(pick=1)
        assert ex._spare is None                     # not during the redraw itself
        await asyncio.sleep(0)
        spare = ex._spare
        assert spare is not None and len(spare[1]) == 1
        assert len(spare[1][0].xaxis.__dict__["majorTicks"]) == 3   # the ticks the last draw used
        ex.set(pick=2)
        assert spare[1][0] in ex._figure.axes        # the next redraw drew on them

    asyncio.run(move())
    base._idle_collect = None


@pytest.mark.parametrize("name", ["ch01.compute_trend_explorer", "ch05.crossbar_explorer"])
def test_the_figure_drawn_whole_after_a_quick_redraw_is_the_frame(name):
    """A redraw over a cached background makes no tick objects; asking for ``figure`` then
    draws it whole, making them: they must get the explorer's style (font size, grid
    alpha), not matplotlib's defaults, so the figure shows what the frame shows (through
    the same palette encoder)."""
    import importlib

    module, fn = name.split(".")
    ex = getattr(importlib.import_module(f"energylab.widgets.{module}"), fn)()
    first = dict(ex.values)
    control = next(n for n, c in ex.controls.items() if hasattr(c, "options") or hasattr(c, "max"))
    ex.set(**{control: another_value(ex.controls[control])})
    ex.clear_frame_cache()
    ex.set(**first)                                   # its background is cached: a quick redraw
    assert ex._partial
    fig = ex.figure                                   # drawn whole now
    assert not ex._partial
    assert np.array_equal(_pixels(base.encode_png(fig.canvas.buffer_rgba())), _pixels(ex.png))


@pytest.mark.parametrize("factory", _explorers())
def test_an_explorer_made_again_uses_the_kept_layout_and_draws_the_same(factory, monkeypatch):
    """The layouts (constrained layout's positions, for the starting state and for
    ``layout_states``) and the axes backgrounds are kept for the process: an explorer made
    a second time does no layout pass, and shows what the first one, laid out afresh,
    shows, at the same positions, in its starting state and after a move; and the first
    one equals one made with nothing kept at all (each layout state laid out for itself)."""
    with monkeypatch.context() as m:
        m.setattr(Explorer, "_layout_key", lambda self: None)       # keep nothing
        m.setattr(base, "_BACKGROUNDS", OrderedDict())
        reference = factory()
    monkeypatch.setattr(base, "_LAYOUTS", {})
    monkeypatch.setattr(base, "_BACKGROUNDS", OrderedDict())
    first = factory()
    assert base._LAYOUTS, "no layout was kept"
    assert [p.bounds for p in first._positions] == [p.bounds for p in reference._positions]
    assert np.array_equal(_pixels(first.png), _pixels(reference.png))
    engines = []
    original = Figure.set_layout_engine
    monkeypatch.setattr(Figure, "set_layout_engine",
                        lambda fig, layout=None, **kw: engines.append(layout) or original(fig, layout, **kw))
    again = factory()
    assert engines and "constrained" not in engines, "an explorer made again laid itself out afresh"
    assert [p.bounds for p in again._positions] == [p.bounds for p in first._positions]
    assert np.array_equal(_pixels(again.png), _pixels(first.png))
    name = next(iter(first.controls))
    value = another_value(first.controls[name])
    first.set(**{name: value})
    again.set(**{name: value})
    assert np.array_equal(_pixels(again.png), _pixels(first.png))
