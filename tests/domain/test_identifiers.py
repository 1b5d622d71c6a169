"""NHS numbers, UK mobiles, emails and postcodes as people type them."""

from __future__ import annotations

from datetime import date

import nhs_number
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.identifiers import EmailAddress, NhsNumber, Postcode, UkMobile

# Nine digits that make a valid number with their Modulus 11 check digit (a check of 10 is never issued,
# and CHI numbers must start with a real date): nhs-number's rules, not ours.
nine_digits = st.text("0123456789", min_size=9, max_size=9).filter(
    lambda d: (nhs_number.calculate_checksum(d) or 10) < 10 and nhs_number.is_valid(d + str(nhs_number.calculate_checksum(d)))
)


def with_check(digits: str) -> str:
    return digits + str(nhs_number.calculate_checksum(digits))


@given(nine_digits, st.sampled_from(["{a} {b} {c}", "{a}{b}{c}", "{a}-{b}-{c}", "  {a} {b}  {c} "]))
def test_a_valid_nhs_number_is_accepted_however_it_is_spaced(digits: str, shape: str) -> None:
    full = with_check(digits)
    typed = shape.format(a=full[:3], b=full[3:6], c=full[6:])
    parsed = NhsNumber.parse(typed)
    assert parsed.digits == full
    assert parsed.formatted == f"{full[:3]} {full[3:6]} {full[6:]}"
    assert parsed.masked == f"*** *** {full[6:]}"


@given(nine_digits, st.integers(1, 9))
def test_a_wrong_check_digit_is_refused(digits: str, shift: int) -> None:
    wrong = (nhs_number.calculate_checksum(digits) + shift) % 10
    with pytest.raises(InvalidValue, match="not a valid NHS number"):
        NhsNumber.parse(digits + str(wrong))


@given(st.text(max_size=30))
def test_any_typed_text_gives_a_value_or_a_sentence_never_a_crash(text: str) -> None:
    for parse in (NhsNumber.parse, Postcode.parse, EmailAddress.parse, UkMobile.parse):
        try:
            parse(text)
        except InvalidValue as error:
            assert str(error).endswith((".", ")")) and len(str(error)) > 10


@pytest.mark.parametrize("typed, message", [("", "Enter an NHS number"), ("12345", "10 digits"),
                                            ("943 476 591X", "10 digits"), ("943 476 5918", "not a valid")])
def test_nhs_number_messages(typed: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        NhsNumber.parse(typed)


def test_the_synthetic_range_is_recognised() -> None:
    assert NhsNumber.parse("999 000 0018").is_synthetic
    assert not NhsNumber.parse("943 476 5919").is_synthetic


@given(st.integers(0, 999), st.sampled_from(["07700 900{n:03d}", "+44 7700 900{n:03d}", "07700900{n:03d}",
                                             "+447700900{n:03d}", "(07700) 900 {n:03d}"]))
def test_drama_mobiles_only_when_the_settings_allow(n: int, shape: str) -> None:
    typed = shape.format(n=n)
    assert UkMobile.parse(typed, allow_drama=True).e164 == f"+447700900{n:03d}"
    with pytest.raises(InvalidValue, match="drama"):
        UkMobile.parse(typed)


@pytest.mark.parametrize("typed", ["07911 123456", "+44 7911 123456", "447911123456"])
def test_real_uk_mobiles_are_accepted(typed: str) -> None:
    mobile = UkMobile.parse(typed)
    assert mobile.e164 == "+447911123456"
    assert mobile.national == "07911 123456"
    assert mobile.masked == "***** ***456"


@pytest.mark.parametrize("typed, message", [("01923 244366", "not a mobile"), ("+33 6 12 34 56 78", "UK mobile"),
                                            ("hello", "UK mobile"), ("", "Enter a mobile")])
def test_numbers_that_cannot_take_a_text_are_refused(typed: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        UkMobile.parse(typed)


@pytest.mark.parametrize("typed, normal", [(" Jo.Bloggs@Example.COM ", "Jo.Bloggs@example.com"),
                                           ("rosa@example.org", "rosa@example.org")])
def test_emails_are_normalised(typed: str, normal: str) -> None:
    assert EmailAddress.parse(typed).normalized == normal


@pytest.mark.parametrize("typed", ["jo@", "jo.example.com", "jo@@example.com", "jo@example"])
def test_bad_emails_are_refused_with_a_reason(typed: str) -> None:
    with pytest.raises(InvalidValue, match="valid email address"):
        EmailAddress.parse(typed)


@given(st.sampled_from(["WD18 0HB", "AL3 5PN", "NW3 2QG", "EC1A 1BB", "M1 1AE", "B33 8TH"]),
       st.sampled_from([str.lower, str.upper, lambda s: s.replace(" ", ""), lambda s: s.replace(" ", "   ")]))
def test_postcodes_are_normalised_however_typed(postcode: str, typed) -> None:  # type: ignore[no-untyped-def]
    assert Postcode.parse(typed(postcode)).value == postcode


@pytest.mark.parametrize("typed", ["WD18", "12345", "WD18 0H", "ZZZ9 9ZZZ"])
def test_things_that_are_not_postcodes_are_refused(typed: str) -> None:
    with pytest.raises(InvalidValue, match="real postcode"):
        Postcode.parse(typed)


@pytest.mark.parametrize("password, words", [
    ("        ", "only spaces"), ("westherts2026", "hospital's or the portal's name"),
    ("patientportal", "hospital's or the portal's name"), ("Royal-Free-99!", "hospital's or the portal's name"),
    ("margaret1950", "your name"), ("thompson-rocks", "your name"), ("maggie.t.home", "your name"),
    ("x06081958x", "date of birth"),
])
def test_passwords_a_guesser_would_try_first_are_refused(password: str, words: str) -> None:
    from datetime import date

    from domain.identity.passwords import password_problem

    problem = password_problem(password, "maggie.t@example.com", ("Margaret", "Thompson"), date(1958, 8, 6))
    assert problem is not None and words in problem


def test_a_good_password_and_its_other_unicode_forms() -> None:
    from domain.identity.passwords import normalised, password_problem

    assert password_problem("violet tractor lamp", "maggie.t@example.com", ("Margaret", "Thompson")) is None
    assert normalised("ｖｉｏｌｅｔ ｔｒａｃｔｏｒ") == "violet tractor"  # full-width, as some keyboards type it


@pytest.mark.parametrize("stored, message, conflict", [
    (("Margaret", "Thompson", date(1959, 10, 15)), ("MARGARET", "THOMPSON", date(1959, 10, 15)), False),
    (("Margaret", "Thompson", date(1959, 10, 15)), ("Margaret", "Thompson", date(1960, 1, 1)), False),  # PAS mends
    (("Margaret", "Thompson", date(1959, 10, 15)), ("Margaret", "Smith", date(1959, 10, 15)), False),  # married
    (("Margaret", "Thompson", date(1959, 10, 15)), ("Margret", "Thomson", date(1959, 10, 15)), False),  # typos
    (("Margaret", "Thompson", date(1959, 10, 15)), ("Margaret", "Smith", date(1959, 10, 16)), False),  # a digit
    (("Margaret", "Thompson", date(1959, 10, 12)), ("Margaret", "Smith", date(1959, 12, 10)), False),  # swapped
    (("Margaret", "Thompson", date(1959, 10, 15)), ("Sam", "Stranger", date(1959, 10, 15)), True),  # both names
    (("Margaret", "Thompson", date(1959, 10, 15)), ("Margaret", "Smith", date(1980, 1, 1)), True),  # date and name
])
def test_an_identity_conflict_is_a_plainly_different_person(stored, message, conflict) -> None:  # type: ignore[no-untyped-def]
    """The rule domain.events.person.identity_conflict documents: a wrong patient is refused, a record mended or
    a name changed on marriage is not."""
    from domain.events.person import PersonFacts, identity_conflict

    given, family, born = stored
    facts = PersonFacts(None, "RWG1000001", message[0], message[1], message[2], None, None, None)
    found = identity_conflict({"given_name": given, "family_name": family, "date_of_birth": born}, facts)
    assert bool(found) is conflict, found
