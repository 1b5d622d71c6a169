"""Book an appointment for the patient: choose the clinic (those they are under first), a day, a time with any of
its clinicians, check — a follow-up, or a first appointment with its e-RS referral number — give the reason, and
the booking is made with its letter and texts."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, RadioButton, RadioSet
from textual.widgets.option_list import Option

from domain.appointments.booking import Booked, BookingKind, ClinicChoice
from domain.appointments.changes import SlotTaken, free_days
from domain.clock import LONDON
from domain.errors import DomainError
from domain.formatting import nhs_date, nhs_datetime, nhs_time
from domain.hospital import Slot
from screens.common.patient_page import PatientContext, PatientPage, answer_row
from screens.common.reason import ReasonScreen
from screens.common.reschedule import ChoicePage, letter_words
from screens.common.text import Plain, PlainButton, option
from screens.common.widgets import Field

REBOOKING = "rebooking: the hospital cancelled the last appointment"
BOOKING_REASONS = ("follow-up the clinic asked for", "new referral from the GP", "the patient asked, at the desk",
                   "the patient asked, on the phone")


class BookClinicScreen(ChoicePage):
    """Every clinic of both trusts; the ones the patient is under (an open referral) first."""

    TITLE_TEXT = "Book an appointment: choose the clinic"

    def __init__(self, ctx: PatientContext, choices: list[ClinicChoice]) -> None:
        super().__init__(ctx)
        self.choices = {str(c.clinic.id): c for c in choices}
        """The clinics, by id."""

    def compose_body(self) -> ComposeResult:
        yield Plain("A follow-up can be booked where the patient is under the clinic; a first appointment needs "
                    "its e-RS referral number (UBRN).", classes="lede")
        yield from self.compose_choices()

    def options(self) -> list[Option]:
        return [option((c.clinic.name, "bold"), f"  {c.trust_name}",
                       f"\nUnder this clinic: referred {nhs_date(c.referral.referred_on)}" if c.referral else
                       "\nNot under this clinic: a first appointment only", id=key)
                for key, c in self.choices.items()]

    def chosen(self, option_id: str) -> None:
        choice = self.choices[option_id]

        def show(slots: list[Slot]) -> None:
            if not slots:
                self.show_problem(f"There are no free times in {choice.clinic.name} in the weeks that can be "
                                  "booked.")
                return
            self.app.push_screen(BookDayScreen(self.ctx, choice, slots))

        self.call(lambda: self.record.booking_slots(choice.clinic.id), show)  # type: ignore[attr-defined]


class BookDayScreen(ChoicePage):
    """Days with free times in the clinic."""

    def __init__(self, ctx: PatientContext, choice: ClinicChoice, slots: list[Slot], rebooks: int | None = None
                 ) -> None:
        super().__init__(ctx)
        self.choice = choice
        """The clinic."""
        self.days = free_days(slots)
        """Its free times by day."""
        self.rebooks = rebooks
        """The appointment the hospital cancelled, whose to-do this booking closes."""

    def title_text(self) -> str:
        return f"Book {self.choice.clinic.name}: choose a day"

    def compose_body(self) -> ComposeResult:
        yield from self.compose_choices()

    def options(self) -> list[Option]:
        return [option(f"{nhs_date(day)}  ({len(slots)} free {'time' if len(slots) == 1 else 'times'})",
                       id=day.isoformat()) for day, slots in self.days.items()]

    def chosen(self, option_id: str) -> None:
        self.app.push_screen(BookTimeScreen(self.ctx, self.choice, self.days[date.fromisoformat(option_id)],
                                            rebooks=self.rebooks))


class BookTimeScreen(ChoicePage):
    """The free times of one day, each with its clinician and place (or the nearest others, when one was taken)."""

    def __init__(self, ctx: PatientContext, choice: ClinicChoice, slots: list[Slot], problem: str = "",
                 rebooks: int | None = None) -> None:
        super().__init__(ctx)
        self.choice = choice
        """The clinic."""
        self.slots = {str(s.id): s for s in slots}
        """The times to choose from."""
        self.problem = problem
        """Why these times are offered instead."""
        self.rebooks = rebooks
        """The appointment the hospital cancelled, whose to-do this booking closes."""

    def title_text(self) -> str:
        return f"Book {self.choice.clinic.name}: choose a time"

    def compose_body(self) -> ComposeResult:
        yield from self.compose_choices()

    def options(self) -> list[Option]:
        several = len({s.starts_at.astimezone(LONDON).date() for s in self.slots.values()}) > 1
        return [option(f"{nhs_datetime(s.starts_at) if several else nhs_time(s.starts_at)}  ({s.duration_minutes} "
                       f"minutes)", f"\n{s.clinician} · {s.place}", id=key) for key, s in self.slots.items()]

    def on_mount(self) -> None:
        super().on_mount()
        if self.problem:
            self.show_problem(self.problem)

    def chosen(self, option_id: str) -> None:
        self.app.push_screen(BookCheckScreen(self.ctx, self.choice, self.slots[option_id], rebooks=self.rebooks))


class BookCheckScreen(PatientPage):
    """What is booked, as what: nothing is saved until Book is pressed and the reason given."""

    TITLE_TEXT = "Check the booking"

    def __init__(self, ctx: PatientContext, choice: ClinicChoice, slot: Slot, rebooks: int | None = None) -> None:
        super().__init__(ctx)
        self.choice = choice
        """The clinic."""
        self.slot = slot
        """The time."""
        self.rebooks = rebooks
        """The appointment the hospital cancelled, whose to-do this booking closes."""

    def compose_body(self) -> ComposeResult:
        s = self.slot
        yield answer_row("Patient", self.ctx.details.full_name)
        yield answer_row("When", f"{nhs_datetime(s.starts_at)} (for about {s.duration_minutes} minutes)",
                         id="book-time")
        yield answer_row("Clinic", f"{self.choice.clinic.name}, {self.choice.trust_name}")
        yield answer_row("With", s.clinician or "a member of the clinic's team")
        yield answer_row("Where", s.place or "to be confirmed")
        with RadioSet(id="kind"):
            yield RadioButton("Follow-up (the patient is under this clinic)", value=self.choice.can_follow_up,
                              disabled=not self.choice.can_follow_up, id="kind-follow-up")
            yield RadioButton("First appointment of a new referral", value=not self.choice.can_follow_up,
                              id="kind-new")
        yield Field("e-RS referral number (UBRN), for a first appointment", hint="12 digits, from the referral.",
                    id="ubrn", max_length=20)
        yield Plain("Booking sends the letter (by post too for paper letters), a text, and the portal's invitation "
                    "if one is due.", classes="lede")
        with Horizontal(classes="page-buttons"):
            yield PlainButton("Book appointment", id="book", variant="primary")
            yield PlainButton("Back", id="back")

    def on_mount(self) -> None:
        self.query_one("#ubrn", Field).display = self._kind() is BookingKind.NEW_REFERRAL
        self.query_one("#book", PlainButton).focus()

    @on(RadioSet.Changed, "#kind")
    def kind_changed(self) -> None:
        self.query_one("#ubrn", Field).display = self._kind() is BookingKind.NEW_REFERRAL

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()

    def _kind(self) -> BookingKind:
        pressed = self.query_one("#kind", RadioSet).pressed_button
        return BookingKind.FOLLOW_UP if pressed is not None and pressed.id == "kind-follow-up" else \
            BookingKind.NEW_REFERRAL

    @on(PlainButton.Pressed, "#book")
    @on(Input.Submitted, "#ubrn-input")
    def book(self) -> None:
        ubrn = self.query_one("#ubrn", Field)
        ubrn.clear_error()
        if self._kind() is BookingKind.NEW_REFERRAL and len("".join(c for c in ubrn.value if c.isdigit())) != 12:
            ubrn.show_error("A first appointment needs its e-RS referral number (UBRN): 12 digits.")
            ubrn.input.focus()
            return
        reasons = ((REBOOKING,) if self.rebooks is not None else ()) + BOOKING_REASONS
        self.app.push_screen(ReasonScreen("Why is this appointment being booked?", "Kept with the appointment and "
                                          "in the audit trail.", reasons, "Book appointment"),
                             self._reason_given)

    def _reason_given(self, reason: str | None) -> None:
        if not reason:
            return
        kind, ubrn = self._kind(), self.query_one("#ubrn", Field).value
        self.query_one("#book", PlainButton).label = "Please wait…"
        record, rebooks = self.record, self.rebooks

        def book() -> Booked:
            done = record.book(self.slot.id, kind, reason,  # type: ignore[attr-defined]
                               ubrn if kind is BookingKind.NEW_REFERRAL else None)
            if rebooks is not None:  # the hospital's cancellation it replaces is no longer to do
                record.arrangements_done(rebooks)  # type: ignore[attr-defined]
            return done

        self.call(book, self.booked, self.refused)

    def refused(self, error: DomainError) -> None:
        self.query_one("#book", PlainButton).label = "Book appointment"
        if isinstance(error, SlotTaken) and error.nearest:
            self.app.switch_screen(BookTimeScreen(self.ctx, self.choice, error.nearest, str(error), self.rebooks))
            return
        self.show_problem(str(error))

    def booked(self, done: Booked) -> None:
        from screens.desk.record import PatientRecordScreen

        while not isinstance(self.app.screen, PatientRecordScreen) and len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        self.app.push_screen(BookedScreen(self.ctx, done))


class BookedScreen(PatientPage):
    """The booking made: its reference, and what went to the patient."""

    TITLE_TEXT = "Appointment booked"

    def __init__(self, ctx: PatientContext, done: Booked) -> None:
        super().__init__(ctx)
        self.done = done
        """What was booked."""

    def compose_body(self) -> ComposeResult:
        view = self.done.view
        a = view.appointment
        yield Plain(f"Booked: {nhs_datetime(a.starts_at)}, reference {a.reference}", classes="panel", id="panel")
        yield answer_row("What", a.kind.label)
        yield answer_row("Clinic", view.clinic)
        yield answer_row("With", view.clinician or "a member of the clinic's team")
        yield answer_row("Where", view.where)
        yield Plain("A confirmation text is on its way to the patient's mobile." if self.done.sms is not None else
                    "The patient has no mobile on record: tell them the date and time.", classes="lede")
        yield Plain(letter_words(self.done.letter, self.done.posted), classes="lede" if self.done.letter != "too_late"
                    else "lede blocked", id="letter")
        if self.done.invitation is not None:
            yield Plain("The patient is not registered for the portal: an invitation to register has been texted "
                        "to them.", classes="lede", id="invited")
        with Horizontal(classes="page-buttons"):
            yield PlainButton("Back to the patient", id="finish", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#finish", PlainButton).focus()

    @on(PlainButton.Pressed, "#finish")
    def finish(self) -> None:
        self.dismiss()

