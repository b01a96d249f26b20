"""A human cell at the terminal (hot seat): the same policy protocol as the AIs.

The player sees its own picture (own forces exact, others through the fog),
the injects delivered to it this turn, the others' public moves and rungs and
its own beliefs; picks a legal action by number or id, a target where the
action needs one, and writes a rationale that goes into the record.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rich.console import Console
from rich.table import Table

from whitecell.engine.observation import Decision, Observation
from whitecell.scenario.actions import ACTION_INDEX, CATALOGUE, FORCE_KINDS

Ask = Callable[[str], str]


class HumanPolicy:
    """Asks a person at the terminal for one actor's move each turn."""

    name = "human"

    def __init__(self, actor: str, console: Console, ask: Ask | None = None) -> None:
        self.actor = actor
        self.console = console
        self.ask: Ask = ask or (lambda prompt: console.input(prompt))

    def _picture(self, obs: Observation) -> None:
        w = obs.world
        me = obs.actor
        c = self.console
        c.rule(f"[bold]{w.ids[me]} cell - turn {obs.turn}[/bold]")
        sc = w.scenario
        for inj in sc.injects:
            if inj.id in obs.injects:
                c.print(f"[magenta]INJECT[/magenta] [bold]{inj.title}[/bold]: {inj.text.strip()}")
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
            t.add_row(*row)
        c.print(t)
        c.print(f"tension {obs.tension[0]:.2f}   risk of losing control so far "
                f"{obs.cumrisk[0]:.2f}   your costs {obs.costs[0, me]:.2f}   "
                f"blockade {obs.blockade[0]:.0%}   war {'YES' if obs.war[0] else 'no'}")
        if obs.proposal[0]:
            c.print("[yellow]An adversary has proposed talks: you may accept a settlement."
                    "[/yellow]")

    def decide(self, obs: Observation) -> Decision:
        w = obs.world
        me = obs.actor
        self._picture(obs)
        legal = [j for j in range(len(CATALOGUE)) if obs.legal[0, j]]
        t = Table(title="Legal actions")
        for col in ("#", "id", "action", "rung", "category"):
            t.add_column(col)
        for n, j in enumerate(legal, 1):
            a = CATALOGUE[j]
            t.add_row(str(n), a.id, a.name, str(a.kahn_rung), a.rivera)
        self.console.print(t)
        choice = -1
        while choice < 0:
            ans = self.ask(f"{w.ids[me]} action (number or id): ").strip()
            if ans.isdigit() and 1 <= int(ans) <= len(legal):
                choice = legal[int(ans) - 1]
            elif ans in ACTION_INDEX and ACTION_INDEX[ans] in legal:
                choice = ACTION_INDEX[ans]
            else:
                self.console.print(f"[red]not a legal action: {ans!r}[/red]")
        target = int(w.adversary[me])
        if CATALOGUE[choice].needs_target:
            options = [w.ids[j] for j in range(w.n_actors) if w.adversaries[me, j]] or [
                a for a in w.ids if a != w.ids[me]]
            if len(options) > 1:
                default = w.ids[target] if target >= 0 else options[0]
                while True:
                    ans = self.ask(f"target ({'/'.join(options)}) [{default}]: ").strip().upper()
                    ans = ans or default
                    if ans in options:
                        target = w.ids.index(ans)
                        break
                    self.console.print(f"[red]unknown target {ans!r}[/red]")
            elif options:
                target = w.ids.index(options[0])
        rationale = self.ask("rationale (one line, for the record): ").strip() or None
        return Decision(action=np.array([choice], dtype=np.int64),
                        target=np.array([target], dtype=np.int64),
                        reasons=["human cell"], rationale=rationale)
