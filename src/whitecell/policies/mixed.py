"""Mixed player model: per run, each actor is played by doctrine or by strategic.

The two AI player models (:mod:`.doctrine` rules and :mod:`.strategic`
expected utility) can disagree wildly on the same crisis. A *mixed* ensemble
does not average their outcomes after the fact: each run draws, for each actor
separately, which of the two players sits in that actor's chair, so runs mix
a rule-following Beijing with a calculating Washington and every other
combination.

The draw is a pure function of ``(seed, global run index, actor id)`` -- a
SplitMix64 finaliser over a salted key, *not* one of the engine's dice slots,
so the choice of player is independent of every ruling and of the priors. A
run therefore gets the same players whichever chunk, worker or backend plays
it, and a narrated re-run of run ``i`` (``whitecell run --from-sweep``) sees the
same players as row ``i`` of the sweep.

Each run is played by exactly one of the two players from start to end; the
wrapper hands each player only its own runs (a slice of the observation), so
its memory (ladder position) stays exact and ``compact(keep)`` is forwarded to
each with its share of ``keep``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.dice import _mix, seed_key
from whitecell.engine.observation import Decision, Observation, Policy

__all__ = ["MixedPolicy", "strategic_share", "uses_strategic"]

_RUN_MUL = np.uint64(0xD1B54A32D192ED03)
#: Salt that keeps the player draw apart from every dice stream of the same seed.
_SALT = np.uint64(0x6D69786564706C79)  # "mixedply"


def _actor_code(actor: str) -> np.uint64:
    return np.uint64(int.from_bytes(hashlib.blake2b(actor.encode(), digest_size=8).digest(),
                                    "little"))


def strategic_share(seed: int, runs: NDArray[np.int64] | int, actor: str) -> NDArray[np.float64]:
    """The uniform in [0, 1) that decides ``actor``'s player in each run (global indices)."""
    idx = np.arange(runs, dtype=np.int64) if isinstance(runs, int) else np.asarray(runs)
    with np.errstate(over="ignore"):
        key = np.uint64(seed_key(seed) ^ _SALT) ^ _actor_code(actor)
        z = key + idx.astype(np.uint64) * _RUN_MUL
        h = _mix(_mix(z))
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def uses_strategic(seed: int, runs: NDArray[np.int64] | int, actor: str,
                   p_strategic: float = 0.5) -> NDArray[np.bool_]:
    """True for the runs in which ``actor`` is played by the strategic player."""
    return strategic_share(seed, runs, actor) < p_strategic


def _slice(obs: Observation, mask: NDArray[np.bool_]) -> Observation:
    """The observation of the runs in ``mask`` only (every run-axis array sliced)."""
    R = obs.runs
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(obs):
        v = getattr(obs, f.name)
        if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == R:
            changes[f.name] = v[mask]
    return dataclasses.replace(obs, **changes)


class MixedPolicy:
    """Doctrine in some runs, strategic in the others, chosen per run by a hash.

    Args:
        actor: the actor id.
        doctrine, strategic: the two players (any :class:`Policy`).
        seed: the game's root seed.
        runs: the global run indices of the batch (as given to ``Game``).
        p_strategic: share of runs played by the strategic player.
    """

    name = "mixed"

    def __init__(self, actor: str, doctrine: Policy, strategic: Policy, *, seed: int,
                 runs: NDArray[np.int64] | int, p_strategic: float = 0.5) -> None:
        self.actor = actor
        self.players = (doctrine, strategic)
        self.strategic = uses_strategic(seed, runs, actor, p_strategic)

    def compact(self, keep: NDArray[np.bool_]) -> None:
        """Keep the runs still going, and tell each player which of its runs those are."""
        for which, p in enumerate(self.players):
            compact = getattr(p, "compact", None)
            mine = self.strategic == bool(which)
            if compact is not None and mine.any():
                compact(keep[mine])
        self.strategic = self.strategic[keep]

    def decide(self, obs: Observation) -> Decision:
        R = obs.runs
        if len(self.strategic) != R:
            raise ValueError(f"mixed player for {self.actor} was built for "
                             f"{len(self.strategic)} runs but observes {R}")
        action = np.zeros(R, dtype=np.int64)
        target = np.full(R, -1, dtype=np.int64)
        reasons: list[str] | None = None
        rationale = None
        extra: dict[str, object] = {}
        for which, p in enumerate(self.players):
            mine = self.strategic == bool(which)
            if not mine.any():
                continue
            sub = obs if mine.all() else _slice(obs, mine)
            dec = p.decide(sub)
            action[mine] = np.asarray(dec.action, dtype=np.int64).reshape(-1)
            target[mine] = np.asarray(dec.target, dtype=np.int64).reshape(-1)
            if mine[0]:
                who = getattr(p, "name", "?")
                reasons = [f"(mixed: {who} player this run) {r}" for r in dec.reasons] \
                    if dec.reasons else None
                rationale = dec.rationale
                extra = dict(dec.extra)
        return Decision(action=action, target=target, reasons=reasons, rationale=rationale,
                        extra=extra)
