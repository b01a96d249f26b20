"""Scenario changes that several test modules play (importable: tests/ is on the path)."""

#: surprise-missile-attack with no strike on North Korean soil: neither Japan nor the
#: United States counterstrikes (the trigger the DPRK's 2022 law names is never pulled)
NO_HOMELAND_STRIKE = (
    "actors.JPN.counterstrike=null", "actors.JPN.forces.strike.value=0",
    "actors.JPN.doctrine.ladder=[diplomatic_message, raise_alert, missile_defence_posture]",
    "actors.USA.counterstrike=null",
    "actors.USA.doctrine.ladder=[diplomatic_message, reaffirm_commitment, bomber_flight, "
    "deploy_forces, nuclear_alert, limited_nuclear_use]")
