"""The scenario file format: pydantic v2 models, strict and frozen.

A scenario is data: actors with their forces (every number taken from the world
carries ``source`` and ``year``), alliance commitments, the challenger's
objective, doctrine parameters for the AI players, priors over private values
that the engine samples per run, the MSEL of injects, fog of war and named
excursions. ``extra="forbid"`` everywhere, so a typo in a field name is an
error that names the line, never a silently ignored value.

Cross-references (an inject naming an unknown actor, a ladder naming an unknown
action) are checked by :mod:`whitecell.scenario.check` so that each problem can
point at the exact line of the offending value.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from whitecell.scenario.actions import FORCE_KINDS

ID_PATTERN = r"^[A-Z][A-Z0-9_]{1,11}$"
MAX_FORCE = 1e7
"""Largest force figure (ships, aircraft, thousands of troops, warheads, munitions).

Ten million of anything is beyond any real arsenal; far larger values overflow
the engine's models (powers in the contest and salvo models)."""
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class Strict(BaseModel):
    """Base for every scenario model: unknown fields are errors, values frozen.

    Numbers must be finite (``allow_inf_nan=False``): the engine refuses
    infinities and NaN, so validation refuses them first.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Sourced(Strict):
    """A number taken from the world, with where it comes from."""

    value: float = Field(ge=0, le=MAX_FORCE, description="The figure (never negative).")
    source: str = Field(min_length=3, description="Publication the figure comes from.")
    year: int = Field(ge=1900, le=2100, description="Year of the figure or publication.")
    note: str | None = Field(default=None, description="How the figure was derived.")


class BetaPrior(Strict):
    """Beta(alpha, beta) prior over a private value in [0, 1], sampled per run."""

    alpha: float = Field(gt=0, le=1000)
    beta: float = Field(gt=0, le=1000)
    basis: str | None = Field(default=None, description="Why this prior (judgement, source).")

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


class MissileDefence(Strict):
    """Wilkening (1999) parameters of an actor's ballistic-missile defence."""

    sspk: float = Field(ge=0, le=1, description="Single-shot kill probability.")
    p_track: float = Field(ge=0, le=1, description="Common-mode detect/track/C2 factor.")
    shots_per_warhead: int = Field(ge=1, le=8, description="Interceptors fired per object.")
    source: str = Field(min_length=3)
    year: int = Field(ge=1900, le=2100)


class NavalCombat(Strict):
    """Hughes (1995) salvo parameters per ship of an actor's fleet."""

    offence: float = Field(ge=0, le=100, description="Well-aimed missiles per ship per salvo.")
    defence: float = Field(ge=0, le=100, description="Missiles a ship can intercept per salvo.")
    staying: float = Field(gt=0, le=100, description="Hits to put a ship out of action.")
    basis: str | None = None


class Doctrine(Strict):
    """Parameters of the rule-based (doctrine) AI player.

    ``ladder`` is the actor's course of action from least to most escalatory;
    the doctrine player climbs it at most ``max_step`` steps a turn, holds, or
    steps down, each time citing the rule that chose the move.
    """

    ladder: list[str] = Field(min_length=1, description="Action ids, least to most escalatory.")
    max_step: int = Field(default=1, ge=1, le=5)
    respond_in_kind: bool = True
    deescalate_when_outmatched: bool = Field(
        default=True,
        description="Propose talks when the running risk exceeds its resolve (Powell 1987).",
    )
    accept_settlement: bool = True
    intervene_for: list[str] = Field(
        default_factory=list, description="Allies it will fight for when they are attacked."
    )
    intervene_delay: int = Field(
        default=0, ge=0, le=20, description="Turns of deliberation before intervening."
    )
    nuclear_first_use: Literal["never", "if_losing", "if_regime_threatened"] = Field(
        default="never",
        description="never = no first use (retaliation only); if_losing = at war and "
        "paying over 60% of its tolerance; if_regime_threatened = that, and its homeland "
        "struck. Either also needs resolve >= nuclear_threshold.",
    )
    nuclear_retaliation: bool = True
    nuclear_threshold: float = Field(
        default=0.75, ge=0, le=1,
        description="Private resolve needed before a first nuclear use that the "
        "declared doctrine allows.",
    )
    war_threshold: float = Field(
        default=0.0, ge=0, le=1,
        description="Resolve needed before it takes the first violent step itself.",
    )
    source: str | None = Field(default=None, description="Declared doctrine this encodes.")
    year: int | None = Field(default=None, ge=1900, le=2100)


class Actor(Strict):
    """A state in the crisis, played by a cell (human or AI)."""

    id: str = Field(pattern=ID_PATTERN, description="Short upper-case id, e.g. USA, JPN, CHN.")
    name: str = Field(min_length=2)
    cell: Literal["blue", "red", "green", "white"] = Field(
        description="Blue = US/allies, Red = challengers, Green = third parties."
    )
    role: Literal["challenger", "protege", "patron", "ally", "third_party"]
    side: Literal["challenger", "defender", "neutral"]
    forces: dict[str, Sourced] = Field(default_factory=dict)
    reinforcements: dict[str, Sourced] = Field(
        default_factory=dict, description="Forces added to the theatre per deployment."
    )
    resolve: BetaPrior = Field(description="Prior over private resolve (Powell critical risk).")
    risk_tolerance: BetaPrior = Field(
        description="Prior over the share of its stakes it will pay in costs before conceding."
    )
    stakes: float = Field(default=1.0, ge=0, le=10, description="Value of the stakes to it.")
    war_cost: float = Field(default=0.3, ge=0, le=10, description="Fearon's cost of war.")
    economic_vulnerability: float = Field(
        default=0.1, ge=0, le=1, description="Cost per turn of an effective blockade."
    )
    counterstrike: Sourced | None = Field(
        default=None, description="Declared counterstrike capability (value 1 = yes)."
    )
    defence: MissileDefence | None = None
    naval_combat: NavalCombat | None = None
    adversaries: list[str] = Field(default_factory=list)
    policy: Literal["doctrine", "strategic", "scripted"] = "doctrine"
    doctrine: Doctrine
    script: list[str] | None = Field(
        default=None, description="Action ids per turn for the scripted policy."
    )

    @field_validator("forces", "reinforcements")
    @classmethod
    def _known_force_kinds(cls, v: dict[str, Sourced]) -> dict[str, Sourced]:
        unknown = sorted(set(v) - set(FORCE_KINDS))
        if unknown:
            raise ValueError(
                f"unknown force kind {unknown[0]!r} (expected one of {', '.join(FORCE_KINDS)})"
            )
        return v

    @property
    def nuclear_armed(self) -> bool:
        w = self.forces.get("nuclear_warheads")
        return w is not None and w.value > 0


class Commitment(Strict):
    """An alliance commitment or declaratory policy (with its text and source)."""

    id: str = Field(pattern=SLUG_PATTERN)
    patron: str
    protege: str
    kind: Literal["treaty", "declaratory", "ambiguous"]
    strength: float = Field(ge=0, le=1, description="Prior credibility, 0 = none, 1 = certain.")
    text: str
    source: str = Field(min_length=3)
    year: int = Field(ge=1900, le=2100)


class EndConditions(Strict):
    """Which events end a run (the turn limit and a strategic exchange always do).

    Switching an ending off lets an exercise play on past it: with
    ``settlement: false`` an accepted deal lowers tension but the crisis
    continues (useful for a seminar that wants to explore the war).
    """

    settlement: bool = Field(default=True, description="A deal accepted before war ends it.")
    ceasefire: bool = Field(default=True, description="A ceasefire accepted at war ends it.")
    capitulation: bool = Field(
        default=True, description="The challenger or protege conceding (by choice or by "
        "costs beyond its tolerance) ends it.",
    )
    objective: bool = Field(
        default=True, description="The challenger's objective held for hold_turns ends it.",
    )


class Objective(Strict):
    """What the challenger must achieve, as a fact of the state held for some turns."""

    actor: str
    description: str
    fact: Literal["lodgment", "blockade", "islands_held", "coercion"]
    threshold: float = Field(ge=0, le=1)
    hold_turns: int = Field(default=1, ge=1, le=50)


StateVar = Literal[
    "turn", "tension", "rung", "alert", "war", "nuclear_use", "blockade", "lodgment",
    "islands_held", "costs", "attacked",
]


class Condition(Strict):
    """A test on the state: ``var`` (of ``actor`` where per-actor) ``op`` ``value``."""

    var: StateVar
    actor: str | None = None
    op: Literal["ge", "gt", "le", "lt", "eq"] = "ge"
    value: float = Field(ge=-1e9, le=1e9)

    @model_validator(mode="after")
    def _actor_where_needed(self) -> Condition:
        per_actor = {"rung", "alert", "costs", "attacked"}
        if self.var in per_actor and self.actor is None:
            raise ValueError(f"condition on {self.var!r} needs an 'actor'")
        if self.var not in per_actor and self.actor is not None:
            raise ValueError(f"condition on {self.var!r} takes no 'actor'")
        return self


class InjectEffects(Strict):
    """State changes an inject brings with it."""

    tension: float | None = Field(default=None, ge=-1, le=1)
    alert: dict[str, Annotated[float, Field(ge=-1, le=1)]] = Field(default_factory=dict)
    forces: dict[str, dict[str, Annotated[float, Field(ge=-MAX_FORCE, le=MAX_FORCE)]]] = Field(
        default_factory=dict, description="actor -> force kind -> change (may be negative)."
    )

    @field_validator("forces")
    @classmethod
    def _known_kinds(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for kinds in v.values():
            unknown = sorted(set(kinds) - set(FORCE_KINDS))
            if unknown:
                raise ValueError(f"unknown force kind {unknown[0]!r} (expected one of "
                                 f"{', '.join(FORCE_KINDS)})")
        return v


class Inject(Strict):
    """An MSEL entry: delivered at a turn, or the first turn a condition holds."""

    id: str = Field(pattern=SLUG_PATTERN)
    turn: int | None = Field(default=None, ge=1, le=500)
    when: list[Condition] | None = Field(default=None, min_length=1)
    title: str
    text: str
    to: list[str] | Literal["all"] = "all"
    moves: dict[str, str] = Field(
        default_factory=dict, description="actor -> action id the MSEL forces this turn."
    )
    targets: dict[str, str] = Field(default_factory=dict, description="actor -> target actor.")
    effects: InjectEffects = Field(default_factory=InjectEffects)
    source: str | None = None

    @model_validator(mode="after")
    def _turn_or_when(self) -> Inject:
        if (self.turn is None) == (self.when is None):
            raise ValueError("an inject needs exactly one of 'turn' or 'when'")
        return self


class RiskParameters(Strict):
    """Schelling's risk that leaves something to chance (see models.risk)."""

    base: float = Field(default=0.002, ge=0, le=1)
    k_alert: float = Field(default=0.02, ge=0, le=1)
    k_contact: float = Field(default=0.04, ge=0, le=1)
    k_rung: float = Field(default=0.03, ge=0, le=1)
    nuclear_escalation: float = Field(
        default=0.2, ge=0, le=1,
        description="Chance that a nuclear use spirals into a strategic exchange.",
    )


class CombatParameters(Strict):
    """Theatre combat parameters (designers' judgement, see docs/model.md)."""

    contest_exponent: float = Field(default=1.5, gt=0, le=10, description="Hirshleifer m.")
    salvo_size: float = Field(default=40, ge=0, le=MAX_FORCE,
                              description="Missiles per strike salvo.")
    damage_per_leaker: float = Field(default=0.01, ge=0, le=1)
    counterstrike_pk: float = Field(default=0.05, ge=0, le=1)
    missiles_per_counterstrike_kill: float = Field(default=1.0, ge=0, le=MAX_FORCE)
    counterstrike_munitions: float = Field(default=50, ge=0, le=MAX_FORCE)
    air_exchange: float = Field(default=0.02, ge=0, le=1, description="Lanchester per day.")
    blockade_cost: float = Field(default=1.0, ge=0, le=10)
    amphibious_staying: float = Field(
        default=12.0, gt=0, le=1000,
        description="Hits that put one unit of lift (1,000 troops) out of action.",
    )
    invasion_exchange: float = Field(default=0.01, ge=0, le=1)
    strike_per_turn: float = Field(default=0.2, ge=0, le=1)
    strike_pk: float = Field(
        default=0.5, ge=0, le=1, description="Share of strike munitions fired that hit."
    )
    base_access: float = Field(
        default=1.0, ge=0, le=1, description="Share of patron power usable via host bases."
    )
    island_defence: float = Field(default=1.0, ge=0, le=MAX_FORCE)
    max_deployments: int = Field(
        default=2, ge=0, le=20, description="Reinforcement packages an actor can deploy."
    )


class Parameters(Strict):
    """Model parameters of the scenario (judgement, documented in docs/model.md)."""

    risk: RiskParameters = Field(default_factory=RiskParameters)
    combat: CombatParameters = Field(default_factory=CombatParameters)
    belief_prior_strength: float = Field(default=4.0, gt=0, le=100)


class Fog(Strict):
    """What each cell sees of the others."""

    force_noise: float = Field(default=0.2, ge=0, le=1, description="Others' forces ± share.")
    show_resolve: bool = Field(default=False, description="Reveal private resolve (teaching).")
    belief_noise: float = Field(
        default=0.15, ge=0, le=0.5,
        description="Misperception: each run's initial belief about another actor's "
        "resolve is the public prior mean shifted by up to ± this much.",
    )


class TurnClock(Strict):
    """Game time per turn."""

    length_days: float = Field(gt=0, le=365)
    start_label: str = Field(default="D", description="Label of day zero, e.g. D or C.")


class Excursion(Strict):
    """A named variant: a deep-merge patch and/or dotted-path settings."""

    id: str = Field(pattern=SLUG_PATTERN)
    title: str
    description: str
    changes: dict[str, Any] = Field(default_factory=dict)
    set: dict[str, Any] = Field(default_factory=dict)


class Scenario(Strict):
    """A whole crisis scenario as loaded from a YAML file."""

    id: str = Field(pattern=SLUG_PATTERN)
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    title: str = Field(min_length=3)
    summary: str
    briefing: str
    theatre: str
    turn: TurnClock
    max_turns: int = Field(ge=1, le=500)
    actors: list[Actor] = Field(min_length=2, max_length=8)
    commitments: list[Commitment] = Field(default_factory=list)
    objective: Objective
    end_conditions: EndConditions = Field(default_factory=EndConditions)
    injects: list[Inject] = Field(default_factory=list)
    parameters: Parameters = Field(default_factory=Parameters)
    fog: Fog = Field(default_factory=Fog)
    excursions: list[Excursion] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)

    def actor(self, actor_id: str) -> Actor:
        """Return the actor with ``actor_id`` (KeyError if absent)."""
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    @property
    def actor_ids(self) -> list[str]:
        return [a.id for a in self.actors]
