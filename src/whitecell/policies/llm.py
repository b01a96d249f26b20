"""Language-model player: a cell played by a model behind an OpenAI-compatible API.

Each turn, for every run still going, the cell is shown its persona, its own
picture through the fog of war (:func:`whitecell.engine.picture.picture_of`,
the same facts a human cell sees), the news delivered to it, the public
history of moves and statements, and the menu of its legal moves; it answers
with a JSON move constrained by a schema (:mod:`whitecell.llm.move`). The
runs of a batch are asked concurrently, so a sweep plays many games at once.

Every call is audited: the prompt, the completion, the per-call seed (from the
root seed, the run, the turn, the actor and the attempt), the tokens and the
time go into :attr:`LLMPolicy.calls`; the request key goes into the move
event. A reply that fails validation is re-asked (``parameters.llm.retries``
times, with the error shown to the model), then the doctrine player's move
stands in: each failure, re-ask and stand-in is counted and narrated, never
silent.

Prompts are built from the observation alone (not from the narrative), so a
run re-played alone from a sweep asks the same questions as in the sweep.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from whitecell.engine.observation import Decision, Observation
from whitecell.engine.picture import picture_of
from whitecell.llm.client import ChatRequest, Completion, LLMClient
from whitecell.llm.endpoint import Endpoint
from whitecell.llm.move import MenuItem, Move, ReplyError, move_schema, parse_reply
from whitecell.llm.prompt import persona_text, render, template_digest
from whitecell.policies.doctrine import DoctrinePolicy
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE, SUPPORTING
from whitecell.world.compile import World


@dataclass
class LLMSetup:
    """The endpoint and client shared by the language-model cells of a game."""

    endpoint: Endpoint
    client: LLMClient

    def __deepcopy__(self, memo: dict[int, Any]) -> LLMSetup:
        # infrastructure, not game state: a copied game (the live exercise's
        # start-of-turn copies) asks through the same client and cache
        return self

    def identity(self, world: World) -> dict[str, Any]:
        """What the run record keeps: endpoint (no key), prompt version and digest, settings."""
        p = world.scenario.parameters.llm
        return {"endpoint": self.endpoint.identity(), "prompt": p.prompt,
                "prompt_digest": template_digest(p.prompt), "settings": p.model_dump()}

    def run_key(self, world: World) -> dict[str, Any]:
        """The part of the identity that decides completions (for the run id)."""
        p = world.scenario.parameters.llm
        return {"model": self.endpoint.model_identity(),
                "prompt_digest": template_digest(p.prompt)}


@dataclass
class PublicChannel:
    """Public statements of the language-model cells, readable from the next turn."""

    signals: dict[tuple[int, int], dict[str, str]] = field(default_factory=dict)

    def post(self, run: int, turn: int, actor: str, text: str) -> None:
        self.signals.setdefault((run, turn), {})[actor] = text

    def read(self, run: int, turn: int) -> dict[str, str]:
        return self.signals.get((run, turn), {})


#: Per-run counts of the language-model cells (columns ``llm_<name>`` of a sweep).
RUN_COUNTS: tuple[str, ...] = ("decisions", "calls", "invalid", "fallbacks", "prompt_tokens",
                               "completion_tokens", "wall_ms")


def call_seed(root: int, run: int, turn: int, actor: str, attempt: int) -> int:
    """Per-call sampling seed from (root seed, global run, turn, actor, attempt), < 2**31."""
    h = hashlib.sha256(f"whitecell-llm:{root}:{run}:{turn}:{actor}:{attempt}".encode())
    return int.from_bytes(h.digest()[:4], "big") & 0x7FFFFFFF


def _fmt(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 10 else f"{x:.2g}"


@dataclass
class _Prepared:
    """A turn's first asks, sent before the cell decides."""

    turn: int
    runs: int
    fallback: Decision
    todo: list[int]
    menus: dict[int, list[MenuItem]]
    convo: dict[int, tuple[tuple[str, str], ...]]
    requests: list[ChatRequest]
    future: Future[list[Completion]]


class LLMPolicy:
    """One actor played by a language model, over every run of the batch."""

    name = "llm"

    def __init__(self, world: World, actor: str, setup: LLMSetup, *, seed: int = 0,
                 runs: NDArray[np.int64] | int = 1, channel: PublicChannel | None = None
                 ) -> None:
        self.world = world
        self.actor = actor
        self.index = world.actor_index(actor)
        self.setup = setup
        self.seed = int(seed)
        self.runs = (np.arange(runs, dtype=np.int64) if isinstance(runs, int)
                     else np.asarray(runs, dtype=np.int64).copy())
        self.channel = channel or PublicChannel()
        self.fallback = DoctrinePolicy(actor)
        self.params = world.scenario.parameters.llm
        self.cap = int(world.scenario.parameters.action_cap)
        self.persona = persona_text(world.scenario, actor)
        self.history: list[list[dict[str, Any]]] = [[] for _ in range(len(self.runs))]
        self._prepared: _Prepared | None = None
        self.calls: list[dict[str, Any]] = []
        self.counts = {"decisions": 0, "calls": 0, "invalid": 0, "reasked": 0,
                       "fallbacks": 0, "prompt_tokens": 0, "completion_tokens": 0,
                       "wall_ms": 0.0}
        #: the same counts per global run index (the per-run columns of a sweep)
        self.run_counts: dict[int, dict[str, float]] = {}

    def _count(self, run: int, key: str, n: float = 1) -> None:
        c = self.run_counts.setdefault(run, dict.fromkeys(RUN_COUNTS, 0.0))
        c[key] += n

    # ------------------------------------------------------------ batch memory
    def compact(self, keep: NDArray[np.bool_]) -> None:
        self.runs = self.runs[keep]
        self.history = [h for h, k in zip(self.history, keep, strict=True) if k]
        self.fallback.compact(keep)

    # ------------------------------------------------------------ prompt
    def _menu(self, pic: Mapping[str, Any]) -> list[MenuItem]:
        return [MenuItem(m["id"], tuple(m["targets"])) for m in pic["legal"]]

    def _context(self, obs: Observation, r: int, pic: dict[str, Any]) -> dict[str, Any]:
        sc = self.world.scenario
        actors = []
        for a in pic["actors"]:
            parts = []
            for k, v in a["forces"].items():
                if max(v.get("value") or 0.0, v.get("estimate") or 0.0) <= 0:
                    continue  # a force it does not have in the theatre
                if "value" in v:
                    parts.append(f"{k} {_fmt(v['value'])}")
                else:
                    hi = "?" if v["high"] is None else _fmt(v["high"])
                    parts.append(f"{k} ~{_fmt(v['estimate'])} ({_fmt(v['low'])}-{hi})")
            actors.append({"actor": a["actor"], "name": a["name"], "own": a["own"],
                           "forces": ", ".join(parts) or "none",
                           "damage": f"{a['damage']:.2f}",
                           "belief": (f"{a['belief_in_resolve']:.2f}"
                                      if "belief_in_resolve" in a else None)})
        injects = []
        fired = obs.inject_fired
        for k, inj in enumerate(sc.injects):
            if fired is not None and fired[r, k] and (inj.to == "all" or self.actor in inj.to):
                injects.append({"title": inj.title, "text": " ".join(inj.text.split())})
        menu = [dict(m) for m in pic["legal"]]
        day = obs.turn * sc.turn.length_days - sc.turn.length_days
        return {"turn": obs.turn, "max_turns": sc.max_turns, "turn_days": f"{sc.turn.length_days:g}",
                "day": f"{sc.turn.start_label}+{day:g}", "war": pic["war"],
                "tension": f"{pic['tension']:.2f}", "cumrisk": f"{pic['cumrisk']:.2f}",
                "blockade": pic["blockade"], "lodgment": pic["lodgment"],
                "islands_held": pic["islands_held"], "proposal": pic["proposal"],
                "actors": actors, "injects": injects, "history": self.history[r][-8:],
                "menu": menu, "action_cap": self.cap,
                "supporting": sorted(m["id"] for m in menu if m["id"] in SUPPORTING)}

    def _remember(self, obs: Observation) -> None:
        """Add last turn's public moves and statements to each run's history."""
        if obs.turn <= 1:
            return
        w = self.world
        for r in range(obs.runs):
            if not obs.active[r]:
                continue
            moves = ", ".join(f"{a} {CATALOGUE[int(obs.last_action[r, j])].id}"
                              for j, a in enumerate(w.ids))
            said = self.channel.read(int(self.runs[r]), obs.turn - 1)
            self.history[r].append({"turn": obs.turn - 1, "moves": moves,
                                    "signals": [f'{a} said: "{t}"' for a, t in said.items()]})

    def _request(self, obs: Observation, r: int, messages: tuple[tuple[str, str], ...],
                 menu: list[MenuItem], attempt: int) -> ChatRequest:
        p = self.params
        return ChatRequest(model=self.setup.endpoint.model_identity(), messages=messages,
                           schema=move_schema(menu, self.cap), temperature=p.temperature,
                           top_p=p.top_p, max_tokens=p.max_tokens,
                           seed=call_seed(self.seed, int(self.runs[r]), obs.turn, self.actor,
                                          attempt))

    # ------------------------------------------------------------ decide
    def prefetch(self, obs: Observation) -> None:
        """Start this turn's first asks before any cell waits (the game calls it for all)."""
        self._prepared = self._prepare(obs)

    def _prepare(self, obs: Observation) -> _Prepared:
        R = obs.runs
        if len(self.runs) != R:
            raise ValueError(f"llm player for {self.actor} was built for {len(self.runs)} "
                             f"runs but observes {R}")
        fb = self.fallback.decide(obs)
        self._remember(obs)
        todo = [r for r in range(R) if obs.active[r]]
        pics = {r: picture_of(obs, r) for r in todo}
        menus = {r: self._menu(pics[r]) for r in todo}
        convo = {r: render(self.params.prompt, self.persona, self._context(obs, r, pics[r]))
                 for r in todo}
        reqs = [self._request(obs, r, convo[r], menus[r], 0) for r in todo]
        return _Prepared(obs.turn, R, fb, todo, menus, convo, reqs,
                         self.setup.client.submit(reqs))

    def decide(self, obs: Observation) -> Decision:
        prep = getattr(self, "_prepared", None)
        self._prepared = None
        if prep is None or prep.turn != obs.turn or prep.runs != obs.runs:
            prep = self._prepare(obs)
        R, fb, todo, menus, convo = obs.runs, prep.fallback, prep.todo, prep.menus, prep.convo
        action = np.asarray(fb.action, dtype=np.int64).reshape(R).copy()
        target = np.asarray(fb.target, dtype=np.int64).reshape(R).copy()
        got: dict[int, Move] = {}
        errors: dict[int, list[str]] = {r: [] for r in todo}
        keys: dict[int, list[str]] = {r: [] for r in todo}
        pending = list(todo)
        for attempt in range(self.params.retries + 1):
            if not pending:
                break
            if attempt == 0:
                reqs, comps = prep.requests, prep.future.result()
            else:
                reqs = [self._request(obs, r, convo[r], menus[r], attempt) for r in pending]
                comps = self.setup.client.complete_all(reqs)
            still = []
            for r, req, c in zip(pending, reqs, comps, strict=True):
                keys[r].append(req.key())
                err = None
                try:
                    got[r] = parse_reply(c.content, menus[r], self.cap, SUPPORTING)
                except ReplyError as e:
                    err = str(e)
                    errors[r].append(err)
                    still.append(r)
                    convo[r] = convo[r] + (("assistant", c.content),
                                           ("user", f"That reply is not valid: {err}. Reply "
                                                    "again with one JSON object as specified, "
                                                    + ("choosing one action from the menu."
                                                       if self.cap == 1 else
                                                       "choosing a main action and at most "
                                                       f"{self.cap - 1} supporting actions "
                                                       "from the menu.")))
                self._audit(obs, r, req, c, attempt, err)
            pending = still
        w = self.world
        support = support_t = None
        if self.cap > 1:
            support = np.full((R, self.cap - 1), -1, dtype=np.int64)
            support_t = np.full((R, self.cap - 1), -1, dtype=np.int64)
        for r, mv in got.items():
            act, tgt = mv.actions[0]
            action[r] = ACTION_INDEX[act]
            target[r] = w.actor_index(tgt) if tgt else -1
            if support is not None and support_t is not None:
                for k, (a2, t2) in enumerate(mv.actions[1:self.cap]):
                    support[r, k] = ACTION_INDEX[a2]
                    support_t[r, k] = w.actor_index(t2) if t2 else -1
            self.channel.post(int(self.runs[r]), obs.turn, self.actor, mv.signal)
        for r in todo:
            g = int(self.runs[r])
            self._count(g, "decisions")
            self._count(g, "invalid", len(errors[r]))
            if r not in got:
                self._count(g, "fallbacks")
        self.counts["decisions"] += len(todo)
        self.counts["reasked"] += sum(len(e) for r, e in errors.items() if r in got)
        self.counts["fallbacks"] += len(pending)
        self.counts["invalid"] += sum(len(e) for e in errors.values())
        reasons = None
        extra: dict[str, object] = {}
        if obs.explain and todo and todo[0] == 0:
            reasons, extra = self._narrate(fb, got.get(0), errors[0], keys[0])
        return Decision(action=action, target=target, reasons=reasons, extra=extra,
                        support=support, support_target=support_t)

    def _narrate(self, fb: Decision, mv: Move | None, errors: list[str], keys: list[str]
                 ) -> tuple[list[str], dict[str, object]]:
        ep = self.setup.endpoint
        who = f"language model {ep.model} (prompt {self.params.prompt})"
        info: dict[str, Any] = {"model": ep.model, "prompt": self.params.prompt,
                                "requests": keys, "invalid": errors,
                                "fallback": mv is None}
        if mv is None:
            doctrine = fb.reasons[0] if fb.reasons else "its rules"
            reason = (f"{who}: no valid reply in {len(errors)} tries (last: {errors[-1]}); "
                      f"the doctrine player's move stands in - {doctrine}")
            return [reason], {"event": {"llm": info}}
        tries = f" after {len(errors)} invalid repl{'y' if len(errors) == 1 else 'ies'}" \
            if errors else ""
        reason = f"chosen by the {who}{tries}; it says this move is {mv.signal_intent}"
        info["signal_intent"] = mv.signal_intent
        return [reason], {"event": {"llm": info, "signal": mv.signal,
                                    "reasoning": mv.reasoning}}

    def _audit(self, obs: Observation, r: int, req: ChatRequest, c: Completion, attempt: int,
               error: str | None) -> None:
        self.counts["calls"] += 1
        self.counts["prompt_tokens"] += c.prompt_tokens
        self.counts["completion_tokens"] += c.completion_tokens
        self.counts["wall_ms"] += c.wall_ms
        g = int(self.runs[r])
        self._count(g, "calls")
        self._count(g, "prompt_tokens", c.prompt_tokens)
        self._count(g, "completion_tokens", c.completion_tokens)
        self._count(g, "wall_ms", c.wall_ms)
        if not obs.explain:  # a batch keeps counts only; the record of a narrated game keeps calls
            return
        self.calls.append({"run": int(self.runs[r]), "turn": int(obs.turn), "actor": self.actor,
                           "attempt": attempt, "key": req.key(), "request": req.body(),
                           "completion": c.stored(), "cached": c.cached, "error": error})
