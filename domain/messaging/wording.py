"""The words of every text the portal sends, in the NHS content style: short, plain, nothing clinical."""

from __future__ import annotations

import re

from datetime import datetime

from domain.clock import LONDON
from domain.formatting import nhs_time, short_date
from domain.hospital import Trust
from domain.language import ENGLISH, translation

SMS_FRAGMENT = 160


def sms_when(moment: datetime, language: str | None = ENGLISH) -> str:
    """'Wed 6 Aug, 9.30am' in London time — short enough for one text ('śr. 6 sie, 9:30')."""
    if language and language != ENGLISH:
        return f"{short_date(moment, language)}, {nhs_time(moment, language)}"
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    time = f"{hour}{suffix}" if local.minute == 0 else f"{hour}.{local.minute:02d}{suffix}"
    return f"{local:%a} {local.day} {local:%b}, {time}"


def _clinic(clinic_name: str | None) -> str:
    # The specialty is named only where settings mark the clinic as safe: a text can be read by anyone.
    return f" ({clinic_name})" if clinic_name else ""


def _t(language: str | None, message: str) -> str:
    """A text is written in its patient's language, whatever the screen that sent it shows (the desk: English).
    `make messages` extracts these too (keyword _t:2)."""
    return translation(language or ENGLISH).gettext(message)


def one_time_code_sms(code: str, trust: Trust, language: str | None = None) -> str:
    """Says nothing about why the patient is known to the hospital."""
    return _t(language, "{code} is your {trust} patient portal code. It expires in 10 minutes. Do not share it "
                        "with anyone, even hospital staff.").format(code=code, trust=trust.short_name)


def reminder_sms(trust: Trust, starts_at: datetime, site: str, clinic_name: str | None,
                 language: str | None = None) -> str:
    return _about(_t(language, "{trust} reminder: hospital appointment{clinic} {when} at {site}. To change it call "
                               "{phone}."), trust, starts_at, site, clinic_name, language)


def reschedule_confirmation_sms(trust: Trust, starts_at: datetime, site: str, clinic_name: str | None,
                                language: str | None = None) -> str:
    return _about(_t(language, "{trust}: your hospital appointment{clinic} is now {when} at {site}. Questions? Call "
                               "{phone}."), trust, starts_at, site, clinic_name, language)


def _about(words: str, trust: Trust, starts_at: datetime, site: str, clinic_name: str | None,
           language: str | None, **more: str) -> str:
    """A text about one appointment: its words with the trust, the clinic (where it may be named), when and where."""
    return words.format(trust=trust.short_name, clinic=_clinic(clinic_name), when=sms_when(starts_at, language),
                        site=site, phone=trust.appointments_phone, **more)


def booking_confirmation_sms(trust: Trust, starts_at: datetime, site: str, clinic_name: str | None, *,
                             letter_in_portal: bool | None = True, language: str | None = None) -> str:
    """`letter_in_portal`: True, the letter is in the patient's portal account; False, a letter follows by post
    (a booking from the PAS has its letter sent by the PAS); None, no letter can reach them in time (the text says
    nothing of one)."""
    letter = "" if letter_in_portal is None else (
        _t(language, "Your letter is in the patient portal.") if letter_in_portal
        else _t(language, "A letter follows."))
    return " ".join(_about(_t(language, "{trust}: we have booked you a hospital appointment{clinic} on {when} at {site}. "
                               "{letter} Call {phone} if you cannot come."), trust, starts_at, site, clinic_name,
                  language, letter=letter).split())


def cancellation_confirmation_sms(trust: Trust, starts_at: datetime, language: str | None = None) -> str:
    return _t(language, "{trust}: your hospital appointment on {when} is cancelled. See your GP if you need a new "
                        "referral. Call {phone} with questions.").format(
        trust=trust.short_name, when=sms_when(starts_at, language), phone=trust.appointments_phone)


def hospital_cancellation_sms(trust: Trust, starts_at: datetime, language: str | None = None) -> str:
    """The hospital cancelled (the PAS says so): the patient stays under the clinic, and is told a new date comes."""
    return _t(language, "{trust}: sorry, we have cancelled your hospital appointment on {when}. We will contact "
                        "you with a new date. Questions? Call {phone}.").format(
        trust=trust.short_name, when=sms_when(starts_at, language), phone=trust.appointments_phone)


def registration_invitation_sms(trust: Trust, code: str, portal_url: str, language: str | None = None) -> str:
    return _t(language, "{trust}: register for the patient portal at {url} or at a hospital kiosk with code "
                        "{code}.").format(trust=trust.short_name, url=portal_url, code=code)


def problem_reply_sms(reference: str, body: str, language: str | None = None) -> str:
    """A staff member's reply to a problem report, named by its reference (the desk writes no clinical details;
    the reply itself is as staff wrote it)."""
    return _t(language, "Reply to your problem report {reference}: {body}").format(reference=reference, body=body)


_CODE = re.compile(r"\b\d{6}\b")
_INVITATION = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b")


def redacted(body: str) -> str:
    """A code's text once it has gone: '****** is your …' — the digits are the phone's alone (an invitation's
    code likewise: '****-****')."""
    return _INVITATION.sub("****-****", _CODE.sub("******", body))
