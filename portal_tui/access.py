"""Commands for the way in: the kiosk's staff PIN as a hash, and reopening what the limits closed."""

from __future__ import annotations

import getpass
import sys

import typer

from portal_tui.cli import fail, one_line_errors
from portal_tui.settings import load_settings

pin_cli = typer.Typer(no_args_is_help=True, help="The kiosk's staff PIN.")
reopen_cli = typer.Typer(no_args_is_help=True, help="Reopen what the limits closed (for the Appointments team).")

MIN_PIN = 6


@pin_cli.command("hash")
def pin_hash() -> None:
    """Read a new staff PIN (twice on a terminal, once from a pipe) and print its hash for PORTAL_KIOSK_PIN."""
    if sys.stdin.isatty():
        pin = getpass.getpass("New staff PIN: ")
        if getpass.getpass("The same PIN again: ") != pin:
            fail("The two PINs are not the same. Nothing was made.")
    else:
        pin = sys.stdin.readline().strip()
    if not (pin.isdigit() and MIN_PIN <= len(pin) <= 12):
        fail(f"A staff PIN is {MIN_PIN} to 12 digits.")
    from data.identity.passwords import Argon2Hasher

    typer.echo(Argon2Hasher().hash(pin))


@reopen_cli.command("sign-in")
def reopen_sign_in(ctx: typer.Context, email: str = typer.Argument(..., help="The address that was locked."),
                   by: str = typer.Option(..., "--by", help="Who is reopening it (for the audit trail).")) -> None:
    """Forget an address's failed sign-ins: a lock, or the stop after 100 failures."""
    from domain.clock import SystemClock
    from domain.errors import InvalidValue
    from domain.identifiers import EmailAddress
    from domain.identity.sign_in import reopen
    from portal_tui.bootstrap import Database

    with one_line_errors():
        settings = load_settings(config_file=ctx.find_root().obj)
        try:
            address = EmailAddress.parse(email)
        except InvalidValue as error:
            fail(str(error))
        cleared = reopen(Database(settings).unit_of_work(), SystemClock(), address, by)
    typer.echo(f"Signing in with {address} is open again ({cleared} failed tries forgotten).")


@reopen_cli.command("record")
def reopen_record(ctx: typer.Context, number: str = typer.Argument(..., help="NHS number or hospital number."),
                  by: str = typer.Option(..., "--by", help="Who is reopening it (for the audit trail).")) -> None:
    """Open a record's ways in again: codes entered wrongly too often today, failed matches on its numbers."""
    from domain.identity import verification
    from domain.clock import SystemClock
    from domain.errors import InvalidValue
    from domain.identifiers import NhsNumber
    from domain.typed import parse_patient_identifier
    from portal_tui.bootstrap import Database

    with one_line_errors():
        settings = load_settings(config_file=ctx.find_root().obj)
        try:
            identifier = parse_patient_identifier(number)
        except InvalidValue as error:
            fail(str(error))
        database = Database(settings)
        with database.unit_of_work(read_only=True) as uow:
            found = (uow.patients.by_nhs_number(identifier) if isinstance(identifier, NhsNumber)
                     else _one(uow.patients.by_hospital_number(identifier.value)))
        if found is None:
            fail("No record has that number.")
        numbers = [("NhsNumber", found.nhs_number.digits)] if found.nhs_number else []
        numbers.append(("HospitalNumber", identifier.value if not isinstance(identifier, NhsNumber)
                        else found.hospital_number))
        cleared = verification.reopen_record(database.unit_of_work(), SystemClock(), found.id, numbers, by)
    typer.echo(f"The record's ways in are open again ({cleared} counted events forgotten).")


def _one(found: list) -> object:  # type: ignore[type-arg]
    """The patient a hospital number names, where it names one (it is each trust's own: two trusts may each have
    it, for two people)."""
    if len(found) > 1:
        fail("That hospital number is at more than one trust; use the patient's NHS number.")
    return found[0][1] if found else None

