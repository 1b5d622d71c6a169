"""Merging two records of one person (ADT A40): everything under the record merged away moves to the survivor,
inside the caller's transaction, and the merged-away row goes — its hospital number kept on the survivor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from data.models import (
    MERGED_ID,
    AppointmentRow,
    AuditEventRow,
    ChallengeRow,
    DocumentRow,
    ExternalRecordRow,
    InvitationRow,
    OneTimeCodeRow,
    PatientAccountRow,
    PatientIdentifierRow,
    PatientRow,
    ReferralRow,
    SmsMessageRow,
    TestResultRow,
    VisitRow,
)

_MOVED = (AppointmentRow, ReferralRow, DocumentRow, TestResultRow, VisitRow, ExternalRecordRow, SmsMessageRow,
          InvitationRow, OneTimeCodeRow, ChallengeRow, PatientIdentifierRow)


def merge_patients(session: Session, gone_id: int, survivor_id: int, now: datetime, actor: str,
                   merged_system: str) -> str:
    """Move everything of `gone_id` to `survivor_id`; says what moved, for the message's record and the audit."""
    gone = session.get(PatientRow, gone_id, with_for_update=True)
    survivor = session.get(PatientRow, survivor_id, with_for_update=True)
    assert gone is not None and survivor is not None
    counts: list[str] = []
    for model in _MOVED:
        moved = session.execute(update(model).where(model.patient_id == gone_id)  # type: ignore[attr-defined]
                                .values(patient_id=survivor_id)).rowcount
        if moved:
            counts.append(f"{moved} {model.__tablename__.replace('_', ' ')}")  # type: ignore[attr-defined]
    account_said = _account(session, gone_id, survivor_id)
    # The audit trail is history, never rewritten: its entries stay under the id they were made under, and the
    # survivor keeps that id, so "who has looked at my record" goes on showing every look under either.
    session.add(PatientIdentifierRow(patient_id=survivor_id, system=MERGED_ID, value=str(gone_id)))
    gone_number, gone_nhs = gone.hospital_number, gone.nhs_number
    if survivor.mobile is None:
        survivor.mobile = gone.mobile
    if survivor.email is None:
        survivor.email = gone.email
    session.add(PatientIdentifierRow(patient_id=survivor_id, system=merged_system, value=gone_number))
    session.flush()
    session.execute(delete(PatientRow).where(PatientRow.id == gone_id))
    if survivor.nhs_number is None and gone_nhs is not None:
        survivor.nhs_number = gone_nhs
    session.flush()
    said = (", ".join(counts) or "nothing under it") + account_said
    session.add(AuditEventRow(at=now, actor_kind="system", actor_id=actor[:40], actor_role=None,
                              patient_id=survivor_id, action="merge_patients", outcome="success",
                              detail=f"record {gone_number} (id {gone_id}) merged into {survivor.hospital_number}: "
                                     f"{said}"[:2000], terminal="hl7 feed"))
    session.flush()
    return said


def _account(session: Session, gone_id: int, survivor_id: int) -> str:
    """The survivor keeps a portal account: its own if it has one, else the merged-away record's."""
    gone = session.get(PatientAccountRow, gone_id)
    if gone is None:
        return ""
    if session.get(PatientAccountRow, survivor_id) is None:
        email, password_hash, registered = gone.email, gone.password_hash, gone.registered_at
        failed, locked = gone.failed_sign_ins, gone.locked_until
        session.delete(gone)
        session.flush()
        session.add(PatientAccountRow(patient_id=survivor_id, email=email, password_hash=password_hash,
                                      registered_at=registered, failed_sign_ins=failed, locked_until=locked))
        return "; the portal account moved to the surviving record"
    session.delete(gone)
    return "; the surviving record's own portal account kept, the merged-away record's closed"
