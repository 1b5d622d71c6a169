"""Patients as the hospital record holds them, and their portal accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.hospital import TrustCode
from domain.identifiers import EmailAddress, NhsNumber, UkMobile


class LetterPreference(StrEnum):
    """How the patient wants hospital letters."""

    PAPER = "paper"
    PAPERLESS = "paperless"


class NumberState(StrEnum):
    """A hospital number's state: the patient's now, or a record's that was merged into theirs (still finds them)."""

    CURRENT = "current"
    MERGED = "merged"


@dataclass(frozen=True, slots=True)
class Patient:
    """A patient's demographic record, as the hospital holds it (not as the patient typed it)."""

    id: int
    nhs_number: NhsNumber | None
    hospital_number: str
    trust: TrustCode
    given_name: str
    family_name: str
    date_of_birth: date | None
    """None: the PAS sent none. Such a record cannot register or be invited (nothing to confirm who it is by)."""
    postcode: str
    mobile: UkMobile | None
    email: EmailAddress | None
    letter_preference: LetterPreference
    date_of_death: date | None = None
    language: str | None = None
    """The language the patient chose for the kiosk and their texts; None: the trust's default."""

    @property
    def full_name(self) -> str:
        """Given name then family name, as letters address the patient."""
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        """Age in whole years on `day` (a birthday on 29 February counts from 1 March in other years)."""
        born = self.date_of_birth
        if born is None:
            raise ValueError("no date of birth on the record")
        had_birthday = (day.month, day.day) >= (born.month, born.day)
        return day.year - born.year - (0 if had_birthday else 1)


@dataclass(frozen=True, slots=True)
class PatientAccount:
    """A registered patient's portal sign-in: email, password hash and lock-out state."""

    patient_id: int
    email: EmailAddress
    password_hash: str
    registered_at: datetime
    failed_sign_ins: int = 0
    locked_until: datetime | None = None
