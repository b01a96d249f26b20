"""The engine under a live exercise: the game at the start of the turn being played.

A live exercise never keeps a half-played turn. The game is rebuilt from what
has been *published* (the scenario as the white cell has shaped its MSEL, the
seed, every cell's published moves and the white cell's overrides), exactly
as ``whitecell replay`` rebuilds a stored run: AI cells play anew, human cells
replay their moves. On that game the exercise can then

* **look** at the turn: release its injects and build each human cell's
  observation (its picture, legal actions, injects), without adjudicating;
* **try** the turn: play it with the cells' pending moves and a set of draw
  overrides, giving the proposed moves and rulings the white cell reviews;
* **probe** one ruling: the distinct results that different draws give, so the
  white cell can override a *result* by choosing the draw that produces it.

AI cells decide only when the turn is tried, so nothing of theirs exists while
human cells are still deciding. Rebuilt games are cached in memory per
published history and handed out as deep copies, so trying a turn never
changes the cached game.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from whitecell.engine.dice import slot_of
from whitecell.engine.events import canonical_json
from whitecell.engine.game import Game
from whitecell.engine.observation import Decision, Observation
from whitecell.engine.overrides import RULINGS, UNACTORED, DrawOverride, parse_override
from whitecell.engine.picture import picture_of
from whitecell.exercise.states import ExerciseError
from whitecell.policies import POLICY_KINDS, LLMSetup
from whitecell.policies.recorded import RecordedPolicy, support_arrays
from whitecell.record.session import Session, start_session
from whitecell.scenario.actions import ACTION_INDEX, SUPPORTING
from whitecell.scenario.errors import ScenarioError
from whitecell.scenario.load import ResolvedScenario, load_scenario, scenario_path

#: Cell kinds a white cell chooses from in the web console (and ``llm`` when the
#: server has a language model: :func:`cell_kinds`).
CELL_KINDS = ("human", "doctrine", "strategic")
#: Every kind a cell may have (the terminal also offers the other AI players).
ALL_KINDS = ("human", *POLICY_KINDS, "llm")

_llm: LLMSetup | None = None


def configure_llm(setup: LLMSetup | None) -> None:
    """Seat language-model cells through ``setup`` (``whitecell serve --llm-url ...``).

    The setup must have a completion cache: a live exercise re-plays its
    published turns from their inputs, and the cache gives every re-played
    call the completion that was published.
    """
    global _llm
    if setup is not None and setup.client.cache is None:
        raise ValueError("language-model cells in a live exercise need the completion "
                         "cache (drop --llm-cache off)")
    _llm = setup


def llm_setup() -> LLMSetup | None:
    """The language model of this server's exercises, if any."""
    return _llm


def cell_kinds() -> tuple[str, ...]:
    """The kinds the web console offers: ``llm`` too when a model is configured."""
    return (*CELL_KINDS, "llm") if _llm is not None else CELL_KINDS
#: Draws tried when probing the results a ruling can have.
PROBE_DRAWS = (0.01, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.99)
#: Rebuilt start-of-turn games kept in memory.
CACHE_SIZE = 32


@dataclass(frozen=True)
class Setup:
    """Everything that determines the game at the start of the turn being played."""

    ref: str
    excursion: str | None
    sets: tuple[str, ...]
    seed: int
    kinds: Mapping[str, str]  # actor -> human | doctrine | strategic
    history: tuple[Mapping[str, Mapping[str, Any]], ...] = ()  # published moves per turn
    overrides: tuple[str, ...] = ()  # published draw overrides, canonical text

    @property
    def turn(self) -> int:
        """The turn being played (1 + published turns)."""
        return len(self.history) + 1

    def key(self) -> str:
        return canonical_json({"ref": self.ref, "excursion": self.excursion,
                               "sets": list(self.sets), "seed": self.seed,
                               "kinds": dict(self.kinds), "history": list(self.history),
                               "overrides": list(self.overrides)})


class Seat:
    """A human cell's chair at the table: plays its pending move, notes what it saw."""

    name = "human"

    def __init__(self, actor: str) -> None:
        self.actor = actor
        self.move: Mapping[str, Any] | None = None
        self.picture: dict[str, Any] | None = None
        self.observation: Observation | None = None

    def decide(self, obs: Observation) -> Decision:
        self.picture = picture_of(obs)
        # the arrays are views of the state the turn is about to change: keep copies
        arrays: dict[str, Any] = {f.name: np.array(getattr(obs, f.name))
                                  for f in dataclasses.fields(obs)
                                  if isinstance(getattr(obs, f.name), np.ndarray)}
        self.observation = dataclasses.replace(obs, **arrays)
        if self.move is None:
            return Decision(action=np.array([ACTION_INDEX["wait"]], dtype=np.int64),
                            target=np.array([-1], dtype=np.int64),
                            reasons=["no move submitted: the cell waits"])
        m = self.move
        tgt = obs.world.actor_index(m["target"]) if m.get("target") else -1
        sup, sup_t = support_arrays(obs, m.get("support") or ())
        return Decision(action=np.array([ACTION_INDEX[m["action"]]], dtype=np.int64),
                        target=np.array([tgt], dtype=np.int64), reasons=["human cell"],
                        rationale=m.get("rationale") or None, support=sup,
                        support_target=sup_t)


@dataclass
class Look:
    """The turn being played as the human cells see it, before anyone decides."""

    turn: int
    pictures: dict[str, dict[str, Any]]  # human actor -> picture_of(...)
    injects: list[dict[str, Any]]  # inject events released at the start of the turn
    finished: bool
    observations: dict[str, Observation] = field(default_factory=dict)  # for the terminal


@dataclass
class Trial:
    """A turn tried with pending moves and overrides: what the white cell reviews."""

    turn: int
    moves: dict[str, dict[str, Any]]  # every cell's move as the engine records it
    events: list[dict[str, Any]]  # the events of this turn
    rulings: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False


_cache: OrderedDict[str, Game] = OrderedDict()
_cache_lock = threading.Lock()


def scenario_of(ref: str, excursion: str | None, sets: tuple[str, ...]) -> ResolvedScenario:
    """Load (and remember) a scenario variant; ExerciseError 422 with the problem if bad.

    Remembered per file modification time, so an edited file is read again.
    """
    try:
        path = scenario_path(ref)
        stamp = path.stat().st_mtime_ns if path.exists() else 0
    except (ScenarioError, OSError):
        stamp = 0
    try:
        return _load_cached(ref, excursion, tuple(sets), stamp)
    except ScenarioError as err:
        raise ExerciseError(f"scenario {ref}: {err}", 422) from None


@lru_cache(maxsize=64)
def _load_cached(ref: str, excursion: str | None, sets: tuple[str, ...],
                 _stamp: int) -> ResolvedScenario:
    return load_scenario(ref, excursion=excursion, sets=sets)


def resolve(setup: Setup) -> ResolvedScenario:
    """The scenario of an exercise as shaped by its MSEL changes (ExerciseError 422)."""
    return scenario_of(setup.ref, setup.excursion, setup.sets)


def session(setup: Setup, extra_moves: Mapping[str, Mapping[str, Any]] | None = None,
            overrides: Sequence[str] = ()) -> Session:
    """A fresh session replaying the published turns (plus ``extra_moves`` as one more).

    Built by :func:`whitecell.record.session.start_session`, as a replay is, so
    the record it makes replays to the same events.
    """
    res = resolve(setup)
    history: list[Mapping[str, Any]] = list(setup.history) + (
        [dict(extra_moves)] if extra_moves is not None else [])
    humans: dict[str, Any] = {}
    for a, k in setup.kinds.items():
        if k == "human":
            humans[a] = RecordedPolicy([dict(turn[a]) for turn in history if a in turn],
                                       name="human", then=Seat(a))
    ai = {a: k for a, k in setup.kinds.items() if k != "human"}
    try:
        return start_session(setup.ref, seed=setup.seed, policy=ai, humans=humans,
                             resolved=res, draw_overrides=tuple(overrides),
                             llm=_llm if "llm" in ai.values() else None)
    except ValueError as err:
        raise ExerciseError(str(err), 422) from None


def _check_history(game: Game, setup: Setup, upto: int) -> None:
    """The replayed turns must give the published moves (else the engine has changed)."""
    for t in range(upto):
        for a, m in setup.history[t].items():
            got = game.decisions[t].get(a, {}) if t < len(game.decisions) else {}
            if (got.get("action"), got.get("target")) != (m.get("action"), m.get("target")):
                raise ExerciseError(
                    f"turn {t + 1} no longer replays: {a} published {m.get('action')} but the "
                    f"engine now plays {got.get('action')} (the engine or scenario changed "
                    "since the turn was published)", 409)


def start_of_turn(setup: Setup) -> Game:
    """A private copy of the game at the start of turn ``setup.turn``."""
    key = setup.key()
    with _cache_lock:
        game = _cache.get(key)
        if game is not None:
            _cache.move_to_end(key)
            return copy.deepcopy(game)
    s = session(setup, overrides=setup.overrides)
    for _ in setup.history:
        if s.game.finished:
            break
        s.game.step()
    _check_history(s.game, setup, len(setup.history))
    with _cache_lock:
        _cache[key] = s.game
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return copy.deepcopy(s.game)


def _seats(game: Game) -> dict[str, Seat]:
    out = {}
    for a, p in game.policies.items():
        then = getattr(p, "then", None)
        if isinstance(then, Seat):
            out[a] = then
    return out


def add_overrides(game: Game, texts: Sequence[str]) -> list[DrawOverride]:
    """Apply draw overrides to a game not yet past their turn (as ``Game`` does at start)."""
    parsed = []
    for text in texts:
        try:
            o = parse_override(text, game.world)
        except ValueError as err:
            raise ExerciseError(str(err), 422) from None
        turn, code, actor = o.key(game.world)
        game.dice.overrides[(slot_of(turn, code, actor), -1)] = o.draw
        parsed.append(o)
    game.overrides = tuple(game.overrides) + tuple(parsed)
    return parsed


_looks: OrderedDict[str, Look] = OrderedDict()
_flights: dict[str, threading.Lock] = {}


def look(setup: Setup) -> Look:
    """The turn's injects and every human cell's picture; nothing is adjudicated for keeps.

    Remembered per setup (treat the result as read-only): every move submitted
    is checked against it.
    """
    key = setup.key()
    with _cache_lock:
        hit = _looks.get(key)
        if hit is not None:
            _looks.move_to_end(key)
            return hit
        flight = _flights.setdefault(key, threading.Lock())
    with flight:  # one computation per key however many requests wait for it
        with _cache_lock:
            hit = _looks.get(key)
        if hit is not None:
            return hit
        got = _look(setup)
        with _cache_lock:
            _looks[key] = got
            _flights.pop(key, None)
            while len(_looks) > CACHE_SIZE:
                _looks.popitem(last=False)
    return got


def _look(setup: Setup) -> Look:
    game = start_of_turn(setup)
    if game.finished:
        return Look(turn=setup.turn, pictures={}, injects=[], finished=True)
    n = len(game.events)
    seats = _seats(game)
    game.step()  # on the private copy: the pictures are taken before anyone decides
    injects = [e.to_dict() for e in game.events[n:] if e.kind == "inject"]
    return Look(turn=setup.turn, pictures={a: s.picture for a, s in seats.items()
                                          if s.picture is not None},
                injects=injects, finished=False,
                observations={a: s.observation for a, s in seats.items()
                              if s.observation is not None})


def ruling_key(game: Game, event: Mapping[str, Any]) -> str | None:
    """The override name of a ruling event (``strike_bases.PRK``, ``incident``), if any.

    A ruling is overridable when its draw is the draw of one of the named
    rulings of :data:`whitecell.engine.overrides.RULINGS` for its actor this
    turn; the match is exact (53-bit uniforms do not collide by chance).
    """
    data = event.get("data") or {}
    draw = data.get("draw")
    if draw is None or data.get("model") == "white cell override":
        return None
    w, t = game.world, int(event["turn"])
    actor = event.get("actor")
    for name, code in RULINGS.items():
        if name in UNACTORED:
            if actor is not None:
                continue
            idx = 0
        else:
            if actor is None or actor not in w.ids:
                continue
            idx = w.actor_index(actor)
        u = float(game.dice.draw(t, code, idx)[0])
        if float(f"{u:.10g}") == float(draw):
            return name if name in UNACTORED else f"{name}.{actor}"
    return None


def override_text(turn: int, key: str, draw: float) -> str:
    """``TURN:RULING[:ACTOR]=DRAW`` for ruling ``key`` (``name`` or ``name.ACTOR``)."""
    name, _, actor = key.partition(".")
    who = f":{actor}" if actor else ""
    return f"{turn}:{name}{who}={draw:.6g}"


def _rulings(game: Game, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    k = 0
    for e in events:
        if e["kind"] not in ("ruling", "incident"):
            continue
        k += 1
        d = e.get("data") or {}
        if d.get("model") == "white cell override":
            continue
        key = ruling_key(game, e)
        out.append({"id": key or f"r{k}", "overridable": key is not None, "actor": e.get("actor"),
                    "kind": e["kind"], "text": e["text"], "model": d.get("model"),
                    "inputs": d.get("inputs"), "probability": d.get("probability"),
                    "draw": d.get("draw"), "result": d.get("result")})
    return out


def check_move(picture: Mapping[str, Any], move: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a move against the cell's legal actions this turn; its canonical form.

    ``picture`` is the cell's :func:`picture_of` for the turn (legality depends
    on the injects just released). A move without a target gets the default
    one (the main adversary, when sensible).
    """
    actor = picture["actor"]
    act = move.get("action")
    legal = {a["id"]: a for a in picture["legal"]}
    if not isinstance(act, str) or act not in ACTION_INDEX:
        raise ExerciseError(f"unknown action {act!r}", 422)
    if act not in legal:
        raise ExerciseError(f"{act} is not a legal action for {actor} this turn "
                            f"(legal: {', '.join(legal)})", 422)
    options = legal[act]["targets"]
    target = move.get("target")
    if options:
        if target is None:
            target = options[0] if picture.get("adversary") not in options \
                else picture["adversary"]
        elif target not in options:
            raise ExerciseError(f"{target!r} is not a target for {act} (choose "
                                f"{', '.join(options)})", 422)
    elif target is not None:
        raise ExerciseError(f"{act} takes no target", 422)
    return {"action": act, "target": target}


def check_support(moves: Sequence[Mapping[str, Any]]) -> None:
    """The actions after a move's first must be distinct supporting actions."""
    seen = {moves[0]["action"]} if moves else set()
    for m in moves[1:]:
        if m["action"] not in SUPPORTING:
            raise ExerciseError(
                f"{m['action']} cannot support a move: only non-violent signals that no "
                "model rules may (" + ", ".join(sorted(SUPPORTING)) + "); make it the "
                "main effort (first) instead", 422)
        if m["action"] in seen:
            raise ExerciseError(f"{m['action']} appears twice in the move", 422)
        seen.add(m["action"])


def trial(setup: Setup, moves: Mapping[str, Mapping[str, Any]],
          overrides: Sequence[str] = ()) -> Trial:
    """Play the turn on a private copy with human ``moves`` and this turn's ``overrides``."""
    game = start_of_turn(setup)
    if game.finished:
        raise ExerciseError("the game has already ended", 409)
    add_overrides(game, overrides)
    for a, seat in _seats(game).items():
        seat.move = moves.get(a)
    n = len(game.events)
    game.step()
    events = [e.to_dict() for e in game.events[n:]]
    return Trial(turn=setup.turn, moves=dict(game.decisions[-1]) if game.decisions else {},
                 events=events, rulings=_rulings(game, events), finished=game.finished)


def probe(setup: Setup, moves: Mapping[str, Mapping[str, Any]], overrides: Sequence[str],
          key: str) -> list[dict[str, Any]]:
    """The distinct results ruling ``key`` takes over :data:`PROBE_DRAWS`.

    Each option is ``{"draw", "result", "text"}``: overriding the ruling's draw
    with ``draw`` (all else as now) gives ``result``.
    """
    name = key.partition(".")[0]
    if name not in RULINGS:
        raise ExerciseError(f"ruling {key!r} cannot be overridden", 422)
    mine = [o for o in overrides if _key_of(o) != key]
    seen: dict[str, dict[str, Any]] = {}
    draws = set(PROBE_DRAWS)
    now = next((r for r in trial(setup, moves, overrides).rulings if r["id"] == key), None)
    p = now.get("probability") if now else None
    if isinstance(p, float | int) and 0 < p < 1:  # either side of a success threshold
        draws |= {round(p / 2, 6), round(p + (1 - p) / 2, 6)}
    for u in sorted(draws):
        tr = trial(setup, moves, [*mine, override_text(setup.turn, key, u)])
        hit = next((r for r in tr.rulings if r["id"] == key), None)
        if hit is None:
            continue
        rk = canonical_json(hit["result"])
        if rk not in seen:
            seen[rk] = {"draw": u, "result": hit["result"], "text": hit["text"]}
    return list(seen.values())


def _key_of(text: str) -> str:
    """Ruling key of an override text ``T:name[:ACTOR]=draw``."""
    head = text.split("=", 1)[0].strip()
    parts = [p.strip() for p in head.split(":")]
    return parts[1] if len(parts) == 2 else f"{parts[1]}.{parts[2].upper()}"


def published(setup: Setup) -> Session:
    """The session of the published turns alone (what a saved game holds)."""
    s = session(setup, overrides=setup.overrides)
    for _ in setup.history:
        if s.game.finished:
            break
        s.game.step()
    return s


def canonical(setup: Setup, moves: Mapping[str, Mapping[str, Any]],
              overrides: Sequence[str]) -> Session:
    """The session of the published game: rebuilt from scratch with this turn's moves.

    This is what a replay of the run record does, so the record it gives
    reproduces the published turn event for event.
    """
    s = session(setup, extra_moves=moves, overrides=[*setup.overrides, *overrides])
    for _ in range(setup.turn):
        if s.game.finished:
            break
        s.game.step()
    return s
