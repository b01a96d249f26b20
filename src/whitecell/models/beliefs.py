"""Beliefs about an actor's resolve: a Beta prior updated by costly signals.

Sources: Bayes' rule with a conjugate Beta prior; James D. Fearon,
"Signaling Foreign Policy Interests: Tying Hands versus Sinking Costs",
*Journal of Conflict Resolution* 41(1):68-90 (1997). The regularised
incomplete beta function is evaluated by its standard continued fraction
(F. W. J. Olver et al., eds., *NIST Handbook of Mathematical Functions*,
Cambridge University Press, 2010, eqs. 8.17.22-8.17.24, also online as the
DLMF; see also Press et al., *Numerical Recipes*, section 6.4), implemented
here with numpy only.

The model in words: an observer holds a Beta(a, b) belief over another
actor's resolve ``r`` in [0, 1] (its critical risk, see
:mod:`whitecell.models.brinkmanship`). Fearon's point is that a signal informs
only if it is costly: sinking costs (mobilising, moving a carrier) or tying
hands (public commitments that create audience costs) are things an irresolute
actor would rather not do. We model a costly signal's likelihood as
``P(signal | r) = r``: the more resolute the actor, the likelier it is to send
it. Bayes' rule with a Beta(a, b) prior then gives a Beta(a + 1, b)
posterior; a climb-down or concession, with likelihood ``1 - r``, gives
Beta(a, b + 1). A signal's cost sets its evidential weight ``w >= 0`` by
tempering the likelihood, ``r^w`` (or ``(1 - r)^w``), so the posterior is
Beta(a + w, b) (or Beta(a, b + w)): a cheap signal (``w`` near 0) barely moves
beliefs; an expensive one moves them as much as several observations would.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from whitecell.models._arrays import FloatArray, floats, nonnegative, out, positive

__all__ = [
    "beta_cdf",
    "beta_mean",
    "beta_variance",
    "prob_exceeds",
    "sample_resolve",
    "update",
]

_EPS = 1e-15  # relative convergence tolerance of the continued fraction
_TINY = 1e-300  # guards the Lentz recurrences against division by zero
_MAX_TERMS = 20_000

_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def _log_beta(a: FloatArray, b: FloatArray) -> FloatArray:
    """ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b)."""
    total = _lgamma(a) + _lgamma(b) - _lgamma(a + b)
    return np.asarray(total, dtype=np.float64)


def _continued_fraction(x: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """Evaluate ``F = 1 + d1/(1 + d2/(1 + ...))`` for the incomplete beta.

    The coefficients (DLMF 8.17.22) are, for m = 0, 1, 2, ...:
    ``d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))`` and
    ``d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m))``. Evaluated forwards with
    the modified Lentz recurrences, all elements at once; an element stops
    updating once its factor is within ``_EPS`` of 1.
    """
    f = np.ones_like(x)
    c = np.ones_like(x)
    d = np.zeros_like(x)
    active = np.ones(x.shape, dtype=bool)
    for j in range(1, _MAX_TERMS + 1):
        if j % 2:  # odd term, j = 2m + 1
            m = (j - 1) // 2
            coef = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        else:  # even term, j = 2m
            m = j // 2
            coef = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1.0 + coef * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        d = 1.0 / d
        c = 1.0 + coef / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        factor = c * d
        f = np.where(active, f * factor, f)
        active &= np.abs(factor - 1.0) >= _EPS
        if not active.any():
            return f
    raise RuntimeError(
        "incomplete beta continued fraction did not converge; "
        f"a or b too large ({float(np.max(a)):g}, {float(np.max(b)):g})"
    )


def _incomplete_beta(x: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """Regularised incomplete beta I_x(a, b) for x in [0, 1], a, b > 0."""
    x, a, b = np.broadcast_arrays(x, a, b)
    result = np.where(x >= 1.0, 1.0, 0.0).astype(np.float64)
    inside = (x > 0.0) & (x < 1.0)
    if not inside.any():
        return result
    xi, ai, bi = x[inside], a[inside], b[inside]
    # The fraction converges fast for x < (a + 1) / (a + b + 2); beyond that
    # use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
    swap = xi > (ai + 1.0) / (ai + bi + 2.0)
    xs = np.where(swap, 1.0 - xi, xi)
    as_ = np.where(swap, bi, ai)
    bs = np.where(swap, ai, bi)
    log_front = as_ * np.log(xs) + bs * np.log1p(-xs) - _log_beta(as_, bs) - np.log(as_)
    value = np.exp(log_front) / _continued_fraction(xs, as_, bs)
    result[inside] = np.clip(np.where(swap, 1.0 - value, value), 0.0, 1.0)
    return result


def beta_mean(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """Mean of Beta(a, b), ``a / (a + b)``: the expected resolve.

    Source: Bayes' rule with a conjugate Beta prior; James D. Fearon, "Signaling Foreign Policy
    Interests: Tying Hands versus Sinking Costs", Journal of Conflict Resolution 41(1):68-90
    (1997).

    Raises:
        ValueError: ``a`` or ``b`` not positive and finite.
    """
    pa = positive("a", a)
    pb = positive("b", b)
    return out(np.asarray(pa / (pa + pb)))


def beta_variance(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """Variance of Beta(a, b), ``a b / ((a + b)^2 (a + b + 1))``.

    Source: Bayes' rule with a conjugate Beta prior; James D. Fearon, "Signaling Foreign Policy
    Interests: Tying Hands versus Sinking Costs", Journal of Conflict Resolution 41(1):68-90
    (1997).

    Raises:
        ValueError: ``a`` or ``b`` not positive and finite.
    """
    pa = positive("a", a)
    pb = positive("b", b)
    total = pa + pb
    return out(np.asarray(pa * pb / (total**2 * (total + 1.0))))


def posterior(a: FloatArray, b: FloatArray, signal: FloatArray,
              weight: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The conjugate step of :func:`update` on arrays already checked (Fearon 1997).

    ``Beta(a + w, b)`` after a costly signal of resolve (+1), ``Beta(a, b + w)``
    after a climb-down (-1), unchanged after nothing (0). The engine calls it
    directly every turn on its own state, whose values it keeps valid, so the
    input checks of :func:`update` are not paid over every run and pair.
    """
    return a + weight * (signal == 1.0), b + weight * (signal == -1.0)


def update(
    a: npt.ArrayLike, b: npt.ArrayLike, signal: npt.ArrayLike, weight: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Bayesian update of a Beta(a, b) belief about resolve after a signal.

    Source: Bayes' rule with a conjugate Beta prior; James D. Fearon, "Signaling Foreign Policy
    Interests: Tying Hands versus Sinking Costs", Journal of Conflict Resolution 41(1):68-90
    (1997).

    Bayes' rule with the tempered likelihood ``P(signal | r) = r^w`` for a
    costly signal of resolve (``signal = +1``) and ``(1 - r)^w`` for a
    climb-down or concession (``signal = -1``); Fearon (1997) explains why only
    costly signals inform, and their cost sets ``w``. The Beta prior is
    conjugate: ``+1 -> Beta(a + w, b)``, ``-1 -> Beta(a, b + w)``, ``0``
    (nothing observed) ``-> Beta(a, b)``.

    Args:
        a, b: current Beta parameters (> 0).
        signal: -1, 0 or +1 (arrays broadcast, e.g. one per run).
        weight: the signal's evidential weight ``w`` (>= 0), set by its cost.

    Returns:
        ``(a_posterior, b_posterior)``.

    Raises:
        ValueError: non-positive ``a``/``b``, negative weight or a signal
            other than -1, 0, +1.
    """
    pa = positive("a", a)
    pb = positive("b", b)
    sig = floats(signal)
    # sig in {-1, 0, +1} exactly when sig^2 (sig^2 - 1) == 0 (NaN fails too):
    # four passes over the array, several times cheaper than np.isin
    sq = sig * sig
    bad = sq * (sq - 1.0) != 0.0
    if np.any(bad):
        raise ValueError(
            f"signal must be -1, 0 or +1; got {np.atleast_1d(sig)[np.atleast_1d(bad)][0]!r}"
        )
    w = nonnegative("weight", weight)
    a_post, b_post = posterior(pa, pb, sig, w)
    if a_post.shape != b_post.shape:
        a_post, b_post = np.broadcast_arrays(a_post, b_post)
        a_post, b_post = np.array(a_post, dtype=np.float64), np.array(b_post, dtype=np.float64)
    # a_post and b_post are new arrays here (results of the additions): no copy
    return out(a_post), out(b_post)


def costly_signal_weight(
    sunk: npt.ArrayLike, audience: npt.ArrayLike, cheap_scale: float, cap: float
) -> FloatArray:
    """Evidential weight of a signal from what it costs a low-resolve type to send it.

    Source: James D. Fearon, "Signaling Foreign Policy Interests: Tying Hands versus
    Sinking Costs", Journal of Conflict Resolution 41(1):68-90 (1997); audience costs
    after Fearon, "Domestic Political Audiences and the Escalation of International
    Disputes", APSR 88(3) (1994).

    A resolved type sends the move its strategy calls for (``P(send | hard) = 1``);
    an irresolute type sends it with probability ``exp(-(k + h) / s)``, falling with
    the cost it sinks now (``k``, a share of its stakes) and the cost it would pay
    at home for backing down afterwards (``h``, tying hands). The weight is the
    log-likelihood ratio ``ln P(send | hard) / P(send | soft) = (k + h) / s``,
    capped at ``cap``, and enters :func:`update` as the tempered likelihood.
    Cheap talk (``k = h = 0``) carries no information.

    Args:
        sunk: sunk cost of the move, share of the sender's stakes (>= 0).
        audience: audience cost it exposes the sender to (>= 0).
        cheap_scale: ``s``, the cost at which a soft type sends it with probability 1/e.
        cap: largest weight one signal can carry (>= 0).
    """
    k = nonnegative("sunk", sunk)
    h = nonnegative("audience", audience)
    if cheap_scale <= 0:
        raise ValueError(f"cheap_scale must be positive; got {cheap_scale!r}")
    return out(np.minimum(float(cap), (k + h) / float(cheap_scale)))


def beta_cdf(x: npt.ArrayLike, a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """Cumulative distribution of Beta(a, b): the regularised incomplete beta I_x(a, b).

    Source: the regularised incomplete beta function by its continued fraction, F. W. J.
    Olver et al. (eds.), NIST Handbook of Mathematical Functions (Cambridge University Press,
    2010), section 8.17(v), eqs. 8.17.22-8.17.24 (also the online DLMF).

    ``I_x(a, b) = (1 / B(a, b)) * integral_0^x t^(a-1) (1 - t)^(b-1) dt``,
    evaluated by its continued fraction (DLMF 8.17.22) without scipy. ``x``
    below 0 gives 0 and above 1 gives 1.

    Raises:
        ValueError: ``a`` or ``b`` not positive and finite, or ``x`` NaN.
    """
    xx = floats(x)
    if np.any(np.isnan(xx)):
        raise ValueError("x must not be NaN")
    pa = positive("a", a)
    pb = positive("b", b)
    return out(_incomplete_beta(np.clip(xx, 0.0, 1.0), pa, pb))


def prob_exceeds(a: npt.ArrayLike, b: npt.ArrayLike, threshold: npt.ArrayLike) -> FloatArray:
    """P(resolve > threshold) under a Beta(a, b) belief.

    Source: Bayes' rule with a conjugate Beta prior; James D. Fearon, "Signaling Foreign Policy
    Interests: Tying Hands versus Sinking Costs", Journal of Conflict Resolution 41(1):68-90
    (1997); the regularised incomplete beta function by its continued fraction, F. W. J.
    Olver et al. (eds.), NIST Handbook of Mathematical Functions (Cambridge University Press,
    2010), section 8.17(v), eqs. 8.17.22-8.17.24 (also the online DLMF).

    ``1 - I_t(a, b)``, computed as ``I_{1-t}(b, a)`` (the same quantity by the
    symmetry of the Beta distribution) to keep precision in the upper tail.
    Used, for instance, for the challenger's probability that a defender is
    resolute enough to fight (:mod:`whitecell.models.deterrence`).

    Raises:
        ValueError: ``a`` or ``b`` not positive and finite, or a NaN threshold.
    """
    t = floats(threshold)
    if np.any(np.isnan(t)):
        raise ValueError("threshold must not be NaN")
    pa = positive("a", a)
    pb = positive("b", b)
    return out(_incomplete_beta(np.clip(1.0 - t, 0.0, 1.0), pb, pa))


def sample_resolve(
    rng: np.random.Generator,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    size: int | tuple[int, ...] | None = None,
) -> FloatArray:
    """Draw resolve values from Beta(a, b) with the run's generator.

    Source: Bayes' rule with a conjugate Beta prior; James D. Fearon, "Signaling Foreign Policy
    Interests: Tying Hands versus Sinking Costs", Journal of Conflict Resolution 41(1):68-90
    (1997).

    Used to give each run its private resolve (the primer's stochastic game
    with private resolve). ``size`` follows numpy: None gives the broadcast
    shape of ``a`` and ``b``.

    Raises:
        ValueError: ``a`` or ``b`` not positive and finite.
    """
    pa = positive("a", a)
    pb = positive("b", b)
    return out(np.asarray(rng.beta(pa, pb, size=size), dtype=np.float64))
