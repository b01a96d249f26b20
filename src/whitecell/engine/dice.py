"""Reproducible dice: counter-based uniform draws, one stream per run.

Every random number of run ``i`` is a pure function of the root seed, the run's
global index ``i`` and the draw's *slot* (a counter that advances in the same
order in every run: one slot per ruling per turn). A run therefore gives the
same draws whether it is simulated alone, in a chunk of 10,000, on one worker or
on a cluster, which is what lets an analyst re-run run 73,214 of a sweep alone
and see its transcript (docs/decisions/0001-counter-based-dice.md).

The mixing function is SplitMix64's finaliser (Steele, Lea & Flood, "Fast
splittable pseudorandom number generators", OOPSLA 2014) applied to a Weyl
sequence over (key, run, slot); its output passes BigCrush for sequential
counters. The 64-bit key comes from ``numpy.random.SeedSequence(seed)``, so any
integer seed is welcome and nearby seeds give unrelated streams.

A white cell can override a draw: ``overrides[(slot, run)] = u`` replaces the
uniform of that ruling (``run = -1`` for every run). Named overrides
(:mod:`whitecell.engine.overrides`, ``whitecell run --override``) are recorded
with the run and applied again by a replay.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_RUN_MUL = np.uint64(0xD1B54A32D192ED03)
_SLOT_MUL = np.uint64(0x8CB92BA72F3D8DD7)


def seed_key(seed: int) -> np.uint64:
    """Derive the 64-bit stream key of a root seed via SeedSequence."""
    state = np.random.SeedSequence(int(seed)).generate_state(2, dtype=np.uint64)
    return np.uint64(state[0] ^ (state[1] << np.uint64(1)))


def _mix(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    z = z ^ (z >> np.uint64(30))
    z = z * _C1
    z = z ^ (z >> np.uint64(27))
    z = z * _C2
    return z ^ (z >> np.uint64(31))


class Dice:
    """Uniform draws in [0, 1) for a set of runs, slot by slot.

    ``runs`` holds the global run indices (e.g. ``arange(k*chunk, (k+1)*chunk)``)
    so draws do not depend on how runs are grouped.
    """

    def __init__(self, seed: int, runs: NDArray[np.int64] | int = 1) -> None:
        self.seed = int(seed)
        self.key = seed_key(seed)
        idx = np.arange(runs, dtype=np.int64) if isinstance(runs, int) else np.asarray(runs)
        self.runs = idx.astype(np.uint64)
        self._base = (self.key + self.runs * _RUN_MUL).astype(np.uint64)
        self.slot = 0
        self.overrides: dict[tuple[int, int], float] = {}

    def __len__(self) -> int:
        return len(self.runs)

    def subset(self, keep: NDArray[np.bool_]) -> Dice:
        """The same streams for a subset of the runs (draws unchanged)."""
        d = Dice.__new__(Dice)
        d.seed, d.key = self.seed, self.key
        d.runs = self.runs[keep]
        d._base = self._base[keep]
        d.slot = self.slot
        d.overrides = self.overrides
        return d

    def uniform(self, slot: int) -> NDArray[np.float64]:
        """The uniform draw of ``slot`` for every run (shape ``(runs,)``)."""
        with np.errstate(over="ignore"):
            z = self._base + np.uint64(slot + 1) * _SLOT_MUL + _GOLDEN
            u = (_mix(z) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
        if self.overrides:
            for (s, run), val in self.overrides.items():
                if s == slot:
                    if run < 0:  # every run of the game
                        u[:] = val
                    else:
                        u[self.runs == np.uint64(run)] = val
        return u

    def draw(self, turn: int, ruling: int, actor: int = 0) -> NDArray[np.float64]:
        """Uniform for a ruling of ``actor`` in ``turn``: slot = f(turn, ruling, actor).

        Slots are fixed by position, never by how many draws came before, so a
        run's dice do not depend on which rulings happened in other runs.
        """
        return self.uniform(slot_of(turn, ruling, actor))


def slot_of(turn: int, ruling: int, actor: int = 0) -> int:
    """The dice slot of a ruling: 64 ruling codes x 64 actors per turn."""
    return (turn * 64 + ruling) * 64 + actor


def binomial_from_uniform(
    u: NDArray[np.float64], n: NDArray[np.float64], p: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Inverse-CDF Binomial(n, p) draw from one uniform per run.

    One uniform per ruling keeps every chance outcome a single number a
    facilitator can read and override. The pmf recursion runs in log space so
    large salvos do not underflow.
    """
    u = np.asarray(u, dtype=float)
    n = np.floor(np.broadcast_to(np.asarray(n, dtype=float), u.shape))
    p = np.clip(np.broadcast_to(np.asarray(p, dtype=float), u.shape), 0.0, 1.0)
    out = np.zeros_like(u)
    sure = p >= 1.0
    none = (p <= 0.0) | (n <= 0)
    mid = ~(sure | none)
    if mid.any():
        um, nm, pm = u[mid], n[mid], p[mid]
        grouped = _grouped_binomial(um, nm, pm)
        if grouped is not None:
            out[mid] = grouped
            out[sure] = n[sure]
            return out
        logp, logq = np.log(pm), np.log1p(-pm)
        logpmf = nm * logq
        cdf = np.exp(logpmf)
        k = np.zeros_like(um)
        nmax = int(nm.max())
        for i in range(nmax):
            step = (um >= cdf) & (k < nm)
            if not step.any():
                break
            k = k + step
            logpmf = logpmf + np.log(np.maximum(nm - i, 1.0)) - np.log(i + 1.0) + logp - logq
            cdf = cdf + np.where(nm - i > 0, np.exp(logpmf), 0.0)
        out[mid] = k
    out[sure] = n[sure]
    return out


#: the grouped inverse CDF is used when a salvo has at most this many distinct (n, p)
_MAX_GROUPS = 32
#: ... and its CDF table (groups x values) stays this small
_MAX_TABLE = 1 << 20


def _cdf_table(n: NDArray[np.float64], p: NDArray[np.float64], nmax: int
               ) -> NDArray[np.float64]:
    """(groups, nmax + 1) the CDF values c_0..c_nmax of :func:`binomial_from_uniform`.

    Exactly the numbers its loop computes, operation for operation: the loop's
    step ``logpmf + log(max(n - i, 1)) - log(i + 1) + logp - logq`` is four
    additions in that order (``x - y`` is ``x + (-y)`` in IEEE arithmetic), so
    the sequence is one sequential ``add.accumulate`` over the interleaved
    terms; the CDF is the sequential sum of the masked pmf values.
    """
    G = len(n)
    logp, logq = np.log(p), np.log1p(-p)
    i = np.arange(nmax, dtype=np.float64)
    terms = np.empty((G, 1 + 4 * nmax))
    terms[:, 0] = n * logq
    terms[:, 1::4] = np.log(np.maximum(n[:, None] - i[None, :], 1.0))
    terms[:, 2::4] = -np.log(i + 1.0)[None, :]
    terms[:, 3::4] = logp[:, None]
    terms[:, 4::4] = -logq[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        logpmf = np.add.accumulate(terms, axis=1)[:, ::4]  # (G, nmax + 1)
        pmf = np.exp(logpmf)
    pmf[:, 1:] = np.where(n[:, None] - i[None, :] > 0, pmf[:, 1:], 0.0)
    return np.add.accumulate(pmf, axis=1)


def _grouped_binomial(u: NDArray[np.float64], n: NDArray[np.float64],
                      p: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """The inverse-CDF draws of :func:`binomial_from_uniform` for runs sharing (n, p).

    Runs of a batch often fire the same salvo (same n, same p): the CDF is then
    worked out once per distinct (n, p) by the same recursion, in the same
    floating-point operations, and each run's count is the number of CDF
    values at or below its uniform (the CDF never decreases, so that is the
    count the run-by-run recursion stops at). Returns None when the pairs are
    too varied for this to pay (the caller then runs the recursion per run).
    """
    if np.isnan(p).any():
        return None
    order = np.lexsort((p, n))
    ns, ps = n[order], p[order]
    new = np.empty(len(order), dtype=bool)
    new[0] = True
    np.not_equal(ns[1:], ns[:-1], out=new[1:])
    new[1:] |= ps[1:] != ps[:-1]
    starts = np.flatnonzero(new)
    if len(starts) > _MAX_GROUPS:
        return None
    ends = np.append(starts[1:], len(order))
    gn, gp = ns[starts], ps[starts]
    nmax = int(gn.max())
    if len(starts) * (nmax + 1) > _MAX_TABLE:
        return None
    table = _cdf_table(gn, gp, nmax)
    us = u[order]
    k = np.empty(len(order))
    for g in range(len(starts)):
        c = table[g, :int(gn[g])]
        k[starts[g]:ends[g]] = np.searchsorted(c, us[starts[g]:ends[g]], side="right")
    res = np.empty(len(order))
    res[order] = k
    return res
