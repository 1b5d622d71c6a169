"""A migrated demo database, and the real `portal-tui` on PATH beside this Python."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux import Terminal

PORTAL = str(Path(sys.executable).with_name("portal-tui"))


def _copy_database(template: Path, target: Path) -> None:
    """A SQLite database and its write-ahead log, if one is left, copied as they are."""
    for suffix in ("", "-wal"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copy(source, target.with_name(target.name + suffix))


@pytest.fixture(autouse=True)
def _nothing_outlives_its_terminal() -> Iterator[None]:
    """A program must end when its terminal hangs up (a closed window, a dropped SSH link): one left running
    holds the database and the machine (orphaned kiosks once slowed a whole CI run threefold)."""
    before = len(Terminal.orphans)
    yield
    left = Terminal.orphans[before:]
    assert not left, f"still running after its terminal closed (killed now): {left}"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The demo hospital built once per test process by the real commands (`db upgrade`, `demo load`)."""
    folder = tmp_path_factory.mktemp("e2e-template")
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{folder / 'template.db'}", "PORTAL_KIOSK_PIN": "2468",
           "PORTAL_DEMO": "true", "PORTAL_ALLOW_DRAMA_NUMBERS": "true", "HOME": str(folder),
           "TERM": "xterm-256color", "PATH": "/usr/bin:/bin"}
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([PORTAL, *command], env=env, check=True, capture_output=True, timeout=120)
    return folder / "template.db", env


@pytest.fixture(scope="session")
def demo_env(demo_template: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A demo hospital the session's tests share (those that only read, or change what no other test reads)."""
    template, env = demo_template
    folder = tmp_path_factory.mktemp("e2e")
    _copy_database(template, folder / "portal.db")
    return {**env, "PORTAL_DATABASE_URL": f"sqlite:///{folder / 'portal.db'}", "HOME": str(folder)}


@pytest.fixture
def fresh_demo(demo_template: tuple[Path, dict[str, str]], tmp_path: Path) -> dict[str, str]:
    """A demo hospital of one test's own, for a test that changes what others read (or signs staff in: a
    code is good once)."""
    template, env = demo_template
    _copy_database(template, tmp_path / "portal.db")
    return {**env, "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}", "HOME": str(tmp_path)}


@pytest.fixture
def kiosk_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Extra settings for one test's kiosk (parametrize indirectly)."""
    return getattr(request, "param", {})


@pytest.fixture
def kiosk(demo_env: dict[str, str], kiosk_env: dict[str, str]) -> Iterator[Terminal]:
    terminal = Terminal([PORTAL, "kiosk"], {**demo_env, **kiosk_env})
    try:
        yield terminal
    finally:
        terminal.close()
