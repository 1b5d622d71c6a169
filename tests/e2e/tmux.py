"""Drive a real program in a real terminal: tmux on a private socket, send-keys to type, capture-pane to read."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


class Terminal:
    """One tmux session on its own server; `close()` kills the server and everything in it."""

    def __init__(self, command: list[str], env: dict[str, str], width: int = 100, height: int = 30) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed (make test installs it)")
        self.socket = f"portal-e2e-{uuid.uuid4().hex[:8]}"
        # tmux 3.3 does not always report a dead pane's exit status, so the shell writes it down.
        self._status_file = Path(tempfile.mkdtemp(prefix="portal-e2e-")) / "status"
        # COLUMNS and LINES left over from the test run (pytest's own terminal) would win over the pane's real
        # size in every program that asks (Python's shutil.get_terminal_size does): the program gets the pane's.
        program = " ".join(["env", "-u", "COLUMNS", "-u", "LINES", *(f"{k}={shlex.quote(v)}" for k, v in env.items()),
                            *map(shlex.quote, command)])
        line = f"{program}; echo $? > {shlex.quote(str(self._status_file))}"
        self._tmux("new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height), line)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        if result.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    # A person's pause between keys. Text and a Tab sent with no gap reach the program in one read, which
    # Textual rightly takes as a paste (and a paste's Tab is not a key press): people never type that fast.
    PAUSE = 0.1

    def press(self, *keys: str) -> None:
        """Keys as tmux names them: 'C-c', 'F12', 'Enter', 'Tab'."""
        for key in keys:
            self._tmux("send-keys", "-t", "e2e", key)
            time.sleep(self.PAUSE)

    def type(self, text: str) -> None:
        """Text, as typed into the focused field."""
        self._tmux("send-keys", "-t", "e2e", "-l", text)
        time.sleep(self.PAUSE)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def exit_status(self, timeout: float = 10) -> int | None:
        """The program's exit status once it has ended, or None if it is still running after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            written = self._status_file.read_text() if self._status_file.exists() else ""
            if written.endswith("\n"):
                return int(written)
            time.sleep(0.05)
        return None

    orphans: list[str] = []
    """Programs that outlived their terminal (each then killed): the e2e conftest fails the test that left one."""

    def close(self) -> None:
        """Hang up the terminal as a closed window or a dropped SSH link would (SIGHUP), and wait for what ran in
        it to end; anything still running after the program's grace is killed and named in `orphans`."""
        running = self._programs()
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10)
        deadline = time.monotonic() + 8.0  # the program's own 5 s grace after a hang-up, and its exit
        while running and time.monotonic() < deadline:
            running = {pid: args for pid, args in running.items() if _alive(pid, args)}
            if running:
                time.sleep(0.05)
        for pid, args in running.items():
            Terminal.orphans.append(f"{args} (pid {pid})")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self._status_file.parent, ignore_errors=True)

    def _programs(self) -> dict[int, str]:
        """Every process running under the pane, with its command line."""
        try:
            root = self.pane_pid()
        except RuntimeError:
            return {}
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        found, frontier = {}, [root]
        while frontier:
            pid = frontier.pop()
            with contextlib.suppress(OSError):
                found[pid] = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            frontier.extend(child for child, parent in parents.items() if parent == pid)
        return found

    def pane_title(self) -> str:
        """The title the program has given its terminal (an OSC 0/2 sequence sets it)."""
        return self._tmux("display-message", "-p", "-t", "e2e", "#{pane_title}").strip()

    def pane_pid(self) -> int:
        """The process tmux started in the pane."""
        return int(self._tmux("display-message", "-p", "-t", "e2e", "#{pane_pid}").strip())

    def set_clipboard_capture(self) -> None:
        """From now on an OSC 52 'write the clipboard' sequence becomes a tmux paste buffer, for buffers()."""
        self._tmux("set-option", "-s", "set-clipboard", "on")

    def buffers(self) -> str:
        """Every tmux paste buffer: what the program wrote to the clipboard."""
        return self._tmux("list-buffers")

    def screen_with_colours(self) -> str:
        """The screen with its SGR colour codes, as the terminal shows it."""
        return self._tmux("capture-pane", "-e", "-p", "-t", "e2e")

    def cursor(self) -> tuple[int, int]:
        """Where the terminal's own cursor is (column, line), shown or hidden: what a braille display follows."""
        x, y = self._tmux("display-message", "-p", "-t", "e2e", "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def cursor_line(self) -> str:
        """The screen's line the cursor is on, from the cursor's column."""
        x, y = self.cursor()
        return self.screen().splitlines()[y][x:] if y < len(self.screen().splitlines()) else ""


def _alive(pid: int, args: str) -> bool:
    """The same process is still there (not a zombie, and its pid not yet given to another)."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
        cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z" and cmdline == args
