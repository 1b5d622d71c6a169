"""SQLAlchemy table models. No instance of these ever leaves data/: convert.py turns them into domain objects."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from data.types import UtcDateTime, one_of
from domain.appointments.model import AppointmentKind, AppointmentStatus, CancelledBy, ReferralStatus
from domain.audit import Outcome
from domain.events.feed import Outcome as Hl7Outcome
from domain.identity.challenges import RegistrationRoute
from domain.identity.codes import CodePurpose
from domain.hospital import TrustCode
from domain.messaging.model import SmsStatus, SmsTemplate
from domain.identity.patients import LetterPreference, NumberState
from domain.records.model import DocumentKind, PostStatus, ResultFlag
from domain.identity.session import StaffRole
from domain.records.visits import VisitKind
from domain.reference import LocationKind
from domain.support.reports import ReportStatus

# Named constraints, so that migrations can find them again on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LIVE_STATUS_SQL = "status IN ('booked', 'attended', 'did_not_attend')"
"""The statuses in which a booking holds its slot (domain.appointments.model.LIVE_STATUSES)."""


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING)


class TrustRow(Base):
    __tablename__ = "trust"
    __table_args__ = (one_of("code", TrustCode, "code"),)

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    short_name: Mapped[str] = mapped_column(String(40))
    appointments_phone: Mapped[str] = mapped_column(String(20))
    appointments_email: Mapped[str] = mapped_column(String(120))


class SiteRow(Base):
    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(8))


class LocationRow(Base):
    __tablename__ = "location"
    __table_args__ = (UniqueConstraint("site_id", "name"), one_of("kind", LocationKind, "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    name: Mapped[str] = mapped_column(String(120))
    # The code the trust's reference data and the PAS use for it (PV1-3, AIL-3), and what it is: the feed
    # invites after an Emergency Department attendance, never after an Urgent Treatment Centre's.
    code: Mapped[str | None] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(12), default=LocationKind.CLINIC.value,
                                      server_default=LocationKind.CLINIC.value)


class ClinicRow(Base):
    __tablename__ = "clinic"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    specialty: Mapped[str] = mapped_column(String(80))
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    name_safe_in_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    # Booked at the Appointments desk (outpatient clinics); radiology, pre-op, day surgery and fast-track
    # diagnostics are booked by their own teams.
    outpatient: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # Gone from the trust's reference data: kept (appointments point at it), never offered for booking again.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))


class ClinicianRow(Base):
    __tablename__ = "clinician"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(20))
    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(80))
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class ClinicSessionRow(Base):
    """A clinician's weekly session in a clinic (reference data): the template free times are made from."""

    __tablename__ = "clinic_session"
    __table_args__ = (
        UniqueConstraint("clinician_id", "weekday", "starts"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_of_week"),
        CheckConstraint("slot_minutes > 0", name="slot_minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinician.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    weekday: Mapped[int] = mapped_column(Integer)
    starts: Mapped[str] = mapped_column(String(5))
    """'09:00', London time."""
    ends: Mapped[str] = mapped_column(String(5))
    slot_minutes: Mapped[int] = mapped_column(Integer)


class SlotRow(Base):
    __tablename__ = "slot"
    __table_args__ = (
        UniqueConstraint("clinician_id", "starts_at"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        # The free-slot search for a reschedule: same clinician, same location, a window of dates.
        Index("ix_slot_clinician_location_start", "clinician_id", "location_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinician.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)


class PatientRow(Base):
    __tablename__ = "patient"
    __table_args__ = (
        one_of("letter_preference", LetterPreference, "letter_preference"),
        one_of("trust_code", TrustCode, "trust_code"),
        Index("ix_patient_dob_postcode", "date_of_birth", "postcode"),
        # A hospital number is its trust's: the same digits at two trusts are two people (hospital_number below).
        UniqueConstraint("trust_code", "hospital_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str | None] = mapped_column(String(10), unique=True)
    """The national identifier (issued by NHS England): one per person across every trust."""
    hospital_number: Mapped[str] = mapped_column(String(20))
    """The number the patient's own trust (`trust_code`) gave them: what their letters and the desk show. Every
    number any trust gave them, this one included, is in hospital_number (HospitalNumberRow), where the feed
    finds people."""
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    """None: the PAS sent none (kept, but they cannot register or be invited until one arrives)."""
    date_of_death: Mapped[date | None] = mapped_column(Date)
    postcode: Mapped[str] = mapped_column(String(8))
    address_lines: Mapped[str | None] = mapped_column(String(400))
    """The postal address above the postcode, one line per line of text (the post room prints it)."""
    mobile: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    letter_preference: Mapped[str] = mapped_column(String(10), default=LetterPreference.PAPER.value)
    language: Mapped[str | None] = mapped_column(String(8))
    """The language the patient chose at the kiosk (domain/language.py's code); None: the trust's default."""


class PatientAccountRow(Base):
    __tablename__ = "patient_account"
    __table_args__ = (CheckConstraint("failed_sign_ins >= 0", name="failed_sign_ins_not_negative"),)

    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), primary_key=True)
    # One account per email address; stored normalised and lower-cased by the use case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class StaffMemberRow(Base):
    __tablename__ = "staff_member"
    __table_args__ = (one_of("role", StaffRole, "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sealed_secret: Mapped[str] = mapped_column(String(300), server_default="")
    """The TOTP secret, sealed with the staff_secret_key setting (Fernet): the database alone cannot open it."""
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    """The time step of the last code accepted: no code is used twice."""


class ReferralRow(Base):
    __tablename__ = "referral"
    __table_args__ = (one_of("status", ReferralStatus, "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    status: Mapped[str] = mapped_column(String(12))
    referred_on: Mapped[date] = mapped_column(Date)
    booked_via_ers: Mapped[bool] = mapped_column(Boolean, default=False)
    ubrn: Mapped[str | None] = mapped_column(String(12))
    discharged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AppointmentRow(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        one_of("status", AppointmentStatus, "status"),
        one_of("kind", AppointmentKind, "kind"),
        one_of("cancelled_by", CancelledBy, "cancelled_by"),
        CheckConstraint("times_rescheduled >= 0", name="times_rescheduled_not_negative"),
        # The reschedule limit holds in the database too, whatever a terminal's code believes.
        CheckConstraint("times_rescheduled <= reschedule_limit", name="within_reschedule_limit"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        # A slot holds at most one live booking: rescheduled and cancelled ones have given it back.
        Index(
            "uq_appointment_live_slot",
            "slot_id",
            unique=True,
            sqlite_where=text(LIVE_STATUS_SQL),
            postgresql_where=text(LIVE_STATUS_SQL),
        ),
        Index("ix_appointment_patient_start", "patient_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    transport_booked: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreter_language: Mapped[str | None] = mapped_column(String(40))
    times_rescheduled: Mapped[int] = mapped_column(Integer, default=0)
    reschedule_limit: Mapped[int] = mapped_column(Integer, default=2)
    # One successor at most: a booking is rescheduled once, into one new booking; each points to the other.
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"), unique=True)
    rescheduled_to_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"), unique=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(12))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancellation_reason: Mapped[str | None] = mapped_column(String(500))
    cancellation_reference: Mapped[str | None] = mapped_column(String(16), unique=True)
    # A booking, move or cancellation made at the desk: who (username), why, and what is left to do by hand.
    staff_by: Mapped[str | None] = mapped_column(String(64))
    staff_reason: Mapped[str | None] = mapped_column(String(200))
    arrangements: Mapped[str | None] = mapped_column(String(200))
    arrangements_done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    arrangements_done_by: Mapped[str | None] = mapped_column(String(64))
    online_changes: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    """False: the patient sees it but cannot move or cancel it online (a PAS appointment type the trust has not
    mapped, or mapped as not bookable online): they call the Appointments team."""


class DocumentRow(Base):
    __tablename__ = "document"
    __table_args__ = (
        one_of("kind", DocumentKind, "kind"),
        one_of("post_status", PostStatus, "post_status"),
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        Index("ix_document_patient_written", "patient_id", "written_at"),
        Index("ix_document_appointment", "appointment_id"),
        Index("ix_document_post_status", "post_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime())
    content_type: Mapped[str] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(Integer)
    body_markdown: Mapped[str | None] = mapped_column(Text)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # A paper copy: queued for the post room, printed in a batch, then posted. None when the patient reads
    # letters only here.
    post_status: Mapped[str | None] = mapped_column(String(10))
    post_batch_id: Mapped[int | None] = mapped_column(ForeignKey("post_batch.id"))


class PostBatchRow(Base):
    """Letters printed together as one PDF: printed once, then marked posted."""

    __tablename__ = "post_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    printed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    printed_by: Mapped[str] = mapped_column(String(40))
    letters: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(300))
    posted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    posted_by: Mapped[str | None] = mapped_column(String(40))


class TestResultRow(Base):
    __tablename__ = "test_result"
    __test__ = False
    __table_args__ = (
        one_of("flag", ResultFlag, "flag"),
        Index("ix_test_result_patient_taken", "patient_id", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime())
    panel: Mapped[str] = mapped_column(String(120))
    test_name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str | None] = mapped_column(String(40))
    value_text: Mapped[str] = mapped_column(String(200))
    value_number: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(40))
    range_low: Mapped[float | None] = mapped_column(Float)
    range_high: Mapped[float | None] = mapped_column(Float)
    range_text: Mapped[str | None] = mapped_column(String(120))
    flag: Mapped[str] = mapped_column(String(12))
    # What the release policy reads (domain/records/release.py): the kind of finding, the grouping report's
    # code, and a clinician's early release.
    category: Mapped[str | None] = mapped_column(String(40))
    panel_code: Mapped[str | None] = mapped_column(String(40))
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class VisitRow(Base):
    """A hospital contact from a trust's own system (imported): outpatient visit, stay or ED attendance."""

    __tablename__ = "visit"
    __table_args__ = (
        one_of("kind", VisitKind, "kind"),
        Index("ix_visit_patient_started", "patient_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(200))


class HospitalNumberRow(Base):
    """A hospital number and the trust that issued it: unique within that trust, never across trusts. A patient
    has one or more (their own trust's, a partner trust's, the numbers of records merged into theirs)."""

    __tablename__ = "hospital_number"
    __table_args__ = (
        UniqueConstraint("value", "trust_code"),  # value first: the feed asks by value, of one trust or of each
        one_of("state", NumberState, "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    value: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(8), default=NumberState.CURRENT.value)


class RestoreRow(Base):
    """A restore from a backup (`portal-tui db restore`, or `db restored` after pg_restore): when, what was held,
    and from which backup. Reminders the live database could have queued before it are queued held after it."""

    __tablename__ = "restore_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    restored_at: Mapped[datetime] = mapped_column(UtcDateTime())
    texts_held: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))


class HeartbeatRow(Base):
    """When a long-running service (the SMS dispatcher, the HL7 listener) on a host last said it was alive: what
    `portal-tui status` reads."""

    __tablename__ = "heartbeat"

    service: Mapped[str] = mapped_column(String(24), primary_key=True)
    host: Mapped[str] = mapped_column(String(120), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ClosureRow(Base):
    """A day or days the trust, or one site, clinic or clinician of it, sees no one (the reference data's
    [[trust.closure]]); bank holidays are not stored (domain/closures.py knows them)."""

    __tablename__ = "closure"
    __table_args__ = (CheckConstraint("last_day >= first_day", name="range_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(120))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id"))
    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("clinician.id"))


class AppointmentTypeRow(Base):
    """A trust's own appointment type code (SIU SCH-8, or SCH-7/AIS-3 where its PAS puts it) and what it is to the
    portal (the reference data's [[appointment_types]])."""

    __tablename__ = "appointment_type"
    __table_args__ = (
        UniqueConstraint("trust_code", "code"),
        one_of("kind", AppointmentKind, "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(32))
    online_changes: Mapped[bool] = mapped_column(Boolean, default=True)


MERGED_ID = "urn:portal:merged-patient-id"
"""The system under which a merged-away record's own id is kept on the survivor: its audit entries stay under it."""


class PatientIdentifierRow(Base):
    """Another system's identifier for one of our patients (a FHIR source's own id), kept as it came."""

    __tablename__ = "patient_identifier"
    __table_args__ = (UniqueConstraint("system", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    system: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(String(100))


class ExternalRecordRow(Base):
    """One imported resource: where it came from, what it became, and a hash of it (a re-import of the
    same resource changes nothing; a changed one updates what it became)."""

    __tablename__ = "external_record"
    __table_args__ = (UniqueConstraint("trust_code", "resource_type", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_code: Mapped[str] = mapped_column(ForeignKey("trust.code"))
    resource_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    target_table: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[int | None] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SmsMessageRow(Base):
    __tablename__ = "sms_message"
    __table_args__ = (
        one_of("status", SmsStatus, "status"),
        one_of("template", SmsTemplate, "template"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The dispatcher's queue: what is due, oldest first.
        Index("ix_sms_message_status_send_after", "status", "send_after"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    to_number: Mapped[str] = mapped_column(String(16))
    template: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(String(918))
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    send_after: Mapped[datetime] = mapped_column(UtcDateTime())
    # One reminder per appointment per window, and the like: a unique key for messages that must not repeat.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    language: Mapped[str] = mapped_column(String(8), server_default="en")
    """The language the text is written in: it goes to that language's Notify template."""
    # While a dispatcher holds a message: its token, and when its claim runs out if it dies.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AuditEventRow(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        one_of("outcome", Outcome, "outcome"),
        Index("ix_audit_event_patient_at", "patient_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(40))
    actor_role: Mapped[str | None] = mapped_column(String(40))
    # No foreign key: the trail must also record attempts on records that do not exist.
    patient_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(Text, default="")
    terminal: Mapped[str | None] = mapped_column(String(80))
    """Which kiosk or desk it happened at (the terminal_id setting, else host and tty)."""


class LimitEventRow(Base):
    """One counted event of a limit (a wrong code, a text to a mobile…): `subject` is a keyed hash, never the
    address or number itself. Rows are counters, not a record: a success or staff reopening clears them."""

    __tablename__ = "limit_event"
    __table_args__ = (Index("ix_limit_event_event_subject_at", "event", "subject", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    terminal: Mapped[str | None] = mapped_column(String(80))


HL7_TAKEN = "outcome IN ('accepted', 'ignored')"
"""The messages a control id was taken by (acted on or ignored). A query that asks for them says it in these very
words, so that the database sees it may use the partial index below; as bound parameters it cannot, and reads
the whole table for every message."""


class Hl7MessageRow(Base):
    """A message of the hospital's HL7 v2 feed, stored before anything is done with it, and its outcome."""

    __tablename__ = "hl7_message"
    __table_args__ = (
        one_of("outcome", Hl7Outcome, "outcome"),
        # One message per sender and control id is ever acted on or ignored; resends are stored as duplicates.
        Index("uq_hl7_message_first", "sender", "control_id", unique=True,
              sqlite_where=text(HL7_TAKEN), postgresql_where=text(HL7_TAKEN)),
        Index("ix_hl7_message_outcome", "outcome", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(120))
    control_id: Mapped[str | None] = mapped_column(String(80))
    message_type: Mapped[str | None] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    raw: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    """Where it came from: 'mllp 10.0.0.5:40122' or a file's path."""
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(300))


class PortalMetaRow(Base):
    """Facts about this database itself, such as when the demo hospital was loaded."""

    __tablename__ = "portal_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class InvitationRow(Base):
    """An SMS invitation to register; only the code's hash is kept."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OneTimeCodeRow(Base):
    """A one-time code sent by SMS: salted hash, lifetime, wrong tries."""

    __tablename__ = "one_time_code"
    __table_args__ = (
        one_of("purpose", CodePurpose, "purpose"),
        CheckConstraint("wrong_tries >= 0", name="wrong_tries_not_negative"),
        Index("ix_one_time_code_patient_purpose_created", "patient_id", "purpose", "created_at"),
        Index("ix_one_time_code_challenge", "challenge_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    purpose: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    wrong_tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    challenge_id: Mapped[str | None] = mapped_column(String(64))
    """The sign-in or registration attempt that asked for it: only that attempt can use it."""


class ChallengeRow(Base):
    """A registration or sign-in waiting for its code; the id is the unguessable ticket the screen holds."""

    __tablename__ = "challenge"
    __table_args__ = (
        one_of("purpose", CodePurpose, "purpose"),
        one_of("route", RegistrationRoute, "route"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    route: Mapped[str | None] = mapped_column(String(16))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ProblemReportRow(Base):
    """A technical problem someone reported (domain/support/reports.py): what they wrote, what the program
    captured (never patient data), where a reply goes, and where it stands."""

    __tablename__ = "problem_report"
    __table_args__ = (one_of("status", ReportStatus, "status"), Index("ix_problem_report_status", "status", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    tried: Mapped[str] = mapped_column(Text)
    happened: Mapped[str] = mapped_column(Text)
    screen: Mapped[str] = mapped_column(String(80))
    terminal_size: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(10))
    error_reference: Mapped[str | None] = mapped_column(String(20))
    terminal: Mapped[str] = mapped_column(String(80))
    reply_to: Mapped[str | None] = mapped_column(String(16))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    reply_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ProblemReplyRow(Base):
    __tablename__ = "problem_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("problem_report.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    staff_username: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
