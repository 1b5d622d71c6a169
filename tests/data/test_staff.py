"""Staff accounts and staff sign-in on SQLite and PostgreSQL: password and a TOTP code from an authenticator app,
each code used once, the kiosk's lock-outs, an unknown username told apart by nothing, the secret sealed."""

from __future__ import annotations

from collections.abc import Callable

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import AuditEventRow, StaffMemberRow
from data.staff.accounts import FernetBox, TotpFactor
from data.uow import SqlUnitOfWork, session_factory
from domain.staff import accounts as staff
from domain.errors import InvalidValue, Refused
from domain.identity.session import StaffRole
from tests.conftest import migrated_engine
from tests.data.demo_fixtures import FAST_HASHER
from tests.data.test_sign_in import CountingHasher

PASSWORD = "quiet harbour lantern"
DUMMY = FAST_HASHER.hash("nobody")
BOX = FernetBox("a key for tests only")
FACTOR = TotpFactor()


@pytest.fixture
def staff_uow(database_url: str) -> Callable[[], SqlUnitOfWork]:
    engine = migrated_engine(database_url)
    yield lambda: SqlUnitOfWork(session_factory(engine), terminal="desk-3")
    engine.dispose()


def enrol(uow, clock, name: str = "sam.patel") -> staff.Enrolment:  # type: ignore[no-untyped-def]
    return staff.add_staff(uow(), clock, FAST_HASHER, FACTOR, BOX, name, "Sam Patel", StaffRole.APPOINTMENTS_CLERK,
                           PASSWORD, "admin.ann")


def code(enrolment: staff.Enrolment, clock, steps: int = 0) -> str:  # type: ignore[no-untyped-def]
    return pyotp.TOTP(enrolment.secret).at(clock.now().timestamp() + 30 * steps)


def sign_in(uow, clock, username: str, password: str, typed: str, hasher=FAST_HASHER):  # type: ignore[no-untyped-def]
    return staff.sign_in(uow(), clock, hasher, FACTOR, BOX, username, password, typed, DUMMY)


def test_sign_in_with_password_and_code_once(staff_uow, clock) -> None:  # type: ignore[no-untyped-def]
    enrolment = enrol(staff_uow, clock)
    assert enrolment.uri.startswith("otpauth://totp/") and "sam.patel" in enrolment.uri
    session = sign_in(staff_uow, clock, "Sam.Patel", PASSWORD, code(enrolment, clock))
    assert session.username == "sam.patel" and session.role is StaffRole.APPOINTMENTS_CLERK
    with pytest.raises(Refused, match="not right"):  # the same code again: used
        sign_in(staff_uow, clock, "sam.patel", PASSWORD, code(enrolment, clock))
    clock.advance(30)
    assert sign_in(staff_uow, clock, "sam.patel", PASSWORD, code(enrolment, clock, steps=1)).username  # +1 step


def test_a_code_a_step_either_side_is_taken_and_two_steps_out_is_not(staff_uow, clock) -> None:  # type: ignore[no-untyped-def]
    enrolment = enrol(staff_uow, clock)
    with pytest.raises(Refused):
        sign_in(staff_uow, clock, "sam.patel", PASSWORD, code(enrolment, clock, steps=-2))
    assert sign_in(staff_uow, clock, "sam.patel", PASSWORD, code(enrolment, clock, steps=-1)).username


def test_unknown_usernames_get_the_same_words_and_cost_a_hash(staff_uow, clock) -> None:  # type: ignore[no-untyped-def]
    enrol(staff_uow, clock)
    hasher = CountingHasher()
    said = []
    for username, password in (("sam.patel", "wrong password!"), ("nobody.here", PASSWORD)):
        with pytest.raises(Refused) as refused:
            sign_in(staff_uow, clock, username, password, "123456", hasher)
        said.append(str(refused.value))
    assert said[0] == said[1] == staff.WRONG_DETAILS and hasher.verified == 2
    # A password typed into the username box is not kept for good in the audit trail (nor its CSV).
    with pytest.raises(Refused):
        sign_in(staff_uow, clock, PASSWORD, PASSWORD, "123456", hasher)
    with staff_uow() as uow:
        who = list(uow.session.scalars(select(AuditEventRow.actor_id).where(
            AuditEventRow.action == "staff_sign_in").order_by(AuditEventRow.id)))
    assert who == ["sam.patel", "unknown", "unknown"] and not any(PASSWORD.lower() in w for w in who)


def test_ten_failures_lock_alike_and_a_disabled_account_cannot_sign_in(staff_uow, clock) -> None:  # type: ignore[no-untyped-def]
    enrolment = enrol(staff_uow, clock)
    for username in ("sam.patel", "nobody.here"):
        said = []
        for _ in range(10):
            with pytest.raises(Refused) as refused:
                sign_in(staff_uow, clock, username, PASSWORD, "000000")
            said.append(str(refused.value))
        assert "locked" in said[-1] and "not right" in said[-2]
    clock.advance(15 * 60)
    assert sign_in(staff_uow, clock, "sam.patel", PASSWORD, code(enrolment, clock)).username
    staff.disable_staff(staff_uow(), clock, "sam.patel", "admin.ann")
    clock.advance(30)
    with pytest.raises(Refused, match="not right"):
        sign_in(staff_uow, clock, "sam.patel", PASSWORD, code(enrolment, clock))


def test_reset_gives_a_new_factor_and_the_old_one_stops(staff_uow, clock) -> None:  # type: ignore[no-untyped-def]
    old = enrol(staff_uow, clock)
    new = staff.reset_staff(staff_uow(), clock, FAST_HASHER, FACTOR, BOX, "sam.patel", "other quiet words",
                            "admin.ann")
    assert new.secret != old.secret
    with pytest.raises(Refused):
        sign_in(staff_uow, clock, "sam.patel", "other quiet words", code(old, clock))
    assert sign_in(staff_uow, clock, "sam.patel", "other quiet words", code(new, clock)).username


def test_duplicates_bad_names_and_weak_passwords_are_refused(staff_uow, clock) -> None:  # type: ignore[no-untyped-def]
    enrol(staff_uow, clock)
    with pytest.raises(Refused, match="already"):
        enrol(staff_uow, clock)
    with pytest.raises(InvalidValue, match="username"):
        enrol(staff_uow, clock, "Sam Patel!")
    with pytest.raises(InvalidValue):
        staff.add_staff(staff_uow(), clock, FAST_HASHER, FACTOR, BOX, "kim.lee", "Kim Lee",
                        StaffRole.SYSTEM_ADMIN, "kimlee2026", "admin.ann")


def test_the_secret_is_sealed_and_every_try_is_audited_with_the_terminal(staff_uow, clock, database_url) -> None:  # type: ignore[no-untyped-def]
    enrolment = enrol(staff_uow, clock)
    with pytest.raises(Refused):
        sign_in(staff_uow, clock, "sam.patel", PASSWORD, "000000")
    sign_in(staff_uow, clock, "sam.patel", PASSWORD, code(enrolment, clock))
    engine = migrated_engine(database_url)
    with Session(engine) as session:
        sealed = session.scalar(select(StaffMemberRow.sealed_secret).where(StaffMemberRow.username == "sam.patel"))
        tries = session.execute(select(AuditEventRow.outcome, AuditEventRow.terminal, AuditEventRow.detail).where(
            AuditEventRow.action == "staff_sign_in")).all()
    engine.dispose()
    assert enrolment.secret not in sealed and BOX.open(sealed) == enrolment.secret
    assert FernetBox("another key").open(sealed) == ""  # the database alone does not give it away
    assert [(t.outcome, t.terminal, t.detail) for t in tries] == [("denied", "desk-3", "wrong code"),
                                                                 ("success", "desk-3", "signed in")]


def test_demo_staff_sign_in_with_the_printed_key(engine, clock) -> None:  # type: ignore[no-untyped-def]
    from data.demo import DEMO_STAFF, DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET, load_demo
    from tests.conftest import FIXED_DAY

    with Session(engine) as session:
        report = load_demo(session, FIXED_DAY, FAST_HASHER, BOX.seal)
        session.commit()
    assert [username for username, _, _ in report.staff] == [username for username, _, _ in DEMO_STAFF]
    assert DEMO_TOTP_SECRET in str(report)
    typed = pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now())
    session = staff.sign_in(SqlUnitOfWork(session_factory(engine)), clock, FAST_HASHER, FACTOR, BOX,
                            "supervisor.demo", DEMO_STAFF_PASSWORD, typed, DUMMY)
    assert session.role is StaffRole.APPOINTMENTS_SUPERVISOR
