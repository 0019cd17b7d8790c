"""The line of figures of merit under every explorer reads as words with units, not code names."""

import re

import pytest

from energylab.widgets import base

from test_all_explorers import _explorers


@pytest.mark.parametrize("factory", _explorers(), ids=lambda f: f"{f.__module__.split('.')[-1]}.{f.__name__}")
def test_readout_names_are_words(factory):
    ex = factory()
    line = base.readout(ex.result)
    names = [part.split(" = ")[0] for part in line.split(" · ") if part]
    assert names, "an explorer with no figure of merit shows no readout line"
    for name in names:
        assert "_" not in name, f"{factory.__name__}: readout shows the code name {name!r}"
    # The same line is what the static book shows under the frame.
    assert line in ex.static_html().replace("&#x27;", "'")


def test_unit_suffixes_become_units():
    assert base.readout_label("sustained_clock_ghz") == "sustained clock (GHz)"
    assert base.readout_label("water_m3") == "water (m³)"
    assert base.readout_label("it_gwh") == "IT energy (GWh)"
    # a name with no unit part keeps its words
    assert base.readout_label("memory_share") == "memory share"
    assert not re.search(r"\(\)", base.readout_label("s"))


def test_overflow_is_shown_not_raised():
    # the formats explorer's rounded value overflows to inf for large inputs in FP8/FP16
    line = base.readout({"rounded": float("inf"), "below": -float("inf"), "eps": float("nan"), "max": 448.0})
    assert line == "rounded = ∞ · next value below = −∞ · machine epsilon = not a number · largest finite value = 448"


def test_every_static_state_has_a_readout(monkeypatch):
    # the book renders each state's readout: none may raise (found by a cold build). The
    # readout comes from the plot's figures of merit: the pixels are not needed here.
    from energylab.widgets import ch04
    from energylab.widgets.base import Explorer
    monkeypatch.setattr(Explorer, "_render", classmethod(lambda cls, fig, check_fit=False, **kw: b"drawn"))
    index = ch04.formats_explorer().export_states()
    assert all(entry["readout"] for entry in index["states"].values())
