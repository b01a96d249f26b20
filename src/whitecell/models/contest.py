"""Contest success functions: the probability of prevailing from force levels.

Source: Jack Hirshleifer, "Conflict and rent-seeking success functions: Ratio
vs. difference models of relative success", *Public Choice* 63(2):101-112
(1989).

The model in words: side ``i`` commits fighting effort ``F_i`` (in whitecell,
the combat power of its force packages in a theatre) against side ``j``'s
``F_j``. In the **ratio form** the probability that ``i`` prevails depends only
on the ratio of efforts: ``p_i = F_i^m / (F_i^m + F_j^m)``, where the
decisiveness ``m > 0`` sets how sharply superiority pays (``m = 1``: odds equal
the force ratio; large ``m``: the stronger side almost surely wins). Doubling
both forces leaves ``p`` unchanged. In the **difference form** the probability
depends on the difference of efforts, ``p_i = 1 / (1 + exp(k (F_j - F_i)))``,
so a fixed margin gives the same edge at any scale. Hirshleifer contrasts the
two; the ratio form is the project's default.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from whitecell.models._arrays import FloatArray, finite, nonnegative, out

__all__ = ["success_probability", "success_probability_difference"]


def _logistic(z: FloatArray) -> FloatArray:
    # 1 / (1 + exp(-z)) written with tanh: no overflow, exact at +/- inf.
    result: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return result


def success_probability(
    f_i: npt.ArrayLike, f_j: npt.ArrayLike, m: npt.ArrayLike = 1.0
) -> FloatArray:
    """Probability that side ``i`` prevails, ratio form ``F_i^m / (F_i^m + F_j^m)``.

    Source: Jack Hirshleifer, "Conflict and rent-seeking success functions: Ratio vs. difference
    models of relative success", Public Choice 63(2):101-112 (1989).

    The ratio contest success function with decisiveness ``m``. When both
    efforts are zero (or ``m == 0``) the contest is a coin toss, ``0.5``.
    Computed as a logistic function of ``m (ln F_i - ln F_j)``, which equals the
    ratio form and cannot overflow for large forces or large ``m``.

    Args:
        f_i, f_j: fighting efforts (>= 0).
        m: decisiveness (>= 0).

    Returns:
        ``p_i`` in [0, 1]; ``p_i(f_i, f_j) + p_i(f_j, f_i) == 1``.

    Raises:
        ValueError: negative or non-finite efforts, or negative/non-finite ``m``.
    """
    fi = finite("f_i", nonnegative("f_i", f_i))
    fj = finite("f_j", nonnegative("f_j", f_j))
    mm = finite("m", nonnegative("m", m))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = mm * (np.log(fi) - np.log(fj))
    p = _logistic(z)
    coin_toss = ((fi == 0.0) & (fj == 0.0)) | (mm == 0.0)
    return out(np.where(coin_toss, 0.5, p).astype(np.float64))


def success_probability_difference(
    f_i: npt.ArrayLike, f_j: npt.ArrayLike, k: npt.ArrayLike = 1.0
) -> FloatArray:
    """Probability that side ``i`` prevails, difference form ``1 / (1 + exp(k (F_j - F_i)))``.

    Source: Jack Hirshleifer, "Conflict and rent-seeking success functions: Ratio vs. difference
    models of relative success", Public Choice 63(2):101-112 (1989).

    The logistic (difference) contest success function with mass-effect
    parameter ``k``; equal efforts give 0.5 and the outcome depends only on the
    margin ``F_i - F_j``.

    Raises:
        ValueError: negative or non-finite efforts, or negative/non-finite ``k``.
    """
    fi = finite("f_i", nonnegative("f_i", f_i))
    fj = finite("f_j", nonnegative("f_j", f_j))
    kk = finite("k", nonnegative("k", k))
    return out(np.asarray(_logistic(kk * (fi - fj)), dtype=np.float64))
