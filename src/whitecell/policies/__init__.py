"""AI and human players behind one protocol: ``decide(observation) -> decision``.

* ``doctrine``: rule-based, parameters from the scenario (:mod:`.doctrine`);
* ``strategic``: expected utility from beliefs using the models (:mod:`.strategic`);
* ``scripted``: a fixed move list, for tests and MSEL-driven cells (:mod:`.scripted`);
* ``mixed``: per run, doctrine or strategic, drawn per actor from (seed, run
  index, actor) (:mod:`.mixed`) -- the player-model ensemble of sweeps;
* ``llm``: a language model behind an OpenAI-compatible endpoint (:mod:`.llm`),
  given by an :class:`~whitecell.policies.llm.LLMSetup`;
* human players (terminal, web) implement the same protocol in the shells.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.observation import Decision, Observation, Policy
from whitecell.policies.doctrine import DoctrinePolicy
from whitecell.policies.llm import LLMPolicy, LLMSetup, PublicChannel
from whitecell.policies.mixed import MixedPolicy
from whitecell.policies.scripted import ScriptedPolicy
from whitecell.policies.strategic import StrategicPolicy
from whitecell.world.compile import World

#: AI players built without outside help (the language-model player needs an endpoint).
POLICY_KINDS = ("doctrine", "strategic", "scripted", "mixed")
#: Every kind ``--policy`` takes.
ALL_POLICY_KINDS = (*POLICY_KINDS, "llm")

__all__ = ["ALL_POLICY_KINDS", "Decision", "DoctrinePolicy", "LLMPolicy", "LLMSetup",
           "MixedPolicy", "Observation", "Policy", "ScriptedPolicy", "StrategicPolicy",
           "POLICY_KINDS", "make_policies"]


class NeedsEndpoint(ValueError):
    """A language-model cell was asked for without an endpoint."""


def make_policy(world: World, actor: str, kind: str, *, seed: int = 0,
                runs: NDArray[np.int64] | int = 1, llm: LLMSetup | None = None,
                channel: PublicChannel | None = None) -> Policy:
    """Build the AI player ``kind`` for ``actor``.

    ``seed`` and ``runs`` (the global run indices of the batch, as given to
    ``Game``) matter to ``mixed``, whose choice of player is per run, and to
    ``llm``, whose sampling seeds are per run; ``llm`` needs ``llm`` (the
    endpoint and client) and shares ``channel`` with the game's other
    language-model cells.
    """
    if kind == "llm":
        if llm is None:
            raise NeedsEndpoint(f"{actor}=llm needs a language model: pass --llm-url URL "
                                "--llm-model NAME (or --llm-profile NAME)")
        return LLMPolicy(world, actor, llm, seed=seed, runs=runs, channel=channel)
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

    raise ValueError(f"unknown policy {kind!r}{did_you_mean(kind, ALL_POLICY_KINDS)} "
                     f"(expected one of {', '.join(ALL_POLICY_KINDS)})")


def make_policies(world: World, overrides: dict[str, str] | None = None, *, seed: int = 0,
                  runs: NDArray[np.int64] | int = 1,
                  llm: LLMSetup | None = None) -> dict[str, Policy]:
    """One AI player per actor: the scenario's choice unless ``overrides`` says otherwise.

    Pass the game's ``seed`` and ``runs`` when any actor may be ``mixed`` or
    ``llm``, and ``llm`` (endpoint and client) when any actor is ``llm``.
    """
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(world.ids))
    if unknown:
        raise ValueError(f"--policy names unknown actor {unknown[0]!r} "
                         f"(known: {', '.join(world.ids)})")
    channel = PublicChannel()
    return {a: make_policy(world, a, overrides.get(a, world.scenario.actor(a).policy),
                           seed=seed, runs=runs, llm=llm, channel=channel)
            for a in world.ids}
