"""Idle kiosks and the staff PIN."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.identity.kiosk import IdlePolicy, IdleState, StaffPinGate


def test_idle_states_at_the_default_timeout() -> None:
    policy = IdlePolicy.for_timeout(120)
    assert policy.state(0) is IdleState.ACTIVE
    assert policy.state(89.9) is IdleState.ACTIVE
    assert policy.state(90) is IdleState.WARNING
    assert policy.state(120) is IdleState.EXPIRED


@given(st.integers(30, 3600))
def test_the_warning_always_leaves_at_least_20_seconds(timeout: int) -> None:
    policy = IdlePolicy.for_timeout(timeout)
    assert policy.timeout - policy.warn_after >= 20
    assert policy.state(policy.warn_after) is IdleState.WARNING


def test_the_right_pin_opens_and_a_wrong_one_says_so() -> None:
    gate = StaffPinGate(lambda typed: typed == "2468")
    assert gate.check("1111", now=0) == (False, "That PIN is not right.")
    assert gate.check("2468", now=1) == (True, "")


def test_five_wrong_pins_lock_the_gate_even_against_the_right_pin() -> None:
    gate = StaffPinGate(lambda typed: typed == "2468", max_tries=5, lockout=60)
    for attempt in range(5):
        accepted, message = gate.check("0000", now=attempt)
    assert not accepted and "Too many wrong PINs" in message
    assert gate.check("2468", now=10)[0] is False
    assert gate.check("2468", now=65)[0] is True
