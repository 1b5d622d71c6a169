"""Wires the SMS dispatcher and the outbox listing to the configured database and sender."""

from __future__ import annotations

import secrets
import signal
import time
from collections.abc import Callable
from datetime import timedelta

from data.messaging.outbox import SqlOutboxQueue, list_messages
from data.messaging.sealing import SealError
from domain.clock import LONDON, SystemClock
from domain.messaging.dispatch import DispatchReport, dispatch_batch
from domain.messaging.model import SmsStatus
from domain.messaging.sms import SendError
from portal_tui.bootstrap import Database, make_sender
from portal_tui.settings import Settings, SettingsError


def dispatch(settings: Settings, *, once: bool, poll: float, echo: Callable[[str], None]) -> str:
    """Send batches until nothing is due (`once`) or until stopped by SIGTERM or Ctrl+C (finishing the text
    in hand first). A misconfigured sender stops it with nothing marked."""
    sender = make_sender(settings)
    queue = SqlOutboxQueue(Database(settings).engine)
    clock = SystemClock()
    token = secrets.token_hex(16)
    lease = timedelta(seconds=settings.sms_lease_seconds)
    total = DispatchReport()
    stopping = _stop_flag()
    while not stopping():
        try:
            report = dispatch_batch(queue, sender, clock, token, lease=lease)
        except SendError as error:
            raise SettingsError(f"The SMS sender refused to work: {error.reason}. Nothing was marked.") from None
        except SealError as error:  # a wrong or missing limits_key: said, nothing sent (nothing taken either)
            raise SettingsError(str(error)) from None
        for name in ("sent", "recovered", "retried", "failed", "deferred"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        for line in report.errors:
            echo(f"not sent: {line}")
        if report.claimed == 0:
            if once:
                break
            time.sleep(poll)
    return (f"Sent {total.sent}, found already sent {total.recovered}, to retry {total.retried}, "
            f"failed {total.failed}, held until 8am {total.deferred}.")


def remind(settings: Settings) -> str:
    """Queue the reminders now due; run it from cron (every hour, say) on one machine or several."""
    from data.messaging.reminders import queue_reminders

    report = queue_reminders(Database(settings).engine, SystemClock().now(), settings.reminder_days)
    return str(report)


def listing(settings: Settings, status: str) -> list[str]:
    """One line a text: when, status, template, masked number, and why it failed."""
    try:
        wanted = SmsStatus(status) if status else None
    except ValueError:
        raise SettingsError(f"--status must be one of {', '.join(s.value for s in SmsStatus)}.") from None
    lines = []
    database = Database(settings)
    found = list_messages(database.engine, wanted)
    database.audit_read("outbox_viewed", f"{status or 'all'}: {len(found)} texts listed")
    for message in found:
        when = message.created_at.astimezone(LONDON).strftime("%d %b %H:%M")
        reason = f"  {message.last_error}" if message.last_error else ""
        lines.append(f"{when}  {message.status.value:<9} {message.template.value:<26} ***{message.to_number[-3:]}"
                     f"  {message.id}{reason}")
    return lines or ["No texts."]


def _stop_flag() -> Callable[[], bool]:
    stopped = {"now": False}

    def stop(signum, frame) -> None:  # type: ignore[no-untyped-def]
        stopped["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return lambda: stopped["now"]
