"""The demo hospital: the same small trust every time, loaded once into an empty or migrated database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from data.models import (AppointmentRow, InvitationRow, PatientAccountRow, PatientRow, PortalMetaRow, SlotRow,
                         StaffMemberRow)
from domain.identity.codes import invitation_hash
from domain.identifiers import NhsNumber
from domain.ports import PasswordHasher

DEMO_PASSWORD = "kiosk-demo-2026"
"""Every registered demo patient signs in with this. Demo data only: never a real account."""

MARKER = "demo_hospital"
INVITATIONS_MARKER = "demo_invitations"
STAFF_MARKER = "demo_staff"

DEMO_STAFF_PASSWORD = "desk-demo-2026"
DEMO_TOTP_SECRET = "PORTALDEMOSTAFFKEYNOTFORREALUSE2"
"""Demo staff share one fixed authenticator key, printed by `demo load`, so a newcomer can sign in at the desk."""
DEMO_STAFF = [("clerk.demo", "Chris Clerk", "appointments_clerk"),
              ("supervisor.demo", "Sunita Supervisor", "appointments_supervisor"),
              ("admin.demo", "Alex Admin", "system_admin")]

DEMO_INVITATIONS = [
    # code, given name, family name, still valid: live codes for patients who may register, and two that must fail
    ("DEMO-GR4C", "Grace", "Osei", True),
    ("DEMO-LYAM", "Liam", "Byrne", True),
    ("DEMO-ME7Z", "Mei", "Zhang", True),
    ("DEMO-T9MS", "Tomás", "Silva", True),
    ("DEMO-JAC6", "Jacob", "Parker", True),  # turns 18 tomorrow: matches nothing, by the rules
    ("DEMO-XP7D", "Zainab", "Hussain", False),  # expired
]


@dataclass
class DemoReport:
    """What `demo load` did, and the accounts a newcomer can sign in with."""

    loaded: bool
    built_for: str
    patients: int = 0
    appointments: int = 0
    slots: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    invitations: list[tuple[str, str, str, bool]] = field(default_factory=list)
    staff: list[tuple[str, str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        head = (f"Loaded the demo hospital for {self.built_for}: {self.patients} patients, "
                f"{self.appointments} appointments, {self.slots} slots."
                if self.loaded else
                f"The demo hospital is already loaded (built for {self.built_for}); nothing changed.")
        lines = [head, "", f"Registered demo patients (password for all: {DEMO_PASSWORD}):"]
        lines += [f"  {name:<28} {email:<44} NHS {nhs}" for name, email, nhs in self.accounts]
        lines += ["", "Invitation codes (register with a code from a text message):"]
        lines += [f"  {code}  {name:<20} born {born}" + ("" if valid else "  (expired)")
                  for code, name, born, valid in self.invitations]
        if self.staff:
            lines += ["", f"Demo staff (password for all: {DEMO_STAFF_PASSWORD}; authenticator app key for all, "
                          f"demo only: {DEMO_TOTP_SECRET}):"]
            lines += [f"  {username:<20} {name:<20} {role}" for username, name, role in self.staff]
        return "\n".join(lines)


def load_demo(session: Session, today: date, hasher: PasswordHasher, seal: Callable[[str], str] | None = None
              ) -> DemoReport:
    """Build the demo hospital around `today` unless it is there already; the caller commits. With `seal` (the
    staff secret box's), demo staff are added too."""
    from data.demo.builder import DemoBuilder
    from data.demo.people import build_people

    if session.get_bind().dialect.name == "postgresql":
        # Two terminals running `demo load` at once: the second waits, then finds the marker.
        session.execute(text("SELECT pg_advisory_xact_lock(20261124)"))
    marker = session.get(PortalMetaRow, MARKER)
    loaded = marker is None
    if loaded:
        builder = DemoBuilder(session, today, hasher, DEMO_PASSWORD)
        builder.build_hospital()
        build_people(builder)
        session.add(PortalMetaRow(key=MARKER, value=today.isoformat()))
    if session.get(PortalMetaRow, INVITATIONS_MARKER) is None:
        _add_invitations(session, today)
        session.add(PortalMetaRow(key=INVITATIONS_MARKER, value=today.isoformat()))
        loaded = True
    if seal is not None and session.get(PortalMetaRow, STAFF_MARKER) is None:
        password_hash = hasher.hash(DEMO_STAFF_PASSWORD)
        for username, name, role in DEMO_STAFF:
            session.add(StaffMemberRow(username=username, display_name=name, role=role, password_hash=password_hash,
                                       active=True, sealed_secret=seal(DEMO_TOTP_SECRET)))
        session.add(PortalMetaRow(key=STAFF_MARKER, value=today.isoformat()))
        loaded = True
    session.flush()
    report = _report(session, loaded=loaded, built_for=marker.value if marker else today.isoformat())
    if session.get(PortalMetaRow, STAFF_MARKER) is not None:
        report.staff = list(DEMO_STAFF)
    return report


def _add_invitations(session: Session, today: date) -> None:
    """Invitation texts 'sent' for a few patients; the codes are printed and in the README."""
    sent = datetime.combine(today, time(8, 0), tzinfo=UTC)
    for code, given, family, valid in DEMO_INVITATIONS:
        patient_id = session.scalar(select(PatientRow.id).where(PatientRow.given_name == given,
                                                                PatientRow.family_name == family))
        if patient_id is None:
            continue
        expires = sent + (timedelta(days=30) if valid else -timedelta(days=1))
        session.add(InvitationRow(patient_id=patient_id, code_hash=invitation_hash(code),
                                  created_at=sent - timedelta(days=2), expires_at=expires))


def _report(session: Session, *, loaded: bool, built_for: str) -> DemoReport:
    count = lambda model: session.scalar(select(func.count()).select_from(model)) or 0  # noqa: E731
    rows = session.execute(
        select(PatientRow.given_name, PatientRow.family_name, PatientAccountRow.email, PatientRow.nhs_number)
        .join(PatientAccountRow, PatientAccountRow.patient_id == PatientRow.id)
        .order_by(PatientRow.id)
    ).all()
    accounts = [(f"{given} {family}", email, NhsNumber(nhs).formatted if nhs else "-")
                for given, family, email, nhs in rows]
    invitations = []
    for code, given, family, valid in DEMO_INVITATIONS:
        born = session.scalar(select(PatientRow.date_of_birth).where(PatientRow.given_name == given,
                                                                     PatientRow.family_name == family))
        if born is not None:
            invitations.append((code, f"{given} {family}", f"{born.day} {born:%B %Y}", valid))
    return DemoReport(loaded, built_for, count(PatientRow), count(AppointmentRow), count(SlotRow), accounts,
                      invitations)
