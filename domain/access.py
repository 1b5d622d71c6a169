"""Who may see whose record: the one rule every use case asks before it reads or writes."""

from __future__ import annotations

from dataclasses import dataclass

from domain.session import Actor, PatientSession, StaffSession


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
