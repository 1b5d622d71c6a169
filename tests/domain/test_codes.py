"""One-time codes: six digits, ten minutes, one use, hashed, five wrong tries, three sends per fifteen minutes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.identity.codes import (
    CheckOutcome,
    CodePurpose,
    OneTimeCode,
    check_code,
    code_matches,
    hash_code,
    invitation_hash,
    may_send_code,
    new_code_digits,
    new_invitation_code,
    normalise_invitation,
)

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def a_code(digits: str = "123456", minutes_ago: float = 0, wrong: int = 0) -> OneTimeCode:
    made = NOW - timedelta(minutes=minutes_ago)
    return OneTimeCode("c", 1, CodePurpose.REGISTRATION, hash_code(digits), made, made + timedelta(minutes=10), wrong)


def test_codes_are_six_digits_and_stored_only_as_salted_hashes() -> None:
    digits = new_code_digits()
    assert len(digits) == 6 and digits.isdigit()
    stored = hash_code(digits)
    assert digits not in stored and hash_code(digits) != stored  # a fresh salt each time
    assert code_matches(stored, digits) and not code_matches(stored, "000000" if digits != "000000" else "111111")


def test_right_wrong_expired_and_used() -> None:
    code = a_code()
    assert check_code(code, "654321", NOW)[0] is CheckOutcome.WRONG
    outcome, used = check_code(code, "123456", NOW + timedelta(minutes=9))
    assert outcome is CheckOutcome.ACCEPTED and used.used_at is not None
    assert check_code(used, "123456", NOW)[0] is CheckOutcome.DEAD  # single use
    assert check_code(code, "123456", NOW + timedelta(minutes=10))[0] is CheckOutcome.EXPIRED


def test_the_fifth_wrong_try_kills_the_code_even_for_the_right_digits() -> None:
    code = a_code()
    for _ in range(4):
        outcome, code = check_code(code, "000000", NOW)
        assert outcome is CheckOutcome.WRONG
    outcome, code = check_code(code, "000000", NOW)
    assert outcome is CheckOutcome.DEAD
    assert check_code(code, "123456", NOW)[0] is CheckOutcome.DEAD


def test_three_sends_per_fifteen_minutes() -> None:
    assert may_send_code([], NOW).allowed
    two = [a_code(minutes_ago=10), a_code(minutes_ago=2)]
    assert may_send_code(two, NOW).allowed
    three = [a_code(minutes_ago=14), *two]
    refused = may_send_code(three, NOW)
    assert not refused.allowed and refused.reason == "too_many_sent"
    assert refused.retry_at == NOW + timedelta(minutes=1)
    assert may_send_code(three, NOW + timedelta(minutes=1, seconds=1)).allowed


@given(st.lists(st.integers(0, 4), min_size=1, max_size=2))
def test_asking_for_a_new_code_never_resets_the_wrong_tries(wrong_tries: list[int]) -> None:
    recent = [a_code(minutes_ago=5 - i, wrong=w) for i, w in enumerate(wrong_tries)]
    decision = may_send_code(recent, NOW)
    assert decision.allowed and decision.carried_wrong_tries == max(wrong_tries)


def test_no_new_code_after_five_wrong_tries_until_the_window_passes() -> None:
    dead = a_code(minutes_ago=3, wrong=5)
    refused = may_send_code([dead], NOW)
    assert not refused.allowed and refused.reason == "too_many_wrong"
    assert may_send_code([dead], NOW + timedelta(minutes=13)).allowed


@given(st.sampled_from(["k7qx-m2pd", "K7QX M2PD", " k7qxm2pd ", "K7QX-M2PD"]))
def test_invitation_codes_however_typed(typed: str) -> None:
    assert normalise_invitation(typed) == "K7QX-M2PD"
    assert invitation_hash(typed) == invitation_hash("K7QX-M2PD")


def test_new_invitation_codes_avoid_confusable_characters() -> None:
    for _ in range(50):
        code = new_invitation_code()
        assert len(code) == 9 and code[4] == "-" and not set(code) & set("01OILSB8")


def test_a_replaced_code_is_dead() -> None:
    assert check_code(replace(a_code(), superseded=True), "123456", NOW)[0] is CheckOutcome.DEAD
