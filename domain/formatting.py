"""How the NHS writes dates and times for patients: 'Wednesday 6 August 2025, 9.30am', in London time — and the
same in the patient's language ('środa 6 sierpnia 2025, 9:30'): the screen's language unless one is given."""

from __future__ import annotations

from datetime import date, datetime

from domain import language as languages
from domain.clock import LONDON


def nhs_time(moment: datetime, language: str | None = None) -> str:
    """'9.30am', '12 noon', '2pm' — the NHS style, in the hospital's time (other languages: '9:30', '14:00')."""
    local = moment.astimezone(LONDON)
    code = language or languages.current()
    if _written_by_babel(code):
        return f"{local.hour}:{local.minute:02d}"
    if (local.hour, local.minute) == (12, 0):
        text = "12 noon"
    else:
        hour = local.hour % 12 or 12
        suffix = "am" if local.hour < 12 else "pm"
        text = f"{hour}{suffix}" if local.minute == 0 else f"{hour}.{local.minute:02d}{suffix}"
    return _pseudo_if(code, text)


def nhs_date(day: date, language: str | None = None) -> str:
    """'Wednesday 6 August 2025' ('środa 6 sierpnia 2025')."""
    code = language or languages.current()
    if _written_by_babel(code):
        return _babel_date(day, "EEEE d MMMM y", code)
    return _pseudo_if(code, f"{day:%A} {day.day} {day:%B %Y}")


def day_month_year(day: date, language: str | None = None) -> str:
    """'6 August 2025' ('6 sierpnia 2025'): a date in a column, without its weekday."""
    code = language or languages.current()
    if _written_by_babel(code):
        return _babel_date(day, "d MMMM y", code)
    return _pseudo_if(code, f"{day.day} {day:%B %Y}")


def nhs_datetime(moment: datetime, language: str | None = None) -> str:
    """'Wednesday 6 August 2025, 9.30am'."""
    return f"{nhs_date(moment.astimezone(LONDON).date(), language)}, {nhs_time(moment, language)}"


def short_date(moment: datetime, language: str | None = None) -> str:
    """'Wed 6 Aug' ('śr. 6 sie'): a text's date, short enough for one message."""
    local = moment.astimezone(LONDON)
    code = language or languages.current()
    if _written_by_babel(code):
        return _babel_date(local.date(), "EEE d MMM", code)
    return _pseudo_if(code, f"{local:%a} {local.day} {local:%b}")


def table_datetime(moment: datetime) -> str:
    """'6 Aug 2025, 9.30am': the same moment, short enough for a column of a staff table (the desk: English)."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%b %Y}, {nhs_time(moment, languages.ENGLISH)}"


def _written_by_babel(code: str) -> bool:
    """English (and the pseudo-language made from it) keeps the NHS's own style; another language, its own."""
    return code not in (languages.ENGLISH, languages.PSEUDO)


def _babel_date(day: date, pattern: str, code: str) -> str:
    from babel.dates import format_date  # loaded only once a patient reads another language

    return format_date(day, pattern, locale=code)


def _pseudo_if(code: str, text: str) -> str:
    return languages.pseudo(text) if code == languages.PSEUDO else text
