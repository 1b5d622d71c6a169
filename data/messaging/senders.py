"""The two SMS senders: GOV.UK Notify, and a file that stands in for a phone in demo and development."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from domain.messaging.wording import redacted
from domain.messaging.model import SmsMessage, SmsTemplate
from domain.messaging.sms import SendError, SendFailure, classify_http_status


class FileSender:
    """Appends each text as one JSON line; `was_sent` reads the file back. fsync'd: a crash loses nothing sent."""

    def __init__(self, path: Path, *, redact_codes: bool = True) -> None:
        self.path = path
        self.redact_codes = redact_codes
        """Outside demo mode a code's digits are not written down: the file is a record, not a phone."""

    def send(self, message: SmsMessage) -> None:
        body = message.body
        if self.redact_codes and message.template is SmsTemplate.ONE_TIME_CODE:
            body = redacted(body)
        line = json.dumps({"reference": message.id, "to": message.to_number, "template": message.template.value,
                           "language": message.language, "body": body}, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise SendError(SendFailure.CONFIGURATION, f"cannot write {self.path}: {error.strerror}") from None

    def was_sent(self, reference: str) -> bool:
        if not self.path.exists():
            return False
        with self.path.open(encoding="utf-8") as handle:
            return any(json.loads(line).get("reference") == reference for line in handle if line.strip())


class NotifySender:
    """GOV.UK Notify through notifications-python-client. Each text goes to the template for its kind (or
    the default one) with the whole text as the `body` personalisation, and its outbox id as `reference`."""

    def __init__(self, api_key: str, base_url: str, template_ids: dict[str, str], default_template_id: str | None,
                 timeout: float = 20) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        # Every failure comes back to the dispatcher as a SendError and is reported once, by it.
        logging.getLogger("notifications_python_client").setLevel(logging.ERROR)
        try:
            self._client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)
        except AssertionError:
            raise SendError(SendFailure.CONFIGURATION, "the Notify API key is not in Notify's format") from None
        self._templates = template_ids
        self._default = default_template_id

    def send(self, message: SmsMessage) -> None:
        template = self.template_for(message)
        if not template:
            raise SendError(SendFailure.CONFIGURATION, f"no Notify template id for {message.template.value} texts")
        self._call(self._client.send_sms_notification, phone_number=message.to_number, template_id=template,
                   personalisation={"body": message.body}, reference=message.id)

    def template_for(self, message: SmsMessage) -> str | None:
        """A text's template: the one for its kind in its language ('reminder.pl'), else its language's ('pl'),
        else its kind's, else the default (each holds only ((body)), so the words are always the portal's)."""
        kind, language = message.template.value, message.language
        for key in (f"{kind}.{language}", language, kind):
            if key in self._templates:
                return self._templates[key]
        return self._default

    def was_sent(self, reference: str) -> bool:
        answer = self._call(self._client.get_all_notifications, reference=reference)
        return bool(answer.get("notifications"))

    def _call(self, method, **arguments):  # type: ignore[no-untyped-def]
        from notifications_python_client.errors import APIError

        try:
            return method(**arguments)
        except APIError as error:
            status = error.status_code
            raise SendError(classify_http_status(status), f"Notify said {status}: {_reason(error)}") from None


def _reason(error) -> str:  # type: ignore[no-untyped-def]
    message = error.message
    if isinstance(message, list):
        return "; ".join(f"{item.get('error')}: {item.get('message')}" for item in message if isinstance(item, dict))
    return str(message)
