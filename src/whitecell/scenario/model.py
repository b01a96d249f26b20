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


class Assumption(Strict):
    """A designers' judgement: a value with its plausible range and its basis.

    Judgements are kept apart from cited facts so an analyst can see which
    numbers are assumptions and sweep them (``whitecell sensitivity
    --assumptions`` varies every assumption over its range).
    """

    value: float = Field(description="The value used in the base case.")
    range: list[float] = Field(min_length=2, max_length=2,
                               description="Plausible [low, high] range.")
    basis: str = Field(min_length=3, description="Why this value and range.")

    @model_validator(mode="after")
    def _value_in_range(self) -> Assumption:
        lo, hi = self.range
        if not lo <= self.value <= hi:
            raise ValueError(f"value {self.value} lies outside its range [{lo}, {hi}]")
        return self


class TheatreShare(Assumption):
    """Share of a cited national total judged available in the theatre (0..1)."""

    value: float = Field(ge=0, le=1, description="Share used in the base case.")


class Sourced(Strict):
    """A number taken from the world, with where it comes from.

    With ``theatre_share`` the ``value`` is the cited national total and the
    engine uses ``value x theatre_share.value`` (rounded to whole units): the
    cited fact and the judgement of how much of it is in the theatre stay apart.
    """

    value: float = Field(ge=0, le=MAX_FORCE, description="The figure (never negative).")
    source: str = Field(min_length=3, description="Publication the figure comes from.")
    year: int = Field(ge=1900, le=2100, description="Year of the figure or publication.")
    note: str | None = Field(default=None, description="How the figure was derived.")
    theatre_share: TheatreShare | None = Field(
        default=None, description="Judged share of the national total in the theatre.")

    @property
    def in_theatre(self) -> float:
        """The figure the engine uses: the value, or its theatre share (whole units)."""
        if self.theatre_share is None:
            return self.value
        return float(round(self.value * self.theatre_share.value))


class AssumptionRef(Strict):
    """A scenario field that is a designers' judgement, with its plausible range.

    ``path`` is a dotted path as accepted by ``--set``/``--vary`` (e.g.
    ``parameters.combat.strike_pk``); ``range`` bounds what an analyst should
    explore; ``basis`` says where the base value comes from.
    """

    path: str = Field(min_length=3)
    range: list[float] = Field(min_length=2, max_length=2, description="[low, high].")
    basis: str = Field(min_length=3)

    @model_validator(mode="after")
    def _ordered(self) -> AssumptionRef:
        if self.range[0] > self.range[1]:
            raise ValueError(f"range [{self.range[0]}, {self.range[1]}] is not ordered")
        return self


class BetaPrior(Strict):
    """Beta(alpha, beta) prior over a private value in [0, 1], sampled per run."""

    alpha: float = Field(gt=0, le=1000)
    beta: float = Field(gt=0, le=1000)
    basis: str | None = Field(default=None, description="Why this prior (judgement, source).")

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


class ProbabilityAssumption(Assumption):
    """A designers' judgement of a probability: value and range within [0, 1]."""

    value: float = Field(ge=0, le=1, description="The probability used in the base case.")

    @model_validator(mode="after")
    def _range_is_probability(self) -> ProbabilityAssumption:
        lo, hi = self.range
        if not (0 <= lo <= 1 and 0 <= hi <= 1):
            raise ValueError(f"range [{lo}, {hi}] must lie within [0, 1]")
        return self


#: A probability given either as a plain number or as a judgement with range and basis.
Probability = float | ProbabilityAssumption


def value_of(x: float | Assumption) -> float:
    """The number the engine uses: a plain float, or an Assumption's ``value``."""
    return x.value if isinstance(x, Assumption) else float(x)


class MissileDefence(Strict):
    """Parameters of an actor's ballistic-missile defence, in Wilkening's (1999) model.

    Wilkening (1999) is the *method* (``K = P_track (1 - (1 - SSPK)^n)``); the
    numbers are judgements. ``sspk`` and ``p_track`` take a plain number or the
    Assumption form ``{value, range, basis}``; the block needs either a
    ``basis`` or a ``source`` with its ``year``.
    """

    sspk: Probability = Field(description="Single-shot kill probability.")
    p_track: Probability = Field(description="Common-mode detect/track/C2 factor.")
    shots_per_warhead: int = Field(ge=1, le=8, description="Interceptors fired per object.")
    method: str | None = Field(
        default=None, description="Model the parameters belong to, e.g. Wilkening 1999.")
    basis: str | None = Field(
        default=None, min_length=3, description="Where the numbers come from (judgement).")
    source: str | None = Field(default=None, min_length=3)
    year: int | None = Field(default=None, ge=1900, le=2100)

    @field_validator("sspk", "p_track")
    @classmethod
    def _probability(cls, v: Probability) -> Probability:
        if not isinstance(v, Assumption) and not 0 <= v <= 1:
            raise ValueError(f"{v} is not a probability in [0, 1]")
        return v

    @model_validator(mode="after")
    def _basis_or_source(self) -> MissileDefence:
        if self.source is None and self.basis is None:
            raise ValueError("give a 'basis' for the numbers (or a 'source' with its 'year')")
        if self.source is not None and self.year is None:
            raise ValueError("a 'source' needs its 'year'")
        return self

    @property
    def sspk_value(self) -> float:
        return value_of(self.sspk)

    @property
    def p_track_value(self) -> float:
        return value_of(self.p_track)


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
    nuclear_first_use: Literal[
        "never", "if_losing", "if_regime_threatened", "erodes_if_regime_threatened",
        "automatic_if_homeland_struck"] = Field(
        default="never",
        description="never = no first use (retaliation only); if_losing = at war and "
        "suffering over 60% of the damage it will bear; if_regime_threatened = that, and "
        "its homeland struck; erodes_if_regime_threatened = a declared no-first-use pledge "
        "that may erode when the regime is threatened and its main operation is failing "
        "(CSIS 2024, Confronting Armageddon; Talmadge 2017). Each also needs resolve >= "
        "nuclear_threshold and a first use worth more than restraint (nuclear layer). "
        "automatic_if_homeland_struck = use pre-delegated by a declared law: the first "
        "strike on its homeland (the attack on the leadership or nuclear command the "
        "DPRK's 2022 law names) triggers its lowest nuclear step with resolve >= "
        "nuclear_threshold, without weighing use against restraint at that moment "
        "(asymmetric escalation, Narang 2014); any later use is weighed as "
        "if_regime_threatened.",
    )
    nuclear_response: Literal["expected_utility", "in_kind", "conventional", "none"] = Field(
        default="expected_utility",
        description="How it answers nuclear use against itself or an ally it defends: "
        "the best of none / conventional / limited nuclear / strategic by expected "
        "utility, or a fixed declared response (in_kind falls back to conventional "
        "without survivable warheads).",
    )
    consultation_turns: int = Field(
        default=0, ge=0, le=20,
        description="Turns of consultation (cabinet, legislature, allies) between the armed "
        "attack that opens its gate and its first use of force; waived when its assurance "
        "in its patron falls below hedge_threshold (it acts alone).",
    )
    hedge_threshold: float = Field(
        default=0.35, ge=0, le=1,
        description="Assurance in its patron below which it hedges and acts alone.",
    )
    targets: dict[str, str] = Field(
        default_factory=dict,
        description="action id -> target actor for moves aimed elsewhere than its "
        "principal adversary (e.g. strike_bases at the host of the patron's bases).",
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
    defence_budget: Sourced | None = Field(
        default=None,
        description="Military expenditure, US$ bn at current prices (SIPRI Military "
        "Expenditure Database); a national figure, never given a theatre_share.",
    )
    naval_combat: NavalCombat | None = None
    nuclear_survivability: float = Field(
        default=0.5, ge=0, le=1,
        description="Share of its strategic warheads judged to survive a first strike "
        "(second-strike capability; Glaser and Fetter 2016). Designers' judgement.",
    )
    adversaries: list[str] = Field(default_factory=list)
    policy: Literal["doctrine", "strategic", "scripted"] = "doctrine"
    persona: str | None = Field(
        default=None, max_length=4000,
        description="Who a language-model cell plays, in its own words (replaces the "
        "persona whitecell writes from the scenario; an ablation axis for --vary).")
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

    @field_validator("defence_budget")
    @classmethod
    def _budget_is_national(cls, v: Sourced | None) -> Sourced | None:
        if v is not None and v.theatre_share is not None:
            raise ValueError("a defence budget is a national figure: no theatre_share")
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
    stalemate: bool = Field(
        default=True, description="A war frozen on current lines (no material change of "
        "control for termination.stalemate_turns turns) ends it.",
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
    "islands_held", "costs", "attacked", "homeland_struck", "damage",
]


class Condition(Strict):
    """A test on the state: ``var`` (of ``actor`` where per-actor) ``op`` ``value``."""

    var: StateVar
    actor: str | None = None
    op: Literal["ge", "gt", "le", "lt", "eq"] = "ge"
    value: float = Field(ge=-1e9, le=1e9)

    @model_validator(mode="after")
    def _actor_where_needed(self) -> Condition:
        per_actor = {"rung", "alert", "costs", "attacked", "homeland_struck", "damage"}
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
    rung_decay: int = Field(
        default=3, ge=0, le=44,
        description="Rungs an actor's posture falls per turn while it only waits or talks.",
    )


class NuclearParameters(Strict):
    """The nuclear layer (abstract consequences only; docs/model.md section 4b)."""

    taboo: float = Field(
        default=0.4, ge=0, le=10,
        description="Cost of nuclear first use to the user, a share of its stakes "
        "(Tannenwald 1999, the nuclear taboo).")
    retaliation_taboo: float = Field(
        default=0.25, ge=0, le=1,
        description="Share of the taboo paid by a user answering nuclear use in kind.")
    retaliation_cost: float = Field(
        default=2.0, ge=0, le=20,
        description="Cost to an actor of the other side's full retaliation, in its stakes "
        "(worse than losing the stakes: what makes a second strike deter).")
    assured_destruction: float = Field(
        default=100.0, gt=0, le=10000,
        description="Surviving warheads beyond which more add little to the threat of "
        "retaliation (saturation of the retaliatory threat; designers' judgement).")
    demonstration_damage: float = Field(
        default=0.05, ge=0, le=1,
        description="Abstract cost of a demonstration shot to its target (share of stakes).")
    limited_damage: float = Field(
        default=0.25, ge=0, le=1,
        description="Abstract cost of limited use against forces to its target.")
    limited_effect: float = Field(
        default=0.2, ge=0, le=1,
        description="Share of the target's theatre forces put out of action by limited use.")
    limited_use_warheads: int = Field(
        default=4, ge=1, le=100, description="Warheads a limited use expends.")
    regime_stake: float = Field(
        default=1.0, ge=0, le=10,
        description="Extra cost, in its stakes, of a defeat that threatens the regime, "
        "counted by a doctrine whose nuclear condition is a regime threat (Goemans 2000, "
        "gambling for resurrection).")
    shield: float = Field(
        default=0.05, ge=0, le=1,
        description="Stability-instability paradox (Snyder 1965): share by which a "
        "challenger's own secure second strike discounts its belief that the patron "
        "will fight.")


class SignalParameters(Strict):
    """Costly signals and audience costs (Fearon 1994, 1997; see models.beliefs)."""

    cheap_scale: float = Field(
        default=0.02, gt=0, le=1,
        description="Cost (share of stakes) at which an irresolute type still sends a "
        "signal with probability 1/e: smaller means costs inform more.")
    max_weight: float = Field(
        default=1.0, ge=0, le=10, description="Largest evidential weight of one signal.")
    audience_cost: float = Field(
        default=0.02, ge=0, le=1,
        description="Cost at home, share of its stakes, of backing down after each public "
        "commitment (tying hands).")


class TerminationParameters(Strict):
    """War termination: bargaining while fighting (Wagner 2000; Slantchev 2003)."""

    min_war_turns: int = Field(
        default=2, ge=1, le=50,
        description="Turns of fighting before expectations can converge on terms.")
    agreement_rate: float = Field(
        default=0.3, ge=0, le=1,
        description="Chance a turn that terms inside the bargaining range are agreed "
        "(commitment problems keep some wars going: Reiter 2009).")
    cost_share: float = Field(
        default=0.5, ge=0, le=1,
        description="Share of its war cost each side expects to pay by fighting on: "
        "the width of the bargaining range while fighting.")
    optimism: float = Field(
        default=0.25, ge=0, le=1,
        description="Largest initial over-estimate of its own chances by each side "
        "(mutual optimism), drawn per run and worn away by fighting.")
    learning_turns: float = Field(
        default=3.0, gt=0, le=100,
        description="Turns of fighting over which optimism falls by a factor e (Wagner).")
    stalemate_turns: int = Field(
        default=4, ge=1, le=100,
        description="Turns of war with no material change of control before the war is "
        "frozen (stalemate).")
    stalemate_change: float = Field(
        default=0.03, ge=0, le=1,
        description="Change of control per turn below which nothing material moved.")
    break_prospect: float = Field(
        default=0.5, ge=0, le=1.01,
        description="A side gives up on the damage it has suffered only while its prospect "
        "of winning the war is below this: sunk costs do not end a war that is being won "
        "(Fearon 1995; Slantchev 2003). Above 1: the damage alone decides.")
    holding_resolve: float = Field(
        default=1.0, ge=0, le=5,
        description="How much further a challenger fights on while it still holds ground it "
        "took (troops ashore, islands held): its breaking point rises by this share of its "
        "tolerance (Goemans 2000, gambling for resurrection).")


class AllianceParameters(Strict):
    """Assurance: a protege's confidence in its patron (Snyder 1984)."""

    reassure: float = Field(
        default=0.04, ge=0, le=1,
        description="Assurance gained per turn from a patron's reassuring move.")
    abandon: float = Field(
        default=0.12, ge=0, le=1,
        description="Assurance lost per turn the patron stays out while the protege or "
        "its forces are under armed attack.")
    entrap: float = Field(
        default=0.05, ge=0, le=1,
        description="Assurance lost per turn the patron fights while the protege is not "
        "attacked (fear of entrapment).")


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
    budget_elasticity: float = Field(
        default=0.15, ge=0, le=2,
        description="How strongly a larger defence budget lightens the weight of each "
        "unit lost: (median budget / own budget) ** elasticity (0 = off).")
    landing_defence_share: float = Field(
        default=1.0, ge=0, le=1,
        description="Share of the defender's ground forces that reach the landing areas "
        "in one turn (the rest hold the rest of the coast).")
    counterattack_share: float = Field(
        default=0.5, ge=0, le=1,
        description="Share of the defender's ground forces that counterattack a lodgment "
        "in a turn after the landing (more than reach the beaches on the first day).")
    lodgment_defence: float = Field(
        default=2.0, ge=1, le=10,
        description="How much harder troops dug in ashore are to dislodge: divides the "
        "counterattacking army's exchange rate (the 3:1 rule of thumb, Mearsheimer 1989).")
    supply_attrition: float = Field(
        default=0.2, ge=0, le=1,
        description="Share of the troops ashore lost each turn for want of supply when "
        "the whole sealift is gone (scaled by the share of lift lost).")
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
    aircraft_per_leaker: float = Field(
        default=0.3, ge=0, le=100,
        description="Aircraft destroyed on the ground per missile that leaks through.")
    runway_closure_turns: int = Field(
        default=2, ge=0, le=20,
        description="Turns a base strike with leakers closes runways at the host's bases.")
    closed_access: float = Field(
        default=0.5, ge=0, le=1,
        description="Share of base access left while the runways are closed.")
    reloads_per_turn: float = Field(
        default=1.0, gt=0, le=50,
        description="Missiles each launcher can fire in one turn.")
    invasion_max_loss: float = Field(
        default=0.6, ge=0, le=1,
        description="Expected share of the lift lost at the crossing above which an "
        "invasion is not launched (feasibility check).")
    engaged_share: float = Field(
        default=0.5, ge=0, le=1,
        description="Share of a fleet that meets the enemy in one engagement.")
    submarine_loss: float = Field(
        default=0.05, ge=0, le=1,
        description="Chance each attacking submarine is lost in an engagement.")
    escort_risk: float = Field(
        default=0.05, ge=0, le=1,
        description="Chance per escort that it is hit running a naval blockade.")


#: Prompt templates shipped in ``whitecell/llm/prompts`` (a version is a folder): v1 shows
#: each move's Kahn rung and Rivera category, v2 the same menu without them (an ablation:
#: do escalation labels prime the model?).
PROMPT_VERSIONS: tuple[str, ...] = ("v1", "v2")


class LLMParameters(Strict):
    """How language-model cells are asked (docs/llm.md): part of the experiment.

    These are conditions of a game, not facts of the world, so they live in the
    scenario's parameters where ``--set`` and ``--vary`` reach them like any
    other (``--vary parameters.llm.temperature=0,0.7``); the endpoint and the
    model are chosen on the command line.
    """

    prompt: str = Field(default="v1", description="Prompt template version (whitecell/llm/prompts).")
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    top_p: float = Field(default=1.0, gt=0, le=1, description="Nucleus sampling share.")
    max_tokens: int = Field(default=400, ge=32, le=8192, description="Reply length cap.")
    retries: int = Field(
        default=2, ge=0, le=5,
        description="Re-asks after a reply that fails validation, before the doctrine "
        "player's move stands in (counted in the record).")

    @field_validator("prompt")
    @classmethod
    def _known_prompt(cls, v: str) -> str:
        if v not in PROMPT_VERSIONS:
            raise ValueError(f"unknown prompt version {v!r} (expected one of "
                             f"{', '.join(PROMPT_VERSIONS)})")
        return v


class Parameters(Strict):
    """Model parameters of the scenario (judgement, documented in docs/model.md)."""

    risk: RiskParameters = Field(default_factory=RiskParameters)
    combat: CombatParameters = Field(default_factory=CombatParameters)
    nuclear: NuclearParameters = Field(default_factory=NuclearParameters)
    termination: TerminationParameters = Field(default_factory=TerminationParameters)
    signals: SignalParameters = Field(default_factory=SignalParameters)
    alliance: AllianceParameters = Field(default_factory=AllianceParameters)
    belief_prior_strength: float = Field(default=4.0, gt=0, le=100)
    action_cap: int = Field(
        default=1, ge=1, le=3,
        description="Actions a cell may take in one move: its main effort and up to "
        "action_cap - 1 supporting actions, which are non-violent signals ruled by no "
        "model of their own (messages, visits, exercises, alerts, sanctions, "
        "ultimatums). Rivera et al. 2024 allowed three non-message actions a day. The "
        "AI players make one; human and language-model cells may make more.")
    llm: LLMParameters = Field(default_factory=LLMParameters)


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
    assumptions: list[AssumptionRef] = Field(
        default_factory=list,
        description="Fields that are designers' judgement, with plausible ranges.")
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
