"""Wires `portal-tui import fhir` to the configured database: progress on a terminal, a summary or JSON after."""

from __future__ import annotations

from collections import Counter

import sys
from collections.abc import Callable

from data import schema
from data.records.fhir_import import ImportReport, TrustNotSetUp, count_entries, import_fhir, trust_is_set_up
from domain.clock import SystemClock
from domain.hospital import TrustCode
from portal_tui.bootstrap import Database
from portal_tui.settings import Settings, SettingsError

TRUSTS = {"west-herts": TrustCode.WEST_HERTS, "royal-free": TrustCode.ROYAL_FREE}
"""What --trust accepts: the trust whose system the files came from."""


def parse_trust(text: str) -> TrustCode:
    trust = TRUSTS.get(text.strip().lower())
    if trust is None:
        raise SettingsError(f"--trust must be west-herts or royal-free (got {text!r}).")
    return trust


def run_import(settings: Settings, paths: list[str], trust: TrustCode, *, show_progress: bool) -> ImportReport:
    """Import the files into an up-to-date database; a database that is behind is refused before anything."""
    engine = Database(settings).engine
    try:
        current, head = schema.current_revision(engine), schema.head_revision()
        if current != head:
            raise SettingsError(f"The database {settings.database_display} is at revision {current or 'none'} and "
                                f"needs {head}: run `portal-tui db upgrade` first.")
        if not trust_is_set_up(engine, trust):
            raise SettingsError(str(TrustNotSetUp(trust)))
        clock = SystemClock()
        if not show_progress:
            return import_fhir(engine, paths, trust, now=clock.now)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("Importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      transient=True) as bar:
            task = bar.add_task("import", total=count_entries(paths))
            return import_fhir(engine, paths, trust, now=clock.now, progress=lambda n: bar.advance(task, n))
    finally:
        engine.dispose()


def summary(report: ImportReport, trust: TrustCode, echo: Callable[[str], None]) -> None:
    """The report in words, for a person at a terminal."""
    names = sorted(set(report.imported) | set(report.unchanged) | set(report.skipped))
    echo(f"Read {report.files} file{'s' if report.files != 1 else ''} from the {trust.short_name}.")
    width = max((len(name) for name in names), default=8)
    if names:
        echo(f"  {'':{width}}  imported  unchanged  skipped")
    for name in names:
        echo(f"  {name:{width}}  {report.imported[name]:8}  {report.unchanged[name]:9}  {report.skipped[name]:7}")
    if report.reasons:
        echo("Skipped, and why:")
        for reason, count in report.reasons.most_common():
            echo(f"  {count:5}  {reason}")
    if report.errors:
        echo(f"Not imported ({len(report.errors)}):", )
        for problem in report.errors:
            where = f"{problem.file}, {problem.entry}" if problem.entry else problem.file
            echo(f"  {where}: {problem.reason}")
        per_file = Counter(p.file for p in report.errors if p.entry is not None)
        for name, count in sorted(per_file.items()):
            echo(f"  {name}: {count} {'line or entry' if count == 1 else 'lines or entries'} skipped, the rest read")
        echo("Everything else was imported; correct these and import the same files again.")


def is_terminal() -> bool:
    return sys.stderr.isatty()
