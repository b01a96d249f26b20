"""Deterrence thresholds: credible threats under incomplete information, and Chicken.

Source: Frank C. Zagare and D. Marc Kilgour, *Perfect Deterrence*
(Cambridge University Press, 2000).

The model in words: a defender's threat to resist is credible when the
defender prefers carrying it out to backing down (a "Hard" defender). The
challenger does not know the defender's type; it believes the defender is Hard
with probability ``p``. Challenging yields ``conflict`` against a Hard
defender and ``win`` against a Soft one who concedes; not challenging keeps
the ``status_quo``. Challenging is worth ``p conflict + (1 - p) win``, which is
no better than the status quo exactly when
``p >= (win - status_quo) / (win - conflict)``: the challenger is deterred.

Chicken: with payoffs ``T > R > S > P`` (Temptation to stand firm while the
other swerves, Reward for mutual swerving, Sucker's payoff for swerving alone,
Punishment for mutual standing firm), the symmetric mixed equilibrium has each
player stand firm with the probability that makes the other indifferent,
``q* = (T - R) / ((T - R) + (S - P))``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from whitecell.models._arrays import BoolArray, FloatArray, finite, out, probability

__all__ = ["chicken_mixed", "deterrence_threshold", "is_deterred"]


def deterrence_threshold(
    win: npt.ArrayLike, status_quo: npt.ArrayLike, conflict: npt.ArrayLike
) -> FloatArray:
    """Belief in a Hard defender needed to deter the challenger.

    Source: Frank C. Zagare and D. Marc Kilgour, Perfect Deterrence (Cambridge University Press,
    2000).

    The challenger is deterred when its probability that the defender is Hard is
    at least ``(win - status_quo) / (win - conflict)`` (challenger utilities).

    The value is returned unclipped: ``<= 0`` means the challenger gains nothing
    by winning (always deterred); ``> 1`` means conflict is no worse than the
    status quo for it (never deterred, even by a certainly Hard defender).

    Raises:
        ValueError: non-finite utilities, or ``win <= conflict`` (a challenger
            that does not prefer winning to conflict has no threshold).
    """
    w = finite("win", win)
    sq = finite("status_quo", status_quo)
    c = finite("conflict", conflict)
    if not np.all(w > c):
        raise ValueError("deterrence_threshold needs win > conflict for every element")
    return out(np.asarray((w - sq) / (w - c)))


def is_deterred(
    p_hard: npt.ArrayLike,
    win: npt.ArrayLike,
    status_quo: npt.ArrayLike,
    conflict: npt.ArrayLike,
) -> BoolArray:
    """Whether the challenger is deterred, ``p_hard >= deterrence_threshold``.

    Source: Frank C. Zagare and D. Marc Kilgour, Perfect Deterrence (Cambridge University Press,
    2000).

    At equality the challenger is indifferent between challenging and the status
    quo and is taken to be deterred (it keeps what it has).

    Raises:
        ValueError: ``p_hard`` outside [0, 1], or as :func:`deterrence_threshold`.
    """
    ph = probability("p_hard", p_hard)
    threshold = deterrence_threshold(win, status_quo, conflict)
    return out(np.asarray(ph >= threshold))


def chicken_mixed(
    t: npt.ArrayLike, r: npt.ArrayLike, s: npt.ArrayLike, p: npt.ArrayLike
) -> FloatArray:
    """Probability of standing firm in Chicken's symmetric mixed equilibrium.

    Source: Frank C. Zagare and D. Marc Kilgour, Perfect Deterrence (Cambridge University Press,
    2000).

    In Chicken each player stands firm with
    ``q* = (T - R) / ((T - R) + (S - P))``, the probability at which the
    other's payoff from swerving, ``(1 - q) R + q S``, equals its payoff from
    standing firm, ``(1 - q) T + q P``.

    Raises:
        ValueError: non-finite payoffs or payoffs not ordered ``T > R > S > P``.
    """
    tt = finite("t", t)
    rr = finite("r", r)
    ss = finite("s", s)
    pp = finite("p", p)
    if not np.all((tt > rr) & (rr > ss) & (ss > pp)):
        raise ValueError("chicken_mixed needs T > R > S > P for every element")
    return out(np.asarray((tt - rr) / ((tt - rr) + (ss - pp))))
