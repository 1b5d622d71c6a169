"""Who may see whose record: the one rule every use case asks before it reads or writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.audit import AuditEvent, Outcome
from domain.errors import AccessDenied, NotFound
from domain.identity.session import Actor, PatientSession, StaffSession
from domain.language import _

if TYPE_CHECKING:
    from domain.ports import Clock, UnitOfWork


@dataclass(frozen=True, slots=True)
class Decision:
    """A yes or no, with the reason in plain words (for the audit trail, and for the screen when yes is no)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def record_access(actor: Actor, patient_id: int) -> Decision:
    """A patient sees only their own record; staff see any record if their role acts for patients."""
    if isinstance(actor, PatientSession):
        if actor.patient_id == patient_id:
            return Decision(True, "the patient's own record")
        return Decision(False, "a patient asked for another patient's record")
    if isinstance(actor, StaffSession):
        if actor.role.acts_for_patients:
            return Decision(True, f"staff ({actor.role.value}) acting for the patient")
        return Decision(False, f"staff role {actor.role.value} does not act for patients")
    return Decision(False, "no one is signed in")


def target_patient(actor: Actor, patient_id: int | None) -> int:
    """Whose record a use case is about: a patient's own (an id passed in only matters to the access check),
    or the one a member of staff chose."""
    if isinstance(actor, PatientSession):
        return actor.patient_id if patient_id is None else patient_id
    if patient_id is None:
        raise NotFound(_("Choose a patient first."))
    return patient_id


STAFF_READS = frozenset({"list_appointments", "view_appointment", "list_letters", "list_results", "list_visits",
                         "result_history", "view_details", "who_looked", "reschedule_options"})
"""Reads of a record that, done by staff, each leave an audit row (changes audit themselves, with their detail)."""


def require_access(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int, action: str, *,
                   hidden_as: str | None = None) -> None:
    """Go on, or audit the refusal (committed at once) and raise. With `hidden_as`, a patient is told that
    what they asked for does not exist: whether another patient's record exists is not theirs to learn.
    A member of staff's read is audited too, committed at once: the look happened, whatever follows."""
    decision = record_access(actor, patient_id)
    kind, actor_id, role = actor.audit_identity
    if decision:
        if isinstance(actor, StaffSession) and action in STAFF_READS:
            uow.audit.record(AuditEvent(at=clock.now(), actor_kind=kind, actor_id=actor_id, actor_role=role,
                                        action=action, outcome=Outcome.SUCCESS, patient_id=patient_id,
                                        detail=decision.reason))
            uow.commit()
        return
    uow.audit.record(AuditEvent(at=clock.now(), actor_kind=kind, actor_id=actor_id, actor_role=role, action=action,
                                outcome=Outcome.DENIED, patient_id=patient_id, detail=decision.reason))
    uow.commit()
    if isinstance(actor, PatientSession):
        raise NotFound(hidden_as) if hidden_as else AccessDenied(_("You can only see your own record."))
    raise AccessDenied(_("You cannot act for this patient."))
