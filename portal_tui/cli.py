"""The `portal-tui` entry point. Every failure is one line on stderr, never a traceback.

`portal-tui kiosk` and `portal-tui desk` (with or without `--config FILE` before them) — how kiosks, desk
terminals, SSH sessions and browser tabs start — open without loading Typer, which costs a fifth of the time to
the first paint and, with the pydantic it brings, a sixth of a desk's memory for the whole day; everything else
(and `kiosk --help`) goes through commands.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from portal_tui.settings import SettingsError, load_settings


def main() -> None:
    """Console-script entry point."""
    import os

    # Everything this program creates — the database, its log, the file of texts — is its owner's alone.
    os.umask(0o077)
    opened = _program(sys.argv[1:])
    if opened is not None:
        program, config_file = opened
        _open(program, config_file)
        return
    from portal_tui.commands import cli

    cli()


def _program(words: list[str]) -> tuple[str, str | None] | None:
    """('kiosk' or 'desk', the settings file) for `[--config FILE] kiosk|desk`; None for anything else."""
    if len(words) == 1 and words[0] in ("kiosk", "desk"):
        return words[0], None
    if len(words) == 3 and words[0] == "--config" and words[2] in ("kiosk", "desk") and not words[1].startswith("-"):
        return words[2], words[1]
    if len(words) == 2 and words[0].startswith("--config=") and words[1] in ("kiosk", "desk"):
        return words[1], words[0].removeprefix("--config=")
    return None


def run_kiosk(config_file: str | None) -> None:
    """Check the settings and the database, then open the kiosk."""
    _open("kiosk", config_file)


def run_desk(config_file: str | None) -> None:
    """Check the settings and the database, then open the Appointments team's desk."""
    _open("desk", config_file)


def checked_settings(program: str, config_file: str | None):  # type: ignore[no-untyped-def]
    """The settings a kiosk or desk needs, and a database it can open — else one line and exit 2."""
    from portal_tui.preflight import check_sqlite_schema, check_terminal_encoding

    with one_line_errors():
        check_terminal_encoding()
        settings = load_settings(config_file=config_file)
        if program == "kiosk":
            settings.require_kiosk_pin()
            settings.check_speech()
        elif settings.desk_service:
            _check_desk_service(settings)
            return settings  # the service has the database and the staff secret key, not the desk
        else:
            settings.require_staff_secret_key()
        settings.check_database_path()
        check_sqlite_schema(settings)
    return settings


def _check_desk_service(settings):  # type: ignore[no-untyped-def]
    from portal_tui.desk_remote import RemoteDeskServices, ServiceUnavailable

    try:
        RemoteDeskServices(settings.desk_service, settings.terminal, timeout=10).check()
    except ServiceUnavailable as error:
        raise SettingsError(f"{error} (desk_service = {settings.desk_service})") from None


def _open(program: str, config_file: str | None) -> None:
    import gc

    # Everything made from here to the first page painted (Textual, the pages, the stylesheet) lives as long
    # as the program: the cyclic collector would only walk it again and again. PortalApp turns it back on.
    gc.disable()
    from domain.clock import SystemClock

    settings = checked_settings(program, config_file)
    with one_line_errors():
        from portal_tui.preflight import check_terminal

        check_terminal(program)
    if program == "kiosk":
        from portal_tui.app import KioskApp as App
    else:
        from portal_tui.desk_app import DeskApp as App  # type: ignore[assignment]
    run_app(App(settings, SystemClock()))


def run_app(app) -> None:  # type: ignore[no-untyped-def]
    """Run a portal app; whatever stops it, the exit status says so (non-zero after a fault), never a traceback."""
    from portal_tui.portal_app import EXIT_FAULTED

    try:
        app.run()
    except Exception as error:  # a failure Textual itself could not handle: the log has it, the screen a line
        fault = app.fault_log.record(error, "outside the app")
        print(f"portal-tui stopped after a fault (reference {fault.reference}).", file=sys.stderr)
        raise SystemExit(EXIT_FAULTED) from None
    finally:
        app.fault_log.close()
    if app.return_code:
        raise SystemExit(app.return_code)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn a known failure into one line and exit code 2; database trouble is named, not dumped."""
    try:
        yield
    except SettingsError as error:
        fail(str(error))
    except Exception as error:
        if "sqlalchemy" not in sys.modules:
            raise
        from portal_tui.bootstrap import describe_database_error

        message = describe_database_error(error)
        if message is None:
            raise
        fail(message)


def fail(message: str) -> None:
    """Say what went wrong in one line and stop with exit code 2."""
    from domain.text import visible

    print(f"portal-tui: {visible(message)}", file=sys.stderr)
    raise SystemExit(2)
