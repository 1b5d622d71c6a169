"""The first page of a patient's record — the kiosk's Home, the desk's open patient: one button per part of the
record, each page read off the screen's thread before it shows. The kiosk and the desk add their own buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.screen import Screen

from domain.language import _
from domain.errors import DomainError
from screens.common.appointments import AppointmentsScreen
from screens.common.my_details import MyDetailsScreen
from screens.common.patient_page import PatientContext
from screens.common.records import LettersScreen, ResultsScreen
from screens.common.text import PlainButton


class RecordHome(Screen[None]):
    """Buttons #appointments, #letters, #results and #my-details open the same pages at the kiosk and the desk."""

    def __init__(self, ctx: PatientContext) -> None:
        super().__init__()
        self.ctx = ctx
        """Whose record, the use cases on it, and who acts."""

    @property
    def details(self):  # type: ignore[no-untyped-def]
        return self.ctx.details

    def menu(self, *, compact: bool = False) -> list[PlainButton]:
        """The record's parts, in the words of whoever reads them (at the desk, one line each)."""
        w = self.ctx.words
        return [
            PlainButton(w(_("My appointments: see, change or cancel"), "Appointments: see, change, cancel"),
                        id="appointments", classes="menu-item", compact=compact),
            PlainButton(w(_("My letters: from both hospitals"), "Letters from both hospitals"), id="letters",
                        classes="menu-item", compact=compact),
            PlainButton(w(_("My test results"), "Test results"), id="results", classes="menu-item", compact=compact),
            PlainButton(w(_("My Details: contact details and letters"), "Contact details and letters (paper or "
                          "paperless)"), id="my-details", classes="menu-item", compact=compact),
        ]

    @on(PlainButton.Pressed, "#appointments")
    def open_appointments(self) -> None:
        record = self.ctx.record
        self.load("#appointments", lambda ctx: AppointmentsScreen(ctx, record.appointments(), record.now(),
                                                                  record.visits()))

    @on(PlainButton.Pressed, "#letters")
    def open_letters(self) -> None:
        self.load("#letters", lambda ctx: LettersScreen(ctx, ctx.record.letter_list()))

    @on(PlainButton.Pressed, "#results")
    def open_results(self) -> None:
        self.load("#results", lambda ctx: ResultsScreen(ctx, ctx.record.results_page()))

    @on(PlainButton.Pressed, "#my-details")
    def open_my_details(self) -> None:
        self.app.push_screen(MyDetailsScreen(self.ctx))

    def load(self, button: str, build: Callable[[PatientContext], Screen[Any]]) -> None:
        """Read what the page shows off the screen's thread, then show it; the button waits meanwhile."""
        self.query_one(button, PlainButton).disabled = True
        self._load(button, build)

    @work(thread=True, exclusive=True)
    def _load(self, button: str, build: Callable[[PatientContext], Screen[Any]]) -> None:
        try:
            screen = build(self.ctx)
        except DomainError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        finally:
            self.app.call_from_thread(self._ready, button)
        self.app.call_from_thread(self._show, screen)

    def _show(self, screen: Screen[Any]) -> None:
        # Only onto this patient's page: if the session ended (or the patient was closed) while it loaded, the
        # page is dropped unseen.
        if self.is_attached and self in self.app.screen_stack:
            self.app.push_screen(screen)

    def _ready(self, button: str) -> None:
        # Disabling it moved the focus on to the next button; back here, it should be where it was left.
        if not (self.is_attached and self in self.app.screen_stack):
            return
        widget = self.query_one(button, PlainButton)
        widget.disabled = False
        widget.focus()
