"""Merging two records of one person (ADT A40): everything under the record merged away moves to the survivor,
inside the caller's transaction, and the merged-away row goes — its hospital number kept on the survivor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from domain.identity.patients import NumberState

from data.models import (
    MERGED_ID,
    AppointmentRow,
    AuditEventRow,
    ChallengeRow,
    DocumentRow,
    ExternalRecordRow,
    HospitalNumberRow,
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
          InvitationRow, OneTimeCodeRow, ChallengeRow, PatientIdentifierRow, HospitalNumberRow)


def merge_patients(session: Session, gone_id: int, survivor_id: int, now: datetime, actor: str) -> str:
    """Move everything of `gone_id` to `survivor_id`; says what moved, for the message's record and the audit.
    The merged-away record's hospital numbers go with it, as 'merged': a later message naming one still finds
    the survivor."""
    gone = session.get(PatientRow, gone_id, with_for_update=True)
    survivor = session.get(PatientRow, survivor_id, with_for_update=True)
    assert gone is not None and survivor is not None
    session.execute(update(HospitalNumberRow).where(HospitalNumberRow.patient_id == gone_id)
                    .values(state=NumberState.MERGED.value))
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


def survive_as(session: Session, patient_id: int, trust: str, old_number: str, new_number: str, now: datetime,
               actor: str) -> str:
    """A merge into a record the portal never received: the record merged away is the person, and becomes the
    survivor — taking the survivor's hospital number as its own, its old number kept as merged (it still finds
    them). Says what was done, for the message's record and the audit."""
    row = session.get(PatientRow, patient_id, with_for_update=True)
    assert row is not None
    session.execute(update(HospitalNumberRow).where(HospitalNumberRow.patient_id == patient_id,
                                                    HospitalNumberRow.trust_code == trust,
                                                    HospitalNumberRow.value == old_number)
                    .values(state=NumberState.MERGED.value))
    taken = session.scalar(select(HospitalNumberRow.patient_id).where(HospitalNumberRow.value == new_number,
                                                                      HospitalNumberRow.trust_code == trust))
    if taken is None:
        session.add(HospitalNumberRow(patient_id=patient_id, trust_code=trust, value=new_number))
    if row.trust_code == trust and row.hospital_number == old_number:
        row.hospital_number = new_number
    said = (f"the surviving record {new_number} was not known: {old_number} becomes it, its old number kept as "
            "merged")
    session.add(AuditEventRow(at=now, actor_kind="system", actor_id=actor[:40], actor_role=None,
                              patient_id=patient_id, action="merge_patients", outcome="success",
                              detail=said[:2000], terminal="hl7 feed"))
    session.flush()
    return said
