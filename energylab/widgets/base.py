"""The Explorer pattern: one figure, redrawn from its controls.

An explorer pairs a pure drawing function ``plot(ax, **values)`` with a set of
ipywidgets controls. When a control changes, the explorer clears its one figure,
calls ``plot`` with the current values of all controls and shows the result as a PNG
in an ``ipywidgets.Image``. Because the figure is a PNG, the explorer looks the same
everywhere:

* live in Jupyter, Binder and Thebe, where the controls drive it;
* in the static HTML book, where ``_repr_mimebundle_`` adds an ``image/png`` of the
  default state and ``_config.yml`` prefers ``image/png`` over the widget view;
* in tests, which set control values with :meth:`Explorer.set` and read
  :attr:`Explorer.png` or :attr:`Explorer.result` without a browser.

The figure is a :class:`matplotlib.figure.Figure` made without pyplot, so redraws
never stack extra figures in a notebook. It is drawn by :mod:`energylab.widgets.layers`:
each axes' ticks, labels and grid come from a cache while they stay the same, over which
matplotlib draws the rest (the same pixels as a full draw, in a fraction of its time).
"""

from __future__ import annotations

import asyncio
import base64
import copy
import gc
import html
import io
import itertools
import hashlib
import json
import math
import sys
import textwrap
from collections import OrderedDict
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib
import numpy as np

from matplotlib.figure import Figure  # noqa: E402

from energylab import validate
from energylab.widgets import layers

__all__ = ["Explorer", "slider", "int_slider", "log_slider", "range_slider", "dropdown", "toggle",
           "another_value", "encode_png", "STYLE", "LIVE_NOTE"]

#: Where every explorer is live (said under each explorer in the static book).
LIVE_NOTE = ("All controls are live when you run this page on Binder or Colab (the rocket "
             "button at the top of the page) or in a local JupyterLab.")

#: Colours of the explorers' palette PNG: a frame is about a third of the size of a
#: full-colour one, which keeps the static book's frames within issue 13's 30 MB.
PALETTE_COLOURS = 256

#: zlib level of the PNG. Measured on 36 of the course's frames (issue 18, this machine):
#: level 6 takes 3.0 ms per frame, level 7 3.6 ms, level 8 8.5 ms for 8 % fewer bytes than
#: level 6, level 9 23 ms for 1 % fewer still. At level 6 the static book's 1,433 frames
#: come to 31 MB, over issue 13's 30 MB; at level 8 they stay within it.
PNG_COMPRESS_LEVEL = 8

#: zlib level of the PNG a live explorer sends to the browser after a move: 1.1 ms for a
#: frame instead of 8.6-10 ms at :data:`PNG_COMPRESS_LEVEL`, for 15-40 % more bytes that
#: travel a local or Binder socket, not a reader's download (issue 18). The pixels are the
#: same at every level; the static book's frames and a notebook's saved figure use
#: :data:`PNG_COMPRESS_LEVEL`.
LIVE_PNG_LEVEL = 1

#: Frames an explorer keeps of the states it has shown (a reader dragging a slider back and
#: forth sees them again at once): about 20-60 kB each, so at most a few MB per explorer.
FRAME_CACHE_SIZE = 64

#: Layouts found by matplotlib's constrained layout, kept for the process (issue 18): a
#: layout pass costs as much as the drawing itself (0.1-0.3 s), and every explorer made
#: again (in the book's build, a test, a notebook run twice) would repeat its own and those
#: of its ``layout_states``. Keyed by :meth:`Explorer._layout_key`: the positions a pass
#: finds depend only on what it draws, the plot function at those values.
LAYOUTS = 512
_LAYOUTS: dict = {}

#: Axes backgrounds (:mod:`.layers`) of every explorer of the process, one cache: the key
#: holds everything the pixels depend on (figure size and dpi, positions, limits, ticks,
#: styles), so an explorer made again, or another one with the same axes, reuses them.
_BACKGROUNDS: OrderedDict = OrderedDict()

#: Index of each colour in the palette of the frame being encoded, by 24-bit colour code
#: (16 MB, made at the first encode; only the entries of that frame's colours are read).
_PALETTE_INDEX: np.ndarray | None = None


#: Seconds a live kernel waits after an explorer's last redraw before it collects garbage.
#: Every redraw leaves the previous figure's artists as cyclic garbage (tens of thousands
#: of objects); Python's collector frees them in a full collection every few redraws,
#: 50-130 ms on this machine, which used to land inside a redraw and made its p95 (issue 18).
#: Collected while the reader looks at the new frame instead, they are gone before the next
#: move, and the collector does not need a full pass during a redraw. A move within this
#: time cancels the pending collection and starts the wait again.
IDLE_COLLECT_S = 0.25

_idle_collect = None   # the pending collection (an asyncio TimerHandle)


def _collect_when_idle() -> None:
    """Collect garbage :data:`IDLE_COLLECT_S` after the last redraw, when an event loop runs
    (a Jupyter kernel handling a control's message). Without one (a script, the tests, the
    book build) nothing is scheduled and Python collects as it always does."""
    global _idle_collect
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    if _idle_collect is not None:
        _idle_collect.cancel()
    _idle_collect = loop.call_later(IDLE_COLLECT_S, gc.collect)


_BLAS: tuple | None = None   # (modules loaded when it was made, the controller)


def _blas_controller():
    """threadpoolctl's view of the loaded BLAS libraries. Made again only when modules were
    imported since (SciPy and scikit-learn bring their own BLAS): making one inspects every
    loaded library, about 2 ms."""
    global _BLAS
    if _BLAS is None or _BLAS[0] != len(sys.modules):
        from threadpoolctl import ThreadpoolController
        controller = ThreadpoolController()
        _BLAS = (len(sys.modules), controller)
    return _BLAS[1]


def encode_png(rgba, level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """Encode an RGBA pixel buffer as the explorers' PNG (256-colour palette, no dithering).

    One encoder for the live view and the static book's pre-rendered frames, so that a
    frame shipped with the book has the pixels of the PNG the live explorer shows (the
    live view compresses less, :data:`LIVE_PNG_LEVEL`; ``level`` is zlib's, 0-9).

    The palette is the frame's :data:`PALETTE_COLOURS` most frequent colours (ties broken
    by colour, so the same pixels always give the same bytes), and every other colour
    (a few anti-aliased edge pixels when a frame has more than 256) becomes the nearest
    palette colour. A frame of at most 256 colours is encoded exactly; on the course's
    frames fewer than 1 % of pixels change, by at most 0.04 of 255 levels on average. That
    is as close as Pillow's median cut gets, in 2-4 ms instead of 15-28 ms: Pillow's own
    mapping to a given palette rounds every colour to 5 bits, and its fast octree shifts
    white; neither is exact.
    """
    global _PALETTE_INDEX
    from PIL import Image

    pixels = validate.rgba_pixels("rgba", rgba)
    level = validate.integer("level", level, 0, 9)
    height, width = pixels.shape[:2]
    found = Image.fromarray(pixels, mode="RGBA").getcolors(height * width)
    counts = np.fromiter((count for count, _ in found), np.int64, len(found))
    rgb = np.array([colour[:3] for _, colour in found], dtype=np.int64).reshape(-1, 3)
    codes, inverse = np.unique(rgb[:, 0] | (rgb[:, 1] << 8) | (rgb[:, 2] << 16), return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=counts).astype(np.int64)   # alpha dropped
    colours = np.stack([codes & 255, (codes >> 8) & 255, codes >> 16], axis=1).astype(np.int32)
    palette = colours[np.lexsort((codes, -counts))[:PALETTE_COLOURS]]
    # squared distance of every colour to every palette colour, channel by channel (a
    # matrix product would wake BLAS's threads, which then spin for longer than this takes)
    distance = sum((colours[:, None, k] - palette[None, :, k]) ** 2 for k in range(3))
    if _PALETTE_INDEX is None:
        _PALETTE_INDEX = np.zeros(1 << 24, np.uint8)
    _PALETTE_INDEX[codes] = distance.argmin(1)
    index = _PALETTE_INDEX[pixels.view("<u4")[..., 0] & 0xFFFFFF]
    image = Image.frombytes("P", (width, height), index.tobytes())
    image.putpalette(palette.astype(np.uint8).tobytes())
    out = io.BytesIO()
    image.save(out, format="png", compress_level=level)
    return out.getvalue()


#: Shared look of every explorer figure (one home for plot style).
STYLE = {
    "figure.dpi": 100,
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titley": 1.0,  # a fixed title position: no search for room above tick labels
    "axes.axisbelow": True,  # ticks and grid under the plot: the background layer (layers.py)
    "legend.fontsize": 9,
    "legend.frameon": False,
}

_DESCRIPTION = {"description_width": "initial"}
_LAYOUT = {"width": "95%"}


def slider(value: float, min: float, max: float, step: float, description: str,
           readout_format: str = ".3g") -> widgets.FloatSlider:
    """A float slider with the course's layout (updates when released)."""
    return widgets.FloatSlider(value=value, min=min, max=max, step=step,
                               description=description, readout_format=readout_format,
                               continuous_update=False, style=_DESCRIPTION,
                               layout=widgets.Layout(**_LAYOUT))


def int_slider(value: int, min: int, max: int, description: str, step: int = 1) -> widgets.IntSlider:
    """An integer slider with the course's layout."""
    return widgets.IntSlider(value=value, min=min, max=max, step=step, description=description,
                             continuous_update=False, style=_DESCRIPTION,
                             layout=widgets.Layout(**_LAYOUT))


def log_slider(value: float, min_exp: float, max_exp: float, description: str,
               step: float = 0.1, readout_format: str = ".3g") -> widgets.FloatLogSlider:
    """A slider over powers of ten: ``10**min_exp`` to ``10**max_exp``."""
    return widgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=step,
                                  description=description, readout_format=readout_format,
                                  continuous_update=False, style=_DESCRIPTION,
                                  layout=widgets.Layout(**_LAYOUT))


def range_slider(value: tuple[int, int], min: int, max: int, description: str,
                 step: int = 1) -> widgets.IntRangeSlider:
    """An integer range slider (two handles: low <= high by construction)."""
    return widgets.IntRangeSlider(value=value, min=min, max=max, step=step, description=description,
                                  continuous_update=False, style=_DESCRIPTION,
                                  layout=widgets.Layout(**_LAYOUT))


def dropdown(options, value, description: str) -> widgets.Dropdown:
    """A dropdown with the course's layout."""
    return widgets.Dropdown(options=options, value=value, description=description,
                            style=_DESCRIPTION, layout=widgets.Layout(width="60%"))


def toggle(value: bool, description: str) -> widgets.Checkbox:
    """A checkbox with the course's layout."""
    return widgets.Checkbox(value=value, description=description, indent=False)


class Explorer(widgets.VBox):
    """An interactive figure: controls on top, one redrawn PNG below.

    Parameters
    ----------
    plot : callable
        ``plot(ax, **values)`` draws on ``ax`` (or on an array of axes when
        ``ncols > 1``). It may return a dict of figures of merit, kept in
        :attr:`result`.
    controls : mapping of str to ipywidgets.ValueWidget
        Keyword name of ``plot`` -> the widget that sets it.
    title : str
        Shown above the controls, used as the figure's caption and in the plain-text
        representation.
    ncols : int
        Number of side-by-side axes.
    figsize : tuple of float
        Figure size in inches (at 100 dpi; the book's text column is 688 px wide, so
        figures wider than about 8.5 in are shown scaled below the size of their text).
    static : mapping of str to list, optional
        The controls that move in the static HTML book and the values they snap to
        (``{"frequency_ghz": [0.5, 1.0, 2.0, 4.0]}``); every other control stays at the
        value it has when the explorer is displayed. The book pre-renders every
        combination (:meth:`states`, :meth:`export_states`) with this same drawing code.
    constraints : list of callable, optional
        ``constraint(controls)`` functions that keep controls consistent (e.g. a
        slider's maximum that follows another control). They run after every change and
        before every draw, so a redraw never sees an inconsistent state.
    layout_states : list of dict, optional
        States (``{control: value}``, applied to the explorer's starting values) whose
        labels need more room than the starting state's: tick labels of another range, a
        longer category name. The axes positions every redraw reuses are the innermost of
        the layouts of the starting state and of these, so that such states fit without a
        layout pass of their own. Fixed when the explorer is made, so a state's picture
        still never depends on the states shown before it.

    Examples
    --------
    >>> from energylab.widgets.base import Explorer, slider
    >>> def plot_line(ax, slope=1.0):
    ...     ax.plot([0, 1], [0, slope])
    ...     return {"slope": slope}
    >>> ex = Explorer(plot_line, {"slope": slider(1.0, 0.0, 2.0, 0.1, "slope")}, title="Line",
    ...               static={"slope": [0.0, 1.0, 2.0]})
    >>> ex.set(slope=2.0).result
    {'slope': 2.0}
    >>> len(ex.states())
    3
    """

    def __init__(self, plot: Callable, controls: Mapping[str, widgets.ValueWidget],
                 title: str = "", ncols: int = 1, figsize: tuple[float, float] = (7.0, 4.0),
                 static: Mapping[str, list] | None = None, constraints: list[Callable] | None = None,
                 layout_states: list[Mapping] | None = None):
        self._plot = plot
        self.controls = dict(controls)
        self.title = title
        self._ncols = ncols
        self._constraints = list(constraints or [])
        # The function that built this explorer (a module-level ``*_explorer`` factory),
        # so that the book build can rebuild it and pre-render its states.
        caller = sys._getframe(1)
        name, module = caller.f_code.co_name, caller.f_globals.get("__name__", "")
        self.factory = f"{module}:{name}" if name.endswith("_explorer") and module != "__main__" else None
        self.static = self._check_static(static or {})
        with matplotlib.rc_context(STYLE):
            self._figure = Figure(figsize=figsize, dpi=STYLE["figure.dpi"])
        layers.Canvas(self._figure)
        self._frames: OrderedDict = OrderedDict()   # frame_name() -> (png, result)
        self._backgrounds = _BACKGROUNDS   # layers.background_key -> pixels, shared
        self._figure_stale = False
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.result: dict | None = None
        self.redraws = 0
        self.relayouts = 0   # draws laid out afresh because a state outgrew the first layout
        header = [widgets.HTML(f"<b>{title}</b>")] if title else []
        rows = list(self.controls.values())
        super().__init__(children=header + rows + [self.image])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()
        if layout_states:
            self._widen_layout(layout_states)

    # ------------------------------------------------------------------ state
    @property
    def values(self) -> dict:
        """Current value of every control, by keyword name."""
        return {name: control.value for name, control in self.controls.items()}

    def add_constraint(self, constraint: Callable) -> None:
        """Keep controls consistent: ``constraint(controls)`` runs before every draw."""
        self._constraints.append(constraint)
        self._constrain()

    def _constrain(self) -> None:
        batch, self._batch = self._batch, True
        try:
            for constraint in self._constraints:
                constraint(self.controls)
        finally:
            self._batch = batch

    def _check_value(self, name, value) -> None:
        """Raise ValueError unless ``control`` ``name`` can take ``value`` now."""
        if name not in self.controls:
            raise ValueError(f"unknown control {name!r}; controls are {', '.join(self.controls)}")
        control = self.controls[name]
        if isinstance(control, widgets.Checkbox):
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False, got {value!r}")
            return
        options = getattr(control, "options", None)
        if options is not None:
            valid = [o[1] if isinstance(o, tuple) else o for o in options]
            if value not in valid or isinstance(value, bool) != any(isinstance(v, bool) for v in valid):
                raise ValueError(f"{name} must be one of {valid}, got {value!r}")
            return
        lo, hi = getattr(control, "min", None), getattr(control, "max", None)
        if lo is None:
            return
        if isinstance(control, widgets.FloatLogSlider):
            lo, hi = control.base ** lo, control.base ** hi
        is_range = isinstance(control, (widgets.IntRangeSlider, widgets.FloatRangeSlider))
        if is_range and not (isinstance(value, (tuple, list)) and len(value) == 2):
            raise ValueError(f"{name} must be a range (low, high), got {value!r}")
        ends = tuple(value) if is_range else (value,)
        for v in ends:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r}")
            validate.finite(name, v)
            if isinstance(control, (widgets.IntSlider, widgets.IntRangeSlider)) and v != int(v):
                raise ValueError(f"{name} must be a whole number in [{lo:g}, {hi:g}], got {value!r}")
            if not lo <= v <= hi:
                raise ValueError(f"{name} must be in [{lo:g}, {hi:g}], got {value!r}")
        if is_range and ends[0] > ends[1]:
            raise ValueError(f"{name} must be a range (low, high) with low <= high, got {value!r}")

    def set(self, **values) -> "Explorer":
        """Set controls (as a user would, in the order given) and redraw once.

        Constraints between controls run after each value, so a later value is checked
        against the limits the earlier ones imply. Returns the explorer.

        Raises
        ------
        ValueError
            For an unknown control name, or a value the control cannot take (not a
            number, outside a slider's range, not among a dropdown's options, a
            checkbox given anything but True or False). The controls are left as they
            were.
        """
        for name in values:
            if name not in self.controls:
                raise ValueError(f"unknown control {name!r}; controls are {', '.join(self.controls)}")
        before = self.values
        self._batch = True
        try:
            for name, value in values.items():
                self._check_value(name, value)
                control = self.controls[name]
                if isinstance(control, widgets.IntRangeSlider):
                    value = tuple(int(v) for v in value)
                elif isinstance(control, widgets.IntSlider):
                    value = int(value)
                elif isinstance(value, list):
                    value = tuple(value)
                control.value = value
                self._constrain()
        except ValueError:
            for name, value in before.items():
                self.controls[name].value = value
                self._constrain()
            raise
        finally:
            self._batch = False
        self.redraw()
        return self

    _batch = False
    _positions = None
    _last_layout = None

    def _widen_layout(self, layout_states) -> None:
        """Reuse the innermost axes positions of the starting state's layout and those of
        ``layout_states`` (see the class's parameters)."""
        from matplotlib.transforms import Bbox

        start = self.values
        boxes = [self._positions]
        states = [validate.mapping(f"layout_states[{i}]", state) for i, state in enumerate(layout_states)]
        try:
            for state in states:
                self._quiet_set({**start, **state})
                key = self._layout_key()
                if key not in _LAYOUTS:          # found by a layout pass (kept for the process)
                    self._draw(relayout=True)
                boxes.append(_LAYOUTS.get(key, self._last_layout))
        finally:
            self._quiet_set(start)
        self._positions = [Bbox.from_extents(max(b.x0 for b in column), max(b.y0 for b in column),
                                             min(b.x1 for b in column), min(b.y1 for b in column))
                           for column in zip(*boxes)]
        self.relayouts = 0
        self.clear_frame_cache()
        self.redraw()

    def _on_change(self, change) -> None:
        if not self._batch:
            self.redraw()

    # ------------------------------------------------------------------ drawing
    def redraw(self) -> None:
        """Clear the one figure, draw it from the current values, refresh the PNG.

        The first draw lays the figure out with matplotlib's constrained layout; later
        draws reuse the axes positions it found (a layout pass costs as much as the
        drawing itself), so slider moves stay quick and the figure does not jump. A
        state whose labels do not fit those positions is laid out afresh for itself
        only: the picture of a state never depends on the states shown before it, which
        is what lets the static book ship pre-rendered frames equal to the live ones.

        A state shown before (among the last :data:`FRAME_CACHE_SIZE`) is not drawn
        again: its PNG and figures of merit come from the explorer's frame cache, and
        :attr:`figure` is redrawn only if something asks for it.
        """
        self._constrain()
        key = self.frame_name()
        cached = self._frames.get(key)
        if cached is not None:
            self._frames.move_to_end(key)
            png, self.result = cached[0], copy.deepcopy(cached[1])
            self._figure_stale = True
        else:
            png = self._draw(relayout=self._positions is None)
            self._frames[key] = (png, copy.deepcopy(self.result))
            while len(self._frames) > FRAME_CACHE_SIZE:
                self._frames.popitem(last=False)
            _collect_when_idle()
            self._prepare_when_idle()
        self.image.value = png
        self.redraws += 1

    def clear_frame_cache(self) -> None:
        """Forget the frames of states shown before (the next redraw draws afresh)."""
        self._frames.clear()

    @property
    def figure(self) -> Figure:
        """The matplotlib figure of the current state (drawn again if the PNG came from
        the frame cache), drawn whole: when the last redraw took its axes from a cached
        background, their ticks and labels are laid out now (the same pixels), so that
        every artist has the position it is drawn at."""
        if self._figure_stale:
            self._draw(relayout=self._positions is None)
        if self._partial:
            with matplotlib.rc_context(STYLE):     # ticks made now get the explorer's style
                self._figure.canvas.draw()
            self._partial = False
        return self._figure

    def _draw(self, relayout: bool) -> bytes:
        self._figure_stale = False
        fig = self._figure
        # Remove the old axes before clearing the figure: Figure.clear() first clears every
        # axes it is about to drop (re-creating their ticks), a tenth of a redraw for nothing.
        for ax in tuple(fig.axes):
            fig.delaxes(ax)
        fig.clear()
        layout_key = self._layout_key() if relayout else None
        known = _LAYOUTS.get(layout_key) if layout_key is not None else None
        with matplotlib.rc_context(STYLE):
            if relayout and known is None:
                fig.set_layout_engine("constrained")
                axes = fig.subplots(1, self._ncols, squeeze=True)
            else:
                fig.set_layout_engine("none")
                made = [fig.add_axes(ax) for ax in
                        (self._new_axes(known) if relayout else self._take_spare_axes())]
                axes = made[0] if self._ncols == 1 else np.array(made)
            # One BLAS thread: the explorers' matrices are small, and a second thread
            # spins idle for longer than the product takes (up to half a redraw's CPU).
            with _blas_controller().limit(limits=1, user_api="blas"):
                self.result = self._plot(axes, **self.values)
            for ax in fig.axes:
                layers.axis_to_bottom(ax)
            png = self._render(fig, check_fit=not relayout, backgrounds=self._backgrounds,
                               level=self._png_level)
            self._partial = not relayout or known is not None
            if png is None:
                self.relayouts += 1
                # Labels grew past the edge (wider tick labels, a longer title): lay
                # this state out afresh (the remembered positions stay the first ones).
                return self._draw(relayout=True)
            if relayout:
                self._last_layout = [ax.get_position() for ax in np.atleast_1d(axes)]
                if known is None and layout_key is not None:
                    if len(_LAYOUTS) >= LAYOUTS:
                        _LAYOUTS.pop(next(iter(_LAYOUTS)))
                    _LAYOUTS[layout_key] = self._last_layout
            if self._positions is None:
                self._positions = self._last_layout
            self._count_ticks(np.atleast_1d(axes))
        return png

    def _count_ticks(self, axes) -> None:
        """Remember how many ticks each axis made, at least as many as before: a redraw
        over a cached background makes none, and the next may need them again."""
        counts = [[(len(axis.__dict__.get("majorTicks", ())), len(axis.__dict__.get("minorTicks", ())))
                   for axis in (ax.xaxis, ax.yaxis)] for ax in axes]
        old = self._tick_counts
        if old is not None and len(old) == len(counts):
            counts = [[tuple(map(max, a, b)) for a, b in zip(new_ax, old_ax)]
                      for new_ax, old_ax in zip(counts, old)]
        self._tick_counts = counts

    _png_level = LIVE_PNG_LEVEL

    def _book_png(self) -> bytes:
        """The current frame at the static book's compression (:data:`PNG_COMPRESS_LEVEL`):
        the same pixels as :attr:`png`, fewer bytes."""
        from PIL import Image

        if self._png_level == PNG_COMPRESS_LEVEL:
            return self.png
        pixels = np.asarray(Image.open(io.BytesIO(self.png)).convert("RGBA"))
        return encode_png(pixels, PNG_COMPRESS_LEVEL)

    # Axes for the next redraw, made while the reader looks at this one (issue 18).
    _spare = None          # (positions, [Axes not yet in the figure])
    _tick_counts = None    # ticks each axis of the last draw made: [[(major, minor) for x, y]]

    def _make_spare_axes(self, ticks: bool = True) -> None:
        """Make the axes the next redraw draws on, with as many ticks as the last draw
        used (``ticks``) or with none yet.

        An axes takes about 5 ms to make, and each tick it draws half a millisecond more
        (four lines and two texts; a log axis has dozens of minor ticks); made in a
        kernel's pause, while the reader looks at the frame, they are not part of the next
        redraw's wait. The next plot then styles them (``tick_params``,
        ``set_yticks(..., fontsize=8)``) as it would have styled ticks made later:
        ``tests/test_layers_draw.py`` compares every explorer's frames with frames drawn
        on axes made on the spot. Without a pause (the book's frames, scripts, tests) the
        ticks are left to matplotlib, which makes them when the axes are drawn: a redraw
        whose axes come from a cached background (:mod:`.layers`) then makes none.
        """
        if self._positions is None:
            return
        counts = self._tick_counts if ticks else None
        self._spare = (list(self._positions), self._new_axes(self._positions, counts))

    def _new_axes(self, positions, tick_counts=None) -> list:
        """Axes at ``positions`` (not yet in the figure), each axis with ``tick_counts``
        ticks made (``[[(major, minor) for x, y] for each axes]``) or none."""
        from matplotlib.axes import Axes

        with matplotlib.rc_context(STYLE):
            made = [Axes(self._figure, pos) for pos in positions]
            for ax, counts in zip(made, tick_counts or ()):
                for axis, (major, minor) in zip((ax.xaxis, ax.yaxis), counts):
                    axis.get_major_ticks(major)
                    axis.get_minor_ticks(minor)
        return made

    def _layout_key(self):
        """What a layout pass's result depends on: the plot function, the figure's size and
        columns, and every control's value (``None`` when a value has no exact repr)."""
        values = repr(sorted(self.values.items()))
        if " at 0x" in values:
            return None
        return (self._plot, tuple(self._figure.get_size_inches()), self._figure.dpi, self._ncols, values)

    def _take_spare_axes(self) -> list:
        if self._spare is None or self._spare[0] != list(self._positions):
            self._make_spare_axes(ticks=False)
        made = self._spare[1]
        self._spare = None
        return made

    def _prepare_when_idle(self) -> None:
        """In a kernel (an event loop runs), make the next redraw's axes as soon as this
        redraw has sent its frame; elsewhere the next redraw makes them itself."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        loop.call_soon(self._prepare_spare)

    def _prepare_spare(self) -> None:
        if self._spare is None:
            self._make_spare_axes()

    @classmethod
    def _render(cls, fig, check_fit: bool = False, backgrounds: OrderedDict | None = None,
                level: int = PNG_COMPRESS_LEVEL) -> bytes | None:
        """Draw once with Agg and encode the pixels with :func:`encode_png`; ``None`` when
        ``check_fit`` and the drawing does not fit the figure (:meth:`_fits`).

        The axes' ticks, tick labels and grid come from ``backgrounds`` when a state with
        the same axes was drawn before (:func:`energylab.widgets.layers.draw`: the same
        pixels as a full draw). ``savefig`` would draw the figure twice (once to settle
        the layout); drawing the canvas ourselves and handing its buffer to the encoder
        costs about half as much.
        """
        layers.draw(fig, OrderedDict() if backgrounds is None else backgrounds)
        if check_fit and not cls._fits(fig):
            return None
        return encode_png(fig.canvas.buffer_rgba(), level)

    _partial = False   # the last draw may have taken its axes from a cached background (figure)

    @staticmethod
    def _fits(fig) -> bool:
        """Whether the drawn figure fits inside its edges (to 0.02 in).

        First from the pixels of the draw just made (``fig.canvas.draw()``): nothing but
        the figure's own background on its outermost rows and columns, a fraction of a
        millisecond. Text cut at the edge leaves ink there. Only when there is ink on an
        edge is matplotlib asked for the tight bounding box, which lays every tick label
        out again (a quarter of a redraw), to tell text that runs past the edge from text
        that ends on it. (Text wholly outside the figure leaves no ink on its edges; an
        explorer's labels never get there without others crossing an edge first.)
        """
        from matplotlib.colors import to_rgba

        pixels = np.asarray(fig.canvas.buffer_rgba())
        face = np.round(np.array(to_rgba(fig.get_facecolor())) * 255).astype(np.uint8)
        edges = (pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1])
        if all(bool((edge == face).all()) for edge in edges):
            return True
        bbox = fig.get_tightbbox(fig.canvas.get_renderer())
        w, h = fig.get_size_inches()
        tol = 0.02  # inches
        return bool(bbox.x0 >= -tol and bbox.y0 >= -tol and bbox.x1 <= w + tol and bbox.y1 <= h + tol)

    @property
    def png(self) -> bytes:
        """The current figure as PNG bytes."""
        return bytes(self.image.value)

    # ------------------------------------------------------------------ static book
    def _check_static(self, static: Mapping[str, list]) -> dict:
        grid = {}
        for name, values in static.items():
            if name not in self.controls:
                raise ValueError(f"static: unknown control {name!r}; controls are {', '.join(self.controls)}")
            values = [tuple(v) if isinstance(v, list) else v for v in values]
            if not values or len(set(map(repr, values))) != len(values):
                raise ValueError(f"static: {name} needs distinct values, got {values!r}")
            grid[name] = values
        return grid

    def grid(self) -> dict:
        """The static book's grid: control -> the values it snaps to.

        The declared values of each static control, plus its current value if that is
        not among them (so the figure the page opens with is always one of the states).
        """
        grid = {}
        for name, values in self.static.items():
            current = self.controls[name].value
            values = list(values)
            if current not in values:
                values.append(current)
                if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                    values.sort()
            grid[name] = values
        return grid

    def states(self) -> list[dict]:
        """Every state of the static grid, as ``{control: value}`` for the static controls."""
        grid = self.grid()
        return [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())]

    @staticmethod
    def state_key(grid: dict, state: dict) -> str:
        """A state's file name stem: the index of each static control's value, joined by '-'."""
        return "-".join(str(grid[name].index(state[name])) for name in grid) or "0"

    def frame_name(self) -> str:
        """The file name stem of the current state's frame: a digest of every control's value.

        Two pages that show the same explorer in the same state share one frame file.
        """
        text = json.dumps(_jsonable(self.values), sort_keys=True)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]

    def export_states(self, directory=None, keys=None, known: dict | None = None) -> dict:
        """Render every state of the static grid; return (and optionally write) the index.

        Each state is drawn with the explorer's own :meth:`set` (the same plot code and
        the same ``encode_png`` as the live view) starting from the values the
        explorer has now; the explorer is returned to them afterwards.

        Parameters
        ----------
        directory : path-like, optional
            Where to write ``<frame>.png`` for every state (:meth:`frame_name`).
        keys : collection of str, optional
            Render only these states (tests use a sample).
        known : dict, optional
            ``frame -> entry`` of frames already in ``directory`` (the build's cache);
            those states are not drawn again. New entries are added to it.

        Returns
        -------
        dict
            ``{"grid", "keys", "default", "states": {key: entry}}`` where each entry has
            ``frame``, ``result``, ``readout`` and ``alt`` (and ``png``, the bytes, when
            no directory is given).
        """
        import pathlib

        base, grid = self.values, self.grid()
        out = pathlib.Path(directory) if directory is not None else None
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        known = {} if known is None else known
        index = {"grid": {k: [_jsonable(v) for v in vs] for k, vs in grid.items()},
                 "default": self.state_key(grid, {k: base[k] for k in grid}), "states": {}}
        # the book's frames at the book's compression: no live frame from the cache
        self.clear_frame_cache()
        self._png_level = PNG_COMPRESS_LEVEL
        try:
            for state in self.states():
                key = self.state_key(grid, state)
                if keys is not None and key not in keys:
                    continue
                self._quiet_set({**base, **state})
                frame = self.frame_name()
                if out is not None and frame in known and (out / f"{frame}.png").exists():
                    index["states"][key] = dict(known[frame])
                    continue
                self.redraw()
                entry = {"frame": frame, "result": _jsonable(self.result),
                         "readout": readout(self.result), "alt": self.alt_text()}
                if out is None:
                    entry["png"] = self.png
                else:
                    (out / f"{frame}.png").write_bytes(self.png)
                    known[frame] = dict(entry)
                index["states"][key] = entry
        finally:
            self.set(**base)
            del self._png_level      # back to the class's live level
        return index

    def _quiet_set(self, values: dict) -> None:
        """Set controls as :meth:`set` does, without drawing."""
        draw, self.redraw = self.redraw, lambda: None
        try:
            self.set(**values)
        finally:
            del self.redraw

    def alt_text(self) -> str:
        """A description of the current figure for readers who cannot see it."""
        shown = "; ".join(f"{_label(c)} {_show(c, c.value)}" for c in self.controls.values())
        merit = readout(self.result)
        return f"{self.title}: chart at {shown}." + (f" It shows {merit}." if merit else "")

    def recipe(self) -> dict | None:
        """How the book build rebuilds this explorer: its factory and its current values."""
        if self.factory is None or not self.static:
            return None
        return {"factory": self.factory, "values": _jsonable(self.values)}

    def static_html(self) -> str:
        """The explorer for the static HTML book: HTML controls, the current frame, a caption.

        The page's script (``_static/explorer.js``) swaps pre-rendered frames when a
        control moves; the book's Sphinx extension (``_ext/book_assets.py``) writes those
        frames, points the image at them and numbers the figure.
        """
        recipe = self.recipe()
        grid = self.grid() if recipe else {}
        moving = [n for n in grid if len(grid[n]) > 1]
        rows = []
        for name in moving:
            control, values = self.controls[name], grid[name]
            index = values.index(control.value)
            label = html.escape(_label(control))
            shown = [html.escape(_show(control, v)) for v in values]
            data = f'data-name="{name}" data-labels="{html.escape(json.dumps(shown))}"'
            if isinstance(control, widgets.Checkbox) and sorted(values) == [False, True]:
                checked = " checked" if control.value else ""
                rows.append(f'<label class="wpt-ex-row"><input type="checkbox" {data} '
                            f'data-values="{html.escape(json.dumps(values))}"{checked}> {label}</label>')
            elif (getattr(control, "options", None) is not None or isinstance(control, widgets.Checkbox)
                  or isinstance(values[0], tuple)):
                opts = "".join(f'<option value="{i}"{" selected" if i == index else ""}>{s}</option>'
                               for i, s in enumerate(shown))
                rows.append(f'<label class="wpt-ex-row"><span class="wpt-ex-label">{label}</span> '
                            f'<select {data}>{opts}</select></label>')
            else:
                rows.append(f'<label class="wpt-ex-row"><span class="wpt-ex-label">{label}</span> '
                            f'<input type="range" min="0" max="{len(values) - 1}" step="1" '
                            f'value="{index}" {data} aria-valuetext="{shown[index]}"> '
                            f'<output>{shown[index]}</output></label>')
        fixed = [n for n in self.controls if n not in moving]
        shown_now = "; ".join(f"{_label(c)} = {_show(c, c.value)}" for c in self.controls.values())
        note = [f"Shown: {html.escape(shown_now)}."]
        if moving:
            n_states = math.prod(len(grid[n]) for n in moving)
            note.append(f"Moving here ({n_states} pre-rendered states): "
                        f"{html.escape(', '.join(_label(self.controls[n]) for n in moving))}"
                        + (f"; the others stay at the values shown." if fixed else "."))
        else:
            note.append("No control moves on this page.")
        note.append(html.escape(LIVE_NOTE))
        b64 = base64.b64encode(self._book_png()).decode("ascii")
        width, height = (int(round(v)) for v in self._figure.get_size_inches() * self._figure.dpi)
        attrs = ""
        if recipe:
            attrs = (f' data-wpt-recipe="{html.escape(json.dumps(recipe, sort_keys=True))}"'
                     f' data-wpt-keys="{html.escape(json.dumps(moving))}"')
        return (f'<figure class="wpt-explorer"{attrs}>\n'
                f'<div class="wpt-ex-controls">{"".join(rows)}</div>\n'
                f'<img class="wpt-ex-frame" src="data:image/png;base64,{b64}" width="{width}" '
                f'height="{height}" alt="{html.escape(self.alt_text())}">\n'
                f'<p class="wpt-ex-readout" aria-live="polite">{html.escape(readout(self.result))}</p>\n'
                f'<figcaption><span class="wpt-fignum">Figure</span> '
                f'<span class="wpt-ex-title">{html.escape(self.title)}</span> '
                f'<span class="wpt-ex-note">{" ".join(note)}</span></figcaption>\n</figure>')

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in self.values.items())
        # wrapped at the book's 88 characters (nbval compares this text with the committed one)
        return textwrap.fill(f"<Explorer {self.title!r}: {shown}>", 88, subsequent_indent="  ",
                             break_long_words=False, break_on_hyphens=False)

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        if isinstance(data, tuple):  # (data, metadata)
            data = data[0]
        data = dict(data)
        data["text/plain"] = repr(self)
        data["image/png"] = base64.b64encode(self._book_png()).decode("ascii")
        data["text/html"] = self.static_html()
        return data


def _label(control) -> str:
    return (getattr(control, "description", "") or "").strip() or "value"


def _show(control, value) -> str:
    """A control's value as the reader sees it (a dropdown's label, a slider's readout)."""
    options = getattr(control, "options", None)
    if options is not None:
        for option in options:
            if isinstance(option, tuple) and option[1] == value:
                return str(option[0])
        return str(value)
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (tuple, list)):
        return "–".join(_show(control, v) for v in value)
    fmt = getattr(control, "readout_format", None)
    if isinstance(value, float) and fmt:
        try:
            return format(value, fmt)
        except ValueError:
            pass
    return _fmt(value) if not isinstance(value, str) else value


#: Units written as the last part of a figure of merit's name (``final_clock_ghz``).
_UNIT_SUFFIX = {"j": "J", "w": "W", "mwh": "MWh", "gwh": "GWh", "ghz": "GHz", "hz": "Hz",
                "db": "dB", "s": "s", "t": "t CO₂", "kt": "kt CO₂", "m3": "m³", "ml": "ML",
                "months": "months", "years": "years", "w_per_cm2": "W/cm²", "mwh_per_day": "MWh/day"}

#: Figures of merit whose name alone would not tell a reader what they are (the others read
#: as their words with the unit of :data:`_UNIT_SUFFIX`).
READOUT_LABELS = {
    "n": "points", "eps": "machine epsilon", "max": "largest finite value",
    "min_subnormal": "smallest subnormal", "rel_error": "relative error",
    "below": "next value below", "above": "next value above", "r2": "R²",
    "pue": "PUE", "flops": "FLOP", "dram_gap": "DRAM gap to Landauer (×)",
    "gap": "gap (×)", "gap_newest": "newest chip's gap to Landauer (×)",
    "koomey_years": "years to the limit (Koomey's law)", "meet_year": "year the trend meets the limit",
    "optimum_hz": "energy-optimal clock (Hz)", "energy_opt_j": "energy at the optimum (J)",
    "sqnr_db": "SQNR (dB)", "nm_speedup": "N:M speed-up (×)",
    "nm_energy_ratio": "N:M energy ratio", "intensity": "arithmetic intensity (FLOP/byte)",
    "j_per_token": "energy per token (J)", "wh_per_query": "energy per query (Wh)",
    "wh_low": "low (Wh)", "wh_high": "high (Wh)", "onsite_ml": "on-site water (ML)",
    "offsite_ml": "off-site water (ML)", "it_gwh": "IT energy (GWh)",
    "facility_gwh": "facility energy (GWh)", "weights_bytes": "weights (bytes)",
    "tdp_w": "TDP (W)", "tokens_per_s": "tokens per second",
    "landauer_j": "Landauer limit (J)", "flops_per_token": "FLOP per token",
    "doubling_months": "doubling time (months)", "dynamic_w": "dynamic power (W)",
    "static_w": "static power (W)", "total_w": "total power (W)",
    "fleet_mwh_per_day": "fleet energy (MWh/day)", "analog_j": "analog energy (J)",
    "digital_j": "digital energy (J)", "estimate_w_per_cm2": "power density (W/cm²)",
    "total": "parameters stored", "active": "parameters active per token",
    "active_fraction": "fraction of parameters active",
}


def readout_label(key: str) -> str:
    """A figure of merit's name as a reader sees it: ``final_clock_ghz`` -> ``final clock (GHz)``.

    >>> readout_label("final_clock_ghz"), readout_label("time_to_throttle_s")
    ('final clock (GHz)', 'time to throttle (s)')
    """
    key = validate.text("key", key)
    if key in READOUT_LABELS:
        return READOUT_LABELS[key]
    for suffix in sorted(_UNIT_SUFFIX, key=len, reverse=True):
        if key.endswith("_" + suffix) and len(key) > len(suffix) + 1:
            return f"{key[:-len(suffix) - 1].replace('_', ' ')} ({_UNIT_SUFFIX[suffix]})"
    return key.replace("_", " ")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def readout_number(value) -> str:
    """A figure of merit as a reader writes it: four significant figures, powers of ten as such.

    >>> readout_number(1.1968e9), readout_number(12345.6), readout_number(0.7124), readout_number(3.2e-21)
    ('1.197×10⁹', '12,346', '0.7124', '3.2×10⁻²¹')
    """
    value = float(validate.finite("value", validate.scalar("value", value)))
    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"
    mantissa, exponent = f"{value:.3e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def readout(result) -> str:
    """Figures of merit as one line: ``name = value · name = value``, names as readers see them."""
    if not isinstance(result, dict):
        return ""
    parts = []
    for key, value in result.items():
        key = readout_label(key)
        if isinstance(value, (bool, np.bool_)):
            parts.append(f"{key} = {'yes' if value else 'no'}")
        elif isinstance(value, (int, float, np.integer, np.floating)):
            # a format's overflow is a result worth showing (rounded = ∞), not an error
            shown = (readout_number(value) if math.isfinite(value)
                     else "not a number" if math.isnan(value) else ("∞" if value > 0 else "−∞"))
            parts.append(f"{key} = {shown}")
        elif isinstance(value, str) and len(value) < 40:
            parts.append(f"{key} = {value}")
    return " · ".join(parts)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (int, str)) or value is None:
        return value
    if isinstance(value, np.ndarray) and value.size <= 16:
        return _jsonable(value.tolist())
    return repr(value)[:80]


def another_value(control):
    """A value a user could give ``control`` that differs from its current one.

    Checkboxes flip, dropdowns move to the next option, a range slider moves its low end,
    and sliders jump to whichever end of their range is farther away (in log space for a
    log slider). Tests and benchmarks use it to move every control as a user would.
    """
    if isinstance(control, widgets.Checkbox):
        return not control.value
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons)):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return values[(values.index(control.value) + 1) % len(values)]
    if isinstance(control, widgets.IntRangeSlider):
        low, high = control.value
        return (control.min, high) if low != control.min else (min(low + control.step, high), high)
    if isinstance(control, widgets.FloatLogSlider):
        lo, hi = control.base ** control.min, control.base ** control.max
        return hi if control.value < (lo * hi) ** 0.5 else lo
    mid = (control.min + control.max) / 2
    return control.max if control.value <= mid else control.min


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value)
