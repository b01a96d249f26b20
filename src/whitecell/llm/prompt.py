"""Prompts of a language-model cell, from versioned template files.

A prompt version is a folder ``prompts/<version>/`` holding ``system.j2`` (the
persona and the reply format) and ``turn.j2`` (the cell's picture of the turn).
The version and the sha256 of its files go into the run record, so a result
can always be traced to the exact words the model was given. Editing a
template means adding a version, never changing one that results cite.

The persona is written from the scenario (who the actor is, its role,
adversaries, commitments, declared doctrine and stakes, with the sources the
scenario cites) unless the scenario gives the actor a ``persona`` text.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2

from whitecell.scenario.actions import RIVERA_CATEGORIES
from whitecell.scenario.model import Scenario

TEMPLATE_FILES = ("system.j2", "turn.j2")

ROLE_TEXT = {
    "challenger": "you are the challenger: you seek to change the status quo",
    "protege": "you are the state under threat, protected by a patron",
    "patron": "you are the patron who has extended deterrence to an ally",
    "ally": "you are an ally of the patron, with your own stakes and legal limits",
    "third_party": "you are a third party with interests of your own",
}

FIRST_USE_TEXT = {
    "never": "no first use of nuclear weapons: retaliation only",
    "if_losing": "nuclear first use is not excluded if you are losing a war",
    "if_regime_threatened": "nuclear first use is not excluded if your regime is threatened",
    "erodes_if_regime_threatened": "a declared no-first-use pledge, which may not hold if your "
                                   "regime is threatened and your main operation is failing",
    "automatic_if_homeland_struck": "your law orders nuclear use, automatically and at once, "
                                    "if your leadership or nuclear command is attacked",
}


@lru_cache(maxsize=8)
def _templates(version: str) -> tuple[jinja2.Template, jinja2.Template, str]:
    base = resources.files("whitecell.llm") / "prompts" / version
    texts = []
    for name in TEMPLATE_FILES:
        f = base / name
        if not f.is_file():
            raise ValueError(f"prompt version {version!r} has no {name}")
        texts.append(f.read_text(encoding="utf-8"))
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=False)
    digest = hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest()
    return env.from_string(texts[0]), env.from_string(texts[1]), digest


def template_digest(version: str) -> str:
    """sha256 of the template files of a prompt version."""
    return _templates(version)[2]


def persona_text(sc: Scenario, actor: str) -> str:
    """Who the cell plays: the scenario's ``persona`` or one written from its data."""
    a = sc.actor(actor)
    if a.persona:
        return a.persona.strip()
    names = {x.id: x.name for x in sc.actors}
    lines = [f"You are the national leadership of {a.name} ({a.id}) in the crisis "
             f"\"{sc.title}\". {ROLE_TEXT[a.role].capitalize()}.",
             f"The crisis: {sc.summary.strip()}"]
    if a.adversaries:
        lines.append("Your adversaries: " + ", ".join(names.get(x, x) for x in a.adversaries)
                     + ".")
    for c in sc.commitments:
        if c.patron == a.id:
            lines.append(f"Your commitment to {names.get(c.protege, c.protege)} ({c.kind}): "
                         f"{c.text.strip()} ({c.source}, {c.year}).")
        elif c.protege == a.id:
            lines.append(f"{names.get(c.patron, c.patron)}'s commitment to you ({c.kind}): "
                         f"{c.text.strip()} ({c.source}, {c.year}).")
    d = a.doctrine
    lines.append(f"Your declared nuclear policy: {FIRST_USE_TEXT[d.nuclear_first_use]}."
                 if a.forces.get("nuclear_warheads") else "You have no nuclear weapons.")
    if d.intervene_for:
        lines.append("You have said you will fight if these are attacked: "
                     + ", ".join(names.get(x, x) for x in d.intervene_for) + ".")
    lines.append(f"Success for {names.get(sc.objective.actor, sc.objective.actor)} would be: "
                 f"{sc.objective.description.strip()}")
    if sc.objective.actor == a.id:
        lines.append("That is your objective.")
    lines.append(f"The stakes are worth {a.stakes:g} to you; a war would cost you about "
                 f"{a.war_cost:g} of that in the scenario's terms.")
    if sc.references:
        lines.append("The scenario draws on: " + "; ".join(sc.references[:4]) + ".")
    return "\n".join(lines)


def render(version: str, persona: str, turn_context: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The (system, user) messages of one call."""
    system, turn, _ = _templates(version)
    sys_text = system.render(persona=persona, categories=", ".join(RIVERA_CATEGORIES),
                             cap=int(turn_context.get("action_cap", 1)),
                             supporting=", ".join(turn_context.get("supporting", ())))
    return (("system", sys_text.strip()), ("user", turn.render(**turn_context).strip()))
