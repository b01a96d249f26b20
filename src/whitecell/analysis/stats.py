"""Small statistics for outcome probabilities: Wilson intervals and differences.

Wilson, E. B. (1927), "Probable inference, the law of succession, and
statistical inference", JASA 22(158): the score interval keeps its coverage
near the nominal level for proportions near 0 or 1, where the normal
(Wald) interval fails, which is where escalation outcomes like nuclear use live.
"""

from __future__ import annotations

import math


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054
                    ) -> tuple[float, float]:
    """95% (by default) Wilson score interval for a proportion ``successes / n``."""
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= successes <= n:
        raise ValueError("successes must lie in [0, n]")
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def difference_interval(k1: int, n1: int, k2: int, n2: int,
                        z: float = 1.959963984540054) -> tuple[float, float, float]:
    """Difference p1 - p2 with Newcombe's (1998) hybrid Wilson interval.

    Newcombe, R. G. (1998), "Interval estimation for the difference between
    independent proportions", Statistics in Medicine 17(8), method 10.
    Returns (difference, low, high).
    """
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, z)
    l2, u2 = wilson_interval(k2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high
