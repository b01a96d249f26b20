"""A human cell at the terminal (hot seat): the same policy protocol as the AIs.

The player sees its own picture (own forces exact, others through the fog),
the injects delivered to it this turn, the others' public moves and rungs and
its own beliefs; picks a legal action by number or id, a target where the
action needs one, and writes a rationale that goes into the record.

Everything the player or the scenario author wrote (inject texts, answers at
the prompt) is printed as literal text, never as rich markup or emoji codes:
``[/x]`` typed at a prompt must not crash the game. Action numbers are the
action's place in the catalogue, so move 7 is the same move every turn (only
the legal ones are listed), and ``help N`` describes move N in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from whitecell.engine.observation import Decision, Observation
from whitecell.exercise.targets import COOPERATIVE, offered, target_options
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE, FORCE_KINDS, SUPPORTING

Ask = Callable[[str], str]

__all__ = ["COOPERATIVE", "HumanPolicy", "action_number", "describe", "parse_action",
           "target_options"]

def action_number(index: int) -> int:
    """The number a player types for catalogue entry ``index`` (stable across turns)."""
    return index + 1


def parse_action(answer: str, legal: list[int]) -> int | None:
    """Catalogue index of the legal action named by ``answer`` (number or id), else None."""
    ans = answer.strip()
    if ans.isdigit():
        j = int(ans) - 1
        return j if j in legal else None
    j = ACTION_INDEX.get(ans, -1)
    return j if j in legal else None


def describe(answer: str) -> str:
    """One line about the action named by ``answer`` (number or id), for ``help N``."""
    ans = answer.strip()
    j = int(ans) - 1 if ans.isdigit() else ACTION_INDEX.get(ans, -1)
    if not 0 <= j < len(CATALOGUE):
        return f"no action {ans!r}: give a number from the list or an action id"
    a = CATALOGUE[j]
    return f"{action_number(j)} {a.id} ({a.name}, rung {a.kahn_rung}, {a.rivera}): {a.description}"


class HumanPolicy:
    """Asks a person at the terminal for one actor's move each turn."""

    name = "human"

    def __init__(self, actor: str, console: Console, ask: Ask | None = None) -> None:
        self.actor = actor
        self.console = console
        self.ask: Ask = ask or (
            lambda prompt: console.input(prompt, markup=False, emoji=False))

    def say(self, text: str, style: str = "") -> None:
        """Print ``text`` literally (no markup, no emoji codes)."""
        self.console.print(Text(text, style=style))

    def _picture(self, obs: Observation) -> None:
        w = obs.world
        me = obs.actor
        c = self.console
        c.rule(Text(f"{w.ids[me]} cell - turn {obs.turn}", style="bold"))
        sc = w.scenario
        for inj in sc.injects:
            if inj.id in obs.injects:
                c.print(Text.assemble(("INJECT", "magenta"), " ", (inj.title, "bold"),
                                      f": {inj.text.strip()}"))
        t = Table(title="Picture (own forces exact; others seen through the fog)")
        t.add_column("actor")
        t.add_column("last move")
        t.add_column("rung", justify="right")
        for k in FORCE_KINDS:
            if (w.forces0[:, FORCE_KINDS.index(k)] > 0).any():
                t.add_column(k, justify="right")
        t.add_column("your belief in its resolve", justify="right")
        for j, a in enumerate(w.ids):
            row = [a, CATALOGUE[int(obs.last_action[0, j])].id if obs.turn > 1 else "-",
                   str(int(obs.rungs[0, j]))]
            for k in FORCE_KINDS:
                kk = FORCE_KINDS.index(k)
                if (w.forces0[:, kk] > 0).any():
                    row.append(f"{obs.seen_forces[0, j, kk]:.0f}")
            row.append("-" if j == me else f"{obs.belief[0, j]:.2f}")
            t.add_row(*(Text(x) for x in row))
        c.print(t)
        self.say(f"tension {obs.tension[0]:.2f}   risk of losing control so far "
                 f"{obs.cumrisk[0]:.2f}   your costs {obs.costs[0, me]:.2f}   "
                 f"blockade {obs.blockade[0]:.0%}   war {'YES' if obs.war[0] else 'no'}")
        if obs.proposal[0]:
            self.say("An adversary has proposed talks: you may accept a settlement.", "yellow")

    def _choose_action(self, obs: Observation) -> int:
        """List the legal actions by their catalogue number; read a choice (or ``help N``)."""
        me = obs.actor
        # as every front end: a move with no sensible target is not offered
        legal = [j for j in range(len(CATALOGUE))
                 if obs.legal[0, j] and offered(obs.world, me, CATALOGUE[j])]
        t = Table(title="Legal actions (help N describes move N)")
        for col in ("#", "id", "action", "rung", "category"):
            t.add_column(col)
        for j in legal:
            a = CATALOGUE[j]
            t.add_row(str(action_number(j)), a.id, a.name, str(a.kahn_rung), a.rivera)
        self.console.print(t)
        while True:
            ans = self.ask(f"{obs.world.ids[me]} action (number or id; help N): ").strip()
            word, _, rest = ans.partition(" ")
            if word in ("help", "?"):
                self.say(describe(rest) if rest.strip() else
                         "type a move's number or id; help N describes move N")
                continue
            choice = parse_action(ans, legal)
            if choice is not None:
                return choice
            self.say(f"not a legal action: {ans!r}", "red")

    def _choose_target(self, obs: Observation, choice: int) -> int:
        """The target of the move: asked among sensible targets when there is a choice."""
        w, me = obs.world, obs.actor
        target = int(w.adversary[me])
        spec = CATALOGUE[choice]
        options = target_options(w, me, spec)
        if not options:
            return target
        if len(options) == 1:
            return w.ids.index(options[0])
        default = w.ids[target] if target >= 0 and w.ids[target] in options else options[0]
        while True:
            ans = self.ask(f"target ({'/'.join(options)}) [{default}]: ").strip().upper()
            ans = ans or default
            if ans in options:
                return w.ids.index(ans)
            self.say(f"not a target for {spec.id}: {ans!r} (choose {', '.join(options)})",
                     "red")

    def _rationale(self) -> str | None:
        """The rationale for the record; an empty answer is asked for once more."""
        prompt = "rationale (one line, for the record): "
        text = self.ask(prompt).strip()
        if not text:
            text = self.ask("a rationale helps the hotwash; one line (Enter to skip): ").strip()
        return text or None

    def decide(self, obs: Observation) -> Decision:
        self._picture(obs)
        choice = self._choose_action(obs)
        target = self._choose_target(obs, choice)
        support, support_t = self._supporting(obs, choice)
        rationale = self._rationale()
        return Decision(action=np.array([choice], dtype=np.int64),
                        target=np.array([target], dtype=np.int64),
                        reasons=["human cell"], rationale=rationale,
                        support=support, support_target=support_t)

    def _supporting(self, obs: Observation, choice: int
                    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Up to ``action_cap - 1`` supporting actions (only when the scenario allows)."""
        cap = obs.world.scenario.parameters.action_cap
        if cap <= 1:
            return None, None
        w, me = obs.world, obs.actor
        ok = {CATALOGUE[j].id: j for j in range(len(CATALOGUE)) if obs.legal[0, j]
              and CATALOGUE[j].id in SUPPORTING and j != choice
              and offered(w, me, CATALOGUE[j])}
        acts: list[int] = []
        tgts: list[int] = []
        while len(acts) < cap - 1 and ok:
            ans = self.ask(f"supporting action {len(acts) + 1} of {cap - 1} (id or number; "
                           f"Enter for none; one of {', '.join(sorted(ok))}): ").strip()
            if not ans:
                break
            pick = parse_action(ans, [j for j in ok.values() if j not in acts])
            if pick is None:
                self.say(f"not a supporting action now: {ans!r}", "red")
                continue
            acts.append(pick)
            tgts.append(self._choose_target(obs, pick))
        if not acts:
            return None, None
        return (np.array([acts], dtype=np.int64), np.array([tgts], dtype=np.int64))


def play_exercise(exercises: Any, xid: str, console: Console, ask: Ask | None = None) -> str:
    """Play live exercise ``xid`` at the terminal; returns its run id when it has ended.

    The human cells answer in turn (hot seat) through :class:`HumanPolicy`;
    each move is stored by the exercise layer as soon as it is given. When
    every human cell has moved, the terminal acts as the white cell: the turn
    is adjudicated and published with its rulings as proposed, then the
    published turn is narrated as the human cells may see it (AI cells' private
    reasoning is never shown). Interrupting at a prompt leaves the exercise
    stored with the published turns and the moves already given, and nothing
    of the AI cells for the turn being played.
    """
    from whitecell.exercise import WHITE, Role, Status
    from whitecell.exercise.tokens import CELL
    from whitecell.exercise.views import redact_event
    from whitecell.report.narrative import print_narrative

    snap = exercises.snapshot(xid)
    humans = snap.humans()
    sc = exercises.scenario(snap)
    cells = {a.id: a.cell for a in sc.actors}
    roles = [Role(CELL, a) for a in humans]

    def seen(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for e in events:
            own = [r for r in roles if r.actor == e.get("actor")]
            for r in own + roles:
                v = redact_event(e, r, sc.actor_ids)
                if v is not None:
                    out.append(v)
                    break
        return out

    def narrate(events: list[dict[str, Any]]) -> None:
        print_narrative(console, seen(events), cells, sc.turn.length_days, sc.turn.start_label)

    narrate(snap.published_events())
    while True:
        snap = exercises.snapshot(xid)
        status = snap.status
        if status == Status.ENDED:
            return str(snap.row["run_id"])
        if status == Status.DRAFT:
            exercises.start(xid, WHITE)
        elif status == Status.PAUSED:
            exercises.resume(xid, WHITE)
        elif status == Status.PUBLISHED:
            exercises.advance(xid, WHITE)
        elif status == Status.RUNNING:
            look = exercises.look(xid)
            for a in humans:
                if a in snap.moves:
                    m = snap.moves[a]["actions"][0]
                    console.print(Text(f"{a}'s move for turn {snap.turn} is in: {m['action']}"))
                    continue
                obs = look.observations[a]
                dec = HumanPolicy(a, console, ask).decide(obs)
                picks = [(int(dec.action[0]), int(dec.target[0]))]
                if dec.support is not None and dec.support_target is not None:
                    picks += [(int(x), int(y)) for x, y in zip(dec.support[0],
                                                               dec.support_target[0],
                                                               strict=True) if x >= 0]
                acts = []
                for code, tgt in picks:
                    spec = CATALOGUE[code]
                    acts.append({"action": spec.id, "target": obs.world.ids[tgt]
                                 if spec.needs_target and tgt >= 0 else None})
                exercises.submit_move(xid, Role(CELL, a), a, acts, dec.rationale or "")
            exercises.adjudicate(xid, WHITE)
        elif status == Status.ADJUDICATING:
            res = exercises.publish(xid, WHITE, advance=True)
            turn = res["turn"]
            snap = exercises.snapshot(xid)
            narrate([e for e in snap.published_events() if e["turn"] == turn])
