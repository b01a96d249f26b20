"""Crisis bargaining: the range of deals both sides prefer to war.

Source: James D. Fearon, "Rationalist Explanations for War", *International
Organization* 49(3):379-414 (1995).

The model in words: two states dispute a good worth 1; a deal ``x`` gives A
the share ``x`` and B the share ``1 - x``. If they fight, A wins (and takes
the whole good) with probability ``p``; war costs A ``c_A`` and B ``c_B``
(in shares of the good). A's expected value of war is ``p - c_A`` and B's is
``1 - p - c_B``. A prefers a deal to war when ``x >= p - c_A``; B when
``1 - x >= 1 - p - c_B``, i.e. ``x <= p + c_B``. Every deal in
``[p - c_A, p + c_B]`` is preferred by both, and because war is costly
(``c_A + c_B >= 0``) that range is never empty. War therefore needs an
explanation: private information with incentives to misrepresent,
commitment problems, or issue indivisibility.

In whitecell ``p`` comes from the contest model (:mod:`whitecell.models.contest`)
under each side's current beliefs, and the costs from the scenario.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from whitecell.models._arrays import BoolArray, FloatArray, nonnegative, out, probability

__all__ = ["bargaining_range", "deal_acceptable", "war_expected_value"]


def bargaining_range(
    p: npt.ArrayLike, cost_a: npt.ArrayLike, cost_b: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The deals (A's share) that both sides prefer to war.

    Source: James D. Fearon, "Rationalist Explanations for War", International Organization
    49(3):379-414 (1995).

    A accepts any share at least its expected value of war, ``p - cost_a``; B
    accepts any deal that leaves it at least ``1 - p - cost_b``, i.e. A's share
    at most ``p + cost_b``. The range is ``[p - cost_a, p + cost_b]`` clipped to
    the feasible shares [0, 1]; with non-negative costs it always contains
    ``p``.

    Args:
        p: probability that A wins a war, in [0, 1].
        cost_a, cost_b: each side's cost of war in shares of the good (>= 0).

    Returns:
        ``(low, high)`` with ``0 <= low <= p <= high <= 1``.

    Raises:
        ValueError: ``p`` outside [0, 1] or a negative cost.
    """
    pa = probability("p", p)
    ca = nonnegative("cost_a", cost_a)
    cb = nonnegative("cost_b", cost_b)
    low = np.clip(pa - ca, 0.0, 1.0)
    high = np.clip(pa + cb, 0.0, 1.0)
    low, high = np.broadcast_arrays(low, high)
    return out(np.array(low)), out(np.array(high))


def deal_acceptable(
    x: npt.ArrayLike, p: npt.ArrayLike, cost_a: npt.ArrayLike, cost_b: npt.ArrayLike
) -> BoolArray:
    """Whether both sides prefer the deal ``x`` (A's share) to war.

    Source: James D. Fearon, "Rationalist Explanations for War", International Organization
    49(3):379-414 (1995).

    True when ``p - cost_a <= x <= p + cost_b`` (ties count as acceptable: a
    side indifferent between the deal and war is taken to avoid the war).

    Raises:
        ValueError: ``x`` or ``p`` outside [0, 1] or a negative cost.
    """
    share = probability("x", x)
    low, high = bargaining_range(p, cost_a, cost_b)
    return out(np.asarray((share >= low) & (share <= high)))


def war_expected_value(p: npt.ArrayLike, cost: npt.ArrayLike) -> FloatArray:
    """A side's expected value of war: ``p - cost`` (shares of the good).

    Source: James D. Fearon, "Rationalist Explanations for War", International Organization
    49(3):379-414 (1995).

    A side that wins the whole good with probability ``p`` and pays ``cost``
    either way expects ``p * 1 + (1 - p) * 0 - cost``. For side B pass ``1 - p``
    and ``cost_b``.

    Raises:
        ValueError: ``p`` outside [0, 1] or a negative cost.
    """
    pa = probability("p", p)
    c = nonnegative("cost", cost)
    return out(np.asarray(pa - c))
