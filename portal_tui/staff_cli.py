"""`portal-tui staff …`: add, list, disable and reset the accounts staff sign in to the desk with."""

from __future__ import annotations

import getpass
import sys

import typer

from portal_tui.cli import fail, one_line_errors
from portal_tui.settings import load_settings

staff_cli = typer.Typer(no_args_is_help=True, help="Staff accounts for the desk (password and authenticator app).")


PasswordStdin = typer.Option(False, "--password-stdin", help="Read the password from standard input (scripts).")
By = typer.Option("", "--by", help="Who is doing this, for the audit trail (default: your login name).")


@staff_cli.command("add")
def staff_add(ctx: typer.Context, username: str, name: str = typer.Option(..., "--name", help="Full name."),
              role: str = typer.Option(..., "--role", help="appointments_clerk, appointments_supervisor or "
                                       "system_admin."),
              password_stdin: bool = PasswordStdin, by: str = By) -> None:
    """Add a member of staff: asks for their password twice, enrols their authenticator app."""
    from domain.staff import accounts as staff
    from domain.identity.session import StaffRole

    if role not in {r.value for r in StaffRole}:
        fail(f"The role must be one of {', '.join(r.value for r in StaffRole)} (got {role!r}).")
    password = _password(password_stdin)
    enrolment = _run(ctx, lambda w: staff.add_staff(w.uow(), w.clock, w.hasher, w.factor, w.box, username, name,
                                                     StaffRole(role), password, _by(by)))
    _show_enrolment(enrolment)


@staff_cli.command("list")
def staff_list(ctx: typer.Context) -> None:
    """Every account: username, name, role, and whether it can sign in."""
    from domain.staff import accounts as staff

    members = _run(ctx, lambda w: staff.list_staff(w.uow()))
    for member in members:
        state = "active" if member.active else "disabled"
        typer.echo(f"{member.username:24} {member.display_name:30} {member.role.value:24} {state}")
    if not members:
        typer.echo("No staff accounts yet: add one with `portal-tui staff add`.")


@staff_cli.command("disable")
def staff_disable(ctx: typer.Context, username: str, by: str = By) -> None:
    """Stop an account signing in (it stays, for the audit trail)."""
    from domain.staff import accounts as staff

    _run(ctx, lambda w: staff.disable_staff(w.uow(), w.clock, username, _by(by)))
    typer.echo(f"{username} can no longer sign in.")


@staff_cli.command("reset")
def staff_reset(ctx: typer.Context, username: str, password_stdin: bool = PasswordStdin, by: str = By) -> None:
    """A new password and a new authenticator entry (the old one stops working); the account is active again."""
    from domain.staff import accounts as staff

    password = _password(password_stdin)
    enrolment = _run(ctx, lambda w: staff.reset_staff(w.uow(), w.clock, w.hasher, w.factor, w.box, username,
                                                       password, _by(by)))
    _show_enrolment(enrolment)


class _Wiring:
    """What the staff use cases need, built from settings."""

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        from data.identity.passwords import Argon2Hasher
        from data.staff.accounts import FernetBox, TotpFactor
        from domain.clock import SystemClock
        from portal_tui.bootstrap import Database

        self.database = Database(settings)
        self.clock = SystemClock()
        self.hasher = Argon2Hasher()
        self.factor = TotpFactor()
        self.box = FernetBox(settings.require_staff_secret_key())

    def uow(self):  # type: ignore[no-untyped-def]
        return self.database.unit_of_work()


def _run(ctx: typer.Context, action):  # type: ignore[no-untyped-def]
    from domain.errors import DomainError

    with one_line_errors():
        wiring = _Wiring(load_settings(config_file=ctx.find_root().obj))
        try:
            return action(wiring)
        except DomainError as error:
            fail(str(error))


def _password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("The same password again: ") != password:
        fail("The two passwords are not the same. Nothing was changed.")
    return password


def _by(by: str) -> str:
    return by or getpass.getuser()


def _show_enrolment(enrolment) -> None:  # type: ignore[no-untyped-def]
    typer.echo(f"{enrolment.username}: add this to an authenticator app (Microsoft or Google Authenticator, …).")
    typer.echo(f"  Key (type it in): {enrolment.secret}")
    typer.echo(f"  Or its address:   {enrolment.uri}")
    if sys.stdout.isatty():
        import segno

        segno.make(enrolment.uri, error="m").terminal(compact=True)
    typer.echo("This is shown once; `portal-tui staff reset` makes a new one.")
