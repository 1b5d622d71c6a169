"""A migrated demo database, and the real `portal-tui` on PATH beside this Python."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux import Terminal

PORTAL = str(Path(sys.executable).with_name("portal-tui"))


@pytest.fixture(scope="session")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("e2e")
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{folder / 'portal.db'}", "PORTAL_KIOSK_PIN": "2468",
           "PORTAL_DEMO": "true", "PORTAL_ALLOW_DRAMA_NUMBERS": "true", "HOME": str(folder),
           "TERM": "xterm-256color", "PATH": "/usr/bin:/bin"}
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([PORTAL, *command], env=env, check=True, capture_output=True, timeout=120)
    return env


@pytest.fixture
def fresh_demo(demo_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A demo hospital of one test's own, for a test that changes what others read (or signs staff in: a
    code is good once)."""
    env = {**demo_env, "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}", "HOME": str(tmp_path)}
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([PORTAL, *command], env=env, check=True, capture_output=True, timeout=120)
    return env


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
