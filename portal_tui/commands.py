"""The `portal-tui` commands (Typer): kiosk, database and demo data."""

from __future__ import annotations

from datetime import date
from enum import Enum

import typer

from domain.errors import DomainError
from domain.text import CONTROL_CHARACTERS, visible
from portal_tui.access import pin_cli, reopen_cli
from portal_tui.cli import one_line_errors, run_desk, run_kiosk
from portal_tui.settings import Settings, SettingsError, load_settings
from portal_tui.staff_cli import staff_cli


def echo(text: object) -> None:
    """Every line the commands print: a name or a reason from a file is shown, never obeyed by the terminal."""
    typer.echo(visible(str(text)))


def echo_json(value: object) -> None:
    """JSON with every control character escaped (\\u001b, \\u009b, …): the same data, nothing for a terminal."""
    import json

    text = json.dumps(value, ensure_ascii=False)
    typer.echo(CONTROL_CHARACTERS.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="The hospital patient portal in a terminal.",
)
db_cli = typer.Typer(no_args_is_help=True, help="Create and migrate the database.")
demo_cli = typer.Typer(no_args_is_help=True, help="The demo hospital.")
sms_cli = typer.Typer(no_args_is_help=True, help="Text messages: send the outbox, list what is in it.")
cli.add_typer(db_cli, name="db")
cli.add_typer(demo_cli, name="demo")
import_cli = typer.Typer(no_args_is_help=True, help="Records from outside: FHIR R4 bundles and NDJSON.")
cli.add_typer(sms_cli, name="sms")
cli.add_typer(import_cli, name="import")
cli.add_typer(pin_cli, name="pin")
cli.add_typer(reopen_cli, name="reopen")
cli.add_typer(staff_cli, name="staff")
hl7_cli = typer.Typer(no_args_is_help=True, help="The hospital's HL7 v2 feed: listen over MLLP, ingest files, list.")
cli.add_typer(hl7_cli, name="hl7")
reference_cli = typer.Typer(no_args_is_help=True, help="The hospital's own reference data: trusts, sites, clinics.")
cli.add_typer(reference_cli, name="reference")
support_cli = typer.Typer(no_args_is_help=True, help="Problem reports from the help centre: list and read them.")
cli.add_typer(support_cli, name="support")
slots_cli = typer.Typer(no_args_is_help=True, help="Free times, made from the clinicians' session templates.")
cli.add_typer(slots_cli, name="slots")
letters_cli = typer.Typer(no_args_is_help=True, help="The post room: print the letters waiting for paper, mark "
                          "a batch posted.")
cli.add_typer(letters_cli, name="letters")

ConfigOption = typer.Option(None, "--config", help="A settings file (TOML); else PORTAL_CONFIG.", show_default=False)


@cli.callback()
def root(ctx: typer.Context, config: str | None = ConfigOption) -> None:
    """Settings come from --config or PORTAL_CONFIG, then PORTAL_* environment variables."""
    ctx.obj = config


@cli.command()
def kiosk(ctx: typer.Context) -> None:
    """Open the reception kiosk (locked down; staff leave it with F12 and the staff PIN)."""
    run_kiosk(ctx.find_root().obj)


@cli.command()
def desk(ctx: typer.Context) -> None:
    """Open the Appointments team's desk: staff sign in, find a patient, open their record (Ctrl+Q quits)."""
    run_desk(ctx.find_root().obj)


@cli.command("desk-service")
def desk_service(ctx: typer.Context, socket: str = typer.Option(
        "", help="The socket desks connect to; else the settings' desk_service.")) -> None:
    """Serve every desk on this host from one process (the database, the staff secrets): desks whose settings
    name the socket in desk_service load none of that. SIGTERM lets the calls in hand finish, then stops."""
    with one_line_errors():
        from portal_tui import desk_service as service

        settings = _settings(ctx)
        path = socket or settings.desk_service
        if not path:
            raise SettingsError("Say where desks connect: --socket PATH, or desk_service in the settings.")
        log = _event_log(settings, "desk-service")
        try:
            service.serve(settings, path, log)
        finally:
            log.close()


class Program(str, Enum):
    kiosk = "kiosk"
    desk = "desk"


@cli.command()
def serve(ctx: typer.Context, program: Program = typer.Argument(..., help="kiosk or desk"),
          host: str = typer.Option("127.0.0.1", help="The address to listen on (loopback unless a proxy is "
                                                      "in front)."),
          port: int = typer.Option(8000, min=1, max=65535),
          public_url: str = typer.Option("", help="The address browsers use, when a TLS proxy serves it "
                                                  "(https://portal.example.nhs.uk/desk).")) -> None:
    """Serve the kiosk or the desk in a web page (textual-serve): each browser tab runs its own program."""
    from portal_tui.cli import checked_settings

    config_file = ctx.find_root().obj
    with one_line_errors():
        settings = checked_settings(program.value, config_file)  # a bad setting is one line now, not in every tab
        if program is Program.kiosk and not settings.terminal_id:
            raise SettingsError("A kiosk in a browser needs its name: set PORTAL_TERMINAL_ID (every tab is then the "
                                "same kiosk, so its limits and its PIN lock-out hold across tabs).")
    from portal_tui.web import PortalServer

    PortalServer(program.value, config_file, host, port, public_url or None, settings.serve_sessions).serve()


@cli.command()
def status(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """The portal's health for an operator or a monitoring system: texts waiting and failed, HL7 messages
    refused, when each service was last seen, the migration. Exit 0 when all is well, 1 past a threshold of the
    settings (status_*), 2 when the database cannot be read."""
    with one_line_errors():
        from data.operations import health
        from domain.clock import LONDON, SystemClock
        from domain.operations import problems
        from portal_tui import bootstrap

        settings = _settings(ctx)
        current, head = bootstrap.revisions(settings)
        database = bootstrap.Database(settings)
        try:
            found = health(database.engine, SystemClock().now(), current, head)
        finally:
            database.engine.dispose()
        wrong = problems(found, settings.thresholds())

    def when(moment) -> str | None:  # type: ignore[no-untyped-def]
        return moment.astimezone(LONDON).isoformat(timespec="seconds") if moment is not None else None

    if as_json:
        echo_json({"ok": not wrong, "problems": wrong, "texts_waiting": found.texts_waiting,
                   "oldest_text_due": when(found.oldest_waiting), "texts_failed_last_day": found.texts_failed_day,
                   "texts_failed": found.texts_failed, "texts_held": found.texts_held, "hl7_refused_last_day": found.hl7_refused_day,
                   "hl7_refused": found.hl7_refused,
                   "last_seen": {service: when(at) for service, at in sorted(found.seen.items())},
                   "migration": found.revision, "migration_head": found.head})
    else:
        oldest = "" if found.oldest_waiting is None else \
            f", the oldest due {int((found.at - found.oldest_waiting).total_seconds() // 60)} minutes ago"
        echo(f"Texts: {found.texts_waiting} waiting{oldest}; {found.texts_failed_day} failed in the last day "
             f"({found.texts_failed} in all)" + (f"; {found.texts_held} held since a restore." if found.texts_held
                                                  else "."))
        echo(f"HL7: {found.hl7_refused_day} refused in the last day ({found.hl7_refused} in all).")
        for service, at in sorted(found.seen.items()):
            echo(f"{service}: last seen {int((found.at - at).total_seconds())} seconds ago.")
        echo(f"Database: migration {found.revision or 'none'} (the code's newest: {found.head}).")
        echo("All is well." if not wrong else "Problems:\n" + "\n".join(f"  {line}" for line in wrong))
    if wrong:
        raise typer.Exit(1)


@db_cli.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the database if needed and apply every migration."""
    with one_line_errors():
        from portal_tui import bootstrap

        settings = _settings(ctx)
        revision = bootstrap.migrate(settings)
    echo(f"Database {settings.database_display} is at revision {revision}.")


@db_cli.command("backup")
def db_backup(ctx: typer.Context, path: str = typer.Argument(..., help="The new file to write (never overwritten).")
              ) -> None:
    """Copy the SQLite database to PATH, safely while terminals and services run (owner-only, checked after).
    For PostgreSQL: pg_dump -Fc (docs/operations.md)."""
    with one_line_errors():
        from portal_tui import backups

        said = backups.backup(_settings(ctx), path)
    echo(said)


@db_cli.command("restore")
def db_restore(ctx: typer.Context, path: str = typer.Argument(..., help="A backup made by `db backup`.")) -> None:
    """Put a backup in place of the SQLite database (the live one kept beside it), upgrade it, and hold every text
    that was waiting in it for a person to release or withdraw. Stop the services first."""
    with one_line_errors():
        from portal_tui import backups

        said = backups.restore(_settings(ctx), path)
    echo(said)


@db_cli.command("restored")
def db_restored(ctx: typer.Context, source: str = typer.Option("", "--from", help="Which backup (for the record).")
                ) -> None:
    """After pg_restore or point-in-time recovery, before any service starts: hold every text that was waiting."""
    with one_line_errors():
        from portal_tui import backups

        said = backups.restored(_settings(ctx), source)
    echo(said)


@db_cli.command("current")
def db_current(ctx: typer.Context) -> None:
    """Say which migration the database is at."""
    with one_line_errors():
        from portal_tui import bootstrap

        settings = _settings(ctx)
        current, head = bootstrap.revisions(settings)
    state = "up to date" if current == head else f"needs upgrading to {head}"
    echo(f"Database {settings.database_display} is at revision {current or 'none'} ({state}).")


@demo_cli.command("load")
def demo_load(
    ctx: typer.Context,
    today: str = typer.Option("", help="Build the demo around this date (YYYY-MM-DD); default today in London."),
) -> None:
    """Load the demo hospital once; a second run changes nothing."""
    with one_line_errors():
        from portal_tui import bootstrap

        settings = _settings(ctx)
        report = bootstrap.load_demo(settings, _parse_day(today) if today else None)
    echo(report)


@reference_cli.command("load")
def reference_load(
    ctx: typer.Context,
    path: str = typer.Argument(..., metavar="FILE", help="A TOML file of trusts, sites, locations, clinics and "
                                                          "clinicians (README: Reference data)."),
) -> None:
    """Create or update everything the file names; what it no longer names is retired. A second run changes
    nothing; a file with a mistake changes nothing and says where the mistake is."""
    from pathlib import Path

    with one_line_errors():
        from data.reference import apply, read
        from domain.reference import ReferenceProblem
        from portal_tui import bootstrap

        settings = _settings(ctx)
        try:
            reference = read(Path(path))
        except ReferenceProblem as problem:
            raise SettingsError(str(problem)) from None
        bootstrap.migrate(settings)
        database = bootstrap.Database(settings)
        with database.unit_of_work() as uow:
            report = apply(uow.session, reference)
            uow.commit()
        database.engine.dispose()
    echo(report)


@slots_cli.command("generate")
def slots_generate(
    ctx: typer.Context,
    weeks: int = typer.Option(12, min=1, max=104, help="How many weeks ahead, from tomorrow."),
    start: str = typer.Option("", "--from", help="The first day (YYYY-MM-DD) instead of tomorrow."),
) -> None:
    """Free times from every clinician's sessions; a time already there is left as it is (safe to run daily)."""
    from datetime import timedelta

    with one_line_errors():
        from data.closures import sweep
        from data.reference import generate_slots
        from domain.clock import LONDON, SystemClock
        from portal_tui import bootstrap

        settings = _settings(ctx)
        first = _parse_day(start, "--from") if start else \
            SystemClock().now().astimezone(LONDON).date() + timedelta(days=1)
        database = bootstrap.Database(settings)
        with database.unit_of_work() as uow:
            added = generate_slots(uow.session, first, weeks * 7)
            removed, to_rebook = sweep(uow.session, SystemClock().now())
            uow.commit()
        database.engine.dispose()
    echo(f"Made {added} free time{'s' if added != 1 else ''} from {first:%-d %B %Y} for {weeks} "
         f"week{'s' if weeks != 1 else ''}, none on a closed day." if added else
         "Every free time in those weeks is there already.")
    if to_rebook:
        echo(f"{to_rebook} booking{'s' if to_rebook != 1 else ''} on a closed day (a bank holiday or the trust's "
             "closure): each shows on its record as a to-do to rebook.")
    if removed:
        echo(f"{removed} free time{'s' if removed != 1 else ''} on closed days removed.")


@support_cli.command("list")
def support_list(
    ctx: typer.Context,
    status: str = typer.Option("", help="new, waiting, answered or closed; all of them if not given."),
) -> None:
    """Problem reports, oldest first, with where each stands (reply at the desk: F6, Support inbox)."""
    with one_line_errors():
        from data.support.reports import SqlSupportRepository
        from domain.support.reports import ReportStatus
        from portal_tui import bootstrap

        if status and status not in {s.value for s in ReportStatus}:
            raise SettingsError(f"--status must be new, waiting, answered or closed (got {status!r}).")
        database = bootstrap.Database(_settings(ctx))
        with database.unit_of_work(read_only=True) as uow:
            found = SqlSupportRepository(uow.session).list(ReportStatus(status) if status else None)
        database.audit_read("support_inbox_viewed", f"{status or 'all'}: {len(found)} reports")
        database.engine.dispose()
    for r in found:
        echo(f"{r.reference}  {r.created_at:%Y-%m-%d %H:%M}  {r.status.value:9} {r.captured.place:6} "
             f"{r.captured.screen:24} {' '.join(r.happened.split())[:60]}")
    if not found:
        echo("No problem reports.")


@support_cli.command("show")
def support_show(ctx: typer.Context, reference: str = typer.Argument(..., help="The report's reference (PR-…).")) -> None:
    """One report in full: what the person wrote, what was captured, and every reply."""
    with one_line_errors():
        from data.support.reports import SqlSupportRepository
        from portal_tui import bootstrap

        database = bootstrap.Database(_settings(ctx))
        with database.unit_of_work(read_only=True) as uow:
            report = SqlSupportRepository(uow.session).get(reference.strip().upper())
        if report is not None:
            database.audit_read("support_report_opened", report.reference)
        database.engine.dispose()
        if report is None:
            raise SettingsError(f"There is no problem report {reference} (see `portal-tui support list`).")
    echo(f"{report.reference} ({report.status.value}), received {report.created_at:%Y-%m-%d %H:%M} at "
         f"{report.terminal}")
    echo(f"Trying to: {report.tried}")
    echo(f"What happened: {report.happened}")
    for label, value in report.captured.lines():
        echo(f"{label}: {value}")
    echo(f"Reply: by text to {report.masked_mobile}" if report.masked_mobile else "Reply: none asked for")
    for reply in report.replies:
        echo(f"Reply by {reply.by}, {reply.at:%Y-%m-%d %H:%M}: {reply.body}")


@letters_cli.command("print")
def letters_print(
    ctx: typer.Context,
    out: str = typer.Option(..., "--out", help="The folder the batch's PDF is written to (owner-only)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of words."),
) -> None:
    """Every letter waiting for paper (with unopened appointment letters past paper_fallback_hours) into one
    batch and one PDF; a letter already printed is never printed again."""
    with one_line_errors():
        from dataclasses import replace

        from domain.clock import SystemClock
        from portal_tui import bootstrap
        from domain.records.post import too_late
        from portal_tui.supervision import print_letters

        settings = _settings(ctx)
        database = bootstrap.Database(settings)
        try:
            printed = print_letters(database.unit_of_work(), SystemClock(), None,
                                    replace(settings, export_folder=out))
            with database.unit_of_work(read_only=True) as uow:
                now = SystemClock().now()
                held = [item for item in (replace(i, too_late=too_late(i, now, settings.post_working_days))
                                          for i in uow.post_room.waiting()) if item.problem is not None]
        except DomainError as error:
            raise SettingsError(str(error)) from None
        finally:
            database.engine.dispose()
    if as_json:
        echo_json({"batch": printed[0].id if printed else None, "letters": len(printed[1]) if printed else 0,
                   "file": printed[0].file_name if printed else None,
                   "held": [{"document": i.document_id, "reason": i.problem} for i in held]})
        return
    if printed is None:
        echo("Nothing new to print.")
    else:
        batch, items = printed
        echo(f"Batch {batch.id}: {len(items)} letter{'s' if len(items) != 1 else ''} in {batch.file_name}. "
             f"Once they are in the post: portal-tui letters posted {batch.id}")
    for item in held:
        echo(f"Not printed: letter {item.document_id} for {item.name}: {item.problem}")


@letters_cli.command("posted")
def letters_posted(ctx: typer.Context, batch: int = typer.Argument(..., help="The printed batch's number.")) -> None:
    """Mark a printed batch posted."""
    with one_line_errors():
        from domain.clock import SystemClock
        from domain.records import post
        from portal_tui import bootstrap

        database = bootstrap.Database(_settings(ctx))
        try:
            done = post.mark_posted(database.unit_of_work(), SystemClock(), None, batch)
        except DomainError as error:
            raise SettingsError(str(error)) from None
        finally:
            database.engine.dispose()
    echo(f"Batch {done.id} posted: {done.letters} letters.")


def _settings(ctx: typer.Context) -> Settings:
    settings = load_settings(config_file=ctx.find_root().obj)
    settings.check_database_path()
    return settings


def _event_log(settings: Settings, program: str):  # type: ignore[no-untyped-def]
    """A service's events: one line each, timed and levelled, to standard output and the log file (SIGHUP
    reopens it for logrotate)."""
    from portal_tui.service_log import EventLog

    log = EventLog(program, settings.log_file or None)
    log.reopen_on_hangup()
    return log


def _parse_day(text: str, option: str = "--today") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"{option} must be a date like 2026-11-24 (got {text!r}).") from None


@sms_cli.command("dispatch")
def sms_dispatch(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Send what is due now, then stop."),
    poll: float = typer.Option(2.0, help="Seconds to wait when nothing is due."),
) -> None:
    """Send the outbox through the configured sender; safe to run on several machines at once."""
    with one_line_errors():
        from portal_tui import sms

        settings = _settings(ctx)
        log = _event_log(settings, "sms-dispatch")
        try:
            log(sms.dispatch(settings, once=once, poll=poll, echo=log))
        finally:
            log.close()


@sms_cli.command("list")
def sms_list(
    ctx: typer.Context,
    status: str = typer.Option("", help="queued, sending, sent, failed, withdrawn or held."),
) -> None:
    """List texts in the outbox, newest first (failed ones with the reason)."""
    with one_line_errors():
        from portal_tui import sms

        settings = _settings(ctx)
        lines = sms.listing(settings, status)
    for line in lines:
        echo(line)


@sms_cli.command("resend")
def sms_resend(ctx: typer.Context, since: str = typer.Option("", help="Only texts written on or after this day "
                                                                    "(YYYY-MM-DD).")) -> None:
    """Queue again every failed text still worth sending (after a Notify outage); the dispatcher sends them."""
    with one_line_errors():
        from portal_tui import sms

        settings = _settings(ctx)
        said = sms.resend(settings, since)
    echo(said)


@sms_cli.command("release")
def sms_release(ctx: typer.Context,
                ids: list[str] = typer.Argument(None, help="References of held texts (`sms list --status held`)."),
                everything: bool = typer.Option(False, "--all", help="Every held text.")) -> None:
    """Send held texts after all (held after a restore: check first that the live database had not sent them)."""
    with one_line_errors():
        from portal_tui import backups

        said = backups.settle(_settings(ctx), ids or [], everything, release=True)
    echo(said)


@sms_cli.command("withdraw")
def sms_withdraw(ctx: typer.Context,
                 ids: list[str] = typer.Argument(None, help="References of held texts (`sms list --status held`)."),
                 everything: bool = typer.Option(False, "--all", help="Every held text.")) -> None:
    """Never send held texts (held after a restore: the live database had sent them, or they are past their use)."""
    with one_line_errors():
        from portal_tui import backups

        said = backups.settle(_settings(ctx), ids or [], everything, release=False)
    echo(said)


@sms_cli.command("remind")
def sms_remind(ctx: typer.Context) -> None:
    """Queue appointment reminders now due (offsets from settings; none between 9pm and 8am)."""
    with one_line_errors():
        from portal_tui import sms

        settings = _settings(ctx)
        report = sms.remind(settings)
    echo(report)


@import_cli.command("fhir")
def import_fhir(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(..., metavar="PATH...", help="FHIR R4 JSON bundles, NDJSON files, or folders of them.",
                                      show_default=False),
    trust: str = typer.Option(..., "--trust", help="Whose records these are: west-herts or royal-free.",
                              show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the counts and errors."),
) -> None:
    """Import patients, visits, letters and test results; again with the same files changes nothing.
    Exit code 1 when something could not be imported (the rest is), 2 when nothing could start."""
    with one_line_errors():
        from portal_tui import fhir

        chosen = fhir.parse_trust(trust)
        settings = _settings(ctx)
        report = fhir.run_import(settings, paths, chosen, show_progress=not as_json and fhir.is_terminal())
    if as_json:
        echo_json(report.as_json())
    else:
        fhir.summary(report, chosen, echo)
    if report.failed:
        raise typer.Exit(1)


@hl7_cli.command("listen")
def hl7_listen(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="The address to listen on (loopback unless told otherwise)."),
    port: int = typer.Option(2575, help="The port (2575 is HL7's own)."),
) -> None:
    """Take HL7 v2 messages over MLLP, each stored and committed before its ACK; SIGTERM stops it cleanly."""
    with one_line_errors():
        from portal_tui import hl7

        settings = _settings(ctx)
        log = _event_log(settings, "hl7-listen")
        try:
            hl7.listen(settings, host, port, log)
        finally:
            log.close()


@hl7_cli.command("ingest")
def hl7_ingest(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(..., help="Files of HL7 v2 messages (one or many, MLLP-framed or not)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Take the messages of files as the listener would (for back-loading and tests); exit 1 if any was refused."""
    with one_line_errors():
        from data.events.receive import ingest
        from portal_tui import hl7

        settings = _settings(ctx)
        report = ingest(hl7.engine_for(settings), paths, rules=settings.feed_rules(),
                        profile=settings.feed_profile())
    if as_json:
        echo_json(report.as_json())
    else:
        c = report.counts
        echo(f"Read {sum(c.values())} messages: {c['accepted']} accepted, {c['ignored']} ignored, "
             f"{c['duplicate']} duplicates, {c['refused']} refused; {report.invitations} registration "
             f"invitation{'s' if report.invitations != 1 else ''} queued.")
        for refusal in report.refusals:
            echo(f"  {refusal['file']}, {refusal['control_id'] or '(no control id)'}: {refusal['reason']}")
    if report.refusals:
        raise typer.Exit(1)


@hl7_cli.command("list")
def hl7_list(
    ctx: typer.Context,
    status: str = typer.Option("", help="accepted, ignored, duplicate or refused (the dead letters)."),
    limit: int = typer.Option(50, help="How many, newest first."),
) -> None:
    """The messages received, newest first, each with its outcome and the reason."""
    with one_line_errors():
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from data.models import Hl7MessageRow
        from domain.events.feed import Outcome
        from portal_tui import hl7

        if status and status not in {o.value for o in Outcome}:
            raise SettingsError(f"--status must be accepted, ignored, duplicate or refused (got {status!r}).")
        from sqlalchemy import func

        with Session(hl7.engine_for(_settings(ctx))) as session:
            query = select(Hl7MessageRow).order_by(Hl7MessageRow.id.desc()).limit(limit)
            rows = session.scalars(query.where(Hl7MessageRow.outcome == status) if status else query).all()
            counts = session.execute(select(Hl7MessageRow.outcome, func.count(), func.min(Hl7MessageRow.received_at))
                                     .group_by(Hl7MessageRow.outcome)).all()
    if counts:  # all of them, not only the rows shown
        echo("In all: " + "; ".join(f"{n} {outcome} (the oldest {first:%Y-%m-%d %H:%M})"
                                     for outcome, n, first in sorted(counts)))
    for row in rows:
        echo(f"{row.id:6}  {row.received_at:%Y-%m-%d %H:%M:%S}  {row.outcome:9}  {row.sender}  "
             f"{row.control_id or '-'}  {row.message_type or '-'}  {row.reason or ''}")
    if not rows:
        echo("No messages.")


@hl7_cli.command("retry")
def hl7_retry(ctx: typer.Context, message_id: int = typer.Argument(..., help="The refused message's number.")) -> None:
    """Take a refused message again, after what refused it is fixed; exit 1 if it is refused again."""
    with one_line_errors():
        from data.events.receive import retry
        from portal_tui import hl7

        try:
            settings = _settings(ctx)
            receipt = retry(hl7.engine_for(settings), message_id, rules=settings.feed_rules(),
                            profile=settings.feed_profile())
        except LookupError as error:
            raise SettingsError(str(error)) from None
    echo(f"{receipt.control_id or '(no control id)'}: {receipt.outcome.value}: {receipt.reason}")
    if receipt.outcome.value == "refused":
        raise typer.Exit(1)

