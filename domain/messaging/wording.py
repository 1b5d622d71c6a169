"""The words of every text the portal sends, in the NHS content style: short, plain, nothing clinical."""

from __future__ import annotations

import re

from datetime import datetime

from domain.clock import LONDON
from domain.hospital import Trust

SMS_FRAGMENT = 160


def sms_when(moment: datetime) -> str:
    """'Wed 6 Aug, 9.30am' in London time — short enough for one text."""
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    time = f"{hour}{suffix}" if local.minute == 0 else f"{hour}.{local.minute:02d}{suffix}"
    return f"{local:%a} {local.day} {local:%b}, {time}"


def _clinic(clinic_name: str | None) -> str:
    # The specialty is named only where settings mark the clinic as safe: a text can be read by anyone.
    return f" ({clinic_name})" if clinic_name else ""


def one_time_code_sms(code: str, trust: Trust) -> str:
    """Says nothing about why the patient is known to the hospital."""
    return (f"{code} is your {trust.short_name} patient portal code. It expires in 10 minutes. "
            "Do not share it with anyone, even hospital staff.")


def reminder_sms(trust: Trust, starts_at: datetime, site: str, clinic_name: str | None) -> str:
    return (f"{trust.short_name} reminder: hospital appointment{_clinic(clinic_name)} {sms_when(starts_at)} at "
            f"{site}. To change it call {trust.appointments_phone}.")


def reschedule_confirmation_sms(trust: Trust, starts_at: datetime, site: str, clinic_name: str | None) -> str:
    return (f"{trust.short_name}: your hospital appointment{_clinic(clinic_name)} is now {sms_when(starts_at)} at "
            f"{site}. Questions? Call {trust.appointments_phone}.")


def booking_confirmation_sms(trust: Trust, starts_at: datetime, site: str, clinic_name: str | None, *,
                             letter_in_portal: bool = True) -> str:
    """`letter_in_portal`: the desk writes the letter into the portal; a booking from the PAS has its letter sent
    by the PAS."""
    letter = "Your letter is in the patient portal." if letter_in_portal else "A letter follows."
    return (f"{trust.short_name}: we have booked you a hospital appointment{_clinic(clinic_name)} on "
            f"{sms_when(starts_at)} at {site}. {letter} Call {trust.appointments_phone} if you cannot come.")


def cancellation_confirmation_sms(trust: Trust, starts_at: datetime) -> str:
    return (f"{trust.short_name}: your hospital appointment on {sms_when(starts_at)} is cancelled. "
            f"See your GP if you need a new referral. Call {trust.appointments_phone} with questions.")


def hospital_cancellation_sms(trust: Trust, starts_at: datetime) -> str:
    """The hospital cancelled (the PAS says so): the patient stays under the clinic, and is told a new date comes."""
    return (f"{trust.short_name}: sorry, we have cancelled your hospital appointment on {sms_when(starts_at)}. "
            f"We will contact you with a new date. Questions? Call {trust.appointments_phone}.")


def registration_invitation_sms(trust: Trust, code: str, portal_url: str) -> str:
    return (f"{trust.short_name}: register for the patient portal at {portal_url} or at a hospital kiosk "
            f"with code {code}.")


def problem_reply_sms(reference: str, body: str) -> str:
    """A staff member's reply to a problem report, named by its reference (the desk writes no clinical details)."""
    return f"Reply to your problem report {reference}: {body}"


_CODE = re.compile(r"\b\d{6}\b")
_INVITATION = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b")


def redacted(body: str) -> str:
    """A code's text once it has gone: '****** is your …' — the digits are the phone's alone (an invitation's
    code likewise: '****-****')."""
    return _INVITATION.sub("****-****", _CODE.sub("******", body))
