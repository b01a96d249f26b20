"""The risk that leaves something to chance: deterrence band and inadvertent escalation.

Source: Thomas C. Schelling, *The Strategy of Conflict* (Harvard University
Press, 1960), chapter 8 ("The Threat That Leaves Something to Chance").

The model in words: a threat need not be certain to be carried out to deter;
a *risk* ``pi`` of war that neither side fully controls can do the work. A
challenger that gains ``g`` by pressing on and loses ``W_C`` in a war is
deterred when ``pi (-W_C) + (1 - pi) g <= 0``, i.e. ``pi >= g / (g + W_C)``.
A defender that loses ``L`` by conceding and ``W_D`` in a war will run the risk
rather than concede while ``pi W_D <= L``, i.e. ``pi <= L / W_D``. Between the
two lies the band of risk that deters without being more than the defender is
willing to run. Alerts, forces in close contact and escalation up the ladder
(with its delegated authority) raise ``pi`` for everyone: that is inadvertent
escalation.

whitecell's composition of the per-turn risk (our modelling choice, not
Schelling's formula): independent channels, each able to start an escalation
that nobody chose,

``pi = 1 - (1 - base) (1 - k_alert * alert) (1 - k_contact * contact)``
``(1 - k_rung * (rung - 1) / 43)``

where ``base`` is the background per-turn probability, ``alert`` and
``contact`` are intensities in [0, 1] (e.g. the mean alert level of the two
sides, the intensity of close-contact operations), ``rung`` is the current
rung of Kahn's 44-rung ladder rescaled to [0, 1], and each ``k`` in [0, 1] is
the channel's per-turn probability at full intensity. The form keeps ``pi`` in
[0, 1], reduces to ``base`` when nothing is happening, rises in every input,
and gives each coefficient a plain reading a facilitator can argue with
("at full alert, 5% a turn"). A logistic index was considered and rejected:
its coefficients have no such reading.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from whitecell.models._arrays import (
    FloatArray,
    in_range,
    nonnegative,
    out,
    positive,
    probability,
)

__all__ = ["TOP_RUNG", "cumulative_risk", "deterrence_band", "inadvertent_risk"]

TOP_RUNG = 44
"""The top of Kahn's escalation ladder (On Escalation, 1965)."""


def deterrence_band(
    gain: npt.ArrayLike,
    challenger_war_cost: npt.ArrayLike,
    defender_concede_loss: npt.ArrayLike,
    defender_war_cost: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """The band of risk of war that deters the challenger and the defender will run.

    Source: Thomas C. Schelling, The Strategy of Conflict (Harvard University Press,
    1960), chapter 8.

    The challenger is deterred by a risk
    ``pi >= gain / (gain + challenger_war_cost)``; the defender will run the
    risk while ``pi <= defender_concede_loss / defender_war_cost``. The band is ``(low, high)``; it
    is empty when ``low > high`` (no risk both deters and is acceptable to the
    defender). ``high`` is returned unclipped: above 1 means the defender would
    accept even certain war rather than concede.

    Args:
        gain: challenger's gain if the defender concedes (>= 0).
        challenger_war_cost: challenger's loss in a war (>= 0, and
            ``gain + challenger_war_cost > 0``).
        defender_concede_loss: defender's loss from conceding (>= 0).
        defender_war_cost: defender's loss in a war (> 0).

    Raises:
        ValueError: negative inputs, ``gain + challenger_war_cost == 0`` or a
            non-positive ``defender_war_cost``.
    """
    g = nonnegative("gain", gain)
    wc = nonnegative("challenger_war_cost", challenger_war_cost)
    loss = nonnegative("defender_concede_loss", defender_concede_loss)
    wd = positive("defender_war_cost", defender_war_cost)
    total = positive("gain + challenger_war_cost", g + wc)
    low, high = np.broadcast_arrays(g / total, loss / wd)
    return out(np.array(low)), out(np.array(high))


def inadvertent_risk(
    base: npt.ArrayLike,
    alert: npt.ArrayLike,
    contact: npt.ArrayLike,
    rung: npt.ArrayLike,
    *,
    k_alert: npt.ArrayLike,
    k_contact: npt.ArrayLike,
    k_rung: npt.ArrayLike,
) -> FloatArray:
    """Per-turn probability that the crisis slips out of control.

    Source: Thomas C. Schelling, The Strategy of Conflict (Harvard University Press,
    1960), chapter 8.

    Alerts, close contact and escalation raise the risk of a war nobody chose.
    Composed (whitecell's choice, see the module notes) as independent channels:
    ``pi = 1 - (1 - base)(1 - k_alert alert)(1 - k_contact contact)``
    ``(1 - k_rung (rung - 1) / 43)``.

    Args:
        base: background per-turn probability, in [0, 1].
        alert: alert intensity in [0, 1] (e.g. mean of both sides' levels).
        contact: close-contact intensity in [0, 1].
        rung: escalation rung on Kahn's ladder, 1 to 44 (may be fractional,
            e.g. a mean of the two sides).
        k_alert, k_contact, k_rung: per-turn probability from each channel at
            full intensity (alert 1, contact 1, rung 44), in [0, 1].

    Returns:
        ``pi`` in [0, 1]; non-decreasing in every argument.

    Raises:
        ValueError: an input outside its range.
    """
    b = probability("base", base)
    al = probability("alert", alert)
    ct = probability("contact", contact)
    rg = in_range("rung", rung, 1.0, TOP_RUNG)
    ka = probability("k_alert", k_alert)
    kc = probability("k_contact", k_contact)
    kr = probability("k_rung", k_rung)
    height = (rg - 1.0) / (TOP_RUNG - 1)
    survive = (1.0 - b) * (1.0 - ka * al) * (1.0 - kc * ct) * (1.0 - kr * height)
    return out(np.clip(1.0 - survive, 0.0, 1.0))


def cumulative_risk(per_turn: npt.ArrayLike, *, axis: int = -1) -> FloatArray:
    """Probability that the crisis slips at least once over several turns.

    Source: Thomas C. Schelling, The Strategy of Conflict (Harvard University Press,
    1960), chapter 8.

    Risks compound. With independent per-turn probabilities ``pi_t`` the
    probability of at least one slip is ``1 - prod_t (1 - pi_t)``, computed
    along ``axis`` (the turn axis, last by default, so a ``(runs, turns)`` array
    gives one value per run). Computed in log space for accuracy with many small
    risks.

    Raises:
        ValueError: a per-turn probability outside [0, 1].
    """
    pis = probability("per_turn", per_turn)
    if pis.ndim == 0:
        return out(pis.copy())
    with np.errstate(divide="ignore"):
        log_survive = np.sum(np.log1p(-pis), axis=axis)
    return out(np.asarray(-np.expm1(log_survive), dtype=np.float64))
