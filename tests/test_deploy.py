"""The systemd units in deploy/ as systemd reads them: each verifies (timers with their services), and the
services' hardening rates OK, the kiosk on its console and the desk service included (issue 36)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PORTAL = str(Path(sys.executable).with_name("portal-tui"))
pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                reason="systemd-analyze is not installed (make test installs Debian's systemd)")


def _installed(unit: Path, folder: Path) -> Path:
    """The unit as installed, pointing at this checkout's portal-tui (systemd checks that it runs)."""
    copy = folder / unit.name
    copy.write_text(unit.read_text().replace("/opt/portal-tui/.venv/bin/portal-tui", PORTAL))
    return copy


UNITS = sorted([*(ROOT / "deploy").glob("*.service"), *(ROOT / "deploy").glob("*.timer")])
HARDENED = ["portal-kiosk.service", "portal-desk-service.service", "portal-sms-dispatch.service", "portal-hl7-listen.service", "portal-sms-remind.service",
            "portal-slots-generate.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_each_unit_verifies(unit: Path, tmp_path: Path) -> None:
    for other in UNITS:  # a timer is verified beside the service it starts
        _installed(other, tmp_path)
    done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit.name)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


@pytest.mark.parametrize("name", HARDENED)
def test_the_services_are_hardened(name: str, tmp_path: Path) -> None:
    """Issue 36: the services run with what they need and no more (`systemd-analyze security` rates OK)."""
    unit = _installed(ROOT / "deploy" / name, tmp_path)
    done = subprocess.run(["systemd-analyze", "security", "--offline=true", str(unit)], capture_output=True,
                          text=True, timeout=60)
    found = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", done.stdout)
    assert found is not None, done.stdout + done.stderr
    assert float(found.group(1)) <= 2.0 and found.group(2) == "OK", found.group(0)


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="logrotate is not installed (make test installs it)")
def test_logrotate_rotates_a_running_listener_s_log_and_it_writes_on_in_a_new_one(tmp_path: Path) -> None:
    """deploy/portal-tui.logrotate as logrotate runs it (forced), its reload standing in for systemctl's:
    the listener's old lines in portal.log.1, its next ones in a new owner-only portal.log."""
    import asyncio
    import signal

    from tests.data.test_hl7_receive import A02
    from tests.test_cli import command
    from tests.test_hl7_feed import _listener, _send

    logs = tmp_path / "logs"
    logs.mkdir()
    env = {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PORTAL_LOG_FILE": str(logs / "listen.log")}
    assert command("db", "upgrade", env=env).returncode == 0
    process, port = _listener(env)
    try:
        asyncio.run(_send(port, [A02.replace("MSG0001", "BEFORE1")]))
        config = (ROOT / "deploy" / "portal-tui.logrotate").read_text()
        reload = re.search(r"systemctl reload .*", config)
        assert reload is not None
        config = config.replace("/var/log/portal-tui", str(logs)).replace(reload.group(0),
                                                                          f"kill -HUP {process.pid}")
        (tmp_path / "logrotate.conf").write_text(config)
        done = subprocess.run(["logrotate", "--force", "--state", str(tmp_path / "state"),
                               str(tmp_path / "logrotate.conf")], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        asyncio.run(_send(port, [A02.replace("MSG0001", "AFTER01")]))
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0, out
    assert "BEFORE1" in (logs / "listen.log.1").read_text()
    assert "AFTER01" in (logs / "listen.log").read_text() and "BEFORE1" not in (logs / "listen.log").read_text()
    assert ((logs / "listen.log").stat().st_mode & 0o777) == 0o600
