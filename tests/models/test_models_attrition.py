"""Tests for whitecell.models.attrition (Lanchester 1916; Engel 1954; Hughes 1995)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whitecell.models import attrition

# --- Engel's Iwo Jima fit -----------------------------------------------------------------


def _engel_closed_form(day: float) -> tuple[float, float]:
    """Exact solution of Engel's Iwo Jima equations, interval by interval.

    dA/dt = P - a J, dJ/dt = -b A with P constant on each interval has, with
    w = sqrt(a b), c = cosh(w t), s = sinh(w t):
    A(t) = A0 c - sqrt(a/b) J0 s + (P/w) s,
    J(t) = J0 c - sqrt(b/a) A0 s - (b P / w^2)(c - 1).
    Valid while J stays positive, which it does through day 36.
    """
    a, b = 0.0544, 0.0106
    w = math.sqrt(a * b)
    breaks = [0.0, 1.0, 2.0, 3.0, 5.0, 6.0, math.inf]
    rates = [54_000.0, 0.0, 6_000.0, 0.0, 13_000.0, 0.0]
    us, jp = 0.0, 21_500.0
    for start, end, p in zip(breaks[:-1], breaks[1:], rates, strict=True):
        if day <= start:
            break
        t = min(day, end) - start
        c, s = math.cosh(w * t), math.sinh(w * t)
        us, jp = (
            us * c - math.sqrt(a / b) * jp * s + p / w * s,
            jp * c - math.sqrt(b / a) * us * s - b * p / w**2 * (c - 1.0),
        )
    return us, jp


def test_iwo_jima_parameters_match_engel() -> None:
    case = attrition.iwo_jima_engel()
    # Engel: dA/dt = P(t) - 0.0544 J, dJ/dt = -0.0106 A; our alpha acts on B, beta on A.
    assert case.beta == 0.0544
    assert case.alpha == 0.0106
    assert (case.a0, case.b0, case.t_end, case.law) == (0.0, 21_500.0, 36.0, "square")
    assert case.reinforce_b is None
    assert case.reinforce_a is not None
    landed = sum(case.reinforce_a(d + 0.5) for d in range(36))
    assert landed == pytest.approx(73_000.0)
    assert case.reinforce_a(0.5) == 54_000.0
    assert case.reinforce_a(2.5) == 6_000.0
    assert case.reinforce_a(5.5) == 13_000.0
    assert case.reinforce_a(1.5) == case.reinforce_a(3.5) == case.reinforce_a(6.5) == 0.0
    assert "Engel" in case.source and "1954" in case.source


def test_iwo_jima_integration_matches_exact_solution() -> None:
    # Numerical check: our RK4 against the closed form of the same equations.
    traj = attrition.iwo_jima_engel().solve(dt=0.01)
    for day in (1, 2, 5, 6, 10, 20, 36):
        i = int(round(day / 0.01))
        us, jp = _engel_closed_form(float(day))
        assert traj.t[i] == pytest.approx(day)
        assert traj.a[i] == pytest.approx(us, abs=0.5)
        assert traj.b[i] == pytest.approx(jp, abs=0.5)


def test_iwo_jima_reproduces_engel_fit() -> None:
    """Engel's model ends with ~52,000 US troops active and the Japanese nearly annihilated.

    Tolerances, honestly stated:
    * The equations integrate to 51,985 US troops on day 36 (the exact solution
      agrees to a troop, see the previous test). Engel's fitted curve is read as
      "about 52,000"; we allow 1% around that reading.
    * The actual US active strength on day 36 is taken as about 52,735 (Engel's
      data as relayed in the project brief; not re-checked against the original
      table). The two-parameter fit is not exact day by day, so we only ask that
      the model lies within 2.5% of it.
    * Engel chose the US effectiveness so that the 21,500 defenders are all but
      gone after 36 days: the model leaves about 217 (1%; historically 216
      Japanese were captured), so we ask for under 2% remaining and none of the
      rounding of the coefficients to drive the Japanese to zero early.
    """
    traj = attrition.iwo_jima_engel().solve()
    us_end, jp_end = traj.final
    assert traj.t[-1] == 36.0
    assert us_end == pytest.approx(52_000, rel=0.01)
    assert us_end == pytest.approx(52_735, rel=0.025)
    assert 0 < jp_end < 0.02 * 21_500
    assert np.all(traj.b > 0)
    # Peak US strength just after the last landing (day 6), as in Engel's curves.
    assert traj.t[np.argmax(traj.a)] == pytest.approx(6.0, abs=0.01)
    # Engel's Japanese strength falls monotonically (no reinforcement).
    assert np.all(np.diff(traj.b) <= 0)


def test_iwo_jima_converges_with_step() -> None:
    coarse = attrition.iwo_jima_engel().solve(dt=0.1).final
    fine = attrition.iwo_jima_engel().solve(dt=0.005).final
    assert coarse[0] == pytest.approx(fine[0], abs=1.0)
    assert coarse[1] == pytest.approx(fine[1], abs=1.0)


# --- square law ---------------------------------------------------------------------------


def test_square_law_closed_form_without_reinforcement() -> None:
    a0, b0, alpha, beta = 1000.0, 800.0, 0.02, 0.03
    traj = attrition.lanchester(a0, b0, alpha, beta, 10.0, dt=0.01)
    w = math.sqrt(alpha * beta)
    t = traj.t
    a_exact = a0 * np.cosh(w * t) - math.sqrt(beta / alpha) * b0 * np.sinh(w * t)
    b_exact = b0 * np.cosh(w * t) - math.sqrt(alpha / beta) * a0 * np.sinh(w * t)
    np.testing.assert_allclose(traj.a, a_exact, rtol=1e-9)
    np.testing.assert_allclose(traj.b, b_exact, rtol=1e-9)


def test_square_law_survivors_and_annihilation() -> None:
    # Lanchester's square law: the winner keeps sqrt(A0^2 - (beta/alpha) B0^2).
    traj = attrition.lanchester(100.0, 50.0, 0.1, 0.1, 30.0, dt=0.001)
    a_end, b_end = traj.final
    assert b_end == 0.0
    assert a_end == pytest.approx(math.sqrt(100.0**2 - 50.0**2), rel=1e-3)
    # Once B is gone it stays gone and stops firing: A is constant from then on.
    gone = np.argmax(traj.b == 0.0)
    assert np.all(traj.b[gone:] == 0.0)
    assert np.ptp(traj.a[gone:]) == 0.0


def test_reinforcement_after_annihilation_floors_then_grows() -> None:
    # A side at zero is floored while the enemy's fire exceeds its reinforcement,
    # and grows again once reinforcement outpaces it.
    traj = attrition.lanchester(
        0.0, 100.0, 0.0, 0.5, 5.0, reinforce_a=lambda t: 10.0 if t > 2 else 0.0, dt=0.01
    )
    assert np.all(traj.a[traj.t <= 2.0] == 0.0)
    assert np.all(traj.a >= 0.0)
    traj = attrition.lanchester(
        0.0, 10.0, 0.0, 0.5, 5.0, reinforce_a=lambda t: 10.0 if t > 2 else 0.0, dt=0.01
    )
    assert traj.final[0] == pytest.approx(3.0 * (10.0 - 5.0), rel=1e-6)


square_params = st.tuples(
    st.floats(1.0, 1000.0),  # a0
    st.floats(1.0, 1000.0),  # b0
    st.floats(1e-3, 0.5),  # alpha
    st.floats(1e-3, 0.5),  # beta
    st.floats(0.1, 5.0),  # t_end
)


@settings(max_examples=60, deadline=None)
@given(square_params)
def test_square_law_conserves_invariant(params: tuple[float, float, float, float, float]) -> None:
    a0, b0, alpha, beta, t_end = params
    traj = attrition.lanchester(a0, b0, alpha, beta, t_end, dt=0.01)
    invariant = alpha * traj.a**2 - beta * traj.b**2
    scale = alpha * a0**2 + beta * b0**2
    both_alive = (traj.a > 0) & (traj.b > 0)
    assert np.all(np.abs(invariant[both_alive] - invariant[0]) <= 1e-7 * scale)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(1.0, 100.0),
    st.floats(1.0, 100.0),
    st.floats(1e-4, 1e-2),
    st.floats(1e-4, 1e-2),
    st.floats(0.1, 5.0),
)
def test_linear_law_conserves_invariant(
    a0: float, b0: float, alpha: float, beta: float, t_end: float
) -> None:
    traj = attrition.lanchester(a0, b0, alpha, beta, t_end, law="linear", dt=0.01)
    invariant = alpha * traj.a - beta * traj.b
    scale = alpha * a0 + beta * b0
    both_alive = (traj.a > 0) & (traj.b > 0)
    assert np.all(np.abs(invariant[both_alive] - invariant[0]) <= 1e-8 * scale)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.0, 1e4),
    st.floats(0.0, 1e4),
    st.floats(0.0, 5.0),
    st.floats(0.0, 5.0),
    st.sampled_from(["square", "linear"]),
    st.floats(0.0, 100.0),
    st.floats(0.0, 100.0),
)
def test_forces_never_negative(
    a0: float, b0: float, alpha: float, beta: float, law: str, ra: float, rb: float
) -> None:
    # Deliberately stiff coefficients (large steps relative to the rates): the
    # floor must still hold.
    traj = attrition.lanchester(
        a0,
        b0,
        alpha,
        beta,
        2.0,
        law=law,  # type: ignore[arg-type]
        reinforce_a=lambda t: ra,
        reinforce_b=lambda t: rb,
        dt=0.1,
    )
    assert np.all(traj.a >= 0.0) and np.all(traj.b >= 0.0)
    assert np.all(np.isfinite(traj.a)) and np.all(np.isfinite(traj.b))


def test_lanchester_batch_of_battles() -> None:
    a0 = np.array([100.0, 200.0, 300.0])
    traj = attrition.lanchester(a0, 150.0, 0.05, 0.05, 3.0, dt=0.01)
    assert traj.t.shape == (301,)
    assert traj.a.shape == traj.b.shape == (301, 3)
    for i, a_start in enumerate(a0):
        single = attrition.lanchester(a_start, 150.0, 0.05, 0.05, 3.0, dt=0.01)
        np.testing.assert_allclose(traj.a[:, i], single.a)


def test_zero_duration_and_step_alignment() -> None:
    traj = attrition.lanchester(10.0, 5.0, 0.1, 0.1, 0.0)
    assert traj.t.shape == (1,)
    assert traj.final == (10.0, 5.0)
    traj = attrition.lanchester(10.0, 5.0, 0.1, 0.1, 1.0, dt=0.3)
    assert traj.t[-1] == 1.0 and len(traj.t) == 5  # four steps of 0.25


# --- one-step helper ----------------------------------------------------------------------


def test_lanchester_step_matches_trajectory() -> None:
    a, b = attrition.lanchester_step(100.0, 80.0, 0.01, 0.02, 0.5)
    traj = attrition.lanchester(100.0, 80.0, 0.01, 0.02, 0.5, dt=0.5)
    assert (a, b) == pytest.approx(traj.final)


def test_lanchester_step_run_axis_and_substeps() -> None:
    runs = 1000
    rng = np.random.default_rng(0)
    a0 = rng.uniform(50, 150, runs)
    b0 = rng.uniform(50, 150, runs)
    a1, b1 = attrition.lanchester_step(a0, b0, 0.02, 0.03, 3.0, substeps=30)
    assert a1.shape == b1.shape == (runs,)
    invariant0 = 0.02 * a0**2 - 0.03 * b0**2
    invariant1 = 0.02 * a1**2 - 0.03 * b1**2
    alive = (a1 > 0) & (b1 > 0)
    np.testing.assert_allclose(invariant1[alive], invariant0[alive], rtol=1e-8, atol=1e-6)
    # Constant reinforcement over the step.
    a2, _ = attrition.lanchester_step(0.0, 0.0, 0.1, 0.1, 2.0, reinforce_a=5.0)
    assert a2 == pytest.approx(10.0)


def test_lanchester_step_linear_law() -> None:
    a1, b1 = attrition.lanchester_step(100.0, 100.0, 1e-3, 2e-3, 1.0, law="linear", substeps=10)
    assert 1e-3 * a1 - 2e-3 * b1 == pytest.approx(1e-3 * 100 - 2e-3 * 100, abs=1e-10)
    assert a1 < b1 < 100.0  # B (beta = 2e-3) hits A harder than A (alpha = 1e-3) hits B


# --- Hughes salvo -------------------------------------------------------------------------


def test_salvo_worked_example() -> None:
    # A: 4 ships, 3 missiles and 2 intercepts each, 2 hits to disable one.
    # B: 3 ships, 4 missiles and 3 intercepts each, 2 hits to disable one.
    # B loses (3*4 - 3*3)/2 = 1.5 ships; A loses (4*3 - 2*4)/2 = 2 ships.
    a_lost, b_lost = attrition.salvo(4, 3, 3, 4, 2, 3, 2, 2)
    assert a_lost == pytest.approx(2.0)
    assert b_lost == pytest.approx(1.5)


def test_salvo_floor_and_cap() -> None:
    # Defence swallows the whole attack: no losses, never negative.
    a_lost, b_lost = attrition.salvo(2, 10, 1, 0, 0, 5, 1, 1)
    assert b_lost == 0.0 and a_lost == 0.0
    # Overwhelming attack: B cannot lose more ships than it has.
    a_lost, b_lost = attrition.salvo(10, 3, 6, 0, 0, 1, 1, 2)
    assert b_lost == 3.0


def test_salvo_vectorised() -> None:
    a_lost, b_lost = attrition.salvo(np.array([4, 8]), 3, 3, 4, 2, 3, 2, 2)
    np.testing.assert_allclose(b_lost, [1.5, 3.0])
    np.testing.assert_allclose(a_lost, [2.0, 0.0])


@given(
    st.floats(0, 50),
    st.floats(0, 50),
    st.floats(0, 10),
    st.floats(0, 10),
    st.floats(0, 10),
    st.floats(0, 10),
    st.floats(0.1, 5),
    st.floats(0.1, 5),
)
def test_salvo_losses_bounded(
    a: float,
    b: float,
    alpha: float,
    beta: float,
    a_def: float,
    b_def: float,
    a_stay: float,
    b_stay: float,
) -> None:
    a_lost, b_lost = attrition.salvo(a, b, alpha, beta, a_def, b_def, a_stay, b_stay)
    assert 0.0 <= a_lost <= a
    assert 0.0 <= b_lost <= b


# --- errors -------------------------------------------------------------------------------


def test_errors() -> None:
    with pytest.raises(ValueError, match="law"):
        attrition.lanchester(1, 1, 1, 1, 1, law="cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="a0"):
        attrition.lanchester(-1, 1, 1, 1, 1)
    with pytest.raises(ValueError, match="dt"):
        attrition.lanchester(1, 1, 1, 1, 1, dt=0)
    with pytest.raises(ValueError, match="t_end"):
        attrition.lanchester(1, 1, 1, 1, -1)
    with pytest.raises(ValueError, match="reinforce_a"):
        attrition.lanchester(1, 1, 1, 1, 1, reinforce_a=lambda t: -5.0)
    with pytest.raises(ValueError, match="substeps"):
        attrition.lanchester_step(1, 1, 1, 1, 1, substeps=0)
    with pytest.raises(ValueError, match="beta"):
        attrition.lanchester_step(1, 1, 1, -1, 1)
    with pytest.raises(ValueError, match="b_staying"):
        attrition.salvo(1, 1, 1, 1, 1, 1, 1, 0)
    with pytest.raises(ValueError, match="after its start"):
        attrition.piecewise_rate([(1.0, 1.0, 5.0)])
    with pytest.raises(ValueError, match="amount"):
        attrition.piecewise_rate([(0.0, 1.0, -5.0)])
