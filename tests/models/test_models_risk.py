"""Tests for whitecell.models.risk (Schelling, The Strategy of Conflict, 1960)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from whitecell.models import risk

unit = st.floats(0.0, 1.0)
rung = st.floats(1.0, 44.0)


def test_deterrence_band_worked_example() -> None:
    # Gain 1, challenger's war cost 3: deterred by a 25% risk. Defender loses 1
    # by conceding and 4 in a war: runs a risk of up to 25%.
    low, high = risk.deterrence_band(1, 3, 1, 4)
    assert (low, high) == pytest.approx((0.25, 0.25))
    low, high = risk.deterrence_band(1, 9, 2, 4)
    assert (low, high) == pytest.approx((0.1, 0.5))


@given(
    g=st.floats(0.01, 100),
    wc=st.floats(0.01, 100),
    loss=st.floats(0, 100),
    wd=st.floats(0.01, 100),
)
def test_deterrence_band_edges_are_indifference_points(
    g: float, wc: float, loss: float, wd: float
) -> None:
    low, high = risk.deterrence_band(g, wc, loss, wd)
    # At pi = low the challenger's expected value of pressing on is zero.
    assert low * (-wc) + (1 - low) * g == pytest.approx(0.0, abs=1e-9 * (g + wc))
    # At pi = high the defender is indifferent between conceding and the risk.
    assert high * wd == pytest.approx(loss)


def test_inadvertent_risk_reduces_to_base_when_quiet() -> None:
    assert risk.inadvertent_risk(0.01, 0, 0, 1, k_alert=0.5, k_contact=0.5, k_rung=0.5) == (
        pytest.approx(0.01)
    )


def test_inadvertent_risk_worked_example() -> None:
    pi = risk.inadvertent_risk(0.01, 1.0, 1.0, 44, k_alert=0.05, k_contact=0.1, k_rung=0.2)
    assert pi == pytest.approx(1 - 0.99 * 0.95 * 0.9 * 0.8)
    pi = risk.inadvertent_risk(0.0, 0.5, 0.0, 22.5, k_alert=0.1, k_contact=0.3, k_rung=0.2)
    assert pi == pytest.approx(1 - (1 - 0.05) * (1 - 0.2 * 0.5))


def test_inadvertent_risk_vectorised_over_runs() -> None:
    alert = np.linspace(0, 1, 11)
    pi = risk.inadvertent_risk(0.01, alert, 0.2, 10, k_alert=0.1, k_contact=0.1, k_rung=0.1)
    assert pi.shape == (11,)
    assert np.all(np.diff(pi) > 0)  # raising everyone's alert raises the risk


@given(
    base=unit,
    alert=unit,
    contact=unit,
    rung_=rung,
    ka=unit,
    kc=unit,
    kr=unit,
    which=st.sampled_from(["base", "alert", "contact", "rung", "ka", "kc", "kr"]),
    bump=unit,
)
def test_inadvertent_risk_in_unit_interval_and_monotone(
    base: float,
    alert: float,
    contact: float,
    rung_: float,
    ka: float,
    kc: float,
    kr: float,
    which: str,
    bump: float,
) -> None:
    args = {"base": base, "alert": alert, "contact": contact, "rung": rung_}
    ks = {"ka": ka, "kc": kc, "kr": kr}

    def pi(a: dict[str, float], k: dict[str, float]) -> float:
        return float(
            risk.inadvertent_risk(
                a["base"],
                a["alert"],
                a["contact"],
                a["rung"],
                k_alert=k["ka"],
                k_contact=k["kc"],
                k_rung=k["kr"],
            )
        )

    before = pi(args, ks)
    assert 0.0 <= before <= 1.0
    if which in args:
        upper = 44.0 if which == "rung" else 1.0
        args = {**args, which: args[which] + bump * (upper - args[which])}
    else:
        ks = {**ks, which: ks[which] + bump * (1.0 - ks[which])}
    after = pi(args, ks)
    assert 0.0 <= after <= 1.0
    assert after >= before - 1e-12


def test_cumulative_risk() -> None:
    assert risk.cumulative_risk([0.1, 0.1]) == pytest.approx(0.19)
    assert risk.cumulative_risk([0.0, 0.0, 0.0]) == 0.0
    assert risk.cumulative_risk([0.2, 1.0, 0.0]) == 1.0
    per_run = risk.cumulative_risk(np.array([[0.1, 0.1], [0.5, 0.5], [0.0, 0.0]]))
    np.testing.assert_allclose(per_run, [0.19, 0.75, 0.0])
    by_turn = risk.cumulative_risk(np.array([[0.1, 0.1], [0.5, 0.5]]), axis=0)
    np.testing.assert_allclose(by_turn, [0.55, 0.55])
    # Many small risks: 1 - (1 - 1e-9)^1000, computed without cancellation.
    assert risk.cumulative_risk(np.full(1000, 1e-9)) == pytest.approx(1e-6, rel=1e-6)


@given(st.lists(unit, min_size=1, max_size=30))
def test_cumulative_risk_properties(per_turn: list[float]) -> None:
    total = risk.cumulative_risk(per_turn)
    assert max(per_turn) - 1e-12 <= total <= 1.0
    assert total <= sum(per_turn) + 1e-12  # union bound


def test_errors() -> None:
    with pytest.raises(ValueError, match="rung"):
        risk.inadvertent_risk(0.0, 0.0, 0.0, 0, k_alert=0, k_contact=0, k_rung=0)
    with pytest.raises(ValueError, match="rung"):
        risk.inadvertent_risk(0.0, 0.0, 0.0, 45, k_alert=0, k_contact=0, k_rung=0)
    with pytest.raises(ValueError, match="alert"):
        risk.inadvertent_risk(0.0, 1.5, 0.0, 1, k_alert=0, k_contact=0, k_rung=0)
    with pytest.raises(ValueError, match="k_rung"):
        risk.inadvertent_risk(0.0, 0.0, 0.0, 1, k_alert=0, k_contact=0, k_rung=2)
    with pytest.raises(ValueError, match="per_turn"):
        risk.cumulative_risk([0.5, -0.1])
    with pytest.raises(ValueError, match="defender_war_cost"):
        risk.deterrence_band(1, 1, 1, 0)
    with pytest.raises(ValueError, match="gain \\+ challenger_war_cost"):
        risk.deterrence_band(0, 0, 1, 1)
