"""Adjudication models: small, pure, documented functions with their published source.

Each module implements one well-known piece of deterrence theory or operations
research. The functions take scalars or numpy arrays that broadcast (a leading
run axis works), validate their inputs with a clear ``ValueError``, and take
randomness only from a ``numpy.random.Generator`` passed in, so a ruling can be
replayed. They are usable on their own::

    from whitecell.models import bmd
    bmd.kill_probability(sspk=0.7, shots=2, p_track=0.95)  # 0.8645

=================  ==========================================  ===========================================
module             model                                       source
=================  ==========================================  ===========================================
``bmd``            kill probability, leakers, interceptors     Wilkening, "A Simple Model for Calculating
                   required, shoot-look-shoot, finite          Ballistic Missile Defense Effectiveness",
                   magazines                                   Science & Global Security 8(2) (1999)
``attrition``      Lanchester square and linear laws with      Lanchester, Aircraft in Warfare (1916);
                   reinforcements; Engel's Iwo Jima fit;       Engel, "A Verification of Lanchester's
                   Hughes salvo equations                      Law", Operations Research 2(2) (1954);
                                                               Hughes, "A Salvo Model of Warships in
                                                               Missile Combat", Naval Research Logistics
                                                               42 (1995)
``bargaining``     bargaining range, acceptable deals,         Fearon, "Rationalist Explanations for
                   expected value of war                       War", International Organization 49(3)
                                                               (1995)
``brinkmanship``   resolve as critical risk; who quits first   Powell, "Crisis Bargaining, Escalation,
                                                               and MAD", APSR 81(3) (1987); Nuclear
                                                               Deterrence Theory (1990)
``deterrence``     deterrence threshold on the belief that     Zagare & Kilgour, Perfect Deterrence
                   the defender is Hard; Chicken mixed         (2000)
                   equilibrium
``risk``           deterrence band of risk; per-turn           Schelling, The Strategy of Conflict (1960)
                   inadvertent-escalation risk; cumulative
                   risk
``beliefs``        Beta beliefs over resolve, Bayesian         Bayes' rule; Fearon, "Signaling Foreign
                   update by costly signals, Beta tail         Policy Interests", Journal of Conflict
                   probabilities (no scipy)                    Resolution 41(1) (1997)
``escalation``     Kahn's 44 rungs, groups, thresholds;        Kahn, On Escalation (1965) p. 39; Rivera
                   Rivera escalation score; war and nuclear    et al., "Escalation Risks from Language
                   use tests                                   Models in Military and Diplomatic
                                                               Decision-Making", FAccT 2024
``contest``        probability of prevailing from force        Hirshleifer, "Conflict and rent-seeking
                   levels (ratio and difference forms)         success functions", Public Choice 63
                                                               (1989)
=================  ==========================================  ===========================================
"""

from whitecell.models import (
    attrition,
    bargaining,
    beliefs,
    bmd,
    brinkmanship,
    contest,
    deterrence,
    escalation,
    risk,
)

__all__ = [
    "attrition",
    "bargaining",
    "beliefs",
    "bmd",
    "brinkmanship",
    "contest",
    "deterrence",
    "escalation",
    "risk",
]
