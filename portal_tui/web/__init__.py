"""The kiosk or the desk in a web page: textual-serve runs the same program for each browser tab (a process of its
own, the same settings and database) and relays its screen over a websocket.

The page is the portal's own (web/app_index.html, the name textual-serve looks for): it loads nothing from outside the server (textual-serve's own
page asks Google for a font, which a hospital network and a kiosk's browser should never need)."""

from __future__ import annotations

import logging
import shlex
import sys
from pathlib import Path
from typing import Any

from textual_serve.server import Server

PAGE_FOLDER = Path(__file__).parent
TITLES = {"kiosk": "Patient Portal", "desk": "Patient Portal — Appointments team"}


def program_command(program: str, config_file: str | None) -> str:
    """The shell command each browser tab runs: this Python, this portal, the same settings."""
    words = [sys.executable, "-m", "portal_tui"]
    if config_file:
        words += ["--config", str(Path(config_file).resolve())]
    return " ".join(shlex.quote(word) for word in [*words, program])


class PortalServer(Server):
    """textual-serve with the portal's page and plain one-line logging (no logo, no colours in a service log)."""

    def __init__(self, program: str, config_file: str | None, host: str, port: int,
                 public_url: str | None = None) -> None:
        super().__init__(program_command(program, config_file), host=host, port=port, title=TITLES[program],
                         public_url=public_url.rstrip("/") if public_url else None, templates_path=PAGE_FOLDER)
        self.program = program
        """kiosk or desk."""

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s portal-tui serve: %(message)s")

    async def on_startup(self, app: Any) -> None:
        logging.getLogger("portal_tui.web").info("serving the %s on %s (each browser tab its own %s)",
                                                 self.program, self.public_url, self.program)
