"""Every limit against a real database (SQLite and PostgreSQL), with the clock walked through a day as someone
who means harm would walk it; and two terminals racing at one limit."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.demo import DEMO_PASSWORD
from data.models import AuditEventRow, SmsMessageRow
from data.uow import SqlUnitOfWork, session_factory
from domain.identity import registration
from domain.identity import sign_in
from domain.identity import verification
from domain.errors import Refused
from domain.identifiers import EmailAddress, NhsNumber, Postcode
from domain.limits import Limit, LimitRules
from tests.data.demo_fixtures import FAST_HASHER, last_code, patient, texts_to

DUMMY = FAST_HASHER.hash("nobody")
MARGARET = EmailAddress.parse("margaret.thompson@example.com")
NOBODY = EmailAddress.parse("no.one.here@example.com")
QUARTER = 15 * 60


def words(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as refused:
        call()
    return str(refused.value)


def test_real_and_unknown_addresses_lock_alike_and_lengthen(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    factory = session_factory(demo_engine)
    kiosks = itertools.cycle(range(4))  # each address's failures from more kiosks than one (see the next test)
    uow = lambda: SqlUnitOfWork(factory, LimitRules(), f"kiosk {next(kiosks)}")  # noqa: E731
    said: dict[str, list[str]] = {"real": [], "unknown": []}
    for _ in range(11):
        said["real"].append(words(lambda: sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, "wrong!", DUMMY)))
        said["unknown"].append(words(lambda: sign_in.begin(uow(), clock, FAST_HASHER, NOBODY, "wrong!", DUMMY)))
    assert said["real"] == said["unknown"]
    assert "not right" in said["real"][8] and "locked" in said["real"][9] and "locked" in said["real"][10]
    # The right password while locked gets the lock's words too; 15 minutes later it works.
    assert "locked" in words(lambda: sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY))
    clock.advance(QUARTER)
    for _ in range(9):  # the count did not go back to 0: ten more lock for 30 minutes, not 15
        words(lambda: sign_in.begin(uow(), clock, FAST_HASHER, NOBODY, "wrong!", DUMMY))
    assert "locked" in words(lambda: sign_in.begin(uow(), clock, FAST_HASHER, NOBODY, "wrong!", DUMMY))
    clock.advance(QUARTER)
    assert "locked" in words(lambda: sign_in.begin(uow(), clock, FAST_HASHER, NOBODY, "wrong!", DUMMY))
    clock.advance(QUARTER)
    assert sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY).ticket


def test_one_kiosk_that_tries_one_password_on_many_addresses_is_stopped(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    """Password spraying: 30 failures in an hour at one kiosk, each on a different address, and that kiosk takes no
    more sign-ins (the right password included) for the hour; another kiosk is not affected."""
    factory = session_factory(demo_engine)
    at = lambda kiosk: SqlUnitOfWork(factory, LimitRules(), kiosk)  # noqa: E731
    for n in range(30):
        address = EmailAddress.parse(f"someone.{n}@example.com")
        assert "not right" in words(lambda: sign_in.begin(at("kiosk 1"), clock, FAST_HASHER, address, "Winter2026!",
                                                          DUMMY))
    stopped = words(lambda: sign_in.begin(at("kiosk 1"), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY))
    assert "failed at this kiosk" in stopped
    assert sign_in.begin(at("kiosk 2"), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY).ticket
    clock.advance(3601)
    assert sign_in.begin(at("kiosk 1"), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY).ticket


def test_a_date_of_birth_is_not_guessed_by_taking_each_numbers_allowance_in_turn(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    """The NHS number and the hospital number each allow 5 failures an hour; one person allows 20 a day, whichever
    number named them. Walked through 24 hours, the guesses stop at 20."""
    from domain.typed import HospitalNumber

    liam = patient(demo_engine, "Liam", "Byrne")
    nhs, number = NhsNumber.parse(liam.nhs_number), HospitalNumber(liam.hospital_number)
    postcode = Postcode.parse(liam.postcode)
    counted = 0
    for hour in range(24):
        for identifier in (nhs, number):
            for i in range(5):
                born = liam.date_of_birth.replace(year=1900 + hour * 10 + i)
                words(lambda: registration.start_with_details(uow(), clock, identifier, born, postcode))
        if hour == 12:  # the right details too, while the person's allowance is spent
            assert "could not match" in words(lambda: registration.start_with_details(
                uow(), clock, nhs, liam.date_of_birth, postcode))
        clock.advance(3600)
    with Session(demo_engine) as session:
        counted = session.scalar(select(func.count()).select_from(AuditEventRow).where(
            AuditEventRow.patient_id == liam.id, AuditEventRow.action == "registration_match",
            AuditEventRow.detail.like("%does not match")))
    assert counted == 20
    clock.advance(3600)
    assert registration.start_with_details(uow(), clock, number, liam.date_of_birth, postcode).ticket


def test_a_hundred_failures_stop_an_address_until_staff_reopen_it(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    rules = LimitRules()
    factory = session_factory(demo_engine)
    uow = lambda: SqlUnitOfWork(factory, rules)  # noqa: E731
    for _ in range(100):
        words(lambda: sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, "wrong!", DUMMY))
        clock.advance(24 * 3600)  # a day between each: no lock is still running
    for _ in range(2):
        said = words(lambda: sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY))
        assert "stopped" in said and "reopen" in said
        clock.advance(30 * 24 * 3600)
    assert sign_in.reopen(uow(), clock, MARGARET, "supervisor.sam") == 100
    assert sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY).ticket


def test_the_owner_of_a_stopped_address_reopens_it_with_a_code_and_a_stranger_cannot(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    """100 failures from a stranger stopped an address for good until staff reopened it. Now its owner reopens it
    with a code to the mobile on their record; the stranger, who has not that phone, gets the same words for
    every code and for an address with no account, and no code never signs anyone in."""
    rules = LimitRules()
    factory = session_factory(demo_engine)
    kiosks = itertools.count()  # a stranger walking from kiosk to kiosk
    uow = lambda: SqlUnitOfWork(factory, rules, f"kiosk {next(kiosks)}")  # noqa: E731
    for _ in range(100):
        words(lambda: sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, "wrong!", DUMMY))
        clock.advance(24 * 3600)  # each after the last lock has run out
    with pytest.raises(sign_in.AddressLocked, match="stopped.*reopen it with a code to your phone"):
        sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY)
    assert sign_in.begin_unlock(uow(), clock, NOBODY) is None  # no account: no text (the screen says the same)
    sent = sign_in.begin_unlock(uow(), clock, MARGARET)
    assert sent is not None
    wrong = [words(lambda: sign_in.finish_unlock(uow(), clock, sent.ticket, "000000")),
             words(lambda: sign_in.finish_unlock(uow(), clock, "a ticket for no one", "123456"))]
    assert wrong[0] == wrong[1] == sign_in._(sign_in.UNLOCK_WRONG)
    code = last_code(demo_engine, patient(demo_engine, "Margaret", "Thompson").mobile)
    with pytest.raises(Refused, match="taken too long"):  # an unlock code never signs anyone in
        sign_in.finish(uow(), clock, sent.ticket, code)
    sign_in.finish_unlock(uow(), clock, sent.ticket, code)
    assert sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY).ticket  # the password still asked
    with pytest.raises(Refused):
        sign_in.finish_unlock(uow(), clock, sent.ticket, code)  # a code reopens once
    with Session(demo_engine) as session:
        reopened = session.scalars(select(AuditEventRow.detail).where(
            AuditEventRow.action == "sign_in_reopened")).all()
    assert reopened == ["by the patient, with a code to their mobile: 100 failures forgotten"]


def test_wrong_codes_count_towards_the_lock_and_close_the_route_for_the_day(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    row = patient(demo_engine, "Margaret", "Thompson")
    wrong = 0
    for _ in range(4):  # 4 attempts of 5 wrong codes each, over the day: 20 wrong codes
        ticket = sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY).ticket
        for _ in range(5):
            said = words(lambda: sign_in.finish(uow(), clock, ticket, "000000"))
            wrong += 1
        if wrong >= 10:
            break
        clock.advance(4 * 3600)
    # Ten wrong codes are ten failed sign-ins: the address locked like ten wrong passwords.
    assert "locked" in said or "locked" in words(
        lambda: sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY))
    clock.advance(24 * 3600)
    assert last_code(demo_engine, row.mobile)


def test_twenty_wrong_codes_in_a_day_close_the_route(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    grace = patient(demo_engine, "Grace", "Osei")
    factory = session_factory(demo_engine)
    uow = lambda: SqlUnitOfWork(factory)  # noqa: E731
    for attempt in range(4):
        ticket = registration.start_with_invitation(uow(), clock, "DEMO-GR4C", grace.date_of_birth).ticket
        for _ in range(5):
            words(lambda: registration.verify_mobile(uow(), clock, ticket, "000000"))
        clock.advance(3 * 3600)
    ticket_words = words(lambda: registration.start_with_invitation(uow(), clock, "DEMO-GR4C", grace.date_of_birth))
    assert "entered wrongly too many times today" in ticket_words
    clock.advance(13 * 3600)  # a day after the first wrong code
    assert registration.start_with_invitation(uow(), clock, "DEMO-GR4C", grace.date_of_birth).ticket


def test_a_code_belongs_to_its_attempt(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    row = patient(demo_engine, "Margaret", "Thompson")
    first = sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY).ticket
    code = last_code(demo_engine, row.mobile)
    second = sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY).ticket
    for _ in range(5):  # someone at a second kiosk types wrong codes into their own attempt
        words(lambda: sign_in.finish(uow(), clock, second, "000000"))
    assert sign_in.finish(uow(), clock, first, code).patient_id == row.id


def test_texts_to_one_mobile_are_limited_across_records_and_purposes(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    rules = LimitRules(texts_per_mobile_hour=Limit("text_to_mobile", 5, timedelta(hours=1)),
                       texts_per_mobile_day=Limit("text_to_mobile", 10, timedelta(days=1)))
    factory = session_factory(demo_engine)
    uow = lambda: SqlUnitOfWork(factory, rules)  # noqa: E731
    row = patient(demo_engine, "Margaret", "Thompson")
    sent = refused = 0
    for hour in range(24):
        for _ in range(3):
            try:
                ticket = sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY).ticket
                sent += 1
                sign_in.finish(uow(), clock, ticket, last_code(demo_engine, row.mobile))
            except Refused as error:
                assert "We cannot send another code now" in str(error) or "3 codes" in str(error)
                refused += 1
            clock.advance(60)
        clock.advance(3600 - 180)
    assert sent == 10 and len(texts_to(demo_engine, row.mobile)) == 10


def test_failed_matches_past_the_limit_refuse_even_the_right_details(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    liam = patient(demo_engine, "Liam", "Byrne")
    nhs = NhsNumber.parse(liam.nhs_number) if liam.nhs_number else None
    assert nhs is not None
    postcode = Postcode.parse(liam.postcode)
    wrong = [liam.date_of_birth.replace(year=liam.date_of_birth.year - 1 - i) for i in range(6)]
    answers = [words(lambda: registration.start_with_details(uow(), clock, nhs, born, postcode)) for born in wrong]
    right = words(lambda: registration.start_with_details(uow(), clock, nhs, liam.date_of_birth, postcode))
    assert right == answers[0] and len(set(answers)) == 1
    assert texts_to(demo_engine, liam.mobile) == []
    with Session(demo_engine) as session:
        denied = session.scalar(select(func.count()).select_from(AuditEventRow).where(
            AuditEventRow.patient_id == liam.id, AuditEventRow.detail.like("limit:%")))
        assert denied == 2 and session.scalar(select(func.count()).select_from(AuditEventRow).where(
            AuditEventRow.terminal.is_(None))) == 0
    clock.advance(3600)
    assert registration.start_with_details(uow(), clock, nhs, liam.date_of_birth, postcode).ticket


def test_two_terminals_racing_at_one_limit_let_no_more_than_it_through(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    """Eight threads (each its own connection and terminal) send codes to one mobile at once: five texts."""
    rules = LimitRules(texts_per_mobile_hour=Limit("text_to_mobile", 5, timedelta(hours=1)))
    factory = session_factory(demo_engine)
    row = patient(demo_engine, "Margaret", "Thompson")
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def kiosk(n: int) -> None:
        uow = SqlUnitOfWork(factory, rules, terminal=f"kiosk-{n % 2}")
        start.wait()
        try:
            sign_in.begin(uow, clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY)
            outcomes.append("sent")
        except Refused:
            outcomes.append("refused")

    threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with Session(demo_engine) as session:
        texts = session.scalar(select(func.count()).select_from(SmsMessageRow).where(
            SmsMessageRow.to_number == row.mobile))
    assert outcomes.count("sent") == texts <= 5 and len(outcomes) == 8
    _ = verification


def test_the_staff_pin_lock_lengthens_survives_a_restart_and_every_try_is_audited(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    from domain.identity.staff_exit import check_staff_pin

    factory = session_factory(demo_engine)
    right = lambda typed: typed == "135790"  # noqa: E731
    for attempt in range(5):  # each a fresh unit of work, as after a restart
        accepted, message = check_staff_pin(SqlUnitOfWork(factory, terminal="kiosk-1"), clock, right, "000000")
    assert not accepted and "Too many wrong PINs" in message
    assert check_staff_pin(SqlUnitOfWork(factory, terminal="kiosk-1"), clock, right, "135790")[0] is False
    assert check_staff_pin(SqlUnitOfWork(factory, terminal="kiosk-2"), clock, right, "135790")[0] is True  # its own
    clock.advance(61)
    assert check_staff_pin(SqlUnitOfWork(factory, terminal="kiosk-1"), clock, right, "135790")[0] is True
    with Session(demo_engine) as session:
        tries = session.scalars(select(AuditEventRow.action).where(
            AuditEventRow.action.in_(("staff_pin", "staff_exit")))).all()
    assert tries.count("staff_pin") == 6 and tries.count("staff_exit") == 2


def test_no_one_changes_the_audit_trail(engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    with Session(engine) as session:
        session.add(AuditEventRow(at=datetime_now(), actor_kind="kiosk", actor_id="x", action="test",
                                  outcome="success", detail=""))
        session.commit()
    for change in (update(AuditEventRow).values(detail="rewritten"), delete(AuditEventRow)):
        with Session(engine) as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(change)
            session.commit()


def datetime_now():  # type: ignore[no-untyped-def]
    from tests.conftest import FIXED_NOW

    return FIXED_NOW


def test_email_in_use_answers_are_counted_per_terminal_and_audited(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    """Past the limit, every address tried is 'in use': the step cannot be used to learn who has an account."""
    from domain.identity.patients import LetterPreference

    factory = session_factory(demo_engine)
    uow = lambda: SqlUnitOfWork(factory, terminal="kiosk-7")  # noqa: E731
    grace = patient(demo_engine, "Grace", "Osei")
    ticket = registration.start_with_invitation(uow(), clock, "DEMO-GR4C", grace.date_of_birth).ticket
    registration.verify_mobile(uow(), clock, ticket, last_code(demo_engine, grace.mobile))
    taken = [EmailAddress.parse(f"{name}@example.com") for name in
             ("margaret.thompson", "harold.finch", "aisha.rahman", "sandeep.gill", "rosa.fernandez")]
    for email in taken:
        assert "already uses" in words(lambda: registration.complete(
            uow(), clock, FAST_HASHER, ticket, email, "amber kettle drum", LetterPreference.PAPERLESS))
    free = EmailAddress.parse("grace.new.address@example.org")
    assert "already uses" in words(lambda: registration.complete(
        uow(), clock, FAST_HASHER, ticket, free, "amber kettle drum", LetterPreference.PAPERLESS))
    with Session(demo_engine) as session:
        audited = session.scalars(select(AuditEventRow.detail).where(AuditEventRow.action == "register")).all()
    assert audited.count("email in use") == 5 and audited.count("limit: email in use") == 1
    elsewhere = SqlUnitOfWork(factory, terminal="kiosk-8")  # another terminal's answers are its own
    done = registration.complete(elsewhere, clock, FAST_HASHER, ticket, free, "amber kettle drum",
                                 LetterPreference.PAPERLESS)
    assert done.email == "grace.new.address@example.org"


def test_one_terminal_sends_no_more_codes_an_hour_than_its_limit(demo_engine, clock) -> None:  # type: ignore[no-untyped-def]
    rules = LimitRules(texts_per_terminal_hour=Limit("text_from_terminal", 3, timedelta(hours=1)))
    factory = session_factory(demo_engine)
    people = ["margaret.thompson", "harold.finch", "aisha.rahman", "sandeep.gill"]
    outcomes = []
    for name in people:
        try:
            sign_in.begin(SqlUnitOfWork(factory, rules, terminal="kiosk-9"), clock, FAST_HASHER,
                          EmailAddress.parse(f"{name}@example.com"), DEMO_PASSWORD, DUMMY)
            outcomes.append("sent")
        except Refused as error:
            outcomes.append(str(error))
    assert outcomes[:3] == ["sent"] * 3 and "We cannot send another code now" in outcomes[3]
    other = sign_in.begin(SqlUnitOfWork(factory, rules, terminal="kiosk-10"), clock, FAST_HASHER,
                          EmailAddress.parse("sandeep.gill@example.com"), DEMO_PASSWORD, DUMMY)
    assert other.ticket  # another terminal has its own count
