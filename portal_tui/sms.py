"""Wires the SMS dispatcher and the outbox listing to the configured database and sender."""

from __future__ import annotations

import logging
import secrets
import signal
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.exc import InterfaceError, OperationalError

from data.messaging.outbox import SqlOutboxQueue, list_messages, message_counts
from data.messaging.sealing import SealError
from data.operations import beat
from domain.clock import LONDON, SystemClock
from domain.messaging.dispatch import DispatchReport, dispatch_batch
from domain.messaging.model import SmsStatus
from domain.messaging.sms import SendError
from portal_tui.bootstrap import Database, make_sender
from portal_tui.settings import Settings, SettingsError

log = logging.getLogger(__name__)


def dispatch(settings: Settings, *, once: bool, poll: float, echo: Callable[[str], None]) -> str:
    """Send batches until nothing is due (`once`) or until stopped by SIGTERM or Ctrl+C (finishing the text
    in hand first). A misconfigured sender stops it with nothing marked."""
    sender = make_sender(settings)
    queue = SqlOutboxQueue(Database(settings).engine)
    clock = SystemClock()
    token = secrets.token_hex(16)
    said = _OncePer(echo, 60.0)
    lease = timedelta(seconds=settings.sms_lease_seconds)
    total = DispatchReport()
    stopping = _stop_flag()
    pause = 0.0
    """How long the database has been failing us, in the wait before the next try (0 while it answers)."""
    engine, last_beat = queue.engine, -BEAT_SECONDS
    while not stopping():
        try:
            if time.monotonic() - last_beat >= BEAT_SECONDS:
                beat(engine, "sms dispatch", clock.now())
                last_beat = time.monotonic()
            report = dispatch_batch(queue, sender, clock, token, lease=lease)
        except DATABASE_TROUBLE as error:
            # PostgreSQL restarting, SQLite locked past its busy time, the disk full: nothing claimed is lost (a
            # text in hand comes back when its lease runs out, and is asked about before it is sent again), so
            # wait and go on, as the listener does, saying so once a minute at most.
            pause = min(MOST_PAUSE, max(1.0, pause * 2))
            said(f"the database is unavailable ({_first_line(error)}): trying again in {pause:.0f} s")
            _sleep(pause, stopping)
            continue
        except SendError as error:
            raise SettingsError(f"The SMS sender refused to work: {error.reason}. Nothing was marked.") from None
        except SealError as error:  # a wrong or missing limits_key: said, nothing sent (nothing taken either)
            raise SettingsError(str(error)) from None
        if pause:
            echo("the database is answering again: sending")
            pause = 0.0
        for name in ("sent", "recovered", "retried", "failed", "deferred", "lost"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        for line in report.errors:
            # At WARNING: for whoever watches the log (the count is in `portal-tui status`).
            warn = getattr(echo, "warning", None)
            if warn is not None:
                warn(f"text not sent: {line}")
            else:
                echo(f"text not sent: {line}")
                log.warning("text not sent: %s", line)
        if report.claimed == 0:
            if once:
                break
            time.sleep(poll)
    return (f"Sent {total.sent}, found already sent {total.recovered}, to retry {total.retried}, "
            f"failed {total.failed}, held until 8am {total.deferred}.")


DATABASE_TROUBLE: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
"""What a database that has gone away, is locked or has no room raises (not a mistake in the portal's SQL)."""
BEAT_SECONDS = 30.0
"""How often the dispatcher says it is alive (`portal-tui status` reads it)."""
MOST_PAUSE = 30.0
"""The longest wait between tries while the database is away."""


def _age(gap: timedelta) -> str:
    minutes = int(gap.total_seconds() // 60)
    return f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} hours" if minutes < 48 * 60 else \
        f"{minutes // 1440} days"


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:160]


def _sleep(seconds: float, stopping: Callable[[], bool]) -> None:
    """A wait that ends early when the dispatcher is told to stop."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stopping():
        time.sleep(min(0.2, deadline - time.monotonic()))


class _OncePer:
    """A line said at most once per `seconds` (a database away all night must not fill the log)."""

    def __init__(self, echo: Callable[[str], None], seconds: float) -> None:
        self.echo, self.seconds, self.last = getattr(echo, "warning", echo), seconds, -1e9

    def __call__(self, line: str) -> None:
        if time.monotonic() - self.last >= self.seconds:
            self.last = time.monotonic()
            self.echo(line)


def resend(settings: Settings, since: str) -> str:
    """Queue again every failed text that is still worth sending (after an outage, say), audited."""
    from datetime import datetime

    from data.messaging.outbox import send_again

    start = None
    if since:
        try:
            start = datetime.combine(datetime.strptime(since, "%Y-%m-%d").date(), datetime.min.time(), LONDON)
        except ValueError:
            raise SettingsError(f"--since must be a date like 2026-12-07 (got {since!r}).") from None
    database = Database(settings)
    queued, left = send_again(database.engine, SystemClock().now(), start)
    database.audit_read("texts_sent_again", f"{queued} failed texts queued again; {left} left (past their use, "
                        "or a code)")
    return (f"Queued again {queued} failed text{'s' if queued != 1 else ''}; left {left} (past their use, or codes "
            "and invitations, whose digits are not kept).")


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
    counts = message_counts(database.engine)
    if counts:  # all of them, not only the newest shown
        now = SystemClock().now()
        lines.append("In all: " + "; ".join(
            f"{n} {state} (the oldest {_age(now - oldest)} old)" for state, n, oldest in counts))
    database.audit_read("outbox_viewed", f"{status or 'all'}: {len(found)} texts listed")
    for message in found:
        when = message.created_at.astimezone(LONDON).strftime("%d %b %H:%M")
        reason = f"  {message.last_error}" if message.last_error else ""
        lines.append(f"{when}  {message.status.value:<9} {message.template.value:<26} ***{message.to_number[-3:]}"
                     f"  {message.id}{reason}")
    return lines + ([] if found else ["No texts."])


def _stop_flag() -> Callable[[], bool]:
    stopped = {"now": False}

    def stop(signum, frame) -> None:  # type: ignore[no-untyped-def]
        stopped["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return lambda: stopped["now"]
