"""The action catalogue: every move a cell can make, mapped in one place.

Each action carries its instrument of power (diplomatic, information, military,
economic, nuclear), its rung on Herman Kahn's 44-rung escalation ladder
(Kahn, *On Escalation*, 1965, p. 39) and its category in the escalation scoring
of Rivera et al., "Escalation Risks from Language Models in Military and
Diplomatic Decision-Making", FAccT 2024. This table is the single source of that
mapping; the engine, the policies, the reports and ``docs/model.md`` all read it.

The numeric effect fields are *model parameters*, not facts from the world: they
are the designers' judgement, documented in ``docs/model.md`` and open to
``--set``-style overrides only through the scenario's ``parameters`` block.

Why some non-violent actions sit above Kahn's rung 9: Kahn placed breaking off
diplomatic relations (10), "super-ready" nuclear alert (11) and nuclear
ultimatums (16) above the "nuclear war is unthinkable" threshold although no
shot is fired. whitecell keeps Kahn's placement and defines *war* by the
``violent`` flag (a Rivera violent-escalation or nuclear action actually
carried out), not by rung alone; see docs/decisions/0002-war-definition.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from whitecell.models.escalation import RIVERA_CATEGORY_IDS

Instrument = Literal["diplomatic", "information", "military", "economic", "nuclear"]

#: Rivera et al. (2024) categories, in increasing order of severity (from the
#: versioned scheme file ``whitecell/models/data/rivera.yaml``).
RIVERA_CATEGORIES: tuple[str, ...] = RIVERA_CATEGORY_IDS

#: Abstract force packages held per actor in the theatre of the scenario.
FORCE_KINDS: tuple[str, ...] = (
    "air",  # combat aircraft able to fight in the theatre
    "naval",  # major surface combatants
    "submarine",  # attack submarines
    "ground",  # ground forces (thousands of troops) able to fight in the theatre
    "amphibious",  # amphibious lift (thousands of troops per wave)
    "coast_guard",  # coast-guard / maritime-militia hulls (grey zone)
    "missiles",  # conventional theatre ballistic and cruise missiles ready to launch
    "interceptors",  # missile-defence interceptors (SM-3, PAC-3, ...) in the magazine
    "strike",  # long-range precision strike munitions (anti-ship, land-attack)
    "nuclear_warheads",  # strategic arsenal: read only by the nuclear layer, never by fire
    "launchers",  # theatre missile launchers: a salvo is at most launchers x reloads a turn
)

#: Force kinds that conventional fire never destroys (strategic forces are not
#: in the theatre's force balance; see docs/model.md, nuclear layer).
STRATEGIC_KINDS: tuple[str, ...] = ("nuclear_warheads",)

#: Facts about the state an action may require before it is legal.
REQUIREMENTS: tuple[str, ...] = (
    "at_war",  # the actor's coalition is already at war
    "not_at_war",
    "nuclear_armed",  # the actor holds nuclear warheads
    "proposal_pending",  # another actor proposed talks last turn
    "blockade_in_force",  # a blockade or quarantine is in force
    "islands_held",  # the contested islands are held by the challenger
    "lodgment",  # the challenger holds a lodgment ashore
    "challenger",  # only the scenario's challenger (or its coalition) may act
    "defender",  # only the defending coalition may act
    "counterstrike_capability",  # the actor has a declared counterstrike capability
    "islands_not_held",  # the contested islands are not (yet) held by the challenger
    "enemy_fleet",  # an adversary has surface ships in the theatre
    "enemy_air",  # an adversary has combat aircraft in the theatre
)

#: Adjudication rules in the engine (see whitecell.engine.adjudication).
ADJUDICATORS: tuple[str, ...] = (
    "talks",
    "settle",
    "concede",
    "missile_strike",
    "base_strike",
    "counterstrike",
    "naval_engagement",
    "air_campaign",
    "blockade",
    "escort",
    "invasion",
    "seize_islands",
    "retake_islands",
    "reinforce",
    "missile_defence",
    "nuclear_test",
    "nuclear_use",
    "strategic_exchange",
    "grey_zone",
)


@dataclass(frozen=True)
class ActionSpec:
    """One action of the catalogue.

    ``cost`` is the abstract cost to the actor itself (political and economic)
    per use; ``tension`` the change in public tension; ``alert`` the change in
    the actor's alert level (0..1); ``contact`` the close-contact intensity it
    creates (Schelling's source of inadvertent escalation); ``signal`` the
    weight of the costly signal observers read from it (positive: resolve,
    negative: concession), used by Bayesian belief updating (Fearon 1997).
    """

    id: str
    name: str
    instrument: Instrument
    kahn_rung: int
    rivera: str
    description: str
    violent: bool = False
    adjudicator: str | None = None
    cost: float = 0.0
    tension: float = 0.0
    alert: float = 0.0
    contact: float = 0.0
    signal: float = 0.0
    requires_forces: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    needs_target: bool = True
    nuclear: bool = False

    @property
    def rivera_index(self) -> int:
        """Position of the Rivera category in :data:`RIVERA_CATEGORIES`."""
        return RIVERA_CATEGORIES.index(self.rivera)


def _a(**kw: object) -> ActionSpec:
    return ActionSpec(**kw)  # type: ignore[arg-type]


#: The catalogue, ordered roughly by rung. Index positions are stable within a
#: release; always refer to actions by ``id`` in scenarios and records.
CATALOGUE: tuple[ActionSpec, ...] = (
    # --- status quo -----------------------------------------------------
    _a(id="wait", name="Wait and watch", instrument="diplomatic", kahn_rung=1,
       rivera="status_quo", needs_target=False,
       description="Hold the current posture; no new move this turn."),
    _a(id="diplomatic_message", name="Send a private diplomatic message",
       instrument="diplomatic", kahn_rung=2, rivera="status_quo",
       description="Private communication of position and red lines."),
    # --- de-escalation --------------------------------------------------
    _a(id="propose_talks", name="Propose formal talks", instrument="diplomatic",
       kahn_rung=1, rivera="de_escalation", adjudicator="talks", tension=-0.05,
       signal=-0.3,
       description="Offer to start formal negotiations; a settlement follows if the "
                   "other side accepts next turn."),
    _a(id="accept_settlement", name="Accept a negotiated settlement",
       instrument="diplomatic", kahn_rung=1, rivera="de_escalation",
       adjudicator="settle", requires=("proposal_pending",), tension=-0.2, signal=-0.5,
       description="Accept the deal on the table (inside Fearon's bargaining range)."),
    _a(id="international_arbitration", name="Seek international arbitration",
       instrument="diplomatic", kahn_rung=1, rivera="de_escalation", adjudicator="talks",
       tension=-0.05, signal=-0.2,
       description="Refer the dispute to the UN or a third-party mediator."),
    _a(id="high_level_visit", name="High-level visit or summit call",
       instrument="diplomatic", kahn_rung=2, rivera="de_escalation", tension=-0.05,
       description="Leader-level contact to lower the temperature."),
    _a(id="negotiate_trade", name="Offer economic inducements",
       instrument="economic", kahn_rung=2, rivera="de_escalation", cost=0.005,
       tension=-0.03,
       description="Trade or aid offers that reward restraint."),
    _a(id="stand_down", name="Lower alert and pull forces back",
       instrument="military", kahn_rung=1, rivera="de_escalation", alert=-0.25,
       tension=-0.08, signal=-0.4, needs_target=False,
       description="Visible military de-escalation (Rivera: military disarmament)."),
    _a(id="ceasefire", name="Agree a ceasefire", instrument="diplomatic", kahn_rung=1,
       rivera="de_escalation", adjudicator="settle",
       requires=("at_war", "proposal_pending"), tension=-0.3, signal=-0.5,
       description="Stop the fighting on current lines if the other side has offered."),
    _a(id="concede", name="Concede the stakes", instrument="diplomatic", kahn_rung=1,
       rivera="de_escalation", adjudicator="concede", signal=-1.0, tension=-0.2,
       description="Back down: accept the other side's demand (capitulation)."),
    # --- posturing -----------------------------------------------------
    _a(id="reaffirm_commitment", name="Publicly reaffirm an alliance commitment",
       instrument="diplomatic", kahn_rung=3, rivera="posturing", cost=0.0025, signal=0.3,
       tension=0.02,
       description="Solemn declaration (e.g. Article 5 covers the Senkakus): a costly "
                   "signal that raises observers' belief in its resolve."),
    _a(id="share_intelligence", name="Share intelligence with allies",
       instrument="information", kahn_rung=2, rivera="posturing", signal=0.1,
       description="Intelligence sharing: every actor on its side tracks incoming missiles "
                   "better this turn (P_track +0.03)."),
    _a(id="security_cooperation", name="Defence cooperation agreement",
       instrument="diplomatic", kahn_rung=3, rivera="posturing", signal=0.2, cost=0.0025,
       description="Open bases, joint command arrangements, logistics support."),
    _a(id="supply_weapons", name="Supply weapons to a partner", instrument="military",
       kahn_rung=4, rivera="posturing", cost=0.0075, signal=0.3, tension=0.03,
       adjudicator="reinforce",
       description="Arms transfers: half a reinforcement package of missiles, "
                   "interceptors and strike munitions reaches the partner at once."),
    _a(id="military_exercise", name="Large military exercise", instrument="military",
       kahn_rung=5, rivera="posturing", cost=0.005, tension=0.05, alert=0.1, contact=0.1,
       signal=0.3,
       description="Show of force near the disputed area."),
    _a(id="deploy_forces", name="Deploy reinforcements to the theatre",
       instrument="military", kahn_rung=6, rivera="posturing", cost=0.01, tension=0.05,
       alert=0.1, contact=0.05, signal=0.5, adjudicator="reinforce", needs_target=False,
       description="Move carriers, air wings or brigades forward (a sunk-cost signal)."),
    _a(id="raise_alert", name="Raise military alert level", instrument="military",
       kahn_rung=6, rivera="posturing", cost=0.005, tension=0.05, alert=0.25, signal=0.3,
       needs_target=False,
       description="Higher readiness (significant mobilisation on Kahn's ladder)."),
    _a(id="missile_defence_posture", name="Surge missile-defence posture",
       instrument="military", kahn_rung=5, rivera="posturing", cost=0.005, alert=0.1,
       adjudicator="missile_defence", requires_forces=("interceptors",), needs_target=False,
       description="Put Aegis destroyers on station and PAC-3 on alert: better tracking."),
    _a(id="coast_guard_patrol", name="Coast-guard presence patrols",
       instrument="military", kahn_rung=4, rivera="posturing", cost=0.0025, tension=0.03,
       contact=0.15, signal=0.2, requires_forces=("coast_guard",),
       description="Grey-zone presence in contested waters."),
    _a(id="bomber_flight", name="Nuclear-capable bomber flight with allies",
       instrument="nuclear", kahn_rung=5, rivera="posturing", cost=0.0025, tension=0.04,
       signal=0.5, contact=0.05,
       description="Visible extended-deterrence signal (e.g. B-52 with allied escort)."),
    _a(id="ssbn_visit", name="Ballistic-missile submarine port visit",
       instrument="nuclear", kahn_rung=5, rivera="posturing", cost=0.0025, tension=0.04,
       signal=0.6, needs_target=False,
       description="Umbrella signal: SSBN visit (e.g. USS Kentucky at Busan, 2023)."),
    _a(id="develop_counterstrike", name="Declare counterstrike readiness",
       instrument="military", kahn_rung=4, rivera="posturing", cost=0.005, tension=0.04,
       signal=0.4, requires=("counterstrike_capability",), needs_target=False,
       description="Announce that stand-off strike forces are ready for use."),
    # --- non-violent escalation ----------------------------------------
    _a(id="public_criticism", name="Public condemnation", instrument="information",
       kahn_rung=2, rivera="non_violent_escalation", tension=0.03, signal=0.1,
       description="Public denunciation and information campaign."),
    _a(id="ultimatum", name="Issue a public ultimatum", instrument="diplomatic",
       kahn_rung=4, rivera="non_violent_escalation", cost=0.005, tension=0.08, signal=0.7,
       description="Hardening of positions with a deadline: a strong costly signal."),
    _a(id="sanctions", name="Impose trade restrictions", instrument="economic",
       kahn_rung=7, rivera="non_violent_escalation", cost=0.0125, tension=0.06, signal=0.4,
       description="Sanctions and export controls (Kahn: retortions)."),
    _a(id="cyber_operation", name="Cyber operation against networks",
       instrument="information", kahn_rung=7, rivera="non_violent_escalation", cost=0.0025,
       tension=0.06, signal=0.2,
       description="Disruptive cyberattack short of physical destruction."),
    _a(id="surveillance_incursion", name="Surveillance flights and ADIZ incursions",
       instrument="military", kahn_rung=5, rivera="non_violent_escalation", cost=0.0025,
       tension=0.04, contact=0.15, signal=0.2,
       description="Drones and aircraft pressing into air-defence zones."),
    _a(id="enter_territorial_waters", name="Enter territorial waters",
       instrument="military", kahn_rung=7, rivera="non_violent_escalation", cost=0.005,
       tension=0.06, contact=0.25, signal=0.3, adjudicator="grey_zone",
       requires_forces=("coast_guard",),
       description="Coast-guard vessels enter the 12-nm territorial sea."),
    _a(id="water_cannon", name="Harass vessels (water cannon, ramming)",
       instrument="military", kahn_rung=8, rivera="non_violent_escalation", cost=0.005,
       tension=0.08, contact=0.35, signal=0.4, adjudicator="grey_zone",
       requires_forces=("coast_guard",),
       description="Harassing acts short of weapons fire (Kahn rung 8)."),
    _a(id="quarantine", name="Declare a customs quarantine", instrument="economic",
       kahn_rung=7, rivera="non_violent_escalation", cost=0.015, tension=0.12, contact=0.3,
       signal=0.6, adjudicator="blockade", requires=("challenger",),
       requires_forces=("coast_guard",),
       description="Coast-guard inspection regime on shipping ('legal' harassment)."),
    _a(id="missile_test_overflight", name="Missile test over or near the ally",
       instrument="military", kahn_rung=5, rivera="non_violent_escalation", cost=0.0025,
       tension=0.08, signal=0.4, requires_forces=("missiles",),
       description="Show-of-force launch (e.g. the 2022 IRBM over Tohoku)."),
    _a(id="cut_relations", name="Break off diplomatic relations",
       instrument="diplomatic", kahn_rung=10, rivera="non_violent_escalation", cost=0.0125,
       tension=0.1, signal=0.6,
       description="Provocative break of diplomatic relations (Kahn rung 10)."),
    _a(id="escort_shipping", name="Escort shipping through the blockade",
       instrument="military", kahn_rung=9, rivera="non_violent_escalation", cost=0.01,
       tension=0.1, contact=0.4, signal=0.7, adjudicator="escort",
       requires=("blockade_in_force", "defender"), requires_forces=("naval",),
       description="Dramatic military confrontation: convoys challenge the blockade."),
    _a(id="nuclear_alert", name="Raise nuclear forces alert", instrument="nuclear",
       kahn_rung=11, rivera="non_violent_escalation", cost=0.0075, tension=0.15, alert=0.3,
       signal=0.8, requires=("nuclear_armed",), needs_target=False, nuclear=True,
       description="Super-ready status of nuclear forces (Kahn rung 11)."),
    _a(id="nuclear_ultimatum", name="Nuclear ultimatum", instrument="nuclear",
       kahn_rung=16, rivera="non_violent_escalation", cost=0.0125, tension=0.2, alert=0.2,
       signal=1.0, requires=("nuclear_armed",), nuclear=True,
       description="Explicit nuclear threat with a deadline (Kahn rung 16)."),
    _a(id="nuclear_test", name="Nuclear test", instrument="nuclear", kahn_rung=18,
       rivera="non_violent_escalation", cost=0.02, tension=0.2, signal=0.9,
       adjudicator="nuclear_test", requires=("nuclear_armed",), needs_target=False,
       nuclear=True,
       description="Underground test as a spectacular demonstration (no use against "
                   "anyone; recorded apart from nuclear use)."),
    # --- violent escalation --------------------------------------------
    _a(id="blockade", name="Naval blockade", instrument="military", kahn_rung=9,
       rivera="violent_escalation", violent=True, cost=0.025, tension=0.2, contact=0.5,
       signal=0.8, adjudicator="blockade", requires=("challenger",),
       requires_forces=("naval",),
       description="Navy enforces a blockade of basic supplies (Rivera: blockade)."),
    _a(id="seize_islands", name="Land forces on the disputed islands",
       instrument="military", kahn_rung=9, rivera="violent_escalation", violent=True,
       cost=0.02, tension=0.25, contact=0.5, signal=0.9, adjudicator="seize_islands",
       requires=("challenger", "islands_not_held"), requires_forces=("coast_guard",),
       description="Occupy the islands (Rivera: occupy border city)."),
    _a(id="retake_islands", name="Retake the islands", instrument="military",
       kahn_rung=12, rivera="violent_escalation", violent=True, cost=0.025, tension=0.25,
       contact=0.5, signal=0.9, adjudicator="retake_islands",
       requires=("islands_held", "defender"), requires_forces=("ground",),
       description="Amphibious counter-landing to restore control."),
    _a(id="naval_engagement", name="Attack enemy naval forces", instrument="military",
       kahn_rung=12, rivera="violent_escalation", violent=True, cost=0.025, tension=0.25,
       contact=0.5, signal=0.9, adjudicator="naval_engagement",
       requires=("enemy_fleet",), requires_forces=("naval",),
       description="Missile exchange between fleets (Hughes salvo model)."),
    _a(id="air_campaign", name="Air campaign for air superiority",
       instrument="military", kahn_rung=12, rivera="violent_escalation", violent=True,
       cost=0.025, tension=0.25, contact=0.5, signal=0.9, adjudicator="air_campaign",
       requires=("enemy_air",), requires_forces=("air",),
       description="Fight for control of the air (Lanchester square law)."),
    _a(id="missile_strike", name="Conventional missile strike", instrument="military",
       kahn_rung=12, rivera="violent_escalation", violent=True, cost=0.02, tension=0.3,
       signal=0.9, adjudicator="missile_strike", requires_forces=("missiles",),
       description="Ballistic/cruise salvo at military targets (Wilkening missile defence)."),
    _a(id="strike_bases", name="Missile strike on allied and US bases",
       instrument="military", kahn_rung=13, rivera="violent_escalation", violent=True,
       cost=0.025, tension=0.35, signal=1.0, adjudicator="base_strike",
       requires_forces=("missiles",),
       description="Salvo at the protege's territory including the patron's bases: the "
                   "tripwire that makes the patron a direct party."),
    _a(id="counterstrike", name="Counterstrike on missile forces",
       instrument="military", kahn_rung=12, rivera="violent_escalation", violent=True,
       cost=0.02, tension=0.3, signal=0.9, adjudicator="counterstrike",
       requires=("counterstrike_capability",), requires_forces=("strike",),
       description="Stand-off strike on the adversary's launchers (Japan's 2022 NSS)."),
    _a(id="amphibious_invasion", name="Amphibious invasion", instrument="military",
       kahn_rung=14, rivera="violent_escalation", violent=True, cost=0.05, tension=0.4,
       contact=0.6, signal=1.0, adjudicator="invasion", requires=("challenger",),
       requires_forces=("amphibious",),
       description="Full-on invasion across the water (Rivera: full-on invasion)."),
    # --- nuclear use ---------------------------------------------------
    _a(id="nuclear_demonstration", name="Nuclear demonstration shot",
       instrument="nuclear", kahn_rung=21, rivera="nuclear", violent=True,
       tension=0.6, alert=0.5, signal=1.0, adjudicator="nuclear_use",
       requires=("nuclear_armed",), requires_forces=("nuclear_warheads",), nuclear=True,
       description="A single detonation away from forces as a warning: first crossing of "
                   "the no-nuclear-use threshold (Kahn: exemplary local nuclear war). "
                   "Abstract consequences only."),
    _a(id="limited_nuclear_use", name="Limited nuclear use against forces",
       instrument="nuclear", kahn_rung=23, rivera="nuclear", violent=True,
       tension=0.8, alert=0.6, signal=1.0, adjudicator="nuclear_use",
       requires=("nuclear_armed",), requires_forces=("nuclear_warheads",), nuclear=True,
       description="Limited use against military forces in the theatre (Kahn: local "
                   "nuclear war, military). Abstract consequences only."),
    _a(id="strategic_exchange", name="Strategic nuclear exchange", instrument="nuclear",
       kahn_rung=35, rivera="nuclear", violent=True, tension=1.0, alert=1.0,
       signal=1.0, adjudicator="strategic_exchange", requires=("nuclear_armed",),
       requires_forces=("nuclear_warheads",), nuclear=True,
       description="Central war: the game ends. Never modelled beyond that fact."),
)

#: Public commitments that tie the sender's hands: backing down afterwards costs
#: it at home (Fearon 1994, audience costs).
PUBLIC_COMMITMENTS: tuple[str, ...] = ("reaffirm_commitment", "ultimatum", "nuclear_ultimatum",
                                       "develop_counterstrike")
#: Moves that back down from a public commitment.
BACKING_DOWN: tuple[str, ...] = ("propose_talks", "accept_settlement", "ceasefire", "concede",
                                 "stand_down", "international_arbitration")

ACTION_IDS: tuple[str, ...] = tuple(a.id for a in CATALOGUE)
ACTION_INDEX: dict[str, int] = {a.id: i for i, a in enumerate(CATALOGUE)}

#: Actions that may support a move's main effort when ``parameters.action_cap`` > 1:
#: non-violent signals that no model of their own rules (their effects are the
#: move's posture: rung, Rivera score, cost, tension, alert and signal weight).
SUPPORTING: frozenset[str] = frozenset(
    a.id for a in CATALOGUE
    if not a.violent and a.adjudicator is None and a.id not in ("wait", "stand_down"))


def action(action_id: str) -> ActionSpec:
    """Return the catalogue entry for ``action_id`` (KeyError if unknown)."""
    return CATALOGUE[ACTION_INDEX[action_id]]


def _check_catalogue() -> None:
    seen: set[str] = set()
    for a in CATALOGUE:
        assert a.id not in seen, a.id
        seen.add(a.id)
        assert 1 <= a.kahn_rung <= 44, a.id
        assert a.rivera in RIVERA_CATEGORIES, a.id
        assert a.adjudicator is None or a.adjudicator in ADJUDICATORS, a.id
        assert all(f in FORCE_KINDS for f in a.requires_forces), a.id
        assert all(r in REQUIREMENTS for r in a.requires), a.id
        assert a.violent == (a.rivera in ("violent_escalation", "nuclear")), a.id


_check_catalogue()
