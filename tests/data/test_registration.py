"""Registration against the real database: matching, the one message for every failure, codes, accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import AuditEventRow, InvitationRow, OneTimeCodeRow, PatientAccountRow, PatientRow, SmsMessageRow
from domain.identity import registration
from domain.identity import verification
from domain.errors import Refused
from domain.identifiers import EmailAddress, NhsNumber, Postcode
from domain.identity.patients import LetterPreference
from domain.identity.registration import NoMatch
from domain.typed import HospitalNumber
from tests.data.demo_fixtures import FAST_HASHER, last_code, patient, texts_to

NO_MATCH = ("We could not match those details to a hospital record. Check them and try again, "
            "or call the Appointments team on 01632 960 100.")


def _register(uow, clock, engine, given: str, family: str, email: str) -> registration.Registered:  # type: ignore[no-untyped-def]
    row = patient(engine, given, family)
    sent = registration.start_with_details(uow(), clock, NhsNumber(row.nhs_number), row.date_of_birth,
                                           Postcode.parse(row.postcode))
    registration.verify_mobile(uow(), clock, sent.ticket, last_code(engine, row.mobile))
    return registration.complete(uow(), clock, FAST_HASHER, sent.ticket, EmailAddress.parse(email),
                                 "violet tractor lamp", LetterPreference.PAPERLESS)


def test_register_with_an_invitation_code(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    grace = patient(demo_engine, "Grace", "Osei")
    sent = registration.start_with_invitation(uow(), clock, "demo gr4c", grace.date_of_birth)
    assert sent.masked_mobile == f"***** ***{grace.mobile[-3:]}"
    code = last_code(demo_engine, grace.mobile)
    with Session(demo_engine) as s:  # the code is kept only as a salted hash
        stored = s.scalars(select(OneTimeCodeRow.code_hash)).all()
        assert stored and all(code not in h for h in stored)
    registration.verify_mobile(uow(), clock, sent.ticket, code)
    done = registration.complete(uow(), clock, FAST_HASHER, sent.ticket, EmailAddress.parse("Grace.Osei@Example.com"),
                                 "violet tractor lamp", LetterPreference.PAPERLESS)
    assert done.given_name == "Grace" and done.email == "grace.osei@example.com"
    with Session(demo_engine) as s:
        account = s.get(PatientAccountRow, grace.id)
        assert account is not None and account.password_hash.startswith("$argon2id$")
        assert s.get(PatientRow, grace.id).letter_preference == "paperless"
        assert s.scalars(select(InvitationRow.used_at).where(InvitationRow.patient_id == grace.id)).one() is not None


def test_register_directly_on_normalised_details(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    liam = patient(demo_engine, "Liam", "Byrne")
    sent = registration.start_with_details(uow(), clock, HospitalNumber(liam.hospital_number), liam.date_of_birth,
                                           Postcode.parse(liam.postcode.lower().replace(" ", "")))
    assert texts_to(demo_engine, liam.mobile)
    assert sent.ticket


@pytest.mark.parametrize("given, family, change, reason", [
    ("Jacob", "Parker", None, "under 18"),  # 18 tomorrow
    ("Sophie", "Turner", None, "under 18"),
    ("Arthur", "Bell", None, "no UK mobile on the record"),
    ("Norman", "Clarke", None, "deceased"),
    ("Margaret", "Thompson", None, "already registered"),
    ("Grace", "Osei", "dob", "date of birth does not match"),
    ("Grace", "Osei", "postcode", "postcode does not match"),
])
def test_every_failed_match_says_the_same_and_the_audit_knows_why(uow, clock, demo_engine, given, family, change,  # type: ignore[no-untyped-def]
                                                                 reason) -> None:
    row = patient(demo_engine, given, family)
    born = row.date_of_birth - timedelta(days=1) if change == "dob" else row.date_of_birth
    postcode = Postcode.parse("AL1 1AA" if change == "postcode" else row.postcode)
    with pytest.raises(NoMatch) as refused:
        registration.start_with_details(uow(), clock, NhsNumber(row.nhs_number), born, postcode)
    assert str(refused.value) == NO_MATCH
    with Session(demo_engine) as s:
        details = s.scalars(select(AuditEventRow.detail).where(AuditEventRow.patient_id == row.id,
                                                               AuditEventRow.outcome == "denied")).all()
        assert reason in details
        assert s.scalar(select(func.count()).select_from(SmsMessageRow)) == 0  # no code before a match


def test_unknown_numbers_and_bad_invitations_say_the_same(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    zainab = patient(demo_engine, "Zainab", "Hussain")
    attempts = [
        lambda: registration.start_with_details(uow(), clock, NhsNumber.parse("943 476 5919"),
                                                zainab.date_of_birth, Postcode.parse("WD18 0HB")),
        lambda: registration.start_with_invitation(uow(), clock, "ZZZZ-ZZZZ", zainab.date_of_birth),
        lambda: registration.start_with_invitation(uow(), clock, "DEMO-XP7D", zainab.date_of_birth),  # expired
        lambda: registration.start_with_invitation(uow(), clock, "DEMO-JAC6",
                                                   patient(demo_engine, "Jacob", "Parker").date_of_birth),
    ]
    for attempt in attempts:
        with pytest.raises(NoMatch, match="We could not match those details"):
            attempt()


def test_wrong_codes_then_dead_and_a_new_code_does_not_reset_them(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    mei = patient(demo_engine, "Mei", "Zhang")
    sent = registration.start_with_invitation(uow(), clock, "DEMO-ME7Z", mei.date_of_birth)
    for left in (4, 3):
        with pytest.raises(Refused, match=f"You have {left} tries left"):
            registration.verify_mobile(uow(), clock, sent.ticket, "000000")
    again = verification.resend(uow(), clock, sent.ticket)
    for message in ("2 tries left", "1 try left", "can no longer be used"):
        with pytest.raises(Refused, match=message):
            registration.verify_mobile(uow(), clock, again.ticket, "000000")
    with pytest.raises(Refused, match="entered wrongly too many times"):
        verification.resend(uow(), clock, sent.ticket)
    with pytest.raises(Refused, match="can no longer be used"):
        registration.verify_mobile(uow(), clock, sent.ticket, last_code(demo_engine, mei.mobile))


def test_three_codes_per_fifteen_minutes_and_codes_expire(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    tomas = patient(demo_engine, "Tomás", "Silva")
    sent = registration.start_with_invitation(uow(), clock, "DEMO-T9MS", tomas.date_of_birth)
    verification.resend(uow(), clock, sent.ticket)
    verification.resend(uow(), clock, sent.ticket)
    with pytest.raises(Refused, match="3 codes in the last 15 minutes"):
        verification.resend(uow(), clock, sent.ticket)
    assert len(texts_to(demo_engine, tomas.mobile)) == 3
    clock.advance(15 * 60 + 1)
    verification.resend(uow(), clock, sent.ticket)
    code = last_code(demo_engine, tomas.mobile)
    clock.advance(10 * 60)
    with pytest.raises(Refused, match="expired"):
        registration.verify_mobile(uow(), clock, sent.ticket, code)


def test_account_rules_at_the_end(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    _register(uow, clock, demo_engine, "Grace", "Osei", "shared@example.org")
    liam = patient(demo_engine, "Liam", "Byrne")
    sent = registration.start_with_invitation(uow(), clock, "DEMO-LYAM", liam.date_of_birth)
    with pytest.raises(Refused, match="Enter the code"):
        registration.complete(uow(), clock, FAST_HASHER, sent.ticket, EmailAddress.parse("liam@example.org"),
                              "violet tractor lamp", LetterPreference.PAPER)
    registration.verify_mobile(uow(), clock, sent.ticket, last_code(demo_engine, liam.mobile))
    with pytest.raises(Refused, match="too common"):
        registration.complete(uow(), clock, FAST_HASHER, sent.ticket, EmailAddress.parse("liam@example.org"),
                              "password123", LetterPreference.PAPER)
    with pytest.raises(Refused, match="already uses this email"):
        registration.complete(uow(), clock, FAST_HASHER, sent.ticket, EmailAddress.parse("SHARED@example.org"),
                              "violet tractor lamp", LetterPreference.PAPER)
    registration.complete(uow(), clock, FAST_HASHER, sent.ticket, EmailAddress.parse("liam@example.org"),
                          "violet tractor lamp", LetterPreference.PAPER)
    with pytest.raises(Refused, match="too long"):  # a finished registration's ticket is spent
        registration.complete(uow(), clock, FAST_HASHER, sent.ticket, EmailAddress.parse("liam2@example.org"),
                              "violet tractor lamp", LetterPreference.PAPER)
