"""The desk's use cases bound to the database, the clock, the password hasher and the staff second factor."""

from __future__ import annotations

import threading
from datetime import date
from typing import TYPE_CHECKING, Any

from domain.staff import desk
from domain.staff import accounts as staff
from domain.clock import LONDON
from domain.staff.desk import OpenRecord, PatientMatch
from domain.ports import Clock
from domain.identity.session import StaffSession
from portal_tui.settings import Settings

if TYPE_CHECKING:
    from portal_tui.bootstrap import Database


class DeskServices:
    """One per desk app; the database side loads on first use."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._database: Database | None = None
        self._parts: dict[str, Any] = {}

    def today(self) -> date:
        return self.clock.now().astimezone(LONDON).date()

    def sign_in(self, username: str, password: str, code: str) -> StaffSession:
        hasher, factor, box, dummy = self._staff_parts()
        return staff.sign_in(self._uow(), self.clock, hasher, factor, box, username, password, code, dummy)

    def unlock(self, session: StaffSession, password: str) -> None:
        hasher, _, _, _ = self._staff_parts()
        staff.unlock(self._uow(), self.clock, hasher, session, password)

    def find_patients(self, session: StaffSession, query: str) -> list[PatientMatch]:
        return desk.find_patients(self._uow(), self.clock, session, query, self.today())

    def open_patient(self, session: StaffSession, patient_id: int, reason: str) -> OpenRecord:
        return desk.open_patient(self._uow(), self.clock, session, patient_id, reason)

    def _uow(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._database is None:
                from portal_tui.bootstrap import Database

                self._database = Database(self.settings, interactive=True)
        return self._database.unit_of_work()

    def _staff_parts(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if not self._parts:
                from data.identity.passwords import Argon2Hasher
                from data.staff.accounts import FernetBox, TotpFactor

                hasher = Argon2Hasher()
                self._parts = {"hasher": hasher, "factor": TotpFactor(),
                               "box": FernetBox(self.settings.require_staff_secret_key()),
                               "dummy": hasher.hash("no member of staff has this password")}
        p = self._parts
        return p["hasher"], p["factor"], p["box"], p["dummy"]
