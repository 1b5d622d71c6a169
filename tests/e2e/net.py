"""A free loopback port, and waiting until a server started on it answers (or has died, and says why)."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, server: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    """Until 127.0.0.1:`port` takes a connection; fails with the server's log if it stops or never listens."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server on port {port} did not start: {log.read_text()}") from None
            time.sleep(0.05)
