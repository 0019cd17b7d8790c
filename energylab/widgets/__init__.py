"""Interactive figures: a pure ``plot_*`` drawing function plus an ``*_explorer``.

This subpackage is the only part of energylab that imports matplotlib and ipywidgets.
"""

from .base import Explorer, dropdown, int_slider, log_slider, range_slider, slider, toggle

__all__ = ["Explorer", "slider", "int_slider", "log_slider", "range_slider", "dropdown", "toggle"]
