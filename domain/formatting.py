"""How the NHS writes dates and times for patients: 'Wednesday 6 August 2025, 9.30am', in London time."""

from __future__ import annotations

from datetime import date, datetime

from domain.clock import LONDON


def nhs_time(moment: datetime) -> str:
    """'9.30am', '12 noon', '2pm' — the NHS style, in the hospital's time."""
    local = moment.astimezone(LONDON)
    if (local.hour, local.minute) == (12, 0):
        return "12 noon"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}.{local.minute:02d}{suffix}"


def nhs_date(day: date) -> str:
    """'Wednesday 6 August 2025'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def nhs_datetime(moment: datetime) -> str:
    """'Wednesday 6 August 2025, 9.30am'."""
    return f"{nhs_date(moment.astimezone(LONDON).date())}, {nhs_time(moment)}"


def table_datetime(moment: datetime) -> str:
    """'6 Aug 2025, 9.30am': the same moment, short enough for a column of a staff table."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%b %Y}, {nhs_time(moment)}"
