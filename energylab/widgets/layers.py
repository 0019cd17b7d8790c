"""Drawing an explorer's figure in two layers: a cached background and the plot over it.

Most of a redraw used to go to the parts of the figure a control rarely changes: each
axis's ticks, tick labels, grid lines and label (matplotlib makes a tick object of four
lines and two texts for every tick, about half a millisecond each, and a log axis has
dozens of minor ticks), then rasterising their text (issue 18). Here a figure is drawn as

1. the **background**: the figure's face, each axes' face and its two axes (ticks, tick
   labels, grid lines, axis labels, offset text), drawn once for each distinct part of
   :func:`background_key` and kept as pixels, axes by axes;
2. the **plot**: every other artist (lines, bars, images, texts, legends, titles, spines,
   figure-level text), drawn by matplotlib's own ``Figure.draw`` over a copy of those
   pixels, with the background's artists hidden.

The picture is the one a full ``canvas.draw()`` makes, pixel for pixel, because
:func:`axis_to_bottom` puts each axes' axis objects below everything else in it (as
``axes.axisbelow = True`` does for the usual artists): a full draw paints them first too.
The key is made from everything the background's pixels depend on (positions, limits,
scales, tick positions and label strings, tick and label styles), so a state's picture
never depends on the states drawn before it; ``tests/test_layers_draw.py`` checks both
claims against full draws of every explorer's states. A figure this module cannot key
(an axes locator, inset axes, subfigures, a scale without a printable transform, a tick
label with a box or path effects) is drawn whole.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.ft2font import RenderMode
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.ticker import NullLocator

__all__ = ["axis_to_bottom", "background_key", "draw", "Canvas", "GlyphCachingRenderer", "BACKGROUNDS", "GLYPHS"]

#: Axes backgrounds a cache keeps (each the rectangle of pixels one axes paints, at most a
#: full figure's, about 1.5 MB at 9 x 4.5 in and 100 dpi, typically 0.3-0.7 MB): the
#: explorers of a process share one (``energylab.widgets.base``), enough for the few axis
#: ranges of each panel a reader moves between in a lab's handful of explorers.
BACKGROUNDS = 64


class _Unkeyable(Exception):
    """The figure has something whose pixels the key would not describe."""


def axis_to_bottom(ax: Axes) -> None:
    """Draw ``ax``'s axis objects (ticks, tick labels, grid lines) below every other artist
    of the axes, as :func:`draw`'s background layer is. With ``axes.axisbelow = True`` they
    already are, except below an artist placed under them on purpose (an image, a band at
    ``zorder=0``): the grid then goes under that artist too."""
    others = [a.get_zorder() for a in ax.get_children()
              if a is not ax.patch and a not in ax._axis_map.values()]
    lowest = min(others, default=0.5)
    for axis in ax._axis_map.values():
        if axis.get_zorder() >= lowest:
            axis.set_zorder(lowest - 1)


def _colour(c) -> str:
    return repr(c.tolist() if hasattr(c, "tolist") else c)


def _text(t) -> tuple:
    if t.get_bbox_patch() is not None or t.get_path_effects():
        raise _Unkeyable("text with a box or path effects")
    return (t.get_text(), t.get_visible(), _colour(t.get_color()), t.get_fontproperties(),
            t.get_rotation(), t.get_ha(), t.get_va(), t.get_alpha(), t.get_rotation_mode(),
            tuple(t.get_position()), t._linespacing, t.get_usetex(), t.get_wrap(),
            t.get_antialiased())


def _line(line) -> tuple:
    return (line.get_visible(), _colour(line.get_color()), line.get_linewidth(), repr(line.get_linestyle()),
            repr(line.get_marker()), line.get_markersize(), line.get_markeredgewidth(),
            _colour(line.get_markeredgecolor()), _colour(line.get_markerfacecolor()), line.get_alpha(),
            repr(line.get_dashes() if hasattr(line, "get_dashes") else None))


def _ticks(axis, which: str, n: int) -> tuple:
    """The style of the ticks the plot made itself (``set_yticks(..., fontsize=8)``,
    ``get_yticklabels()`` then a colour): ticks made later copy the first one's style, so
    these describe them all. Only the first ``n`` count: the axis draws no others. Nothing
    when no tick was made yet (the axis's tick settings, in the key, are all there is)."""
    made = axis.__dict__.get(f"{which}Ticks")
    if not made:
        return ()
    return tuple((_text(t.label1), _text(t.label2), _line(t.tick1line), _line(t.tick2line),
                  _line(t.gridline), t.get_pad(), t.get_tickdir(), t._size, t._width)
                 for t in made[:max(n, 1)])


def _axis(axis) -> tuple:
    if not axis.get_visible():
        return ("hidden",)
    transform = str(axis.get_transform())
    if " at 0x" in transform:
        raise _Unkeyable(f"scale without a printable transform: {transform}")
    parts = [transform, tuple(axis.get_view_interval())]
    for which, kw, locator, formatter, locs in (
            ("major", axis._major_tick_kw, axis.get_major_locator(), axis.major.formatter, axis.get_majorticklocs),
            ("minor", axis._minor_tick_kw, axis.get_minor_locator(), axis.minor.formatter, axis.get_minorticklocs)):
        shown = axis._tick_group_visible(kw) and not isinstance(locator, NullLocator)
        where = tuple(float(v) for v in locs()) if shown else ()
        labels = tuple(formatter.format_ticks(list(where))) if shown else ()
        parts += [repr(sorted(kw.items())), where, labels, _ticks(axis, which, len(where))]
    parts += [axis.major.formatter.get_offset(), _text(axis.offsetText), _text(axis.label),
              axis.label_position, axis.labelpad, axis._autolabelpos, axis.get_zorder()]
    return tuple(parts)


def _axes(ax: Axes) -> tuple:
    if ax.get_axes_locator() is not None or ax.child_axes or set(ax._axis_map) != {"x", "y"}:
        raise _Unkeyable("axes locator, inset axes or not a 2-D axes")
    ax.apply_aspect()          # as Axes.draw does first: an image's aspect moves the axes
    patch = ax.patch
    return (ax.get_zorder(), ax.get_visible(), ax.axison, ax._frameon,
            tuple(ax.get_position(original=False).bounds),
            (patch.get_visible(), _colour(patch.get_facecolor()), _colour(patch.get_edgecolor()),
             patch.get_linewidth(), patch.get_alpha()),
            _axis(ax.xaxis), _axis(ax.yaxis))


def background_key(fig) -> tuple | None:
    """Everything the background layer's pixels depend on, one part per axes (in drawing
    order) after the figure's own, or ``None`` when the figure has something the key
    would not describe (then :func:`draw` draws it whole)."""
    if fig.subfigs or not fig.axes:
        return None
    try:
        return ((tuple(fig.get_size_inches()), fig.dpi, _colour(fig.patch.get_facecolor()),
                 fig.patch.get_visible()), *(_axes(ax) for ax in _in_draw_order(fig)))
    except _Unkeyable:
        return None


def _in_draw_order(fig) -> list:
    return sorted(fig.axes, key=lambda ax: ax.get_zorder())   # stable: the order added


def _draw_layer(ax, renderer) -> None:
    """One axes' part of the background: its face and its axis objects."""
    if not ax.get_visible():
        return
    if ax.axison and ax._frameon:
        ax.patch.draw(renderer)
    if ax.axison:
        for axis in ax._axis_map.values():
            axis.draw(renderer)


def _blank(fig, renderer) -> None:
    renderer.clear()
    fig.patch.draw(renderer)


def _words(canvas) -> np.ndarray:
    """The canvas's pixels, one 32-bit word each, as a writable view of Agg's buffer."""
    return np.asarray(canvas.buffer_rgba()).view(np.uint32)[..., 0]


def _painted(canvas, blank, ax):
    """What one axes' layer painted on the blank figure: ``(rows, cols, pixels, mask)``,
    the smallest rectangle holding every pixel that differs from ``blank`` or lies under
    the axes' face (which may have the blank's colour and still cover what another axes
    drew there), its pixels and which of them count; ``None`` when there are none."""
    pixels = _words(canvas)
    changed = pixels != blank
    if ax.get_visible() and ax.axison and ax._frameon and ax.patch.get_visible():
        height = changed.shape[0]
        x0, y0, x1, y1 = ax.patch.get_window_extent().extents
        changed[max(0, height - math.ceil(y1)):max(0, height - math.floor(y0)),
                max(0, math.floor(x0)):max(0, math.ceil(x1))] = True
    rows, cols = np.flatnonzero(changed.any(1)), np.flatnonzero(changed.any(0))
    if rows.size == 0:
        return None
    r, c = slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)
    return r, c, pixels[r, c].copy(), changed[r, c].copy()


def _overlap(a, b) -> bool:
    """Whether two painted layers share a pixel (then their order matters)."""
    r0, r1 = max(a[0].start, b[0].start), min(a[0].stop, b[0].stop)
    c0, c1 = max(a[1].start, b[1].start), min(a[1].stop, b[1].stop)
    if r0 >= r1 or c0 >= c1:
        return False
    ma = a[3][r0 - a[0].start:r1 - a[0].start, c0 - a[1].start:c1 - a[1].start]
    mb = b[3][r0 - b[0].start:r1 - b[0].start, c0 - b[1].start:c1 - b[1].start]
    return bool((ma & mb).any())


def draw(fig, backgrounds: OrderedDict) -> bool:
    """Draw ``fig`` on its Agg canvas, over cached backgrounds where there are some.

    Each axes' background (its face, ticks, tick labels, grid and axis labels) is kept in
    ``backgrounds`` (the caller's cache, :data:`BACKGROUNDS` entries) under its part of
    :func:`background_key`, as the pixels it paints on the figure's blank face; a
    two-panel figure whose one panel's axes changed draws that panel's again and reuses
    the other's. The kept pixels of all axes are put on the blank face together, which
    is exact because no two paint the same pixel (checked; when two do, all are drawn in
    one pass, in matplotlib's order). Returns whether every axes' background came from
    the cache. The canvas holds the same pixels as after ``fig.canvas.draw()``.
    """
    canvas = fig.canvas
    if not isinstance(fig.get_layout_engine(), (type(None), PlaceHolderLayoutEngine)):
        key = None          # a layout engine (constrained layout) moves the axes as it draws
    else:
        for ax in fig.axes:
            ax._unstale_viewLim()
        key = background_key(fig)
    if key is None:
        canvas.draw()
        return False
    renderer = canvas.get_renderer()
    figure_part, parts = key[0], key[1:]
    blank, layers, hit = None, [], True
    for ax, part in zip(_in_draw_order(fig), parts):
        cached = backgrounds.get((figure_part, part), False)
        if cached is False:
            hit = False
            _blank(fig, renderer)
            if blank is None:
                blank = _words(canvas).copy()
                if (blank == blank.flat[0]).all():
                    blank = blank.flat[0]          # one colour: compare with a number
            _draw_layer(ax, renderer)
            cached = _painted(canvas, blank, ax)
            backgrounds[(figure_part, part)] = cached
            while len(backgrounds) > BACKGROUNDS:
                backgrounds.popitem(last=False)
        else:
            backgrounds.move_to_end((figure_part, part))
        if cached is not None:
            layers.append(cached)
    _blank(fig, renderer)
    if any(_overlap(a, b) for i, a in enumerate(layers) for b in layers[i + 1:]):
        for ax in _in_draw_order(fig):
            _draw_layer(ax, renderer)
    else:
        words = _words(canvas)
        for rows, cols, pixels, mask in layers:
            np.copyto(words[rows, cols], pixels, where=mask)
    hidden = [fig.patch] + [a for ax in fig.axes for a in (ax.patch, *ax._axis_map.values())]
    shown = [a.get_visible() for a in hidden]
    for a in hidden:
        a.set_visible(False)
    try:
        fig.draw(renderer)
    finally:
        for a, v in zip(hidden, shown):
            a.set_visible(v)
    return hit


# --------------------------------------------------------------------------- text
#: Glyph bitmaps a renderer keeps (a few hundred bytes each).
GLYPHS = 20_000


class GlyphCachingRenderer(RendererAgg):
    """Matplotlib's Agg renderer, keeping what it rasterises of text for the next draw.

    Agg asks FreeType to lay out every string (``_layout``) and to rasterise every glyph
    of it on every draw, and text is most of what an explorer's plot layer draws (issue
    18). These renderers keep each string's layout, and each glyph's bitmap by font, size,
    rotation and sub-pixel offset (FreeType places a glyph to 1/64 px; the same glyph at
    the same offset is the same bitmap, moved by whole pixels), and draws the kept bitmap
    with the same call Agg makes. The pixels are Agg's own
    (``tests/test_layers_draw.py`` compares every explorer's frames with stock Agg's).
    Antialiased text only; anything else goes to Agg unchanged.
    """

    #: Shared by every renderer of the process (the key holds the dpi and the font).
    _glyphs: dict = {}
    _layouts: dict = {}

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        # docstring inherited
        if ismath or not gc.get_antialiased():
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        flags = get_hinting_flag()
        key = (s, prop, self.dpi, flags, features if features is None else tuple(features), language)
        items = self._layouts.get(key)
        if items is None:
            font = self._prepare_font(prop)
            items = tuple((item.ft_object, item.glyph_index, item.x, item.y)
                          for item in font._layout(s, flags=flags, features=features, language=language))
            if len(self._layouts) >= GLYPHS:
                self._layouts.clear()
            self._layouts[(s, prop.copy(), *key[2:])] = items
        size = prop.get_size_in_points()
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
        rotation = matrix.tobytes()
        for font, glyph_index, dx, dy in items:   # as RendererAgg._draw_text_glyphs_and_boxes
            px = round(0x40 * (x + dx * cos - dy * sin))
            py = round(0x40 * (self.height - y + dx * sin + dy * cos))
            gkey = (font.fname, size, self.dpi, glyph_index, rotation, px & 0x3F, py & 0x3F, flags)
            glyph = self._glyphs.get(gkey)
            if glyph is None:
                font.set_size(size, self.dpi)
                font._set_transform(matrix, [px, py])
                bitmap = font._render_glyph(glyph_index, flags, RenderMode.NORMAL)
                glyph = (np.array(bitmap.buffer, copy=True), bitmap.left - (px >> 6), bitmap.top - (py >> 6))
                if len(self._glyphs) >= GLYPHS:
                    self._glyphs.clear()
                self._glyphs[gkey] = glyph
            buffer, left, top = glyph
            self._renderer.draw_text_image(buffer, left + (px >> 6),
                                           int(self.height) - (top + (py >> 6)) + buffer.shape[0], 0, gc)


class Canvas(FigureCanvasAgg):
    """An Agg canvas whose renderer is a :class:`GlyphCachingRenderer`."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = GlyphCachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
