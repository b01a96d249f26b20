"""AI and human players behind one protocol: ``decide(observation) -> decision``.

* ``doctrine``: rule-based, parameters from the scenario (:mod:`.doctrine`);
* ``strategic``: expected utility from beliefs using the models (:mod:`.strategic`);
* ``scripted``: a fixed move list, for tests and MSEL-driven cells (:mod:`.scripted`);
* ``mixed``: per run, doctrine or strategic, drawn per actor from (seed, run
  index, actor) (:mod:`.mixed`) -- the player-model ensemble of sweeps;
* human players (terminal, web) implement the same protocol in the shells.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.observation import Decision, Observation, Policy
from whitecell.policies.doctrine import DoctrinePolicy
from whitecell.policies.mixed import MixedPolicy
from whitecell.policies.scripted import ScriptedPolicy
from whitecell.policies.strategic import StrategicPolicy
from whitecell.world.compile import World

POLICY_KINDS = ("doctrine", "strategic", "scripted", "mixed")

__all__ = ["Decision", "DoctrinePolicy", "MixedPolicy", "Observation", "Policy",
           "ScriptedPolicy", "StrategicPolicy", "POLICY_KINDS", "make_policies"]


def make_policy(world: World, actor: str, kind: str, *, seed: int = 0,
                runs: NDArray[np.int64] | int = 1) -> Policy:
    """Build the AI player ``kind`` for ``actor``.

    ``seed`` and ``runs`` (the global run indices of the batch, as given to
    ``Game``) matter only to ``mixed``, whose choice of player is per run.
    """
    if kind == "doctrine":
        return DoctrinePolicy(actor)
    if kind == "strategic":
        return StrategicPolicy(actor)
    if kind == "mixed":
        return MixedPolicy(actor, DoctrinePolicy(actor), StrategicPolicy(actor), seed=seed,
                           runs=runs)
    if kind == "scripted":
        script = world.scenario.actor(actor).script
        if not script:
            raise ValueError(f"actor {actor} has no script in the scenario")
        return ScriptedPolicy(script)
    from whitecell.scenario.load import did_you_mean

    raise ValueError(f"unknown policy {kind!r}{did_you_mean(kind, POLICY_KINDS)} "
                     f"(expected one of {', '.join(POLICY_KINDS)})")


def make_policies(world: World, overrides: dict[str, str] | None = None, *, seed: int = 0,
                  runs: NDArray[np.int64] | int = 1) -> dict[str, Policy]:
    """One AI player per actor: the scenario's choice unless ``overrides`` says otherwise.

    Pass the game's ``seed`` and ``runs`` when any actor may be ``mixed``.
    """
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(world.ids))
    if unknown:
        raise ValueError(f"--policy names unknown actor {unknown[0]!r} "
                         f"(known: {', '.join(world.ids)})")
    return {a: make_policy(world, a, overrides.get(a, world.scenario.actor(a).policy),
                           seed=seed, runs=runs)
            for a in world.ids}
