"""The Explorer pattern, driven without a browser."""

import base64
import io

import ipywidgets as widgets
import numpy as np
import pytest

from energylab.widgets import ch01
from energylab.widgets.base import Explorer, dropdown, encode_png, slider


def _line(ax, slope=1.0, colour="C0"):
    ax.plot([0, 1], [0, slope], color=colour)
    return {"slope": slope}


def make():
    return Explorer(_line, {"slope": slider(1.0, 0.0, 2.0, 0.1, "slope"),
                            "colour": dropdown(["C0", "C1"], "C0", "colour")}, title="Line")


def test_explorer_redraws_when_a_control_changes():
    ex = make()
    before, n = ex.png, ex.redraws
    ex.controls["slope"].value = 1.7          # as a user dragging the slider
    assert ex.redraws == n + 1
    assert ex.png != before
    assert ex.result == {"slope": 1.7}


def test_one_figure_reused():
    ex = make()
    fig = ex.figure
    for v in (0.2, 0.4, 0.6):
        ex.set(slope=v)
    assert ex.figure is fig and len(fig.axes) == 1


def test_set_redraws_once_and_validates():
    ex = make()
    n = ex.redraws
    ex.set(slope=0.5, colour="C1")
    assert ex.redraws == n + 1
    with pytest.raises(ValueError, match=r"slope must be in \[0, 2\], got 3"):
        ex.set(slope=3)
    with pytest.raises(ValueError, match="colour must be one of"):
        ex.set(colour="red")
    with pytest.raises(ValueError, match="unknown control 'width'"):
        ex.set(width=2)


def test_range_slider_cannot_be_inverted():
    ex = ch01.compute_trend_explorer()
    with pytest.raises(ValueError, match="low <= high"):
        ex.set(years=(2020, 2015))
    with pytest.raises(ValueError, match=r"years must be in \[1950, 2026\]"):
        ex.set(years=(1900, 2015))


def test_mimebundle_carries_png_and_stable_text():
    ex = make()
    bundle = ex._repr_mimebundle_()
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(_decode(png), _decode(ex.png))     # the live frame's pixels,
    assert len(png) < len(ex.png)                            # compressed harder for the page
    assert bundle["text/plain"] == "<Explorer 'Line': slope=1, colour='C0'>"
    assert isinstance(ex, widgets.VBox)


def test_chapter1_explorer_results_match_models():
    from energylab import circuits, scaling

    r = ch01.scaling_law_explorer(compute_flop=1e24, pj_per_flop=1.0).result
    n, d = scaling.compute_optimal(1e24)
    assert r["parameters"] == pytest.approx(n) and r["energy_mwh"] == pytest.approx(1e24 * 1e-12 / 3.6e9)
    r = ch01.dvfs_explorer(static_share=0.3).result
    ref = ch01.DVFS_REFERENCE
    assert r["optimum_hz"] == pytest.approx(float(circuits.optimal_frequency(1, ref["f_ref_hz"], 210.0, 90.0)))
    r = ch01.compute_trend_explorer(years=(2012, 2019), frontier_only=True).result
    assert 3.0 < r["doubling_months"] < 4.5  # Amodei & Hernandez 2018: 3.4 months


def test_explorer_relayouts_when_labels_outgrow_the_first_layout():
    def plot(ax, scale=1.0):
        ax.plot([0, 1], [0, scale])
        ax.set_ylabel("a label")
        ax.set_yticks([0, scale], labels=["0", f"{scale:,.0f} units"])  # labels widen with scale

    ex = Explorer(plot, {"scale": slider(1.0, 1.0, 1e9, 1.0, "scale")}, figsize=(4, 3))
    first = [p.x0 for p in ex._positions]
    ex.set(scale=1e9)  # "1,000,000,000 units" needs far more room than "1 units"
    assert ex._fits(ex.figure)
    assert ex.figure.axes[0].get_position().x0 > first[0]  # the axes moved right to make room
    big = ex.png
    ex.set(scale=2.0)
    assert ex._fits(ex.figure)
    assert ex.figure.axes[0].get_position().x0 == first[0]  # back on the first layout
    # a state's picture does not depend on the states shown before it
    assert ex.set(scale=1e9).png == big            # from the frame cache
    ex.clear_frame_cache()
    ex.set(scale=2.0)
    assert ex.set(scale=1e9).png == big            # drawn again, after another state


def _widening(ax, scale=1.0):
    ax.plot([0, 1], [0, scale])
    ax.set_yticks([0, scale], labels=["0", f"{scale:,.0f} units"])  # labels widen with scale


def test_layout_states_leave_room_so_wide_states_need_no_layout_pass():
    control = lambda: {"scale": slider(1.0, 1.0, 1e9, 1.0, "scale")}  # noqa: E731
    plain = Explorer(_widening, control(), figsize=(4, 3))
    roomy = Explorer(_widening, control(), figsize=(4, 3), layout_states=[{"scale": 1e9}])
    assert roomy.values == {"scale": 1.0}                  # back at its starting state
    assert roomy._positions[0].x0 > plain._positions[0].x0  # room on the left for the labels
    plain.set(scale=1e9)
    roomy.set(scale=1e9)
    assert (plain.relayouts, roomy.relayouts) == (1, 0)
    assert roomy._fits(roomy.figure)
    wide = roomy.png
    roomy.clear_frame_cache()
    roomy.set(scale=3.0)
    assert roomy.set(scale=1e9).png == wide               # the picture has no history
    # the same explorer made again draws the same picture: the layout is fixed when made
    again = Explorer(_widening, control(), figsize=(4, 3), layout_states=[{"scale": 1e9}])
    assert again.set(scale=1e9).png == wide


@pytest.mark.parametrize("x, fits", [(0.1, True), (0.9, False), (-0.05, False)])
def test_fit_check_sees_text_cut_at_the_figure_edge(x, fits):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    FigureCanvasAgg(fig)
    fig.text(x, 0.5, "a label", ha="left")   # about 50 px of a 300 px wide figure
    fig.canvas.draw()
    assert Explorer._fits(fig) is fits


@pytest.mark.parametrize("bad", ["abc", None, True, float("nan"), float("inf"), [1.0]])
def test_set_rejects_non_numbers_with_a_value_error(bad):
    ex = make()
    with pytest.raises(ValueError, match="slope"):
        ex.set(slope=bad)
    assert ex.values["slope"] == 1.0


def test_set_rejects_non_booleans_for_a_checkbox():
    ex = ch01.compute_trend_explorer()
    with pytest.raises(ValueError, match="frontier_only must be True or False"):
        ex.set(frontier_only=1)


def line_explorer():
    return Explorer(_line, {"slope": slider(1.0, 0.0, 2.0, 0.1, "slope"),
                            "colour": dropdown(["C0", "C1"], "C0", "colour")}, title="Line",
                    static={"slope": [0.0, 2.0], "colour": ["C0", "C1"]})


def test_static_grid_and_html():
    ex = line_explorer()
    assert ex.factory.endswith(":line_explorer")
    assert make().factory is None and "<select" not in make()._repr_mimebundle_()["text/html"]
    assert ex.grid() == {"slope": [0.0, 1.0, 2.0], "colour": ["C0", "C1"]}  # the current value joins
    assert len(ex.states()) == 6
    index = ex.export_states()
    assert index["default"] == "1-0" and len(index["states"]) == 6
    assert index["states"]["2-1"]["result"] == {"slope": 2.0}
    assert index["states"]["1-0"]["png"] == ex.png and ex.values == {"slope": 1.0, "colour": "C0"}
    page = ex._repr_mimebundle_()["text/html"]
    assert 'type="range"' in page and "<select" in page and "Figure" in page
    with pytest.raises(ValueError, match="static: unknown control 'width'"):
        Explorer(_line, {"slope": slider(1.0, 0.0, 2.0, 0.1, "slope")}, static={"width": [1]})


def _decode(png):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_png_of_at_most_256_colours_is_exact():
    rng = np.random.default_rng(3)
    colours = rng.integers(0, 256, size=(256, 3), dtype=np.uint8)
    rgb = colours[rng.integers(0, 256, size=(40, 60))]
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    png = encode_png(rgba)
    assert np.array_equal(_decode(png), rgb)
    assert encode_png(rgba.copy()) == png                 # the same pixels, the same bytes


def test_png_of_more_colours_keeps_the_256_most_frequent_and_maps_the_rest_to_the_nearest():
    rng = np.random.default_rng(4)
    common = rng.integers(0, 256, size=(256, 3)).astype(np.uint8)
    rare = rng.integers(0, 256, size=(40, 3)).astype(np.uint8)
    rgb = np.concatenate([np.repeat(common, 5, axis=0), rare])[rng.permutation(256 * 5 + 40)]
    rgb = rgb.reshape(24, 55, 3)
    out = _decode(encode_png(np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])))
    is_rare = (rgb[..., None, :] == rare).all(-1).any(-1) & ~(rgb[..., None, :] == common).all(-1).any(-1)
    assert np.array_equal(out[~is_rare], rgb[~is_rare])  # frequent colours are exact
    for pixel, shown in zip(rgb[is_rare], out[is_rare]):   # brute force: the nearest frequent one
        distances = ((common.astype(int) - pixel.astype(int)) ** 2).sum(1)
        assert ((shown.astype(int) - pixel.astype(int)) ** 2).sum() == distances.min()


def test_a_live_redraw_collects_its_garbage_once_the_reader_pauses():
    """In a kernel (an event loop runs) the previous figures' garbage is collected after the
    redraw, while the reader looks at it, not inside a later redraw; outside one, never."""
    import asyncio
    import gc

    from energylab.widgets import base

    full = []
    watch = lambda phase, info: full.append(phase) if info["generation"] == 2 and phase == "stop" else None  # noqa: E731
    gc.callbacks.append(watch)
    try:
        ex = make()
        scheduled = base._idle_collect
        ex.set(slope=2.0)
        assert base._idle_collect is scheduled     # no event loop: nothing scheduled

        async def reader():
            ex.set(slope=0.5)
            pending = base._idle_collect
            assert pending is not None and not pending.cancelled()
            ex.set(slope=1.5)                  # a second move within the pause
            assert pending.cancelled() and base._idle_collect is not pending
            before = len(full)
            await asyncio.sleep(base.IDLE_COLLECT_S + 0.2)
            return len(full) - before

        assert asyncio.run(reader()) >= 1      # one full collection, after the pause
    finally:
        gc.callbacks.remove(watch)


@pytest.mark.parametrize("bad", [None, "png", np.zeros((4, 5, 4)), np.zeros((4, 5, 3), np.uint8),
                                 np.zeros((4, 5), np.uint8), [[[0, 0, 0, 255]]]])
def test_png_encoder_rejects_what_is_not_an_rgba_image(bad):
    with pytest.raises(ValueError, match="rgba must be an array of shape"):
        encode_png(bad)


@pytest.mark.parametrize("bad", [{"scale": 1e9}, ["scale"], [None]])
def test_layout_states_must_be_a_list_of_states(bad):
    with pytest.raises(ValueError, match=r"layout_states\[0\] must be a mapping"):
        Explorer(_widening, {"scale": slider(1.0, 1.0, 1e9, 1.0, "scale")}, figsize=(4, 3),
                 layout_states=bad)


def test_layout_states_name_only_controls_the_explorer_has():
    with pytest.raises(ValueError, match="unknown control 'size'"):
        Explorer(_widening, {"scale": slider(1.0, 1.0, 1e9, 1.0, "scale")}, figsize=(4, 3),
                 layout_states=[{"size": 2.0}])
