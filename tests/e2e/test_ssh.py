"""Staff over SSH, through a real sshd: a private OpenSSH server on a free loopback port, with its own host key,
one authorized key and `ForceCommand portal-tui desk` (the README's set-up, less the group). The client is
`ssh -tt` in tmux; the desk is signed in with password and code, a patient found and opened, and the audit row
names the SSH client's address — with the desk opening the database itself, and through a real desk service
(`portal-tui desk-service`), when the SSH account's settings name only the service's socket and its desk loads
nothing of the database. A dropped connection ends the desk with nothing half-done."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import PORTAL
from tests.e2e.net import free_port, wait_until_listening
from tests.e2e.staff import desk_sign_in
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e
SSHD = "/usr/sbin/sshd"


@dataclass
class Server:
    """A running private sshd and what a client needs to reach it."""

    port: int
    client_key: Path
    database: Path
    log_file: Path
    service_log: Path | None = None
    """The desk service's output, where the desks are served by one."""

    def client(self, width: int = 80, height: int = 24) -> Terminal:
        command = ["ssh", "-tt", *self.options(), f"{os.environ.get('USER') or _user()}@127.0.0.1"]
        return Terminal(command, {"TERM": "xterm-256color", "PATH": "/usr/bin:/bin", "HOME": str(self.client_key.parent)},
                        width=width, height=height)

    def options(self) -> list[str]:
        """How the client reaches this server; it sends a locale the desk could not draw in (as Debian's sshd
        accepts with AcceptEnv LC_*): the ForceCommand's own must win."""
        return ["-p", str(self.port), "-i", str(self.client_key), "-o", "IdentitiesOnly=yes",
                   "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "BatchMode=yes", "-o", "SetEnv=LC_ALL=en_GB.ISO-8859-1"]

    def desks(self) -> list[int]:
        """The desk processes this server started (found by their log file in their environment)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                environ = (entry / "environ").read_bytes()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(self.log_file).encode() in environ and b"desk" in cmdline and b"sshd" not in cmdline:
                found.append(int(entry.name))
        return found


def _user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name



@pytest.fixture
def desk_settings(request: pytest.FixtureRequest, fresh_demo: dict[str, str],
                  tmp_path: Path) -> Iterator[tuple[dict[str, str], Path | None]]:
    """What the SSH account's desk is given: the whole settings ('alone'), or only the desk service's socket
    ('service', parametrize indirectly), a real service started here with the settings."""
    log_file = tmp_path / "desk.log"
    settings = {**fresh_demo, "PORTAL_LOG_FILE": str(log_file)}
    settings.pop("TERM")  # the client's own terminal type comes through the session
    if getattr(request, "param", "alone") == "alone":
        yield settings, None
        return
    folder = Path(tempfile.mkdtemp(prefix="ds-", dir="/tmp"))  # a socket's path must be short
    socket_path, service_log = folder / "desk.sock", tmp_path / "service.out"
    service = subprocess.Popen([PORTAL, "desk-service", "--socket", str(socket_path)],
                               env={**settings, "PORTAL_LOG_FILE": str(tmp_path / "service.log")},
                               stdout=service_log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while not socket_path.exists():
        assert service.poll() is None and time.monotonic() < deadline, service_log.read_text()
        time.sleep(0.05)
    try:
        yield {"PORTAL_DESK_SERVICE": str(socket_path), "PORTAL_LOG_FILE": str(log_file),
               "HOME": str(tmp_path), "PATH": settings["PATH"]}, service_log
    finally:
        service.terminate()
        assert service.wait(timeout=40) == 0, service_log.read_text()
        assert not socket_path.exists()
        folder.rmdir()


@pytest.fixture
def sshd(desk_settings: tuple[dict[str, str], Path | None], fresh_demo: dict[str, str],
         tmp_path: Path) -> Iterator[Server]:
    if not (os.access(SSHD, os.X_OK) and shutil.which("ssh") and shutil.which("ssh-keygen")):
        pytest.skip("OpenSSH's server is not installed (make test installs openssh-server)")
    if os.getuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    folder = tmp_path / "sshd"
    folder.mkdir()
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True)
    (folder / "authorized_keys").write_text((folder / "client_key.pub").read_text())
    database = Path(fresh_demo["PORTAL_DATABASE_URL"].removeprefix("sqlite:///"))
    settings, service_log = desk_settings
    log_file = Path(settings["PORTAL_LOG_FILE"])
    forced = " ".join(["env", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",  # the README's: a client's own locale never reaches it
                       *(f"{k}={shlex.quote(v)}" for k, v in settings.items()), shlex.quote(PORTAL), "desk"])
    port = free_port()
    (folder / "sshd_config").write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {folder / 'host_key'}",
        f"PidFile {folder / 'sshd.pid'}", f"AuthorizedKeysFile {folder / 'authorized_keys'}",
        "PubkeyAuthentication yes", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password", "UsePAM no", "StrictModes no",
        "AllowTcpForwarding no", "AllowAgentForwarding no", "X11Forwarding no", "PermitTunnel no",
        "PermitUserEnvironment no", "ClientAliveInterval 5", "AcceptEnv LANG LC_*", f"ForceCommand {forced}", ""]))
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(folder / "sshd_config")],
                              stdout=subprocess.DEVNULL, stderr=(folder / "sshd.log").open("w"))
    wait_until_listening(port, server, folder / "sshd.log")
    try:
        yield Server(port, folder / "client_key", database, log_file, service_log)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _find_and_open(desk: Terminal) -> None:
    desk.type("999 000 0395")
    desk.press("Enter")
    desk.wait_for("1 patient found")
    desk.press("Enter")
    desk.wait_for("Why are you opening the record of Jack Evans?")


def _gone(desk: Terminal, text: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while text in desk.screen():
        assert time.monotonic() < deadline, f"{text!r} stayed on screen"
        time.sleep(0.05)


def _opened(server: Server) -> list[tuple[str, str]]:
    with sqlite3.connect(server.database) as connection:
        return connection.execute("SELECT actor_id, terminal FROM audit_event WHERE action = 'staff_open'").fetchall()


@pytest.mark.parametrize("desk_settings", ["alone", pytest.param("service", id="through-the-desk-service")],
                         indirect=True)
def test_the_desk_over_ssh_names_the_client_in_the_audit(sshd: Server) -> None:
    desk = sshd.client()
    try:
        desk_sign_in(desk)
        _find_and_open(desk)
        desk.press("1", "Enter")  # the first reason, chosen by its number; Open the record
        desk.wait_for("Acting for Jack Evans")
        if sshd.service_log is not None:  # the desk at work has no database library in it: the service has
            [pid] = sshd.desks()
            mapped = Path(f"/proc/{pid}/maps").read_text()
            for library in ("_sqlite3", "sqlalchemy", "psycopg", "_argon2", "cryptography"):
                assert library not in mapped, f"a desk served by the desk service loaded {library}"
        desk.press("Escape")
        desk.wait_for("Find a patient")
        desk.press("C-q")
        desk.wait_for("Quit the desk?")
        desk.press("Tab", "Enter")
        assert desk.exit_status() == 0  # ssh's status is the desk's
    finally:
        desk.close()
    [(actor, terminal)] = _opened(sshd)
    assert actor == "clerk.demo"
    if sshd.service_log is None:
        assert terminal.endswith("ssh from 127.0.0.1"), terminal
    else:  # what the desk reported, and beside it what the kernel says of the desk's process
        assert re.search(r"ssh from 127\.0\.0\.1 \[uid \d+ pid \d+\]$", terminal), terminal
        assert "desk connected:" in sshd.service_log.read_text()


def test_a_dropped_connection_ends_the_desk_with_nothing_half_done(sshd: Server) -> None:
    desk = sshd.client()
    try:
        desk_sign_in(desk)
        _find_and_open(desk)
        desk.press("1", "Enter")  # the first reason, chosen by its number
        desk.wait_for("Acting for Jack Evans")
        desk.press("Escape")
        desk.wait_for("Find a patient")
        desk.press("Escape")  # Clear: the last search's results go
        _gone(desk, "1 patient found")
        _find_and_open(desk)  # a second look, stopped at its reason: nothing is recorded for it yet
        assert len(sshd.desks()) == 1
        subprocess.run(["pkill", "-KILL", "-f", f"ssh -tt -p {sshd.port} "], check=True)  # the link goes
        deadline = time.monotonic() + 15
        while sshd.desks() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not sshd.desks(), "the desk outlived its connection"
    finally:
        desk.close()
    assert len(_opened(sshd)) == 1  # the finished look kept, the half-begun one never written
    with sqlite3.connect(sshd.database) as connection:  # and the session's end is in the audit trail
        ends = connection.execute("SELECT actor_id, detail FROM audit_event WHERE action = 'staff_sign_out'").fetchall()
    assert ends == [("clerk.demo", "the terminal hung up")], ends
    log = sshd.log_file.read_text()
    assert "hung up" in log and "Traceback" not in log and "fault" not in log.lower(), log
    with sqlite3.connect(sshd.database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_ssh_without_a_terminal_gets_one_line_and_leaves_nothing_running(sshd: Server) -> None:
    """`ssh` with no `-t` runs the ForceCommand on pipes: one line says why, and no desk is left waiting."""
    done = subprocess.run(["ssh", "-T", *sshd.options(), f"{os.environ.get('USER') or _user()}@127.0.0.1"],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and "The desk needs a terminal to draw on" in done.stderr, done
    assert "Traceback" not in done.stderr and not sshd.desks()


def test_the_readmes_sshd_settings_are_ones_sshd_takes(tmp_path: Path) -> None:
    """The README's block, as written, checked by this machine's sshd (`sshd -t`): PermitUserEnvironment inside
    a Match made OpenSSH 9.2 refuse the whole file."""
    if not os.access(SSHD, os.X_OK):
        pytest.skip("OpenSSH's server is not installed (make test installs openssh-server)")
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = re.search(r"```\n  (# Global.*?Match Group portal-staff.*?)  ```", readme, re.S)
    assert block, "the README's sshd_config block was not found"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "host_key")], check=True)
    config = tmp_path / "sshd_config"
    config.write_text(f"HostKey {tmp_path / 'host_key'}\nPidFile {tmp_path / 'sshd.pid'}\n"
                      + "\n".join(line.removeprefix("  ") for line in block.group(1).splitlines()) + "\n")
    checked = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True,
                             env={**os.environ, "PATH": "/usr/sbin:/usr/bin:/bin"})
    assert checked.returncode == 0, checked.stderr
