"""What people type at the kiosk that is not an identifier: dates of birth, and 'NHS number or hospital number'."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from domain.errors import InvalidValue
from domain.identifiers import NhsNumber
from domain.language import _

_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}


def parse_date_of_birth(text: str, today: date) -> date:
    """Day, month, year in the UK order, as people type them: '6/8/1958', '06-08-1958', '6 Aug 1958', '1958-08-06'."""
    raw = (text or "").strip().lower()
    if not raw:
        raise InvalidValue(_("Enter your date of birth, for example 15 3 1984."))
    parts = _day_month_year(raw)
    if parts is None:
        raise InvalidValue(_("Enter your date of birth as day, month and year, for example 15 3 1984."))
    day_text, month_text, year_text = parts
    month = _month(month_text)
    if not (day_text.isdigit() and year_text.isdigit()):
        raise InvalidValue(_("Enter your date of birth as day, month and year, for example 15 3 1984."))
    if len(year_text) != 4:
        raise InvalidValue(_("Enter the year in full, for example 1984."))
    try:
        born = date(int(year_text), month, int(day_text))
    except ValueError:
        raise InvalidValue(_("That date does not exist. Check the day and month.")) from None
    if born > today:
        raise InvalidValue(_("Your date of birth must be in the past."))
    if born.year < 1900:
        raise InvalidValue(_("Check the year of your date of birth."))
    return born


def parse_day(text: str, what: str) -> date:
    """A day typed as a date of birth may be ('24/11/2026', '24 Nov 2026', '2026-11-24'), for filters: `what`
    names the box in the message."""
    parts = _day_month_year((text or "").strip().lower())
    words = f"Enter the {what} date as day, month and year, for example 24 11 2026."
    if parts is None or not (parts[0].isdigit() and parts[2].isdigit() and len(parts[2]) == 4):
        raise InvalidValue(words)
    try:
        return date(int(parts[2]), _month(parts[1]), int(parts[0]))
    except (ValueError, InvalidValue):
        raise InvalidValue(words) from None


def _day_month_year(raw: str) -> list[str] | None:
    """The three parts in the UK order (day, month, year), whatever separates them; ISO order turned round."""
    parts = [p for p in re.split(r"[\s/.,\-]+", raw) if p]
    if len(parts) == 3 and len(parts[0]) == 4 and parts[0].isdigit():
        parts = [parts[2], parts[1], parts[0]]  # ISO order, year first
    return parts if len(parts) == 3 else None


def _month(text: str) -> int:
    if text.isdigit():
        number = int(text)
        if 1 <= number <= 12:
            return number
        raise InvalidValue(_("The month must be a number from 1 to 12, or its name."))
    if text in _MONTHS:
        return _MONTHS[text]
    raise InvalidValue(_("Enter the month as a number from 1 to 12, or its name."))


_HOSPITAL_NUMBER = re.compile(r"^[A-Z]{3}\d{7}$")


@dataclass(frozen=True, slots=True)
class HospitalNumber:
    """A trust's own patient number, as on the top of a hospital letter: RWG1000001."""

    value: str

    def __str__(self) -> str:
        return self.value


def parse_patient_identifier(text: str) -> NhsNumber | HospitalNumber:
    """An NHS number (10 digits) or a hospital number (three letters and seven digits)."""
    compact = re.sub(r"[\s\-]", "", text or "").upper()
    if not compact:
        raise InvalidValue(_("Enter your NHS number or your hospital number."))
    if compact.isdigit():
        return NhsNumber.parse(compact)
    if _HOSPITAL_NUMBER.match(compact):
        return HospitalNumber(compact)
    raise InvalidValue(_("Enter a 10-digit NHS number, or a hospital number like RWG1000001 from a hospital letter."))
