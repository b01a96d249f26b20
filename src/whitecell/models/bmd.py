"""Ballistic missile defence: kill probability, leakers and interceptor demand.

Source: Dean A. Wilkening, "A Simple Model for Calculating Ballistic Missile
Defense Effectiveness", *Science & Global Security* 8(2):183-215 (1999).

The model in words:

* A warhead engaged by ``n`` interceptors, each with single-shot kill
  probability SSPK, survives all of them with probability ``(1 - SSPK)^n``.
  Interception also needs the defence to detect, track and discriminate the
  warhead and to command the engagement; that factor is ``P_track``. The
  per-warhead kill probability is therefore
  ``K = P_track * (1 - (1 - SSPK)^n)``.
* Against ``N`` warheads the probability that none leaks through is
  ``P0 = K^N``; the number of leakers is Binomial(N, 1 - K) with mean
  ``N * (1 - K)``.
* Inverting ``P0 = K^N`` gives the interceptors needed per engaged object for a
  required ``P0``: ``n = ln(1 - P0^(1/N) / P_track) / ln(1 - SSPK)``. No number
  of interceptors reaches ``P0`` when ``P_track < P0^(1/N)``.
* Decoys that the defence cannot discriminate draw interceptors too: the number
  of objects engaged is ``W* = W * P_ww + D * P_dw`` (``P_ww`` the fraction of
  warheads engaged, taken as 1 here; ``P_dw`` the fraction of decoys engaged),
  while only warheads count for leakage.
* Shoot-look-shoot: fire ``n1`` interceptors, assess, and fire ``n2`` more only
  at warheads that survived the first salvo.

Modelling choices made here (documented so an analyst can disagree):

* ``P_track`` enters each warhead's kill probability independently, as in the
  formulas above. A system-wide common-mode failure (the radar is down for every
  warhead at once) is a different, correlated event; model it, if wanted, as a
  separate draw before calling these functions.
* Interceptor counts per warhead may be fractional in the analytic functions
  (Wilkening's continuous ``n``); the stochastic :func:`salvo_engagement` works
  in whole interceptors.
* Inventory matters: :func:`salvo_engagement` never fires more interceptors
  than the magazine holds and reports what is left.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from whitecell.models._arrays import (
    FloatArray,
    IntArray,
    counts,
    floats,
    nonnegative,
    out,
    probability,
)

__all__ = [
    "SalvoEngagement",
    "expected_leakers",
    "interceptors_required",
    "kill_probability",
    "leakers",
    "salvo_engagement",
    "shoot_look_shoot",
    "shots_required",
    "zero_leak_probability",
]


def _kill(sspk: FloatArray, shots: FloatArray, p_track: FloatArray) -> FloatArray:
    # 0 ** 0 == 1, so zero shots give K == 0 even when SSPK == 1.
    result: FloatArray = p_track * (1.0 - (1.0 - sspk) ** shots)
    return result


def kill_probability(
    sspk: npt.ArrayLike, shots: npt.ArrayLike, p_track: npt.ArrayLike = 1.0
) -> FloatArray:
    """Probability that one warhead is killed by ``shots`` interceptors.

    Source: Dean A. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
    Effectiveness", Science & Global Security 8(2):183-215 (1999).

    The kill probability is the tracking probability times one minus the
    probability that every interceptor misses:
    ``K = p_track * (1 - (1 - sspk)^shots)``.

    Args:
        sspk: single-shot kill probability of one interceptor, in [0, 1].
        shots: interceptors fired at the warhead, >= 0 (may be fractional).
        p_track: probability of detection, tracking, discrimination and
            engagement of that warhead, in [0, 1].

    Returns:
        K in [0, 1], broadcast over the inputs.

    Raises:
        ValueError: a probability outside [0, 1] or negative ``shots``.
    """
    s = probability("sspk", sspk)
    n = nonnegative("shots", shots)
    pt = probability("p_track", p_track)
    return out(_kill(s, n, pt))


def zero_leak_probability(
    warheads: npt.ArrayLike,
    sspk: npt.ArrayLike,
    shots: npt.ArrayLike,
    p_track: npt.ArrayLike = 1.0,
) -> FloatArray:
    """Probability that no warhead leaks through the defence, ``P0 = K^N``.

    Source: Dean A. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
    Effectiveness", Science & Global Security 8(2):183-215 (1999).

    Each of the ``N`` warheads is killed independently with probability ``K``
    (:func:`kill_probability`), so all are killed with probability ``K^N``. Zero
    warheads give ``P0 = 1``.

    Raises:
        ValueError: a probability outside [0, 1] or a negative count.
    """
    n_war = nonnegative("warheads", warheads)
    k = _kill(
        probability("sspk", sspk),
        nonnegative("shots", shots),
        probability("p_track", p_track),
    )
    return out(k**n_war)


def expected_leakers(
    warheads: npt.ArrayLike,
    sspk: npt.ArrayLike,
    shots: npt.ArrayLike,
    p_track: npt.ArrayLike = 1.0,
) -> FloatArray:
    """Expected number of warheads that get through, ``N * (1 - K)``.

    Source: Dean A. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
    Effectiveness", Science & Global Security 8(2):183-215 (1999).

    Leakers are Binomial(N, 1 - K), whose mean is ``N (1 - K)``.

    Raises:
        ValueError: a probability outside [0, 1] or a negative count.
    """
    n_war = nonnegative("warheads", warheads)
    k = _kill(
        probability("sspk", sspk),
        nonnegative("shots", shots),
        probability("p_track", p_track),
    )
    return out(n_war * (1.0 - k))


def shots_required(
    p0: npt.ArrayLike,
    warheads: npt.ArrayLike,
    sspk: npt.ArrayLike,
    p_track: npt.ArrayLike = 1.0,
) -> FloatArray:
    """Interceptors per engaged object needed for a no-leak probability ``p0``.

    Source: Dean A. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
    Effectiveness", Science & Global Security 8(2):183-215 (1999).

    Solving ``P0 = K^N`` for the number of shots gives
    ``n = ln(1 - P0^(1/N) / p_track) / ln(1 - sspk)``, a continuous number
    (round up for a whole-interceptor plan).

    Edge cases: ``inf`` where ``p0`` is out of reach (``p_track < P0^(1/N)``,
    or ``sspk == 0`` with ``p0 > 0``); ``0`` when ``p0 == 0`` or there are no
    warheads. With ``sspk == 1`` the continuous formula degenerates to 0 (any
    positive fraction of a perfect interceptor would do); one whole shot is
    returned instead, the smallest salvo that actually achieves ``p0``.

    Raises:
        ValueError: a probability outside [0, 1] or a negative count.
    """
    target = probability("p0", p0)
    n_war = nonnegative("warheads", warheads)
    s = probability("sspk", sspk)
    pt = probability("p_track", p_track)
    target, n_war, s, pt = np.broadcast_arrays(target, n_war, s, pt)

    trivial = (n_war == 0.0) | (target == 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        per_warhead = target ** (1.0 / n_war)  # K needed on each warhead
        needed = per_warhead / pt  # intercept probability needed once tracked
        shots = np.log1p(-needed) / np.log1p(-s)
    shots = np.where(s == 1.0, 1.0, shots)
    unreachable = (needed > 1.0) | ((needed == 1.0) & (s < 1.0)) | (s == 0.0)
    shots = np.where(unreachable, np.inf, shots)
    shots = np.where(trivial, 0.0, shots)
    return out(shots.astype(np.float64))


def interceptors_required(
    p0: npt.ArrayLike,
    warheads: npt.ArrayLike,
    sspk: npt.ArrayLike,
    p_track: npt.ArrayLike = 1.0,
    decoys: npt.ArrayLike = 0,
    decoy_engaged: npt.ArrayLike = 1.0,
) -> FloatArray:
    """Total interceptors to fire so that no warhead leaks with probability ``p0``.

    Source: Dean A. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
    Effectiveness", Science & Global Security 8(2):183-215 (1999).

    The interceptors per engaged object ``n`` come from :func:`shots_required`;
    every engaged object draws them, and the objects engaged are all warheads
    plus the decoys the defence cannot tell apart,
    ``W* = W + D * decoy_engaged`` (warheads are all engaged, ``P_ww = 1``).
    The total fired is ``n * W*``.

    Args:
        p0: required probability that no warhead leaks, in [0, 1].
        warheads: attacking warheads ``W``, >= 0.
        sspk: single-shot kill probability, in [0, 1].
        p_track: tracking/discrimination probability per warhead, in [0, 1].
        decoys: decoys ``D`` accompanying the warheads, >= 0.
        decoy_engaged: fraction of decoys the defence engages (``P_dw``).

    Returns:
        Total interceptors (continuous); ``inf`` where ``p0`` is out of reach
        (``p_track < p0^(1/W)``).

    Raises:
        ValueError: a probability outside [0, 1] or a negative count.
    """
    n = floats(shots_required(p0, warheads, sspk, p_track))
    objects = nonnegative("warheads", warheads) + nonnegative("decoys", decoys) * probability(
        "decoy_engaged", decoy_engaged
    )
    with np.errstate(invalid="ignore"):
        total = n * objects
    # n == 0 means nothing needs engaging, even if there are decoys.
    total = np.where(n == 0.0, 0.0, total)
    return out(total.astype(np.float64))


def shoot_look_shoot(
    sspk: npt.ArrayLike,
    first: npt.ArrayLike,
    second: npt.ArrayLike,
    p_track: npt.ArrayLike = 1.0,
) -> tuple[FloatArray, FloatArray]:
    """Kill probability and expected interceptor use of a shoot-look-shoot tactic.

    Source: Dean A. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
    Effectiveness", Science & Global Security 8(2):183-215 (1999).

    Fire ``first`` interceptors at a warhead, look, and fire ``second`` more
    only if it survived. With **perfect kill assessment** (the defence always
    knows whether the first salvo killed the warhead, and never re-engages a
    dead one or misses a live one) the kill probability equals firing all
    ``first + second`` at once, ``K = p_track (1 - (1 - sspk)^(first+second))``,
    while the expected interceptors per warhead fall to
    ``first + second * (1 - sspk)^first``. Imperfect assessment would raise the interceptor count
    (shooting at dead warheads) or lower ``K`` (missing live ones); it is not
    modelled. The interceptor count is for a warhead that is engaged; the
    ``p_track`` failure is treated as in the source summary, not as a saving of
    interceptors.

    Returns:
        ``(kill_probability, expected_interceptors_per_warhead)``.

    Raises:
        ValueError: a probability outside [0, 1] or negative shots.
    """
    s = probability("sspk", sspk)
    n1 = nonnegative("first", first)
    n2 = nonnegative("second", second)
    pt = probability("p_track", p_track)
    k = _kill(s, n1 + n2, pt)
    used = n1 + n2 * (1.0 - s) ** n1
    k, used = np.broadcast_arrays(k, used)
    return out(np.array(k)), out(np.array(used))


def leakers(
    rng: np.random.Generator,
    warheads: npt.ArrayLike,
    sspk: npt.ArrayLike,
    shots: npt.ArrayLike,
    p_track: npt.ArrayLike = 1.0,
) -> IntArray:
    """Draw the number of warheads that leak through, Binomial(N, 1 - K).

    Source: Dean A. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
    Effectiveness", Science & Global Security 8(2):183-215 (1999).

    Each warhead is killed independently with probability ``K``
    (:func:`kill_probability`), so the leakers are binomial. All randomness
    comes from ``rng`` (the run's generator), so a ruling can be replayed.

    Args:
        rng: numpy random generator.
        warheads: whole number of warheads ``N`` (broadcasts, e.g. a run axis).
        sspk, shots, p_track: as in :func:`kill_probability`.

    Returns:
        Leakers as int64, shaped like the broadcast inputs.

    Raises:
        ValueError: a probability outside [0, 1], negative shots or a
            warhead count that is not a whole number >= 0.
    """
    n_war = counts("warheads", warheads)
    k = _kill(
        probability("sspk", sspk),
        nonnegative("shots", shots),
        probability("p_track", p_track),
    )
    n_war, k = np.broadcast_arrays(n_war, k)
    drawn = np.asarray(rng.binomial(n_war, 1.0 - k), dtype=np.int64)
    return out(drawn)


class SalvoEngagement(NamedTuple):
    """Outcome of one missile-defence engagement (arrays over the run axis).

    Attributes:
        shots: mean interceptors actually fired per warhead,
            ``min(shots_per_warhead, interceptors / warheads)`` (0 when there
            are no warheads).
        interceptors_used: interceptors fired.
        interceptors_left: interceptors remaining in the magazine.
        kill_probability: mean per-warhead kill probability given the shots
            actually fired.
        expected_leakers: expected leakers given the shots fired (the
            probability behind the draw, for the ruling's record).
        leakers: leakers drawn.
    """

    shots: FloatArray
    interceptors_used: IntArray
    interceptors_left: IntArray
    kill_probability: FloatArray
    expected_leakers: FloatArray
    leakers: IntArray


def salvo_engagement(
    rng: np.random.Generator,
    warheads: npt.ArrayLike,
    interceptors: npt.ArrayLike,
    shots_per_warhead: npt.ArrayLike,
    sspk: npt.ArrayLike,
    p_track: npt.ArrayLike = 1.0,
) -> SalvoEngagement:
    """Engage a salvo with a finite magazine and draw the leakers.

    Source: Dean A. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
    Effectiveness", Science & Global Security 8(2):183-215 (1999).

    The source model with the inventory constraint made explicit: the defence's doctrine is to fire
    ``shots_per_warhead`` interceptors at each warhead, but it cannot fire more
    than it holds. When the magazine is short the interceptors are spread as
    evenly as whole interceptors allow: every warhead gets
    ``floor(interceptors / warheads)`` and the remainder get one more. The mean
    shots per warhead is then exactly
    ``min(shots_per_warhead, interceptors / warheads)``. Leakers are the sum of two binomial draws (the
    warheads that got the smaller and the larger allocation), each with its own
    ``K`` from :func:`kill_probability`; the draws always happen in the same
    order so a run replays exactly.

    All arguments broadcast, so a leading run axis works.

    Args:
        rng: numpy random generator (the run's generator).
        warheads: whole number of attacking warheads.
        interceptors: whole number of interceptors in the magazine.
        shots_per_warhead: whole number of interceptors doctrine assigns to
            each warhead.
        sspk: single-shot kill probability, in [0, 1].
        p_track: tracking/discrimination probability per warhead, in [0, 1].

    Raises:
        ValueError: counts that are not whole numbers >= 0 or a probability
            outside [0, 1].
    """
    n_war = counts("warheads", warheads)
    magazine = counts("interceptors", interceptors)
    doctrine = counts("shots_per_warhead", shots_per_warhead)
    s = probability("sspk", sspk)
    pt = probability("p_track", p_track)
    n_war, magazine, doctrine, s, pt = np.broadcast_arrays(n_war, magazine, doctrine, s, pt)

    has_targets = n_war > 0
    per_warhead = magazine // np.maximum(n_war, 1)
    base = np.where(has_targets, np.minimum(doctrine, per_warhead), 0)
    short = has_targets & (magazine < doctrine * n_war)
    extra = np.where(short, magazine - base * n_war, 0)  # warheads that get base + 1
    used = base * n_war + extra

    k_base = _kill(s, base.astype(np.float64), pt)
    k_plus = _kill(s, (base + 1).astype(np.float64), pt)
    n_base = n_war - extra
    leak = rng.binomial(n_base, 1.0 - k_base) + rng.binomial(extra, 1.0 - k_plus)

    safe_n = np.maximum(n_war, 1)
    mean_k = np.where(has_targets, (n_base * k_base + extra * k_plus) / safe_n, 0.0)
    shots = np.where(has_targets, used / safe_n, 0.0)
    expected = n_base * (1.0 - k_base) + extra * (1.0 - k_plus)
    return SalvoEngagement(
        shots=out(shots.astype(np.float64)),
        interceptors_used=out(used.astype(np.int64)),
        interceptors_left=out((magazine - used).astype(np.int64)),
        kill_probability=out(mean_k.astype(np.float64)),
        expected_leakers=out(expected.astype(np.float64)),
        leakers=out(np.asarray(leak, dtype=np.int64)),
    )
