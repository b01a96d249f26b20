"""Play a scenario into a run record, and replay a record to check it.

These are the library calls behind ``whitecell run``, ``play`` and ``replay``:
the CLI and the web app only parse arguments and print.

A run made from a scenario file records the file's absolute path (a bundled
scenario keeps its id), so ``replay`` and ``report`` work from any folder; the
digest of the resolved scenario is recorded too, so a file that has since
changed or gone is reported as such, not replayed into a different game.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from whitecell.engine.game import Game
from whitecell.engine.observation import Policy
from whitecell.engine.overrides import parse_override
from whitecell.policies import LLMSetup, make_policies
from whitecell.policies.recorded import RecordedPolicy
from whitecell.record.run import RunRecord, derive_run_id, event_digest
from whitecell.scenario.errors import ScenarioError
from whitecell.scenario.load import ResolvedScenario, bundled_dir, load_scenario, scenario_path
from whitecell.world.compile import compile_world


class ReplayError(Exception):
    """A stored run cannot be replayed (scenario changed, record incomplete)."""


#: Seeds are stored as SQLite INTEGER (signed 64 bits): 0 <= seed < 2**63.
MAX_SEED = 2**63 - 1


def check_seed(seed: int) -> int:
    """Return ``seed`` if it is a valid root seed, else raise ValueError saying the range."""
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"--seed {seed}: expected a whole number from 0 to {MAX_SEED} "
                         "(2**63 - 1)")
    return seed


def stored_ref(ref: str) -> str:
    """How a run records its scenario: a bundled id as is, a file as an absolute path.

    A relative path would only resolve from the folder the run was made in.
    """
    try:
        path = scenario_path(ref)
    except ScenarioError:
        return ref
    if path.parent == bundled_dir() and path.stem == ref:
        return ref
    return str(Path(path).absolute())


def load_recorded(rec: RunRecord) -> ResolvedScenario:
    """The scenario of a stored run, resolved as it was; ReplayError if gone or changed."""
    ref = rec.scenario_ref
    try:
        path = scenario_path(ref)
    except ScenarioError:
        raise ReplayError(f"run {rec.run_id} was made from scenario {ref!r}, which is no "
                          "longer bundled") from None
    if not path.exists():
        hint = ("" if path.is_absolute() else
                "; the run recorded a relative path, so run this from the folder it was made "
                "in (or pass the file again)")
        raise ReplayError(f"run {rec.run_id} was made from {ref}, which no longer exists{hint}")
    res = load_scenario(ref, excursion=rec.excursion, sets=tuple(rec.overrides))
    if res.digest != rec.scenario_digest:
        raise ReplayError(f"scenario {ref} has changed since run {rec.run_id} "
                          f"(digest {res.digest[:12]} != recorded {rec.scenario_digest[:12]})")
    return res


@dataclass
class Session:
    """A game in progress together with how to record it."""

    resolved: ResolvedScenario
    ref: str
    game: Game
    kinds: dict[str, str]
    salt: str = ""
    fixed_id: str | None = None
    run_index: int = 0
    draw_overrides: tuple[str, ...] = ()
    llm: LLMSetup | None = None

    @property
    def uses_llm(self) -> bool:
        return self.llm is not None and "llm" in self.kinds.values()

    @property
    def run_id(self) -> str:
        if self.fixed_id:
            return self.fixed_id
        key = self.llm.run_key(self.game.world) if self.llm and self.uses_llm else None
        return derive_run_id(self.resolved.digest, self.game.seed, self.kinds, self.salt,
                             self.resolved.excursion, self.resolved.overrides,
                             self.draw_overrides, llm=key)

    def llm_record(self) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The language-model cells' identity and counts, and every call they made."""
        if not self.uses_llm or self.llm is None:
            return None, []
        calls: list[dict[str, Any]] = []
        cells: dict[str, Any] = {}
        for a, p in self.game.policies.items():
            if getattr(p, "name", "") == "llm":
                calls.extend(getattr(p, "calls", []))
                cells[a] = dict(getattr(p, "counts", {}))
        calls.sort(key=lambda c: (c["turn"], self.game.world.ids.index(c["actor"]),
                                  c["attempt"]))
        return {**self.llm.identity(self.game.world), "cells": cells}, calls

    def record(self) -> RunRecord:
        g = self.game
        done = g.finished
        sc = self.resolved.scenario
        llm, calls = self.llm_record()
        return RunRecord(
            run_id=self.run_id, scenario_ref=self.ref, scenario_id=sc.id,
            scenario_version=sc.version, scenario_title=sc.title,
            scenario_digest=self.resolved.digest, excursion=self.resolved.excursion,
            overrides=list(self.resolved.overrides), seed=g.seed, policies=dict(self.kinds),
            events=[e.to_dict() for e in g.events], decisions=list(g.decisions),
            outcome=g.outcome() if done else None,
            status="complete" if done else "in_progress",
            run_index=self.run_index, draw_overrides=list(self.draw_overrides),
            llm=llm, llm_calls=calls,
        )


def start_session(ref: str, *, excursion: str | None = None, sets: tuple[str, ...] = (),
                  seed: int = 0, policy: Mapping[str, str] | None = None,
                  humans: Mapping[str, Policy] | None = None, salt: str = "",
                  resolved: ResolvedScenario | None = None, run_index: int = 0,
                  draw_overrides: Sequence[str] = (), llm: LLMSetup | None = None) -> Session:
    """Build a narrated one-run game; ``humans`` maps actor id -> human player.

    ``run_index`` is the global run index whose dice the game uses: 0 for an
    ordinary run, run *i* of a sweep to re-play that run alone.
    ``draw_overrides`` are white-cell overrides ``TURN:RULING[:ACTOR]=DRAW``.
    ``llm`` is the endpoint and client of any ``llm`` cells.
    """
    check_seed(seed)
    res = resolved or load_scenario(ref, excursion=excursion, sets=sets)
    ref = stored_ref(ref)
    world = compile_world(res.scenario)
    policies: dict[str, Policy] = dict(make_policies(
        world, dict(policy or {}), seed=seed, runs=np.array([run_index], dtype=np.int64),
        llm=llm))
    kinds = {a: getattr(p, "name", "?") for a, p in policies.items()}
    for a, h in (humans or {}).items():
        if a not in world.ids:
            raise ValueError(f"--as names unknown actor {a!r} (known: {', '.join(world.ids)})")
        policies[a] = h
        kinds[a] = "human"
    parsed = [parse_override(o, world) for o in draw_overrides]
    game = Game(world, policies, seed=seed, runs=np.array([run_index], dtype=np.int64),
                record=True, overrides=parsed)
    return Session(resolved=res, ref=ref, game=game, kinds=kinds, salt=salt,
                   run_index=run_index, draw_overrides=tuple(o.text for o in parsed), llm=llm)


def run_scenario(ref: str, *, excursion: str | None = None, sets: tuple[str, ...] = (),
                 seed: int = 0, policy: Mapping[str, str] | None = None,
                 on_turn: Callable[[Game], None] | None = None,
                 draw_overrides: Sequence[str] = (), llm: LLMSetup | None = None) -> RunRecord:
    """Play a scenario with AI players from start to end; return its record."""
    s = start_session(ref, excursion=excursion, sets=sets, seed=seed, policy=policy,
                      draw_overrides=draw_overrides, llm=llm)
    s.game.play(on_turn)
    return s.record()


def rebuild_session(rec: RunRecord, then: Mapping[str, Policy] | None = None) -> Session:
    """Re-create a recorded game: AI players anew, human cells from their moves.

    ``then`` gives the players that take over human cells once their recorded
    moves run out (resuming a game at the terminal).
    """
    res = load_recorded(rec)
    ai = {a: k for a, k in rec.policies.items() if k != "human"}
    humans: dict[str, Policy] = {}
    for a, k in rec.policies.items():
        if k == "human":
            moves = [turn[a] for turn in rec.decisions if a in turn]
            humans[a] = RecordedPolicy(moves, name="human",
                                       then=(then or {}).get(a))
    s = start_session(rec.scenario_ref, seed=rec.seed, policy=ai, humans=humans, resolved=res,
                      run_index=rec.run_index, draw_overrides=tuple(rec.draw_overrides),
                      llm=recorded_llm(rec))
    if s.run_id != rec.run_id and not humans and rec.run_index == 0:
        raise ReplayError(f"run id mismatch: {s.run_id} != {rec.run_id}")
    s.fixed_id = rec.run_id  # a resumed or replayed game keeps its id
    return s


def recorded_llm(rec: RunRecord) -> LLMSetup | None:
    """The language-model cells of a stored run, answering from its recorded completions."""
    if "llm" not in rec.policies.values():
        return None
    if not rec.llm or not rec.llm.get("endpoint"):
        raise ReplayError(f"run {rec.run_id} has language-model cells but no record of "
                          "their endpoint")
    from whitecell.llm.client import LLMClient, RecordedBackend
    from whitecell.llm.endpoint import Endpoint

    answers = {c["key"]: c["completion"] for c in rec.llm_calls}
    ep = Endpoint(**rec.llm["endpoint"])
    return LLMSetup(endpoint=ep, client=LLMClient(
        RecordedBackend(answers, what=f"the record of run {rec.run_id}")))


def replay(rec: RunRecord) -> tuple[RunRecord, bool]:
    """Re-simulate a stored run; return the new record and whether digests match."""
    s = rebuild_session(rec)
    s.game.play()
    new = s.record()
    new.run_id = rec.run_id
    return new, event_digest(new.events) == rec.event_digest
