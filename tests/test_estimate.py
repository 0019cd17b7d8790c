"""The shared Estimate type: interval properties, against brute force and invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from energylab.estimate import Estimate, propagate

pos = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)


def facility_j(it_j, pue, overhead):
    return it_j * pue + overhead


@st.composite
def estimates(draw):
    a, b, c = sorted(draw(st.tuples(pos, pos, pos)))
    return Estimate(a, b, c)


@settings(max_examples=60, deadline=None)
@given(it=estimates(), pue=estimates(), over=estimates())
def test_interval_contains_central_and_matches_brute_force(it, pue, over):
    e = propagate(facility_j, it_j=it, pue=pue, overhead=over)
    assert e.low <= e.central <= e.high
    # Brute force: a dense grid over the box never leaves the interval and reaches its ends.
    g = np.linspace(0, 1, 7)
    vals = [facility_j(it.low + x * (it.high - it.low), pue.low + y * (pue.high - pue.low),
                       over.low + z * (over.high - over.low)) for x in g for y in g for z in g]
    assert min(vals) == pytest.approx(e.low, rel=1e-12)
    assert max(vals) == pytest.approx(e.high, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(it=estimates(), pue=estimates(), widen=st.floats(min_value=1.0, max_value=5.0))
def test_widening_an_input_never_narrows_the_output(it, pue, widen):
    narrow = propagate(facility_j, it_j=it, pue=pue, overhead=0.0)
    wide_pue = Estimate(pue.low / widen, pue.central, pue.high * widen)
    wide = propagate(facility_j, it_j=it, pue=wide_pue, overhead=0.0)
    assert wide.low <= narrow.low * (1 + 1e-12) and wide.high >= narrow.high * (1 - 1e-12)


def test_exact_inputs_collapse_to_a_point():
    e = propagate(facility_j, it_j=Estimate.exact(2.0), pue=1.5, overhead=0.25)
    assert e.is_exact and e.central == 3.25


def test_arrays_broadcast_element_wise():
    e = propagate(lambda a, b: a / b, a=np.array([1.0, 2.0, 4.0]), b=Estimate(1.0, 2.0, 4.0))
    np.testing.assert_allclose(e.low, [0.25, 0.5, 1.0])
    np.testing.assert_allclose(e.high, [1.0, 2.0, 4.0])


@pytest.mark.parametrize("args, word", [((2, 1, 3), "low must be <= central"), ((float("nan"), 1, 2), "low"),
                                        ((1, None, 3), "central"), (("1", 2, 3), "low"),
                                        ((1, True, 3), "central"),
                                        ((1, 2, float("inf")), "high")])
def test_bad_bounds_are_rejected_by_name(args, word):
    with pytest.raises(ValueError, match=word):
        Estimate(*args)


def test_non_finite_model_output_is_an_error_not_a_silent_nan():
    with pytest.raises(ValueError, match="not finite"):
        with np.errstate(divide="ignore"):
            propagate(lambda x: np.log(x), x=Estimate(0.0, 1.0, 2.0))


def test_format_reads_central_then_range():
    assert Estimate(1.0e9, 2.0e9, 4.0e9, "J").format(scale=1e9, unit="GJ") == "2 [1 – 4] GJ"
