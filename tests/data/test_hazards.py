"""The hazards a patient and a clerk found in one working day (issue 32), each proved on SQLite and PostgreSQL.
The hazard log (docs/safety/hazards.toml) names these tests as the evidence for its controls."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import ReferralRow, SmsMessageRow
from domain.appointments import changes as m
from domain.appointments.model import AppointmentStatus, ReferralStatus
from domain.appointments.rules import OnlinePolicy
from domain.clock import FixedClock
from domain.errors import Refused
from domain.identity.session import PatientSession, StaffRole, StaffSession
from tests.conftest import FIXED_NOW
from tests.data.demo_fixtures import patient
from tests.data.test_desk_changes import demo_staff  # noqa: F401 - the fixture

POLICY = OnlinePolicy()
CLOCK = FixedClock(FIXED_NOW)
CLERK = StaffSession(1, "clerk.demo", StaffRole.APPOINTMENTS_CLERK, FIXED_NOW)
SUPERVISOR = StaffSession(2, "supervisor.demo", StaffRole.APPOINTMENTS_SUPERVISOR, FIXED_NOW)


@pytest.fixture(autouse=True)
def staff(demo_staff) -> None:  # type: ignore[no-untyped-def]
    """The demo's staff accounts, as the desk's own tests have them."""


def _upcoming(uow, who, patient_id: int):  # type: ignore[no-untyped-def]
    return [v for v in m.appointment_list(uow(), CLOCK, who, patient_id)
            if v.appointment.status is AppointmentStatus.BOOKED and v.appointment.starts_at > FIXED_NOW]


def test_a_hospital_cancellation_at_the_desk_keeps_the_patient_under_the_clinic(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    """Hazard 1: the desk stored every cancellation as the patient's, discharged the referral and texted "See your
    GP". Said as the hospital's, the referral stays open, the text says a new date will come, and the desk is left
    a to-do to rebook; the patient's own is as before."""
    margaret = patient(demo_engine, "Margaret", "Thompson")
    [first] = _upcoming(uow, CLERK, margaret.id)
    done = m.cancel(uow(), CLOCK, CLERK, first.appointment.id, "the clinician is not available", POLICY,
                    by_hospital=True)
    assert done.by_hospital and done.view.appointment.status is AppointmentStatus.CANCELLED_BY_HOSPITAL
    assert done.sms is not None and "We will contact you with a new date" in done.sms.body and "GP" not in \
        done.sms.body
    with Session(demo_engine) as s:
        assert s.get(ReferralRow, first.appointment.referral_id).status == ReferralStatus.OPEN.value
    page = m.appointment_page(uow(), CLOCK, CLERK, first.appointment.id, POLICY)
    assert page.view.appointment.arrangements_pending and m.REBOOK in (page.view.appointment.arrangements or "")
    mine = m.appointment_page(uow(), CLOCK, PatientSession(margaret.id, FIXED_NOW), first.appointment.id, POLICY)
    assert mine.view.appointment.status_words == "Cancelled by the hospital"
    # Inside the cut-off a clerk may say the hospital cancelled (the online rules are the patient's).
    fiona = patient(demo_engine, "Fiona", "MacLeod")
    [soon] = _upcoming(uow, CLERK, fiona.id)
    with pytest.raises(Refused, match="only an appointments supervisor"):
        m.cancel(uow(), CLOCK, CLERK, soon.appointment.id, "the patient asked, on the phone", POLICY)
    # A patient can never say the hospital cancelled.
    with pytest.raises(Refused):
        m.cancel(uow(), CLOCK, PatientSession(fiona.id, FIXED_NOW), soon.appointment.id, None, POLICY,
                 by_hospital=True)
    assert m.cancel(uow(), CLOCK, CLERK, soon.appointment.id, "the clinic is closed that day", POLICY,
                    by_hospital=True).by_hospital
    # The patient's own, at the desk: discharged, and told to see their GP.
    harold = patient(demo_engine, "Harold", "Finch")
    [his] = _upcoming(uow, CLERK, harold.id)
    own = m.cancel(uow(), CLOCK, CLERK, his.appointment.id, "the patient asked, on the phone", POLICY)
    assert own.view.appointment.status is AppointmentStatus.CANCELLED_BY_PATIENT and "GP" in own.sms.body
    with Session(demo_engine) as s:
        assert s.get(ReferralRow, his.appointment.referral_id).status == ReferralStatus.DISCHARGED.value
        texts = s.scalars(select(SmsMessageRow.body).where(SmsMessageRow.patient_id == margaret.id)).all()
        assert any("We will contact you with a new date" in body for body in texts)


def test_no_clinic_opens_on_a_bank_holiday_or_a_closure_declared_later(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    """Hazard 2: free times, the demo's bookings, reschedule offers and desk bookings fell on Christmas Day, the
    substitute Boxing Day and New Year's Day. None is generated, offered or booked now; a closure the trust
    declares after a booking leaves that booking a to-do to rebook, and its free times go."""
    import tomllib
    from datetime import date, datetime, time

    from data.closures import REBOOK_CLOSED
    from data.demo.builder import REFERENCE
    from data.models import AppointmentRow, AuditEventRow, ClinicianRow, ClinicRow, SlotRow
    from data.reference import apply
    from domain.appointments import booking
    from domain.clock import LONDON
    from domain.closures import bank_holiday
    from domain.reference import parse

    holidays = {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}
    assert all(bank_holiday(day) for day in holidays) and bank_holiday(date(2026, 12, 28)) == \
        "Boxing Day (substitute day)"
    with Session(demo_engine) as s:
        days = {at.astimezone(LONDON).date() for at in s.scalars(select(SlotRow.starts_at))}
        days |= {at.astimezone(LONDON).date() for at in s.scalars(select(AppointmentRow.starts_at))}
        clinic = s.scalars(select(ClinicRow).where(ClinicRow.code == "CARD")).one()
    assert not days & holidays and not any(bank_holiday(day) for day in days)
    margaret = patient(demo_engine, "Margaret", "Thompson")
    offered = m.reschedule_options(uow(), CLOCK, PatientSession(margaret.id, FIXED_NOW),
                                   _upcoming(uow, CLERK, margaret.id)[0].appointment.id, POLICY)
    at_desk = booking.booking_slots(uow(), CLOCK, CLERK, margaret.id, clinic.id, POLICY)
    assert offered and at_desk and not any(
        bank_holiday(slot.starts_at.astimezone(LONDON).date()) for slot in [*offered, *at_desk])
    # A slot made on Christmas Day by hand (a list read before the closure was known) cannot be booked.
    with Session(demo_engine) as s:
        person = s.scalars(select(ClinicianRow).where(ClinicianRow.code == "C1001")).one()
        christmas = SlotRow(clinic_id=clinic.id, clinician_id=person.id, location_id=clinic.location_id,
                            starts_at=datetime.combine(date(2026, 12, 25), time(10), LONDON), duration_minutes=20)
        s.add(christmas)
        s.commit()
        christmas_id = christmas.id
    [hers] = _upcoming(uow, CLERK, margaret.id)
    with pytest.raises(Refused, match=r"closed that day \(Christmas Day \(a bank holiday\)\)"):
        m.reschedule(uow(), CLOCK, CLERK, hers.appointment.id, christmas_id, POLICY, "the patient asked, on the phone")
    # The trust closes the cardiology clinic on the day of Margaret's booking (study leave), after it was made.
    day = hers.appointment.starts_at.astimezone(LONDON).date()
    document = tomllib.loads(REFERENCE.read_text(encoding="utf-8"))
    document["trust"][0]["closure"] = [{"from": day, "clinic": "CARD", "reason": "Consultant on study leave"}]
    with Session(demo_engine) as s:
        report = apply(s, parse(document), FIXED_NOW)
        s.commit()
    assert report.swept[1] == 1 and "1 booking on a closed day" in str(report)
    assert report.changes["closure"]["added"] == 1
    with Session(demo_engine) as s:
        row = s.get(AppointmentRow, hers.appointment.id)
        assert row.status == "booked" and row.arrangements == f"{REBOOK_CLOSED} (Consultant on study leave)"
        assert s.scalars(select(AuditEventRow.detail).where(AuditEventRow.action == "closed_day_booking")).one()
        that_day = [at for at in s.scalars(select(SlotRow.starts_at).where(SlotRow.clinic_id == clinic.id))
                    if at.astimezone(LONDON).date() == day]
        assert len(that_day) == 1  # only Margaret's own, still booked; the free ones went
    assert not any(slot.starts_at.astimezone(LONDON).date() == day
                   for slot in booking.booking_slots(uow(), CLOCK, CLERK, margaret.id, clinic.id, POLICY))
    with Session(demo_engine) as s:  # a second load changes nothing and tells no one twice
        again = apply(s, parse(document), FIXED_NOW)
        s.commit()
    assert again.swept == (0, 0) and not again.changed


def test_a_patient_who_has_died_is_said_plainly_and_nothing_goes_to_them(demo_engine, uow, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Hazard 3: a patient who has died was found and opened like any other. The desk's results and record say
    so; nothing is moved, texted or posted; the kiosk account is closed."""
    from datetime import timedelta

    from data.models import DocumentRow, PatientRow
    from data.records.letters_pdf import PdfLetterPrinter
    from domain.identifiers import EmailAddress
    from domain.identity import sign_in
    from domain.identity.my_details import my_details
    from domain.records import post
    from domain.staff import desk
    from tests.data.demo_fixtures import FAST_HASHER

    harold = patient(demo_engine, "Harold", "Finch")
    [his] = _upcoming(uow, CLERK, harold.id)
    died = FIXED_NOW.date() - timedelta(days=2)
    with Session(demo_engine) as s:
        s.get(PatientRow, harold.id).date_of_death = died
        s.add(DocumentRow(patient_id=harold.id, trust_code="RWG", kind="clinic_outcome", title="Clinic letter",
                          written_at=FIXED_NOW, content_type="text/markdown", size_bytes=5, body_markdown="Hello",
                          post_status="queued"))
        s.commit()
    [match] = desk.find_patients(uow(), CLOCK, CLERK, f"finch {harold.date_of_birth.isoformat()}", FIXED_NOW.date())
    assert match.date_of_death == died
    assert my_details(uow(), CLOCK, CLERK, harold.id).date_of_death == died
    with pytest.raises(Refused, match="they have died"):
        m.reschedule(uow(), CLOCK, CLERK, his.appointment.id,
                     m.reschedule_options(uow(), CLOCK, CLERK, his.appointment.id, POLICY)[0].id, POLICY,
                     "the patient asked, on the phone")
    done = m.cancel(uow(), CLOCK, CLERK, his.appointment.id, "the patient asked, by letter or email", POLICY)
    assert done.sms is None  # no text to someone who has died
    with pytest.raises(Refused, match="This account is closed"):
        sign_in.begin(uow(), CLOCK, FAST_HASHER, EmailAddress.parse("harold.finch@example.com"), "kiosk-demo-2026",
                      FAST_HASHER.hash("nobody"))
    room = post.post_room(uow(), CLOCK, SUPERVISOR)
    assert [item.problem for item in room.waiting if item.patient_id == harold.id] == [
        f"the patient died on {died.day} {died:%B %Y}: not posted".replace(f"{died.day} ", f"{died:%A} {died.day} ")]
    printed = post.print_batch(uow(), CLOCK, SUPERVISOR, PdfLetterPrinter(), lambda name, content: str(tmp_path / name))
    assert printed is None or all(item.patient_id != harold.id for item in printed[1])


def test_a_letter_that_cannot_arrive_is_not_sent_and_the_desk_phones(demo_engine, uow, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Hazard 5: a letter for an appointment the next morning was printed and the patient told it was posted.
    Booked or moved too close for the post (three working days, bank holidays not counted), no paper letter is
    queued, the text says nothing of a letter, and the appointment carries a to-do to phone the patient; a letter
    already waiting is not printed once it can no longer arrive."""
    from datetime import timedelta

    from data.models import AppointmentRow, DocumentRow
    from data.records.letters_pdf import PdfLetterPrinter
    from domain.appointments import booking
    from domain.appointments.changes import Letter
    from domain.records import post

    harold = patient(demo_engine, "Harold", "Finch")  # letters by post
    clinic = booking.booking_clinics(uow(), CLOCK, CLERK, harold.id)[0].clinic
    near = next(s for s in booking.booking_slots(uow(), CLOCK, CLERK, harold.id, clinic.id, POLICY)
                if s.starts_at < FIXED_NOW + timedelta(days=3))
    done = booking.book(uow(), CLOCK, CLERK, harold.id, near.id, booking.BookingKind.FOLLOW_UP, "the clinic asked",
                        POLICY, "https://p.example")
    assert done.letter is Letter.TOO_LATE and not done.posted
    assert done.sms is not None and "letter" not in done.sms.body.lower()
    page = m.appointment_page(uow(), CLOCK, CLERK, done.view.appointment.id, POLICY)
    assert post.TOO_LATE_TO_POST in (page.view.appointment.arrangements or "")
    with Session(demo_engine) as s:
        assert s.scalars(select(DocumentRow.post_status).where(
            DocumentRow.appointment_id == done.view.appointment.id)).one() is None
    far = next(s for s in booking.booking_slots(uow(), CLOCK, CLERK, harold.id, clinic.id, POLICY)
               if s.starts_at > FIXED_NOW + timedelta(days=10))
    later = booking.book(uow(), CLOCK, CLERK, harold.id, far.id, booking.BookingKind.FOLLOW_UP, "the clinic asked",
                         POLICY, "https://p.example")
    assert later.letter is Letter.POST and later.posted and "A letter follows." in later.sms.body
    # A letter queued in time, printed once it no longer can arrive: held, and the desk is to phone.
    with Session(demo_engine) as s:
        s.get(AppointmentRow, later.view.appointment.id).starts_at = FIXED_NOW + timedelta(days=1)
        s.commit()
    room = post.post_room(uow(), CLOCK, SUPERVISOR)
    [held] = [item for item in room.waiting if item.appointment_id == later.view.appointment.id]
    assert held.problem and "cannot arrive before the appointment" in held.problem
    printed = post.print_batch(uow(), CLOCK, SUPERVISOR, PdfLetterPrinter(), lambda name, content: str(tmp_path / name))
    assert printed is None or all(item.appointment_id != later.view.appointment.id for item in printed[1])
    page = m.appointment_page(uow(), CLOCK, CLERK, later.view.appointment.id, POLICY)
    assert page.view.appointment.arrangements == post.TOO_LATE_TO_POST


def test_paperless_without_a_portal_account_gets_paper(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    """Hazard 7: "your letter is in the portal" to someone with no portal account. They get paper; the text says
    a letter follows."""
    from datetime import timedelta

    from data.models import PatientRow
    from domain.appointments import booking
    from domain.appointments.changes import Letter

    ellie = patient(demo_engine, "Ellie", "Parker")  # no account
    with Session(demo_engine) as s:
        s.get(PatientRow, ellie.id).letter_preference = "paperless"
        s.commit()
    clinic = booking.booking_clinics(uow(), CLOCK, CLERK, ellie.id)[0].clinic
    slot = next(s for s in booking.booking_slots(uow(), CLOCK, CLERK, ellie.id, clinic.id, POLICY)
                if s.starts_at > FIXED_NOW + timedelta(days=10))
    done = booking.book(uow(), CLOCK, CLERK, ellie.id, slot.id, booking.BookingKind.NEW_REFERRAL, "GP referral",
                        POLICY, "https://p.example", ubrn="0001 2345 6789")
    assert done.letter is Letter.POST and done.posted
    assert "A letter follows." in done.sms.body and "portal" not in done.sms.body.split("register")[0]


def test_an_arrangement_for_the_old_time_is_not_shown_as_booked_for_the_new(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    """Hazard 9: after a move the record said both "Polish interpreter booked" and "Rebook the Polish interpreter".
    The new booking's interpreter is pending until marked rebooked; marking it is audited."""
    from domain.appointments import booking

    krzysztof = patient(demo_engine, "Krzysztof", "Wiśniewski")
    [his] = _upcoming(uow, CLERK, krzysztof.id)
    slot = m.reschedule_options(uow(), CLOCK, CLERK, his.appointment.id, POLICY)[-1]
    moved = m.reschedule(uow(), CLOCK, CLERK, his.appointment.id, slot.id, POLICY, "the patient asked, on the phone")
    new = m.appointment_page(uow(), CLOCK, CLERK, moved.new.appointment.id, POLICY).view.appointment
    assert new.interpreter_language == "Polish" and new.pending("interpreter") and not new.pending("transport")
    booking.arrangements_done(uow(), CLOCK, CLERK, new.id)
    done = m.appointment_page(uow(), CLOCK, CLERK, new.id, POLICY).view.appointment
    assert not done.pending("interpreter") and done.arrangements_done_by == "clerk.demo"


def test_an_e_rs_first_appointment_shows_its_ubrn(demo_engine, uow) -> None:  # type: ignore[no-untyped-def]
    """Hazard 10: the patient was told to use "your booking reference" for e-RS and shown the hospital's own
    reference. The page shows the UBRN, and the words that send them to e-RS give it."""
    from domain.appointments.rules import Action

    seun = patient(demo_engine, "Oluwaseun", "Adebayo")
    me = PatientSession(seun.id, FIXED_NOW)
    [first] = _upcoming(uow, me, seun.id)
    page = m.appointment_page(uow(), CLOCK, me, first.appointment.id, POLICY)
    assert page.ubrn and len(page.ubrn) == 12
    shown = f"{page.ubrn[:4]} {page.ubrn[4:8]} {page.ubrn[8:]}"
    assert all(shown in page.decisions[action].instead for action in Action)
