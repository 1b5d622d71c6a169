"""What every portal program shares, kiosk and desk: the safety net, keys in order, plain notifications, a size
below which it asks for a bigger window, and a theme the terminal can show."""

from __future__ import annotations

import gc
import time
from typing import ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from domain.text import visible
from portal_tui.faults import Fault, FaultLog
from portal_tui.themes import ANSI_THEME, THEMES

MIN_WIDTH, MIN_HEIGHT = 60, 20
"""The smallest window every desk page is laid out for; below it the program asks for a bigger one."""

FAULT_BURST, FAULT_WINDOW = 5, 60.0
"""This many faults within this many seconds and the program stops (non-zero) rather than loop."""

EXIT_FAULTED = 70
"""The exit status after faults it could not recover from (EX_SOFTWARE): a service manager restarts it."""

EXIT_HUNG_UP = 129
"""The exit status when the terminal went away (128 + SIGHUP, as a shell reports it)."""
HANG_UP_GRACE = 5.0
"""Seconds a hung-up program has to stop cleanly before it ends regardless."""


ORDERED_KEYS = [
    # Tab handled in the app's own queue, before the next key is read: keys that arrive in one burst
    # (a password manager, a paste, a slow SSH link) then land in the fields they were typed for.
    # Textual's own Tab binding is checked only after the focused widget has had the key, by which time
    # the keys behind it have already gone to the old field (Textual issue #1009).
    Binding("tab", "focus_next", "Next", show=False, priority=True),
    Binding("shift+tab", "focus_previous", "Previous", show=False, priority=True),
]
"""Every portal app's first bindings (an app that does not inherit bindings lists them itself)."""


class PortalApp(App[None]):
    """A Textual app that never shows a traceback and never leaves a dead terminal."""

    BINDINGS = ORDERED_KEYS

    min_size: ClassVar[tuple[int, int]] = (MIN_WIDTH, MIN_HEIGHT)
    """The smallest window this program's pages are laid out for."""

    strict_faults: ClassVar[bool] = False
    """Tests set this: a fault then fails the Pilot test that caused it instead of being recovered from."""

    def __init__(self, log_file: str | None, program: str) -> None:
        super().__init__()
        self.fault_log = FaultLog(log_file or None, program)
        """Every fault, in full, under the reference shown on screen."""
        self._fault_times: list[float] = []
        self.animation_level = "none"  # nothing moves: calm at a kiosk, and over SSH only what changed is sent
        for theme in (*THEMES, ANSI_THEME):
            self.register_theme(theme)
        from rich.theme import Theme as RichTheme

        # A letter or an article (Rich's Markdown) in the text's own colours, its headings and links marked by
        # weight and underline: Rich's magenta and cyan fell below 4.5:1 on a dark 16-colour terminal.
        self.console.push_theme(RichTheme({
            "markdown.code": "bold", "markdown.code_block": "none", "markdown.block_quote": "italic",
            "markdown.list": "none", "markdown.item.number": "none", "markdown.h2": "bold underline",
            "markdown.h3": "bold", "markdown.h4": "bold italic", "markdown.link": "underline",
            "markdown.link_url": "underline", "markdown.table.border": "none", "markdown.table.header": "bold",
            "markdown.kbd": "bold"}))

    def start_in_theme(self, name: str) -> None:
        """The theme to start in, given before the stylesheet is first read. Setting `theme` the ordinary way
        this early makes Textual read and apply the whole stylesheet a second time just after the first (a
        sixth of the kiosk's start-up): this does what Textual's theme watcher does, less that second reading."""
        if self.get_theme(name) is None:
            raise ValueError(f"the theme {name!r} is not registered")
        self.set_reactive(App.theme, name)
        dark = self.current_theme.dark
        self.update_classes({**{c: False for c in self.classes if c.startswith("-theme-")}, f"-theme-{name}": True,
                             "-dark-mode": dark, "-light-mode": not dark}, update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())

    @property
    def faults(self) -> list[Fault]:
        """The faults since start (tests read this)."""
        return self.fault_log.faults

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.call_after_refresh(self.place_cursor)  # after whatever the key moved
            if not event.is_forwarded and await self._bound_in_order(event):
                return
        await super().on_event(event)

    # --- the terminal's cursor ----------------------------------------------------------------------------

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.call_after_refresh(self.place_cursor)

    def _follow_layout(self, screen: Screen[object]) -> None:
        """A page lays itself out after it takes its focus: the cursor is placed again after each layout."""
        screen.screen_layout_refresh_signal.unsubscribe(self)
        screen.screen_layout_refresh_signal.subscribe(self, lambda _: self.call_after_refresh(self.place_cursor))

    def place_cursor(self) -> None:
        """The terminal's own cursor on the focused control — the highlighted line of a list, the row of a
        table — so that a braille display or a screen magnifier following it shows what has the focus. (A text
        box has it where the next letter goes.) Hidden as Textual hides it; only its place moves."""
        from rich.control import Control
        from textual.geometry import Offset
        from textual.widgets import DataTable, Input, OptionList

        if not self.screen_stack or self.screen.focused is None:
            return
        focused = self.screen.focused
        region = focused.content_region
        if not region.height:
            return
        y = region.y
        if isinstance(focused, Input):
            region = region._replace(x=focused.cursor_screen_offset.x, width=1)
        elif isinstance(focused, OptionList) and focused.highlighted is not None:
            line = next((n for n, (index, _) in enumerate(focused._lines) if index == focused.highlighted), 0)
            y += line - round(focused.scroll_y)
        elif isinstance(focused, DataTable) and focused.row_count:
            y += focused._get_row_region(focused.cursor_row).y - round(focused.scroll_y)
        position = Offset(region.x, max(region.y, min(y, region.bottom - 1)))
        if position == self.cursor_position:
            return
        self.cursor_position = position
        if not self.is_headless and self._driver is not None and not self._driver.is_inline:
            # Nothing else may change on screen to carry the move: send it now (where the next frame puts it too).
            self._driver.write(Control.move_to(*position).segment.text)
            self._driver.flush()
            self._previous_cursor_position = position

    async def _bound_in_order(self, key: events.Key) -> bool:
        """Run the binding a key stands for now, in the order the keys came, against the focus of this moment.

        Textual resolves a widget's own bindings (Enter on a button or a radio set, Space on a checkbox) only
        once the key has been through the widget's queue and bubbled back to the app; a Tab typed right behind
        it has by then moved the focus (Tab runs at once: ORDERED_KEYS), and the Enter meant for the choice
        pressed Continue instead. A key the focused widget takes as text (a letter in a field) still goes to
        that widget, in order, as before; a key no binding wants goes on to the widget's own handlers."""
        if not self.screen_stack or self.screen.maximized is not None:
            return False
        focused = self.focused
        if focused is not None and focused.check_consume_key(key.key, key.character):
            return False
        return await self._check_bindings(key.key, priority=True) or await self._check_bindings(key.key)

    def call_from_thread(self, callback, *args, **kwargs):  # type: ignore[no-untyped-def]
        """A worker's answer: dropped, not a fault, when the program has stopped meanwhile (it has no page)."""
        if self._loop is None or not self.is_running:
            return None
        return super().call_from_thread(callback, *args, **kwargs)

    def on_mount(self) -> None:
        if not gc.isenabled():  # the program's start (cli) turned the collector off until the first paint
            self.call_after_refresh(_collector_on)
        if not self.is_headless and self.console.color_system in ("standard", "windows"):
            # In 16 colours the NHS blues round to cyan and white text on it cannot be read: use the
            # terminal's own palette, where the contrast is the terminal's.
            self.theme = ANSI_THEME.name
        self.set_interval(1.0, self.check_size)
        self.call_after_refresh(self.check_size)
        self.screen_change_signal.subscribe(self, self._follow_layout)
        self._follow_layout(self.screen)
        if not self.is_headless:
            self._listen_for_hang_up()

    def _listen_for_hang_up(self) -> None:
        import asyncio
        import signal

        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)
            # Neither the kiosk nor the desk suspends to a shell, so Textual's stop-and-resume handlers have
            # nothing to do, and the SIGCONT the kernel sends after a hang-up must not start writing to the dead
            # terminal again. A stopped and continued program simply carries on.
            signal.signal(signal.SIGTSTP, signal.SIG_DFL)
            signal.signal(signal.SIGCONT, signal.SIG_DFL)
        except (NotImplementedError, RuntimeError, ValueError) as error:
            # A platform without SIGHUP, or a loop outside the main thread (an embedding host): the default
            # action (the process ends) still holds; the log says the clean stop is not watched for.
            self.fault_log.note(f"hang-ups not watched for ({type(error).__name__}): a dropped terminal ends "
                                "the program without its log line")

    def hang_up(self) -> None:
        """The terminal went away (an SSH connection dropped, a window closed): stop as after Quit.

        What a use case has committed stays; one still in hand commits whole or not at all (one transaction
        each), so nothing is half-written. Nothing is left to show it on, so what Textual would still write
        goes nowhere instead of failing on a dead terminal."""
        import os
        import signal
        import threading

        self.fault_log.note("the terminal hung up (SIGHUP): stopping")
        if not self.is_headless:
            signal.signal(signal.SIGCONT, signal.SIG_DFL)  # as at start-up (an embedding host may differ)
            nowhere = os.open(os.devnull, os.O_WRONLY)
            for descriptor in (1, 2):
                os.dup2(nowhere, descriptor)
            os.close(nowhere)
            # Should Textual's own stop still wait on its output thread (the driver's writer can die on the dead
            # terminal before its output is sent nowhere), the process ends anyway: an orphan kiosk left
            # running would hold the database and the machine. A use case in hand has had its seconds; one
            # still open is rolled back whole by the database.
            timer = threading.Timer(HANG_UP_GRACE, os._exit, args=(EXIT_HUNG_UP,))
            timer.daemon = True
            timer.start()
        self.exit(return_code=EXIT_HUNG_UP)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.check_size)

    # --- the safety net -----------------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Textual calls this with any exception nothing caught: in compose, render, a handler, a worker.

        Screens' workers keep Textual's exit_on_error, so that their unexpected failures come here too: a
        worker's state-change message does not bubble, and a failure a screen never hears of leaves its page
        waiting for good ("Please wait…"). The rules' own refusals never get here: workers catch DomainError."""
        if self.strict_faults:
            super()._handle_exception(error)
            return
        where = type(self.screen).__name__ if self.screen_stack else "start-up"
        fault = self.fault_log.record(error, where)
        now = time.monotonic()
        self._fault_times = [t for t in self._fault_times if now - t < FAULT_WINDOW] + [now]
        if len(self._fault_times) >= FAULT_BURST or not self.is_running:
            self.fault_log.note(f"stopping after {len(self._fault_times)} faults (last {fault.reference})")
            self.exit(return_code=EXIT_FAULTED,
                      message=f"portal-tui stopped after a fault (reference {fault.reference}); it is being restarted.")
            return
        self.call_later(self._recover, fault)

    def _recover(self, fault: Fault) -> None:
        self.recover(fault)
        self.fault_log.note(f"recovered from {fault.reference} on {type(self.screen).__name__}")

    def recover(self, fault: Fault) -> None:
        """Put the program back on a safe page and say what happened, with the reference. Subclasses decide."""
        self.notify(f"Something went wrong (reference {fault.reference}). Please try again.",
                    title="Sorry", severity="error", timeout=20)

    def report_worker_error(self, error: BaseException) -> Fault:
        """A worker's unexpected failure: logged with a reference; the page stays as it was."""
        fault = self.fault_log.record(error, f"worker on {type(self.screen).__name__}")
        self.notify(f"Something went wrong (reference {fault.reference}). Please try again, or ask at the "
                    "reception desk.", title="Sorry", severity="error", timeout=20)
        return fault

    # --- help ---------------------------------------------------------------------------------------------

    place = "kiosk"
    """Where the program runs, as a problem report says it."""

    @property
    def help_services(self):  # type: ignore[no-untyped-def]
        """The help centre's use cases: both the kiosk's and the desk's services carry them as `support`."""
        return self.services.support  # type: ignore[attr-defined]

    @property
    def help_session(self):  # type: ignore[no-untyped-def]
        """The signed-in patient, if any: help keeps their session."""
        return None

    def captured(self, error_reference: str | None = None):  # type: ignore[no-untyped-def]
        """What a problem report captures: the program's own names, never what the page shows."""
        from domain.support.reports import Captured
        from portal_tui import __version__

        screens = [s for s in self.screen_stack if type(s).__module__ != "screens.common.help"]
        page = type(screens[-1]).__name__ if screens else "start-up"
        return Captured(page, f"{self.size.width}x{self.size.height}", __version__, self.place, error_reference)

    def open_help_centre(self) -> None:
        """A Help button: the help centre's own first page."""
        from screens.common.help import HelpCentreScreen

        self.push_screen(HelpCentreScreen(self.help_services, self.help_session, self.captured()))

    def action_help(self) -> None:
        """F1: the help centre, opened at the article about this page when there is one."""
        from domain.help.articles import for_page
        from screens.common.help import PAGE_TOPICS, ArticleScreen, HelpCentreScreen, HelpPage

        if isinstance(self.screen, HelpPage) or type(self.screen).__name__ in ("TooSmallScreen", "StaffPinScreen",
                                                                              "IdleWarningScreen", "DeskCoverScreen"):
            return
        topic = PAGE_TOPICS.get(type(self.screen).__name__, "")
        services, session, captured = self.help_services, self.help_session, self.captured()
        self.push_screen(HelpCentreScreen(services, session, captured))
        article = for_page(services.articles(), topic) if topic else None
        if article is not None:
            self.push_screen(ArticleScreen(services, session, captured, article))

    def action_report_problem(self, error_reference: str | None = None) -> None:
        """From an error message: the report form, with the error's reference."""
        from screens.common.help import ReportProblemScreen

        self.push_screen(ReportProblemScreen(self.help_services, self.help_session, self.captured(error_reference)))

    # --- what reaches the screen --------------------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: str = "information",  # type: ignore[override]
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification is plain text: a message may hold a name or a text's words."""
        super().notify(visible(message), title=visible(title), severity=severity,  # type: ignore[arg-type]
                       timeout=timeout, markup=False)

    def check_size(self) -> None:
        """Below the smallest size, one page asking for a bigger window; back to where it was once big enough."""
        from screens.common.too_small import TooSmallScreen

        if not self.screen_stack:
            return
        self.set_class(self.size.width < 80, "-narrow")
        self.set_class(self.size.width < 60, "-small")
        width, height = self.min_size
        small = self.size.width < width or self.size.height < height
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen(width, height))
        while not small and isinstance(self.screen, TooSmallScreen) and len(self.screen_stack) > 1:
            self.pop_screen()


def _collector_on() -> None:
    """After the first paint: what the start made (Textual, the stylesheet, the first page — ~50,000 objects,
    with a few hundred of garbage among them) lives as long as the program, so it is frozen out of the cyclic
    collector's full collections, each of which would otherwise walk all of it again (~30 ms apiece, measured:
    a pause a patient's key could land in); then the collector comes back on."""
    gc.freeze()
    gc.enable()
