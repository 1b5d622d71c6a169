"""The systemd units in deploy/ as systemd reads them: each verifies (timers with their services), and the
services' hardening rates OK (the kiosk and the desk service are still to be hardened: issue 36)."""

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
                                reason="systemd-analyze is not installed (Debian's systemd package has it)")


def _installed(unit: Path, folder: Path) -> Path:
    """The unit as installed, pointing at this checkout's portal-tui (systemd checks that it runs)."""
    copy = folder / unit.name
    copy.write_text(unit.read_text().replace("/opt/portal-tui/.venv/bin/portal-tui", PORTAL))
    return copy


UNITS = sorted([*(ROOT / "deploy").glob("*.service"), *(ROOT / "deploy").glob("*.timer")])
HARDENED = ["portal-sms-dispatch.service", "portal-hl7-listen.service", "portal-sms-remind.service",
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
