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
never stack extra figures in a notebook.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib
import numpy as np

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

__all__ = ["Explorer", "slider", "int_slider", "log_slider", "range_slider", "dropdown", "toggle",
           "another_value", "STYLE"]

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
        Shown above the controls and used in the plain-text representation.
    ncols : int
        Number of side-by-side axes.
    figsize : tuple of float
        Figure size in inches.

    Examples
    --------
    >>> from energylab.widgets.base import Explorer, slider
    >>> def plot_line(ax, slope=1.0):
    ...     ax.plot([0, 1], [0, slope])
    ...     return {"slope": slope}
    >>> ex = Explorer(plot_line, {"slope": slider(1.0, 0.0, 2.0, 0.1, "slope")}, title="Line")
    >>> ex.set(slope=2.0).result
    {'slope': 2.0}
    """

    def __init__(self, plot: Callable, controls: Mapping[str, widgets.ValueWidget],
                 title: str = "", ncols: int = 1, figsize: tuple[float, float] = (7.0, 4.0)):
        self._plot = plot
        self.controls = dict(controls)
        self.title = title
        self._ncols = ncols
        with matplotlib.rc_context(STYLE):
            self.figure = Figure(figsize=figsize, dpi=STYLE["figure.dpi"])
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.result: dict | None = None
        self.redraws = 0
        header = [widgets.HTML(f"<b>{title}</b>")] if title else []
        rows = list(self.controls.values())
        super().__init__(children=header + rows + [self.image])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()

    # ------------------------------------------------------------------ state
    @property
    def values(self) -> dict:
        """Current value of every control, by keyword name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values) -> "Explorer":
        """Set controls (as a user would) and redraw once; returns the explorer.

        Raises
        ------
        ValueError
            For an unknown control name, or a value the control cannot take
            (outside a slider's range, not among a dropdown's options).
        """
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"unknown control {name!r}; controls are {', '.join(self.controls)}")
            control = self.controls[name]
            lo, hi = getattr(control, "min", None), getattr(control, "max", None)
            if isinstance(control, widgets.FloatLogSlider):
                lo, hi = control.base ** lo, control.base ** hi
            ends = value if isinstance(value, (tuple, list)) else (value,)
            if lo is not None and not all(lo <= v <= hi for v in ends):
                raise ValueError(f"{name} must be in [{lo:g}, {hi:g}], got {value!r}")
            if len(ends) == 2 and ends[0] > ends[1]:
                raise ValueError(f"{name} must be a range (low, high) with low <= high, got {value!r}")
            options = getattr(control, "options", None)
            if options is not None and not isinstance(control, widgets.SelectionSlider):
                valid = [o[1] if isinstance(o, tuple) else o for o in options]
                if value not in valid:
                    raise ValueError(f"{name} must be one of {valid}, got {value!r}")
        with self.hold_trait_notifications():
            self._batch = True
            try:
                for name, value in values.items():
                    self.controls[name].value = value
            finally:
                self._batch = False
        self.redraw()
        return self

    _batch = False
    _positions = None

    def _on_change(self, change) -> None:
        if not self._batch:
            self.redraw()

    # ------------------------------------------------------------------ drawing
    def redraw(self) -> None:
        """Clear the one figure, draw it from the current values, refresh the PNG.

        The first draw lays the figure out with matplotlib's constrained layout; later
        draws reuse the axes positions it found (a layout pass costs as much as the
        drawing itself), so slider moves stay quick and the figure does not jump.
        """
        fig = self.figure
        fig.clear()
        with matplotlib.rc_context(STYLE):
            if self._positions is None:
                fig.set_layout_engine("constrained")
                axes = fig.subplots(1, self._ncols, squeeze=True)
            else:
                fig.set_layout_engine("none")
                made = [fig.add_axes(pos) for pos in self._positions]
                axes = made[0] if self._ncols == 1 else np.array(made)
            self.result = self._plot(axes, **self.values)
            png = self._render(fig)
            if self._positions is None:
                self._positions = [ax.get_position() for ax in np.atleast_1d(axes)]
            elif not self._fits(fig):
                # Labels grew past the edge (wider tick labels, a longer title): lay the
                # figure out afresh for this state and remember the new positions.
                self._positions = None
                return self.redraw()
        self.image.value = png
        self.redraws += 1

    @staticmethod
    def _render(fig) -> bytes:
        """Draw once with Agg and encode the pixels as PNG.

        ``savefig`` would draw the figure twice (once to settle the layout); drawing the
        canvas ourselves and handing its buffer to Pillow (fast zlib level) costs about
        half as much, which is most of a slider move's time.
        """
        from PIL import Image

        fig.canvas.draw()
        out = io.BytesIO()
        Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).save(out, format="png", compress_level=1)
        return out.getvalue()

    @staticmethod
    def _fits(fig) -> bool:
        """Whether everything drawn lies inside the figure (checked after a draw)."""
        bbox = fig.get_tightbbox(fig.canvas.get_renderer())
        w, h = fig.get_size_inches()
        tol = 0.02  # inches
        return bbox.x0 >= -tol and bbox.y0 >= -tol and bbox.x1 <= w + tol and bbox.y1 <= h + tol

    @property
    def png(self) -> bytes:
        """The current figure as PNG bytes."""
        return bytes(self.image.value)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in self.values.items())
        return f"<Explorer {self.title!r}: {shown}>"

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        if isinstance(data, tuple):  # (data, metadata)
            data = data[0]
        data = dict(data)
        data["text/plain"] = repr(self)
        data["image/png"] = base64.b64encode(self.png).decode("ascii")
        return data


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
