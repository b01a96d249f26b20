"""Tests for whitecell.models.brinkmanship (Powell 1987, APSR 81(3); Powell 1990)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from whitecell.models import brinkmanship

payoff = st.floats(-100.0, 100.0)
gap = st.floats(1e-3, 100.0)  # keeps win > submit > disaster


def test_critical_risk_worked_example() -> None:
    # Win 10, submit 0, disaster -90: stand firm while the risk is at most 10%.
    assert brinkmanship.critical_risk(10, 0, -90) == pytest.approx(0.1)
    assert brinkmanship.stands_firm(0.1, 0.1)
    assert not brinkmanship.stands_firm(0.1, 0.11)


@given(d=payoff, gap_s=gap, gap_w=gap, risk=st.floats(0.0, 1.0))
def test_critical_risk_is_the_indifference_point(
    d: float, gap_s: float, gap_w: float, risk: float
) -> None:
    s = d + gap_s
    w = s + gap_w
    r = brinkmanship.critical_risk(w, s, d)
    assert 0.0 < r < 1.0
    # At the critical risk standing firm is worth exactly submitting ...
    assert (1 - r) * w + r * d == pytest.approx(s, abs=1e-9 * (abs(w) + abs(d) + 1))
    # ... and below it standing firm is better, above it worse.
    firm_value = (1 - risk) * w + risk * d
    if risk < r - 1e-9:
        assert firm_value > s
        assert brinkmanship.stands_firm(r, risk)
    elif risk > r + 1e-9:
        assert firm_value < s
        assert not brinkmanship.stands_firm(r, risk)


def test_critical_risk_validation() -> None:
    with pytest.raises(ValueError, match="win > submit > disaster"):
        brinkmanship.critical_risk(0, 1, -1)
    with pytest.raises(ValueError, match="win > submit > disaster"):
        brinkmanship.critical_risk([10, 0], [0, 0], [-90, -1])
    loose = brinkmanship.critical_risk([10, 0], [0, 0], [-90, -1], strict=False)
    assert loose[0] == pytest.approx(0.1)
    assert np.isnan(loose[1])
    with pytest.raises(ValueError, match="win"):
        brinkmanship.critical_risk(float("nan"), 0, -1)


def test_first_to_quit() -> None:
    codes = brinkmanship.first_to_quit([0.2, 0.5, 0.3], [0.3, 0.4, 0.3])
    np.testing.assert_array_equal(
        codes, [brinkmanship.A_QUITS, brinkmanship.B_QUITS, brinkmanship.TIE]
    )
    assert codes.dtype == np.int8
    assert brinkmanship.first_to_quit(0.1, 0.9) == brinkmanship.A_QUITS


@given(ra=st.floats(0, 1), rb=st.floats(0, 1), risk=st.floats(0, 1))
def test_less_resolute_side_quits_first(ra: float, rb: float, risk: float) -> None:
    code = brinkmanship.first_to_quit(ra, rb)
    # Whenever the quitter would still stand firm, so would the other side.
    if code == brinkmanship.A_QUITS and brinkmanship.stands_firm(ra, risk):
        assert brinkmanship.stands_firm(rb, risk)
    if code == brinkmanship.B_QUITS and brinkmanship.stands_firm(rb, risk):
        assert brinkmanship.stands_firm(ra, risk)


def test_stands_firm_validation() -> None:
    with pytest.raises(ValueError, match="risk"):
        brinkmanship.stands_firm(0.5, 1.5)
    with pytest.raises(ValueError, match="resolve_a"):
        brinkmanship.first_to_quit(-0.5, 0.5)
