"""Sign-in against the real database: code to the registered mobile, lock-out, the same words for strangers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.demo import DEMO_PASSWORD
from data.models import OneTimeCodeRow, PatientAccountRow
from domain.identity import registration
from domain.identity import sign_in
from domain import use_cases
from domain.identity import verification
from domain.errors import AccessDenied, Refused
from domain.identifiers import EmailAddress
from domain.identity.my_details import change_letter_preference, my_details
from domain.identity.patients import LetterPreference
from domain.identity.session import PatientSession
from tests.data.demo_fixtures import FAST_HASHER, last_code, patient

DUMMY = FAST_HASHER.hash("nobody")
MARGARET = EmailAddress.parse("margaret.thompson@example.com")


class CountingHasher:
    """The real hasher, counting verifications: a stranger's email must cost one, like a real account."""

    def __init__(self) -> None:
        self.verified = 0

    def hash(self, password: str) -> str:
        return FAST_HASHER.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return FAST_HASHER.verify(password_hash, password)


def test_sign_in_with_password_then_code(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    row = patient(demo_engine, "Margaret", "Thompson")
    sent = sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY)
    session = sign_in.finish(uow(), clock, sent.ticket, last_code(demo_engine, row.mobile))
    assert session.patient_id == row.id
    assert my_details(uow(), clock, session).full_name == "Margaret Thompson"


def test_an_unknown_email_gets_the_wrong_password_words_and_costs_a_hash(uow, clock) -> None:  # type: ignore[no-untyped-def]
    hasher = CountingHasher()
    messages = []
    for email, password in ((MARGARET, "not her password"), (EmailAddress.parse("nobody@example.com"), "whatever1")):
        with pytest.raises(Refused) as refused:
            sign_in.begin(uow(), clock, hasher, email, password, DUMMY)
        messages.append(str(refused.value))
    assert messages[0] == messages[1] == sign_in.WRONG_DETAILS
    assert hasher.verified == 2


def test_ten_failures_lock_the_account_for_fifteen_minutes(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    for _ in range(9):
        with pytest.raises(Refused, match="not right"):
            sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, "wrong password", DUMMY)
    with pytest.raises(Refused, match="is locked because of too many failed tries. Try again after 9.45am"):
        sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, "wrong password", DUMMY)
    with pytest.raises(Refused, match="locked"):  # even the right password, while locked
        sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY)
    clock.advance(15 * 60)
    assert sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY).ticket


def test_racing_kiosks_never_send_more_than_three_codes(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    """Eight threads, each its own connection, ask for codes for one patient at once: three texts, no more."""
    grace = patient(demo_engine, "Grace", "Osei")
    tickets = [registration.start_with_invitation(uow(), clock, "DEMO-GR4C", grace.date_of_birth).ticket]
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def ask() -> None:
        start.wait()
        try:
            verification.resend(uow(), clock, tickets[0])
            outcomes.append("sent")
        except Refused:
            outcomes.append("refused")

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 6 + ["sent"] * 2  # the first code was sent at the match
    with Session(demo_engine) as s:
        assert s.scalar(select(func.count()).select_from(OneTimeCodeRow)) == 3


def test_racing_registrations_for_one_email_make_one_account(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    tickets = []
    for code, given, family in (("DEMO-GR4C", "Grace", "Osei"), ("DEMO-LYAM", "Liam", "Byrne"),
                                ("DEMO-ME7Z", "Mei", "Zhang"), ("DEMO-T9MS", "Tomás", "Silva")):
        row = patient(demo_engine, given, family)
        sent = registration.start_with_invitation(uow(), clock, code, row.date_of_birth)
        registration.verify_mobile(uow(), clock, sent.ticket, last_code(demo_engine, row.mobile))
        tickets.append(sent.ticket)
    start = threading.Barrier(len(tickets))
    outcomes: list[str] = []

    def finish(ticket: str) -> None:
        start.wait()
        try:
            registration.complete(uow(), clock, FAST_HASHER, ticket, EmailAddress.parse("family@example.org"),
                                  "violet tractor lamp", LetterPreference.PAPER)
            outcomes.append("registered")
        except Refused:
            outcomes.append("refused")

    threads = [threading.Thread(target=finish, args=(t,)) for t in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["registered"]
    with Session(demo_engine) as s:
        assert s.scalar(select(func.count()).select_from(PatientAccountRow)
                        .where(PatientAccountRow.email == "family@example.org")) == 1


def test_a_signed_in_patient_reaches_no_other_record_through_any_use_case(uow, clock, demo_engine) -> None:  # type: ignore[no-untyped-def]
    me = patient(demo_engine, "Margaret", "Thompson")
    session = PatientSession(me.id, clock.now())
    with Session(demo_engine) as s:
        others = [pid for pid in s.scalars(select(PatientAccountRow.patient_id)) if pid != me.id]
    for other in [*others, 0, -1, 10**9]:
        for use_case in (use_cases.open_record, use_cases.list_appointments):
            with pytest.raises(AccessDenied):
                use_case(uow(), clock, session, patient_id=other)
    # The rest take no patient id at all: the session is the only identity they know.
    assert my_details(uow(), clock, session).full_name == "Margaret Thompson"
    change_letter_preference(uow(), clock, session, LetterPreference.PAPER)
    assert my_details(uow(), clock, session).letter_preference is LetterPreference.PAPER
    assert use_cases.open_record(uow(), clock, session).id == me.id


def test_a_code_waits_in_the_outbox_sealed_and_goes_out_as_written(uow, demo_engine, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With limits_key set (kept out of the database and its backups), a code waiting to be sent is sealed in the
    outbox: the database alone does not give it away. The dispatcher opens it to send it; sent, it is gone; a
    dispatcher with another key says so in words instead of sending nonsense."""
    import re
    from datetime import timedelta

    from data.messaging import sealing
    from data.messaging.outbox import SqlOutboxQueue
    from data.models import SmsMessageRow

    monkeypatch.setattr(sealing, "_box", None)  # restored after: the key is the process's
    sealing.use_key("the trust's limits key")
    sent = sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY)
    with Session(demo_engine) as session:
        stored = session.get(SmsMessageRow, sent.sms.id).body
    assert stored.startswith("sealed:") and not re.search(r"\d{6}", stored)
    queue = SqlOutboxQueue(demo_engine)
    [claimed] = [m for m in queue.claim(clock.now() + timedelta(minutes=1), 50, timedelta(minutes=2), "lease-1")
                 if m.id == sent.sms.id]
    assert claimed.body == sent.sms.body and re.match(r"\d{6} is your", claimed.body)
    queue.mark_sent(claimed.id, "lease-1", clock.now())
    with Session(demo_engine) as session:
        assert session.get(SmsMessageRow, sent.sms.id).body.startswith("****** is your")
    second = sign_in.begin(uow(), clock, FAST_HASHER, MARGARET, DEMO_PASSWORD, DUMMY)
    sealing.use_key("another key")
    with pytest.raises(sealing.SealError, match="same on every terminal"):
        queue.claim(clock.now() + timedelta(minutes=2), 50, timedelta(minutes=2), "lease-2")
    assert second.sms.id
