"""`make bench`: time from launch to the kiosk's welcome screen painted (written to a terminal), and resident memory,
against a minimal Textual app measured in the same run; then the resident memory of desk processes at work
(signed in, a patient's record open) against the same floor. Prints median, min and max, and the ratios."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shlex
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.net import free_port, wait_until_listening  # noqa: E402
from tests.e2e.processes import descendants  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "40"))
"""Start-ups timed of each, in turn: on this project's machines one start-up varies by a third from the next."""
SETTLED = 5
"""Of those, how many wait a second after the paint to have their resident memory read."""
DESK_RUNS = int(os.environ.get("BENCH_DESK_RUNS", "5"))
SSH_RUNS = 3
"""Whole SSH sessions (sshd's processes for the connection and the desk) measured."""
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
TARGET_TIME, TARGET_RSS = 1.25, 1.5
SOCKET = f"portal-bench-{os.getpid()}"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=True).stdout.strip()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def pss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    raise RuntimeError("no Pss")


def launch(command: list[str], env: dict[str, str], marker: str, settle: bool = True) -> tuple[float, int]:
    """Seconds until the program has written `marker` to its terminal (a pseudo-terminal of 100x30 that this
    process reads: no polling process competes with the one measured), and its RSS (KiB) a second later (0
    without `settle`)."""
    wanted = marker.encode()
    started = time.perf_counter()
    pid, terminal = pty.fork()
    if pid == 0:  # the child: a 100x30 terminal, then the program
        try:
            fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
            os.execve(command[0], command, env)
        finally:
            os._exit(127)
    try:
        written = b""
        while wanted not in written:
            if time.perf_counter() - started > 30 or not select.select([terminal], [], [], 30)[0]:
                raise RuntimeError(f"{command[0]} never painted {marker!r}")
            written = written[-4096:] + os.read(terminal, 65536)
        elapsed = time.perf_counter() - started
        if not settle:
            return elapsed, 0
        deadline = time.perf_counter() + 1.0
        while (left := deadline - time.perf_counter()) > 0:  # settle, reading what it writes
            if select.select([terminal], [], [], left)[0]:
                os.read(terminal, 65536)
        return elapsed, rss_kib(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(terminal)


def wait(pane: str, marker: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while marker not in tmux("capture-pane", "-p", "-t", pane):
        if time.monotonic() > deadline:
            raise RuntimeError(f"never showed {marker!r}: {tmux('capture-pane', '-p', '-t', pane)}")
        time.sleep(0.02)


def keys(pane: str, *typed: str, literal: bool = False) -> None:
    for key in typed:
        tmux("send-keys", "-t", pane, *(["-l"] if literal else []), key)
        time.sleep(0.1)


def desk_at_work(env: dict[str, str], n: int, over_ssh: Sshd | None = None) -> Any:
    """A desk's resident memory (KiB) with a member of staff signed in and a patient's record open, as a desk
    process spends its day; each run has an account of its own (an authenticator code is good once). With
    PORTAL_DESK_SERVICE in `env` the desk makes its calls through the desk service; `over_ssh`, the desk is the
    ForceCommand of a real sshd, and what is read is that SSH session's own processes (sshd's, for it)."""
    import pyotp

    username = f"bench.desk{n}"
    added = subprocess.run([str(BIN / "portal-tui"), "staff", "add", username, "--name", f"Bench Desk {n}", "--role",
                            "appointments_clerk", "--password-stdin"], env=env, input="quiet harbour lantern\n",
                           capture_output=True, text=True, check=True).stdout
    secret = added.split("Key (type it in):", 1)[1].split()[0]
    line = over_ssh.client_line() if over_ssh else "exec env " + " ".join(
        f"{k}={shlex.quote(v)}" for k, v in env.items()) + " " + shlex.join([str(BIN / "portal-tui"), "desk"])
    pane = tmux("new-window", "-d", "-P", "-F", "#{pane_id}", line)
    try:
        wait(pane, "Staff sign in")
        keys(pane, username, literal=True)
        keys(pane, "Tab")
        keys(pane, "quiet harbour lantern", literal=True)
        keys(pane, "Tab")
        keys(pane, pyotp.TOTP(secret).now(), literal=True)
        keys(pane, "Enter")
        wait(pane, "Find a patient")
        keys(pane, "999 000 0018", literal=True)
        keys(pane, "Enter")
        wait(pane, "1 patient found")
        keys(pane, "Enter")
        wait(pane, "Why are you opening")
        keys(pane, "1")  # nothing is chosen for the clerk: the first reason, by its number
        keys(pane, "Enter")
        wait(pane, "Acting for")
        time.sleep(1.0)
        if over_ssh:
            return over_ssh.session_kib()
        return rss_kib(int(tmux("display-message", "-p", "-t", pane, "#{pane_pid}")))
    finally:
        tmux("kill-pane", "-t", pane)


class Sshd:
    """A private OpenSSH server on a free loopback port (its own host key, one authorized key), whose every login
    runs the desk through the desk service, as the README's SSH set-up does."""

    def __init__(self, folder: str, desk_env: dict[str, str]) -> None:
        self.folder = Path(folder) / "sshd"
        self.folder.mkdir()
        for name in ("host_key", "client_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.folder / name)], check=True)
        (self.folder / "authorized_keys").write_text((self.folder / "client_key.pub").read_text())
        self.port = free_port()
        forced = " ".join(["env", *(f"{k}={shlex.quote(v)}" for k, v in desk_env.items() if k != "TERM"),
                           shlex.quote(str(BIN / "portal-tui")), "desk"])
        (self.folder / "sshd_config").write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {self.folder / 'host_key'}",
            f"PidFile {self.folder / 'sshd.pid'}", f"AuthorizedKeysFile {self.folder / 'authorized_keys'}",
            "PubkeyAuthentication yes", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password", "UsePAM no", "StrictModes no", "AllowTcpForwarding no",
            "X11Forwarding no", "PermitUserEnvironment no", f"ForceCommand {forced}", ""]))
        if os.getuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        log = self.folder / "sshd.log"
        with log.open("w") as written:
            self.server = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(self.folder / "sshd_config")],
                                           stdout=subprocess.DEVNULL, stderr=written)
        wait_until_listening(self.port, self.server, log)

    def client_line(self) -> str:
        import pwd

        return shlex.join(["ssh", "-tt", "-p", str(self.port), "-i", str(self.folder / "client_key"), "-o",
                           "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no", "-o",
                           "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes",
                           f"{pwd.getpwuid(os.getuid()).pw_name}@127.0.0.1"])

    def session_kib(self) -> tuple[int, int]:
        """What one SSH session holds on the server, the desk and the sshd processes for that connection: their
        resident memory, and their proportional share of it (a page shared with others counted in part)."""
        session = descendants(self.server.pid)
        return sum(rss_kib(pid) for pid in session), sum(pss_kib(pid) for pid in session)

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=10)


def summary(name: str, values: list[float], unit: str, scale: float = 1.0) -> str:
    shown = [v * scale for v in values]
    return (f"  {name:<14} median {statistics.median(shown):8.1f} {unit}   "
            f"min {min(shown):8.1f}   max {max(shown):8.1f}")


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        env = {"PORTAL_DATABASE_URL": f"sqlite:///{folder}/bench.db", "PORTAL_KIOSK_PIN": "2468", "PORTAL_DEMO": "true",
               "HOME": folder, "TERM": "xterm-256color", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        subprocess.run([str(BIN / "portal-tui"), "db", "upgrade"], env=env, check=True, capture_output=True)
        tmux("new-session", "-d", "-s", "bench", "-x", "100", "-y", "30")
        try:
            results: dict[str, list[tuple[float, int]]] = {"floor": [], "portal-tui": []}
            for warm in ([str(BIN / "python"), str(HERE / "floor_app.py")], [str(BIN / "portal-tui"), "kiosk"]):
                launch(warm, env, "Patient Portal", settle=False)  # the disk cache warm, the bytecode written
            for n in range(RUNS):  # alternate, so drift in the machine's load falls on both alike
                settle = n < SETTLED
                results["floor"].append(launch([str(BIN / "python"), str(HERE / "floor_app.py")], env,
                                               "Patient Portal", settle))
                results["portal-tui"].append(launch([str(BIN / "portal-tui"), "kiosk"], env, "Patient Portal",
                                                    settle))
            subprocess.run([str(BIN / "portal-tui"), "demo", "load"], env=env, check=True, capture_output=True)
            alone = [desk_at_work(env, n) for n in range(DESK_RUNS)]
            desks, service_kib, sessions = desks_through_the_service(env, folder)
        finally:
            subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    print(f"Kiosk start-up in a 100x30 terminal, {RUNS} runs each, in turn (floor: a Textual app that paints "
          "one line)")
    print("Time to the welcome screen painted:")
    times = {name: [t for t, _ in runs] for name, runs in results.items()}
    memory = {name: [m for _, m in runs if m] for name, runs in results.items()}
    for name in results:
        print(summary(name, times[name], "ms", 1000))
    print(f"Resident memory one second after the paint ({SETTLED} runs each):")
    for name in results:
        print(summary(name, memory[name], "MiB", 1 / 1024))
    time_ratio = statistics.median(times["portal-tui"]) / statistics.median(times["floor"])
    rss_ratio = statistics.median(memory["portal-tui"]) / statistics.median(memory["floor"])
    ok = time_ratio <= TARGET_TIME and rss_ratio <= TARGET_RSS
    print(f"Ratio to floor: time {time_ratio:.2f}x (target <= {TARGET_TIME}x), "
          f"memory {rss_ratio:.2f}x (target <= {TARGET_RSS}x): {'met' if ok else 'MISSED'}")
    floor = statistics.median(memory["floor"])
    desk_ratio = statistics.median(desks) / floor
    print(f"A desk at work (signed in, a record open), {DESK_RUNS} processes each way, resident memory:")
    print(summary("desk", desks, "MiB", 1 / 1024) + "   (through the desk service: the set-up for many desks)")
    print(summary("desk alone", alone, "MiB", 1 / 1024) + f"   ({statistics.median(alone) / floor:.2f}x: it "
          "opens the database itself)")
    print(f"  the desk service, one per host for all its desks: {service_kib / 1024:.1f} MiB after serving "
          f"{DESK_RUNS} desks")
    if sessions:
        resident, share = [r for r, _ in sessions], [p for _, p in sessions]
        print(summary("ssh session", resident, "MiB", 1 / 1024) + f"   (the desk and sshd's processes for the "
              f"connection: {statistics.median(resident) / floor:.2f}x)")
        print(summary("  its share", share, "MiB", 1 / 1024) + f"   (proportional: shared pages counted in part, "
              f"{statistics.median(share) / floor:.2f}x)")
    print(f"Ratio to floor: memory per desk process {desk_ratio:.2f}x (target <= {TARGET_RSS}x): "
          f"{'met' if desk_ratio <= TARGET_RSS else 'MISSED'}")
    return 0 if ok and desk_ratio <= TARGET_RSS else 1


def desks_through_the_service(env: dict[str, str], folder: str) -> tuple[list[int], int, list[tuple[int, int]]]:
    """Desks at work through one desk service, its resident memory after them, and whole SSH sessions of a
    desk through it (KiB); each desk's settings name only the socket, not the database."""
    path = f"{folder}/desk.sock"
    service = subprocess.Popen([str(BIN / "portal-tui"), "desk-service", "--socket", path], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(path):
            if service.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the desk service did not start")
            time.sleep(0.05)
        desk_env = {**env, "PORTAL_DESK_SERVICE": path}
        desks = [desk_at_work(desk_env, DESK_RUNS + n) for n in range(DESK_RUNS)]
        service_kib = rss_kib(service.pid)
        if not os.access("/usr/sbin/sshd", os.X_OK):
            print("(OpenSSH's server is not installed: no SSH session measured; make bench installs it)")
            return desks, service_kib, []
        sshd = Sshd(folder, {k: v for k, v in desk_env.items() if k != "PORTAL_DATABASE_URL"})
        try:
            sessions = [desk_at_work(env, 2 * DESK_RUNS + n, sshd) for n in range(SSH_RUNS)]
        finally:
            sshd.stop()
        return desks, service_kib, sessions
    finally:
        service.terminate()
        service.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
