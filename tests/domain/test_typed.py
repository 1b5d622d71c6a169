"""Dates of birth, identifiers and passwords as people type them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.identifiers import NhsNumber
from domain.identity.passwords import password_problem
from domain.typed import HospitalNumber, parse_date_of_birth, parse_patient_identifier

TODAY = date(2026, 11, 24)
FORMS = ["{d}/{m}/{y}", "{d:02d}/{m:02d}/{y}", "{d} {m} {y}", "{d}-{m}-{y}", "{d}.{m}.{y}", "{d} {mon} {y}",
         "{d} {month} {y}", "{y}-{m:02d}-{d:02d}", "  {d} / {m} / {y} ", "{d} {MON} {y}"]


@given(st.dates(date(1900, 1, 1), TODAY), st.sampled_from(FORMS))
def test_every_usual_form_of_a_date_of_birth(born: date, form: str) -> None:
    typed = form.format(d=born.day, m=born.month, y=born.year, mon=f"{born:%b}", month=f"{born:%B}",
                        MON=f"{born:%b}".upper())
    assert parse_date_of_birth(typed, TODAY) == born


@pytest.mark.parametrize("typed, message", [
    ("", "Enter your date of birth"), ("15 3", "day, month and year"), ("31/2/1984", "does not exist"),
    ("15/3/84", "year in full"), ("15/13/1984", "1 to 12"), ("1/1/2030", "in the past"),
    ("15 Smarch 1984", "month"), ("1/1/1850", "Check the year"), ("x/y/z", "month"), ("x/3/1984", "day, month and year"),
])
def test_dates_that_cannot_be_a_birthday(typed: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        parse_date_of_birth(typed, TODAY)


@given(st.text(max_size=40))
def test_any_text_as_a_date_gives_a_date_or_a_sentence(text: str) -> None:
    try:
        parse_date_of_birth(text, TODAY)
    except InvalidValue as error:
        assert str(error).endswith(".")


def test_identifiers() -> None:
    assert parse_patient_identifier("999 000 0018") == NhsNumber("9990000018")
    assert parse_patient_identifier(" rwg 1000001 ") == HospitalNumber("RWG1000001")
    for wrong in ("", "RWG12", "hello"):
        with pytest.raises(InvalidValue):
            parse_patient_identifier(wrong)


@pytest.mark.parametrize("password, problem", [
    ("short", "at least 8"), ("x" * 129, "128 characters or fewer"), ("password123", "too common"),
    ("Password123", "too common"), ("qwertyuiop", "too common"), ("rosa@example.com", "your email"),
])
def test_passwords_refused(password: str, problem: str) -> None:
    assert problem in (password_problem(password, "rosa@example.com") or "")


@given(st.text(min_size=8, max_size=128).filter(lambda p: not p.isascii() or len(set(p)) > 6))
def test_long_unusual_passwords_need_no_digits_or_symbols(password: str) -> None:
    # The only refusals left for a long password: too common, or the hospital's or the portal's own name.
    assert password_problem(password) in (
        None, "That password is too common and easy to guess. Choose a different one.",
        "Your password must not contain the hospital's or the portal's name. Choose a different one.")
    assert password_problem("violet tractor lamp") is None
