"""Writes the demo hospital's rows: the places first, then patients through helpers that book like a clerk."""

from __future__ import annotations

import bisect
import unicodedata
from datetime import date, datetime, time, timedelta

import nhs_number
from pathlib import Path
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.demo import hospital
from data.models import (
    HospitalNumberRow,
    AppointmentRow,
    ClinicianRow,
    ClinicRow,
    DocumentRow,
    LocationRow,
    PatientAccountRow,
    PatientRow,
    ReferralRow,
    SiteRow,
    SlotRow,
    TestResultRow,
)
from domain.records import letters
from domain.appointments.model import AppointmentKind, AppointmentStatus, CancelledBy, ReferralStatus
from domain.identifiers import NhsNumber
from domain.identity.patients import LetterPreference
from domain.ports import PasswordHasher
from domain.records.model import DocumentKind, ReferenceRange, ResultFlag


REFERENCE = Path(__file__).with_name("reference.toml")
"""The demo trust's reference data, in the format a trust writes for `portal-tui reference load`."""


def synthetic_nhs_numbers():
    """Valid NHS numbers from the range never issued to real people (999…), in a fixed order."""
    for serial in range(1, 1_000_000):
        digits = f"999{serial:06d}"
        check = nhs_number.calculate_checksum(digits)
        if check is not None and check < 10:
            yield NhsNumber.parse(digits + str(check))


def _ascii(text: str) -> str:
    """'wiśniewski' → 'wisniewski': demo emails a patient can type on any keyboard."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class DemoBuilder:
    """Keeps the look-ups (clinics, clinicians, free slots) a clerk would have in front of them."""

    def __init__(self, session: Session, today: date, hasher: PasswordHasher, password: str) -> None:
        self.session = session
        self.today = today
        self.now = hospital.london(today, time(8, 0))
        self.hasher = hasher
        self.password = password
        self._password_hash: str | None = None
        self.accounts: list[tuple[str, str, str]] = []
        self._nhs_numbers = synthetic_nhs_numbers()
        self._serials: dict[str, int] = {}
        self._free: dict[int, list[tuple[datetime, int]]] = {}
        self.trust_names: dict[str, tuple[str, str]] = {}

    def password_hash(self) -> str:
        """The demo password's hash, made once: every demo account has the same published password, so one salt
        for them all gives nothing away, and 32 Argon2 hashes were most of the time `demo load` took."""
        if self._password_hash is None:
            self._password_hash = self.hasher.hash(self.password)
        return self._password_hash

    # --- the places ---------------------------------------------------------------------------------

    def build_hospital(self) -> None:
        """The demo trust's reference data through `reference load`'s own path, and its free times."""
        from data.reference import apply, generate_slots, read

        s = self.session
        reference = read(REFERENCE)
        apply(s, reference, self.now)
        generate_slots(s, self.today + timedelta(days=1), hospital.HORIZON_DAYS)
        s.flush()
        self.trust_names = {t.code.value: (t.name, t.appointments_phone) for t in reference.trusts}
        self.sites = {row.id: row for row in s.scalars(select(SiteRow))}
        self.locations = {row.id: row for row in s.scalars(select(LocationRow))}
        self.clinics: dict[str, ClinicRow] = {row.code: row for row in s.scalars(select(ClinicRow))}
        by_code = {row.code: row for row in s.scalars(select(ClinicianRow))}
        self.clinicians: dict[str, list[ClinicianRow]] = {}
        self.slot_minutes: dict[str, int] = {}
        for trust in reference.trusts:
            for clinic in trust.clinics:
                self.clinicians[clinic.code] = [by_code[p.code] for p in clinic.clinicians]
                self.slot_minutes[clinic.code] = clinic.clinicians[0].sessions[0].slot_minutes
        for person in by_code.values():
            ids = s.execute(select(SlotRow.starts_at, SlotRow.id).where(SlotRow.clinician_id == person.id)
                            .order_by(SlotRow.starts_at)).all()
            self._free[person.id] = [(start, slot_id) for start, slot_id in ids]

    # --- people -------------------------------------------------------------------------------------

    def patient(self, given: str, family: str, born: date, postcode: str, *, trust: str = "RWG",
                mobile: bool = True, email: bool = True, registered: bool = False,
                letters_by: LetterPreference = LetterPreference.PAPER, died: date | None = None,
                with_nhs_number: bool = True) -> PatientRow:
        serial = self._next(f"patient-{trust}")
        number = next(self._nhs_numbers) if with_nhs_number else None
        address = _ascii(f"{given}.{family}".lower()).replace("'", "").replace(" ", "-") + "@example.com"
        row = PatientRow(
            nhs_number=number.digits if number else None,
            hospital_number=f"{trust}{(1 if trust == 'RWG' else 2) * 1_000_000 + serial:07d}",
            trust_code=trust, given_name=given, family_name=family, date_of_birth=born, date_of_death=died,
            postcode=postcode, address_lines=_demo_address(serial + (0 if trust == "RWG" else 500), postcode),
            mobile=f"+447700900{serial if trust == 'RWG' else 500 + serial:03d}" if mobile else None,
            email=address if email else None, letter_preference=letters_by.value,
        )
        self.session.add(row)
        self.session.flush()
        self.session.add(HospitalNumberRow(patient_id=row.id, trust_code=trust, value=row.hospital_number))
        if registered:
            assert row.email is not None, "a registered demo patient needs an email"
            self.session.add(PatientAccountRow(patient_id=row.id, email=row.email,
                                               password_hash=self.password_hash(),
                                               registered_at=self.now - timedelta(days=30 + serial)))
            self.accounts.append((f"{given} {family}", row.email, number.formatted if number else "-"))
        return row

    def referral(self, patient: PatientRow, clinic: str, *, ers: bool = False, weeks_ago: int = 8,
                 discharged: bool = False) -> ReferralRow:
        row = ReferralRow(patient_id=patient.id, clinic_id=self.clinics[clinic].id,
                          status=(ReferralStatus.DISCHARGED if discharged else ReferralStatus.OPEN).value,
                          referred_on=self.today - timedelta(weeks=weeks_ago), booked_via_ers=ers,
                          ubrn=f"{self._next('ubrn'):012d}" if ers else None,
                          discharged_at=self.now - timedelta(days=2) if discharged else None)
        self.session.add(row)
        self.session.flush()
        return row

    # --- bookings -----------------------------------------------------------------------------------

    def book(self, patient: PatientRow, clinic: str, kind: AppointmentKind, days_ahead: int, *,
             clinician: int = 0, referral: ReferralRow | None = None, status: AppointmentStatus = AppointmentStatus.BOOKED,
             transport: bool = False, interpreter: str | None = None, times_rescheduled: int = 0,
             rescheduled_from: AppointmentRow | None = None, letter: bool = True) -> AppointmentRow:
        """Book the first free slot on or after `days_ahead`, as a clerk would; admissions take no slot."""
        person = self.clinicians[clinic][clinician]
        if kind.is_admission:
            day = _open_day(self.today + timedelta(days=days_ahead), 1)
            starts, slot_id, minutes = hospital.london(day, time(7, 30)), None, 480
        else:
            starts, slot_id = self._take_slot(person.id, self.today + timedelta(days=days_ahead))
            minutes = self.slot_minutes[clinic]
        row = self._appointment(patient, clinic, person, kind, status, starts, minutes, slot_id, referral,
                                transport=transport, interpreter=interpreter, times_rescheduled=times_rescheduled,
                                rescheduled_from=rescheduled_from)
        if letter and status is AppointmentStatus.BOOKED:
            self.confirmation_letter(patient, row)
        return row

    def soon(self, patient: PatientRow, clinic: str, kind: AppointmentKind, *,
             referral: ReferralRow | None = None) -> AppointmentRow:
        """An appointment within a day or so: the clinic's first free time tomorrow, or — when tomorrow has no
        clinic (a Friday's next is on Monday, beyond the 48-hour cut-off) — a time added at short notice
        tomorrow at 10:00, so that whatever day the demo is loaded one appointment is too close to change."""
        person = self.clinicians[clinic][0]
        tomorrow = _open_day(self.today + timedelta(days=1), 1, weekends=True)
        starts, slot_id = self._take_slot(person.id, tomorrow)
        minutes = self.slot_minutes[clinic]
        if starts - self.now > timedelta(hours=40):
            self._free[person.id].append((starts, slot_id))
            self._free[person.id].sort()
            starts = hospital.london(tomorrow, time(10, 0))
            slot = SlotRow(clinic_id=self.clinics[clinic].id, clinician_id=person.id,
                           location_id=self.clinics[clinic].location_id, starts_at=starts, duration_minutes=minutes)
            self.session.add(slot)
            self.session.flush()
            slot_id = slot.id
        row = self._appointment(patient, clinic, person, kind, AppointmentStatus.BOOKED, starts, minutes, slot_id,
                                referral)
        self.confirmation_letter(patient, row)
        return row

    def past(self, patient: PatientRow, clinic: str, kind: AppointmentKind, days_ago: int, *,
             status: AppointmentStatus = AppointmentStatus.ATTENDED, clinician: int = 0,
             referral: ReferralRow | None = None, cancelled_by: CancelledBy | None = None) -> AppointmentRow:
        """An appointment already behind the patient (or cancelled before it came)."""
        person = self.clinicians[clinic][clinician]
        day = _open_day(self.today - timedelta(days=days_ago), -1)
        starts = hospital.london(day, time(10, 20) if not kind.is_admission else time(7, 30))
        minutes = 480 if kind.is_admission else self.slot_minutes[clinic]
        row = self._appointment(patient, clinic, person, kind, status, starts, minutes, None, referral)
        if cancelled_by:
            row.cancelled_by = cancelled_by.value
            row.cancelled_at = starts - timedelta(days=5)
            row.cancellation_reason = "Clinic cancelled: consultant unavailable" if cancelled_by is CancelledBy.HOSPITAL \
                else "I no longer need this appointment"
            row.cancellation_reference = f"CX{self._next('cancel'):08d}"
        return row

    def reschedule_chain(self, patient: PatientRow, clinic: str, days_ahead: int, times: int) -> AppointmentRow:
        """A booking already moved `times` times: the old ones are 'rescheduled', the last points back."""
        referral = self.referral(patient, clinic)
        previous = None
        for count in range(times + 1):
            status = AppointmentStatus.RESCHEDULED if count < times else AppointmentStatus.BOOKED
            booked = self.book(patient, clinic, AppointmentKind.OUTPATIENT_FOLLOW_UP, days_ahead - 7 * (times - count),
                               referral=referral, status=status, times_rescheduled=count,
                               rescheduled_from=previous, letter=count == times)
            if previous is not None:
                previous.rescheduled_to_id = booked.id
            previous = booked
        assert previous is not None
        return previous

    def _appointment(self, patient: PatientRow, clinic: str, person: ClinicianRow, kind: AppointmentKind,
                     status: AppointmentStatus, starts: datetime, minutes: int, slot_id: int | None,
                     referral: ReferralRow | None, **extra: object) -> AppointmentRow:
        row_clinic = self.clinics[clinic]
        location = self.locations[row_clinic.location_id]
        prefix = "WH" if row_clinic.trust_code == "RWG" else "RF"
        rescheduled_from = extra.pop("rescheduled_from", None)
        row = AppointmentRow(
            reference=f"{prefix}{self._next('ref-' + prefix):06d}", patient_id=patient.id,
            trust_code=row_clinic.trust_code, clinic_id=row_clinic.id, clinician_id=person.id,
            location_id=location.id, slot_id=slot_id, referral_id=referral.id if referral else None, kind=kind.value,
            status=status.value, starts_at=starts, duration_minutes=minutes,
            booked_at=min(self.now, starts) - timedelta(days=21), transport_booked=bool(extra.get("transport")),
            interpreter_language=extra.get("interpreter"), times_rescheduled=int(extra.get("times_rescheduled", 0)),
            reschedule_limit=2, rescheduled_from_id=rescheduled_from.id if rescheduled_from is not None else None,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def _take_slot(self, clinician_id: int, day: date) -> tuple[datetime, int]:
        free = self._free[clinician_id]
        index = bisect.bisect_left(free, (hospital.london(day, time(0, 0)), 0))
        if index >= len(free):
            index = len(free) - 1
        return free.pop(index)

    def _next(self, counter: str) -> int:
        self._serials[counter] = self._serials.get(counter, 0) + 1
        return self._serials[counter]

    # --- records ------------------------------------------------------------------------------------

    def _context(self, patient: PatientRow, trust: str) -> letters.LetterContext:
        name, phone = self.trust_names[trust]
        formatted = NhsNumber(patient.nhs_number).formatted if patient.nhs_number else "not recorded"
        return letters.LetterContext(f"{patient.given_name} {patient.family_name}", formatted, name, phone)

    def _place(self, appointment: AppointmentRow) -> str:
        location = self.session.get(LocationRow, appointment.location_id)
        assert location is not None
        site = self.sites[location.site_id]
        return f"{location.name}, {site.name}, {site.address}, {site.postcode}"

    def confirmation_letter(self, patient: PatientRow, appointment: AppointmentRow) -> None:
        kind = AppointmentKind(appointment.kind)
        ctx = self._context(patient, appointment.trust_code)
        clinic = self.session.get(ClinicRow, appointment.clinic_id)
        person = self.session.get(ClinicianRow, appointment.clinician_id)
        assert clinic is not None and person is not None
        if kind.is_admission:
            body = letters.admission_confirmation(ctx, kind_label=kind.label, starts_at=appointment.starts_at,
                                                  place=self._place(appointment), reference=appointment.reference)
            doc_kind = DocumentKind.ADMISSION_CONFIRMATION
        else:
            body = letters.appointment_confirmation(
                ctx, kind_label=kind.label, starts_at=appointment.starts_at, clinic=clinic.name,
                clinician=f"{person.title} {person.given_name} {person.family_name}, {person.role}",
                place=self._place(appointment), reference=appointment.reference)
            doc_kind = DocumentKind.APPOINTMENT_CONFIRMATION
        self.document(patient, appointment.trust_code, doc_kind, f"{kind.label} – {clinic.name}", body,
                      written=appointment.booked_at, appointment=appointment)

    def outcome_letter(self, patient: PatientRow, appointment: AppointmentRow, diagnosis: str, plan: str) -> None:
        clinic = self.session.get(ClinicRow, appointment.clinic_id)
        person = self.session.get(ClinicianRow, appointment.clinician_id)
        assert clinic is not None and person is not None
        body = letters.clinic_outcome(self._context(patient, appointment.trust_code), seen_at=appointment.starts_at,
                                      clinic=clinic.name, clinician=f"{person.title} {person.given_name} "
                                      f"{person.family_name}, {person.role}", diagnosis=diagnosis, plan=plan)
        self.document(patient, appointment.trust_code, DocumentKind.CLINIC_OUTCOME, f"Clinic letter – {clinic.name}",
                      body, written=appointment.starts_at + timedelta(days=3), appointment=appointment)

    def discharge(self, patient: PatientRow, admission: AppointmentRow, days: int, reason: str, treatment: str,
                  medicines: list[str], follow_up: str) -> None:
        discharged = admission.starts_at + timedelta(days=days, hours=4)
        body = letters.discharge_summary(self._context(patient, admission.trust_code), admitted_at=admission.starts_at,
                                         discharged_at=discharged, ward=self._place(admission), reason=reason,
                                         treatment=treatment, medicines=medicines, follow_up=follow_up)
        self.document(patient, admission.trust_code, DocumentKind.DISCHARGE_SUMMARY, "Discharge summary", body,
                      written=discharged, appointment=admission)

    def document(self, patient: PatientRow, trust: str, kind: DocumentKind, title: str, body: str | None, *,
                 written: datetime, appointment: AppointmentRow | None = None, content_type: str = "text/markdown",
                 size: int | None = None, read: bool = False) -> None:
        self.session.add(DocumentRow(
            patient_id=patient.id, trust_code=trust, kind=kind.value, title=title, written_at=written,
            content_type=content_type, size_bytes=size if size is not None else len((body or "").encode()),
            body_markdown=body, appointment_id=appointment.id if appointment else None,
            read_at=written + timedelta(days=1) if read else None,
            # Paper letters of our own went by post too; a document from outside was never ours to post.
            post_status="posted" if patient.letter_preference == LetterPreference.PAPER.value and body else None))

    def result(self, patient: PatientRow, trust: str, days_ago: int, panel: str, test: str, value: float | str,
               unit: str | None, low: float | None = None, high: float | None = None, range_text: str | None = None,
               code: str | None = None) -> None:
        """A result; the flag is worked out from the range the way the lab would, or 'abnormal' for words."""
        number = float(value) if isinstance(value, (int, float)) else None
        reference = ReferenceRange(low, high, range_text)
        flag = reference.flag(number)
        if number is None and range_text is not None:
            flag = ResultFlag.NORMAL if str(value).lower() == range_text.lower() else ResultFlag.ABNORMAL
        self.session.add(TestResultRow(
            patient_id=patient.id, trust_code=trust, taken_at=self.now - timedelta(days=days_ago, hours=1),
            panel=panel, test_name=test, code=code, value_text=f"{value:g}" if number is not None else str(value),
            value_number=number, unit=unit, range_low=low, range_high=high, range_text=range_text, flag=flag.value))


_STREETS = ("Vicarage Road", "St Albans Road", "Cassio Road", "Hempstead Road", "Marlowes", "Hatfield Road",
            "Station Road", "Church Street", "Queens Avenue", "Langley Road", "Bushey Hall Road", "London Road")
_TOWNS = {"WD": "Watford", "AL": "St Albans", "HP": "Hemel Hempstead", "SG": "Stevenage", "EN": "Barnet",
          "NW": "London", "N": "London", "HA": "Harrow"}


def _demo_address(serial: int, postcode: str) -> str:
    """A made-up street address in the postcode's town, the same on every load."""
    area = "".join(ch for ch in postcode.split(" ")[0] if ch.isalpha())
    return f"{serial % 97 + 1} {_STREETS[serial % len(_STREETS)]}\n{_TOWNS.get(area, _TOWNS.get(area[:1], 'Watford'))}"


def _open_day(day: date, step: int, *, weekends: bool = False) -> date:
    """`day`, or the nearest day that is no bank holiday (and no weekend, unless `weekends`) in the direction of
    `step`: the demo never books a closed day."""
    from domain.closures import bank_holiday

    while (day.weekday() >= 5 and not weekends) or bank_holiday(day):
        day += timedelta(days=step)
    return day

