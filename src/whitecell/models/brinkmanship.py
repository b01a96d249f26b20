"""Brinkmanship: resolve as critical risk, and who backs down first.

Sources: Robert Powell, "Crisis Bargaining, Escalation, and MAD", *American
Political Science Review* 81(3):717-735 (1987); Robert Powell, *Nuclear
Deterrence Theory: The Search for Credibility* (Cambridge University Press,
1990).

The model in words: in a contest of nerves each escalation raises the risk
``r`` that events slip into a disaster neither side wants. A player who stands
firm gets, if the other submits, its winning payoff ``w``; if disaster strikes,
``d``; if it submits, ``s``, with ``w > s > d``. Standing firm at risk ``r`` is
worth ``(1 - r) w + r d``, which beats submitting exactly while
``r <= (w - s) / (w - d)``. That ratio, the player's **critical risk**, is its
resolve: the highest risk of disaster it will run rather than submit. As the
risk climbs, the side whose resolve is lower reaches its limit first and quits
(with complete information it quits at once, knowing it would quit later).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from whitecell.models._arrays import BoolArray, FloatArray, finite, out, probability

__all__ = [
    "A_QUITS",
    "B_QUITS",
    "TIE",
    "critical_risk",
    "first_to_quit",
    "stands_firm",
]

A_QUITS = 0
"""Code returned by :func:`first_to_quit` when side A is the less resolute."""
B_QUITS = 1
"""Code returned by :func:`first_to_quit` when side B is the less resolute."""
TIE = -1
"""Code returned by :func:`first_to_quit` when both are equally resolute."""


def critical_risk(
    win: npt.ArrayLike,
    submit: npt.ArrayLike,
    disaster: npt.ArrayLike,
    *,
    strict: bool = True,
) -> FloatArray:
    """Resolve: the highest risk of disaster a player runs rather than submit.

    Source: Robert Powell, "Crisis Bargaining, Escalation, and MAD", American Political Science
    Review 81(3):717-735 (1987); Robert Powell, Nuclear Deterrence Theory: The Search for
    Credibility (Cambridge University Press, 1990).

    The critical risk is ``r = (win - submit) / (win - disaster)``, the risk at
    which standing firm, ``(1 - r) win + r disaster``, is worth the same as
    submitting.

    The payoffs must be ordered ``win > submit > disaster`` (otherwise the
    player either never or always stands firm and the ratio has no meaning).
    By default a violation raises, for scalars and arrays alike, because a NaN
    would propagate silently through a sweep; pass ``strict=False`` to get NaN
    in the offending elements instead.

    Returns:
        Resolve in (0, 1).

    Raises:
        ValueError: non-finite payoffs, or (when ``strict``) payoffs not
            ordered ``win > submit > disaster``.
    """
    w = finite("win", win)
    s = finite("submit", submit)
    d = finite("disaster", disaster)
    ordered = (w > s) & (s > d)
    if strict and not np.all(ordered):
        raise ValueError("critical_risk needs win > submit > disaster for every element")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (w - s) / (w - d)
    return out(np.where(ordered, r, np.nan))


def stands_firm(resolve: npt.ArrayLike, risk: npt.ArrayLike) -> BoolArray:
    """Whether a player with this resolve stands firm at this risk of disaster.

    Source: Robert Powell, "Crisis Bargaining, Escalation, and MAD", American Political Science
    Review 81(3):717-735 (1987); Robert Powell, Nuclear Deterrence Theory: The Search for
    Credibility (Cambridge University Press, 1990).

    A player stands firm while the risk does not exceed
    its critical risk, ``risk <= resolve`` (at equality it is indifferent and is
    taken to stand firm).

    Raises:
        ValueError: ``resolve`` or ``risk`` outside [0, 1].
    """
    res = probability("resolve", resolve)
    rk = probability("risk", risk)
    return out(np.asarray(rk <= res))


def first_to_quit(resolve_a: npt.ArrayLike, resolve_b: npt.ArrayLike) -> npt.NDArray[np.int8]:
    """Which side backs down first under complete information.

    Source: Robert Powell, "Crisis Bargaining, Escalation, and MAD", American Political Science
    Review 81(3):717-735 (1987); Robert Powell, Nuclear Deterrence Theory: The Search for
    Credibility (Cambridge University Press, 1990).

    As the shared risk rises, the side with the lower
    critical risk reaches its limit first, so it is the one that quits.

    Returns:
        int8 codes: :data:`A_QUITS` (0) where ``resolve_a < resolve_b``,
        :data:`B_QUITS` (1) where ``resolve_b < resolve_a``, :data:`TIE` (-1)
        where they are equal.

    Raises:
        ValueError: a resolve outside [0, 1].
    """
    ra = probability("resolve_a", resolve_a)
    rb = probability("resolve_b", resolve_b)
    code = np.where(ra < rb, A_QUITS, np.where(rb < ra, B_QUITS, TIE)).astype(np.int8)
    return out(code)
