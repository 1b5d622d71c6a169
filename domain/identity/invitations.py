"""The registration invitation the FAQ promises: a text with a code, sent when an outpatient appointment is
booked (and, with the hospital's events, after an emergency visit) — to a patient who may register and has not,
and not twice in 30 days."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from domain.clock import LONDON
from domain.hospital import Trust
from domain.identity.challenges import Invitation
from domain.identity.codes import invitation_hash, new_invitation_code
from domain.identity.patients import Patient
from domain.identity.registration import ineligibility
from domain.messaging.model import SmsMessage, SmsStatus, SmsTemplate
from domain.messaging.wording import registration_invitation_sms
from domain.ports import UnitOfWork

INVITATION_LIFETIME = timedelta(days=90)
"""How long an invitation's code registers its record."""

NOT_AGAIN_WITHIN = timedelta(days=30)
"""One invitation a patient at most in this long, whatever happens at the hospital meanwhile."""


def invitation_due(uow: UnitOfWork, patient: Patient, now: datetime) -> str | None:
    """Why no invitation goes to this patient now (for the audit trail), or None if one should."""
    reason = ineligibility(uow, patient, now.astimezone(LONDON).date())
    if reason is not None:
        return reason
    last = uow.invitations.latest_for(patient.id)
    if last is not None and now - last < NOT_AGAIN_WITHIN:
        return f"invited on {last.astimezone(LONDON).date().isoformat()}, less than 30 days ago"
    return None


def invite(uow: UnitOfWork, patient: Patient, trust: Trust, now: datetime, portal_url: str,
           appointment_id: int | None = None, send_after: datetime | None = None) -> SmsMessage | None:
    """Inside the caller's transaction: the invitation and its text, if one is due; None if not. The patient's
    row is locked first, so two terminals booking for the same patient at once send one invitation."""
    uow.patients.lock(patient.id)
    if invitation_due(uow, patient, now) is not None:
        return None
    assert patient.mobile is not None  # eligibility asks for a mobile
    code = new_invitation_code()
    uow.invitations.add(Invitation(0, patient.id, invitation_hash(code), now, now + INVITATION_LIFETIME))
    sms = SmsMessage(id=secrets.token_hex(16), to_number=patient.mobile.e164,
                     template=SmsTemplate.REGISTRATION_INVITATION,
                     body=registration_invitation_sms(trust, code, portal_url), status=SmsStatus.QUEUED,
                     created_at=now, send_after=send_after or now, patient_id=patient.id,
                     appointment_id=appointment_id)
    uow.outbox.add(sms)
    return sms


