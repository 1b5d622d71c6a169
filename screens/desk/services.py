"""What the desk's screens ask of the portal. The composition root supplies it; screens never see a database."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # names for the annotations only: the inbox and the tools load when they are opened
    from domain.staff.desk import OpenRecord, PatientMatch
    from domain.identity.session import StaffSession
    from screens.common.services import DeskRecordServices
    from screens.desk.support import SupportInbox
    from screens.desk.tools import SupervisorTools


class DeskServices(Protocol):
    """Use cases for staff. Every method may block: call it from a thread worker."""

    def sign_in(self, username: str, password: str, code: str) -> StaffSession: ...

    def sign_out(self, session: StaffSession, why: str = "signed out") -> None:
        """The member of staff has signed out (or been signed out, `why` says how): whatever held their session
        forgets it, and the audit trail says so."""
        ...

    def cover(self, session: StaffSession) -> None:
        """The desk is covered (Ctrl+L, or left idle): only the same person's password uncovers it (unlock)."""
        ...

    def session_check(self, session: StaffSession) -> str:
        """'' while the member of staff may still act; else why not (their account disabled, reset or given
        another role since they signed in). Asked every few seconds: it is no one's activity."""
        ...

    def unlock(self, session: StaffSession, password: str) -> None:
        """The same person's password uncovers an idle desk; raises Refused otherwise."""
        ...

    def find_patients(self, session: StaffSession, query: str) -> list[PatientMatch]: ...

    def open_patient(self, session: StaffSession, patient_id: int, reason: str) -> OpenRecord:
        """Audited with the reason."""
        ...

    def acting_for(self, session: StaffSession, patient_id: int) -> DeskRecordServices:
        """One patient's record, for the pages opened while acting for them."""
        ...

    def today(self) -> date: ...

    @property
    def support(self) -> SupportInbox:
        """The support inbox (problem reports)."""
        ...

    @property
    def supervision(self) -> SupervisorTools:
        """The supervisor's tools (each refuses, with the reason, a role it is not for)."""
        ...
