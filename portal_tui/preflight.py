"""Checks made before the kiosk opens, cheap enough not to delay its first paint (no SQLAlchemy)."""

from __future__ import annotations

from portal_tui.settings import Settings, SettingsError


def check_sqlite_schema(settings: Settings) -> None:
    """A SQLite database must exist and be at the newest migration; PostgreSQL is checked on first use."""
    path = settings.sqlite_path
    if path is None:
        return
    import sqlite3  # only where there is a SQLite file to check: a desk served by the desk service has none

    from data.migrations import HEAD

    if not path.exists():
        raise SettingsError(f"There is no database at {path}. Run: portal-tui db upgrade")
    try:
        connection = sqlite3.connect(path, timeout=5)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            raise SettingsError(f"Cannot read the database {path}: {error}.") from None
        row = None
    except sqlite3.DatabaseError as error:
        raise SettingsError(f"{path} is not a portal database ({error}).") from None
    revision = row[0] if row else None
    if revision != HEAD:
        raise SettingsError(
            f"The database at {path} is not up to date (at {revision or 'nothing'}, needs {HEAD}). "
            "Run: portal-tui db upgrade"
        )


def check_terminal_encoding(environ: dict[str, str] | None = None) -> None:
    """Every box, dash and name is drawn in UTF-8: a terminal set to another character set would show it as
    mojibake, so it gets one clear line instead. An unset or C locale is fine (Python reads it as UTF-8)."""
    import os

    env = os.environ if environ is None else environ
    chosen = next((env[name] for name in ("LC_ALL", "LC_CTYPE", "LANG") if env.get(name)), "")
    charset = chosen.partition(".")[2].partition("@")[0].lower().replace("-", "").replace("_", "")
    if charset and charset not in ("utf8", "utf16"):
        raise SettingsError(f"This terminal is set to {chosen}, but the portal needs UTF-8: start it with "
                            "LANG=C.UTF-8 (or en_GB.UTF-8).")


def check_terminal(program: str, environ: dict[str, str] | None = None) -> None:
    """A kiosk or desk draws on a terminal: without one (`ssh` with no `-t`, a pipe) it would wait for ever,
    drawing on nothing, until someone found it and killed it. A browser tab's program is given textual-serve's
    driver instead, and needs none."""
    import os
    import sys

    env = os.environ if environ is None else environ
    if "web_driver" in env.get("TEXTUAL_DRIVER", ""):
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise SettingsError(f"The {program} needs a terminal to draw on, and this has none. Over SSH, connect with "
                            "`ssh -t`.")
