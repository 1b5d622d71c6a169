"""The kiosk or the desk in a web page: textual-serve runs the same program for each browser tab (a process of its
own, the same settings and database) and relays its screen over a websocket.

The page is the portal's own (web/app_index.html, the name textual-serve looks for): it loads nothing from outside
the server (textual-serve's own page asks Google for a font, which a hospital network and a kiosk's browser should
never need).

The door is the server's to keep, not the browser's: a websocket is taken only from a page of this server's own
address (its Origin), every answer carries headers that keep the page out of other sites' frames and its scripts
to this server, the tabs served at once are capped (a clear page says so), sizes a browser asks for are clamped,
and each tab's program is ended with its tab, by force if it will not stop."""

from __future__ import annotations

import asyncio
import logging
import shlex
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

PAGE_FOLDER = Path(__file__).parent
TITLES = {"kiosk": "Patient Portal", "desk": "Patient Portal — Appointments team"}
SIZES = {"width": (20, 300), "height": (8, 120)}
"""Columns and rows a tab may ask for: a screen larger than any real one is a way to make the program huge."""
STOP_SECONDS = 5.0
"""How long a closed tab's program has to stop when asked before it is ended."""
log = logging.getLogger("portal_tui.web")


def program_command(program: str, config_file: str | None) -> str:
    """The shell command each browser tab runs: this Python, this portal, the same settings (`exec`: the shell
    becomes the program, so that ending the process ends the program)."""
    words = [sys.executable, "-m", "portal_tui"]
    if config_file:
        words += ["--config", str(Path(config_file).resolve())]
    return "exec " + " ".join(shlex.quote(word) for word in [*words, program])


def security_headers(public_url: str) -> dict[str, str]:
    """What every answer carries: scripts, styles and connections from this server only, no frames around it."""
    parts = urlsplit(public_url)
    socket = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return {
        "Content-Security-Policy": (f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                    f"img-src 'self' data:; font-src 'self'; connect-src 'self' {socket}; "
                                    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'"),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{(parts.hostname or '').lower()}{port}"


def clamped(name: str, value: object, default: int) -> int:
    low, high = SIZES[name]
    number = to_int(str(value), default) if not isinstance(value, int) or isinstance(value, bool) else value
    return max(low, min(high, number))


class PortalServer(Server):
    """textual-serve with the portal's page, its door, and plain one-line logging."""

    def __init__(self, program: str, config_file: str | None, host: str, port: int,
                 public_url: str | None = None, sessions: int = 8) -> None:
        super().__init__(program_command(program, config_file), host=host, port=port, title=TITLES[program],
                         public_url=public_url.rstrip("/") if public_url else None, templates_path=PAGE_FOLDER)
        self.program = program
        """kiosk or desk."""
        self.sessions = sessions
        """Tabs served at once."""
        self.open: set[AppService] = set()
        self.origin = origin_of(self.public_url)
        self.headers = security_headers(self.public_url)

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s portal-tui serve: %(message)s")

    async def on_startup(self, app: Any) -> None:
        log.info("serving the %s on %s (each browser tab its own %s, %d at once)", self.program, self.public_url,
                 self.program, self.sessions)

    async def on_shutdown(self, app: Any) -> None:
        await asyncio.gather(*(self._end(service) for service in list(self.open)), return_exceptions=True)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._with_headers)
        return app

    @web.middleware
    async def _with_headers(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as refused:
            response = refused
        response.headers.update(self.headers)
        return response

    async def handle_index(self, request: web.Request) -> Any:
        if len(self.open) >= self.sessions:
            return self._full()
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """A tab's program, for a page of this server's own, while there is room."""
        origin = request.headers.get("Origin", "")
        if origin_of(origin) != self.origin:
            log.warning("refused a websocket from %r (this server is %s)", origin[:200], self.origin)
            return web.Response(status=403, text="This page may be opened only from the portal's own address.")
        if len(self.open) >= self.sessions:
            return self._full()
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=64 * 1024)
        service: AppService | None = None
        try:
            await websocket.prepare(request)
            service = AppService(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                 close=websocket.close, download_manager=self.download_manager, debug=False)
            self.open.add(service)
            await service.start(clamped("width", request.query.get("width", "80"), 80),
                                clamped("height", request.query.get("height", "24"), 24))
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:  # noqa: BLE001 - one tab's trouble, logged; the server goes on
            log.exception("a tab's session failed")
        finally:
            if service is not None:
                await self._end(service)
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """What a tab sends, taken as data: keys, a size (clamped), focus; anything else is ignored."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
            except ValueError:
                continue
            if not (isinstance(envelope, list) and envelope and isinstance(envelope[0], str)):
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(clamped("width", data.get("width"), 80),
                                                    clamped("height", data.get("height"), 24))
            elif kind == "ping" and isinstance(data, (str, int, float)):
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def _end(self, service: AppService) -> None:
        """The tab's program stops: asked first, then ended, whatever state it is in."""
        self.open.discard(service)
        try:
            await asyncio.wait_for(service.stop(), STOP_SECONDS)
        except (TimeoutError, Exception):  # noqa: BLE001 - stopping it is all that matters now
            pass
        process = service._process
        if process is not None and process.returncode is None:
            process.kill()
            try:
                await asyncio.wait_for(process.wait(), STOP_SECONDS)
            except TimeoutError:
                log.error("a tab's program (pid %s) would not end", process.pid)

    def _full(self) -> web.Response:
        return web.Response(status=503, content_type="text/html", text=_FULL.replace("{title}", self.title))


_FULL = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: Arial, sans-serif; color: #212b32; margin: 2em">
<h1>{title} is busy</h1>
<p>Every place this portal has for a browser is in use. Please try again in a minute.</p>
<p>If this goes on, tell IT.</p>
<p><a href="">Try again</a></p>
</body></html>
"""
