"""Sensible targets of a move: partners for cooperative moves, adversaries otherwise.

Shared by every front end (the terminal prompt, the web form, the REST API) so
a cell is offered the same choices wherever it plays.
"""

from __future__ import annotations

from whitecell.scenario.actions import ActionSpec
from whitecell.world.compile import World

#: Moves made with or for a partner: their target is an ally, never an adversary.
COOPERATIVE: frozenset[str] = frozenset(
    {"security_cooperation", "supply_weapons", "reaffirm_commitment"})


def target_options(w: World, me: int, spec: ActionSpec) -> list[str]:
    """The actors that make sense as the target of ``spec`` played by actor ``me``.

    Cooperative moves (``COOPERATIVE``) go to partners: actors on the same side
    that are not adversaries. Every other move needing a target (threats,
    strikes, talks) goes to adversaries. When a scenario gives no such actor
    the choice falls back to every other actor. Moves without a target get [].
    """
    if not spec.needs_target:
        return []
    others = [j for j in range(w.n_actors) if j != me]
    if spec.id in COOPERATIVE:
        picked = [j for j in others if w.side[j] == w.side[me] and not w.adversaries[me, j]
                  and not w.adversaries[j, me]]
    else:
        picked = [j for j in others if w.adversaries[me, j]]
    return [w.ids[j] for j in (picked or others)]


def default_target(w: World, me: int, spec: ActionSpec) -> str | None:
    """The target used when a cell names none: its main adversary if sensible."""
    options = target_options(w, me, spec)
    if not options:
        return None
    adv = int(w.adversary[me])
    return w.ids[adv] if adv >= 0 and w.ids[adv] in options else options[0]
