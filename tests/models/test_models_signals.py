"""Costly signals: the weight of a signal is what it would cost a soft type (Fearon 1997)."""

import numpy as np
import pytest

from whitecell.models import beliefs


def test_cheap_talk_carries_no_information():
    assert beliefs.costly_signal_weight(0.0, 0.0, 0.02, 1.0) == 0.0


def test_weight_is_the_log_likelihood_ratio():
    # P(send | hard) = 1, P(send | soft) = exp(-(k + h) / s): ln ratio = (k + h) / s
    k, h, s = 0.005, 0.002, 0.02
    w = beliefs.costly_signal_weight(k, h, s, 10.0)
    assert w == pytest.approx(np.log(1.0 / np.exp(-(k + h) / s)))


def test_costlier_signals_inform_more_and_the_cap_holds():
    w = beliefs.costly_signal_weight(np.array([0.001, 0.01, 0.1]), 0.0, 0.02, 1.0)
    assert w[0] < w[1] < w[2] or w[2] == 1.0
    assert w.max() == 1.0


def test_tying_hands_adds_to_sinking_costs():
    assert (beliefs.costly_signal_weight(0.005, 0.02, 0.02, 5.0)
            > beliefs.costly_signal_weight(0.005, 0.0, 0.02, 5.0))


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        beliefs.costly_signal_weight(-0.1, 0.0, 0.02, 1.0)
    with pytest.raises(ValueError):
        beliefs.costly_signal_weight(0.1, 0.0, 0.0, 1.0)
