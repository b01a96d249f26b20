"""Array conversion and input checks shared by the adjudication models (private).

Every model function accepts scalars or array-likes that broadcast against each
other (numpy rules), so the engine can pass arrays with a leading run axis and
an analyst can pass plain numbers. Results come back as numpy arrays; a result
that has no axes (all inputs scalar) is returned as a numpy scalar
(``np.float64``, ``np.int64`` or ``np.bool_``), which supports the same
arithmetic, comparisons and ``float()``/``bool()`` conversions as a 0-d array.

Invalid input raises ``ValueError`` naming the argument, the allowed range and
an offending value. NaN is never a valid input: it fails every range check, so
a missing number cannot leak silently into a sweep.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]


def out(x: npt.NDArray[Any]) -> Any:
    """Return ``x`` unchanged, or its numpy scalar when ``x`` has no axes."""
    return x[()]


def floats(x: npt.ArrayLike) -> FloatArray:
    """Convert ``x`` to a float64 array (no copy when it already is one)."""
    return np.asarray(x, dtype=np.float64)


def _within(arr: FloatArray, low: float, high: float, closed: bool) -> bool:
    """True when every value lies in [low, high] (``closed``) or (low, high), NaN in none.

    Two reductions instead of a boolean mask the size of ``arr``: a NaN makes
    min and max NaN, which fails both comparisons, so the caller's own check
    then finds and names it.
    """
    if arr.size == 0:
        return True
    lo, hi = arr.min(), arr.max()
    if closed:
        return bool(lo >= low and hi <= high)
    return bool(lo > low and hi < high)


def _first_bad(x: npt.NDArray[Any], bad: npt.NDArray[np.bool_]) -> str:
    values = np.atleast_1d(x)[np.atleast_1d(bad)]
    count = values.size
    shown = repr(values.flat[0].item())
    return shown if count == 1 else f"{shown} (and {count - 1} more)"


def probability(name: str, x: npt.ArrayLike) -> FloatArray:
    """``x`` as floats, checked to lie in [0, 1]."""
    arr = floats(x)
    if _within(arr, 0.0, 1.0, closed=True):
        return arr
    bad = ~((arr >= 0.0) & (arr <= 1.0))
    if np.any(bad):
        raise ValueError(f"{name} must be a probability in [0, 1]; got {_first_bad(arr, bad)}")
    return arr


def nonnegative(name: str, x: npt.ArrayLike) -> FloatArray:
    """``x`` as floats, checked to be >= 0 (infinity allowed, NaN not)."""
    arr = floats(x)
    if _within(arr, 0.0, np.inf, closed=True):
        return arr
    bad = ~(arr >= 0.0)
    if np.any(bad):
        raise ValueError(f"{name} must be non-negative; got {_first_bad(arr, bad)}")
    return arr


def positive(name: str, x: npt.ArrayLike) -> FloatArray:
    """``x`` as floats, checked to be > 0 and finite."""
    arr = floats(x)
    if _within(arr, 0.0, np.inf, closed=False):
        return arr
    bad = ~((arr > 0.0) & np.isfinite(arr))
    if np.any(bad):
        raise ValueError(f"{name} must be positive and finite; got {_first_bad(arr, bad)}")
    return arr


def finite(name: str, x: npt.ArrayLike) -> FloatArray:
    """``x`` as floats, checked to be finite (no NaN, no infinity)."""
    arr = floats(x)
    if _within(arr, -np.inf, np.inf, closed=False):
        return arr
    bad = ~np.isfinite(arr)
    if np.any(bad):
        raise ValueError(f"{name} must be a finite number; got {_first_bad(arr, bad)}")
    return arr


def counts(name: str, x: npt.ArrayLike) -> IntArray:
    """``x`` as int64, checked to be whole numbers >= 0 (e.g. 3 or 3.0, not 2.5)."""
    raw = np.asarray(x)
    if raw.dtype.kind in "iu":
        arr = raw.astype(np.int64)
        bad = arr < 0
    else:
        as_float = floats(raw)
        bad = ~((as_float >= 0.0) & np.isfinite(as_float) & (np.floor(as_float) == as_float))
        if np.any(bad):
            raise ValueError(f"{name} must be a whole number >= 0; got {_first_bad(as_float, bad)}")
        arr = as_float.astype(np.int64)
    if np.any(bad):
        raise ValueError(f"{name} must be a whole number >= 0; got {_first_bad(arr, bad)}")
    return arr


def in_range(name: str, x: npt.ArrayLike, low: float, high: float) -> FloatArray:
    """``x`` as floats, checked to lie in [low, high]."""
    arr = floats(x)
    if _within(arr, low, high, closed=True):
        return arr
    bad = ~((arr >= low) & (arr <= high))
    if np.any(bad):
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}]; got {_first_bad(arr, bad)}")
    return arr
