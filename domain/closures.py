"""Days a clinic is closed: England and Wales bank holidays (the `holidays` package's list, which follows GOV.UK's,
substitute days included) and the trust's own closures from its reference data — a whole trust, a site, a clinic
or a clinician, for a day or a range. No free time on a closed day is generated, offered or booked; a booking
that a closure declared later falls on is left a to-do to rebook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from domain.clock import LONDON


@dataclass(frozen=True, slots=True)
class Closure:
    """The trust's own closure: None for site, clinic and clinician is the whole trust."""

    trust: str
    first: date
    last: date
    reason: str
    site_id: int | None = None
    clinic_id: int | None = None
    clinician_id: int | None = None

    def covers(self, day: date, trust: str, site_id: int | None, clinic_id: int | None,
               clinician_id: int | None) -> bool:
        return (self.first <= day <= self.last and self.trust == trust
                and self.site_id in (None, site_id) and self.clinic_id in (None, clinic_id)
                and self.clinician_id in (None, clinician_id))


@lru_cache(maxsize=32)
def bank_holidays(year: int) -> dict[date, str]:
    """England and Wales bank holidays of a year, with their names."""
    import holidays  # loaded where a day is decided, not at every start

    found = holidays.country_holidays("GB", subdiv="ENG", years=year, language="en_GB")
    return {day: name.replace("(observed)", "(substitute day)") for day, name in found.items()}


def bank_holiday(day: date) -> str | None:
    return bank_holidays(day.year).get(day)


@dataclass(frozen=True)
class Closed:
    """The closures in force: ask whether a place is closed on a day, and why."""

    closures: tuple[Closure, ...] = ()

    def why(self, day: date, trust: str, site_id: int | None = None, clinic_id: int | None = None,
            clinician_id: int | None = None) -> str | None:
        """Why that clinic (of that site, with that clinician) is closed on `day`, or None if it is open."""
        if holiday := bank_holiday(day):
            return f"{holiday} (a bank holiday)"
        found = next((c for c in self.closures if c.covers(day, trust, site_id, clinic_id, clinician_id)), None)
        return found.reason if found else None

    def why_at(self, moment: datetime, trust: str, site_id: int | None = None, clinic_id: int | None = None,
               clinician_id: int | None = None) -> str | None:
        """The same for a time (a slot's start, in UTC): its London day decides."""
        return self.why(moment.astimezone(LONDON).date(), trust, site_id, clinic_id, clinician_id)
