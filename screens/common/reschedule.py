"""Change the date or time: choose a day with free times, then a time, check, confirm — and the confirmation.
Only the date and time change: the same clinician, at the same place. At the desk, any clinician and place of the
same clinic, and a reason is asked for before the change is made."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from domain.language import N_, _, ngettext
from domain.clock import LONDON
from domain.errors import DomainError
from domain.formatting import nhs_date, nhs_datetime, nhs_time
from domain.hospital import Slot
from domain.appointments.changes import CHANGE_REASONS, AppointmentPage, Rescheduled, SlotTaken, free_days
from domain.appointments.rules import Action
from screens.common.appointments import ConfirmationPage, show_over_appointments
from screens.common.reason import ReasonScreen
from screens.common.patient_page import PatientContext, PatientPage, answer_row
from screens.common.text import Plain, PlainButton, option


class ChoicePage(PatientPage):
    """A page whose answer is one option of a list: Enter on it, or Continue with it highlighted. The words
    above stay in view; only the list scrolls, however small the kiosk's screen."""

    FIXED_LAYOUT = True

    def compose_choices(self) -> ComposeResult:
        yield OptionList(*self.options(), id="choices")
        with Horizontal(classes="page-buttons"):
            yield PlainButton(_("Continue"), id="continue", variant="primary")
            yield PlainButton(_("Back"), id="back")

    def options(self) -> list[Option]:
        return []

    def on_mount(self) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = 0
        choices.focus()

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        self.chosen(event.option.id)

    @on(PlainButton.Pressed, "#continue")
    def continue_pressed(self) -> None:
        choices = self.query_one("#choices", OptionList)
        if choices.highlighted is None:
            self.show_problem(_("Choose one of the options."))
            return
        option = choices.get_option_at_index(choices.highlighted)
        assert option.id is not None
        self.chosen(option.id)

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()

    def chosen(self, option_id: str) -> None:
        """What the chosen option leads to."""


class RescheduleDayScreen(ChoicePage):
    """Days that have free times with the same clinician at the same place, within the booking horizon."""

    TITLE_TEXT = N_("Change your appointment: choose a day")

    def title_text(self) -> str:
        return self.ctx.words(_(self.TITLE_TEXT), "Move the appointment: choose a day")

    def __init__(self, ctx: PatientContext, page: AppointmentPage, slots: list[Slot]) -> None:
        super().__init__(ctx)
        self.page = page
        """The appointment being changed."""
        self.days = free_days(slots)
        """Free slots by day."""

    def compose_body(self) -> ComposeResult:
        view = self.page.view
        if self.ctx.at_desk:
            yield Plain(f"Free times of every clinician and place of {view.clinic}.", classes="lede",
                        id="changes-left")
        else:
            left = self.page.reschedules_left
            yield Plain(ngettext("You can change this appointment {count} more time. We cannot promise a particular "
                                 "date.", "You can change this appointment {count} more times. We cannot promise a "
                                 "particular date.", left).format(count=left), classes="lede", id="changes-left")
        yield answer_row(_("Now"), nhs_datetime(view.appointment.starts_at))
        yield answer_row(_("With"), f"{view.clinician or view.clinic}, {view.where}")
        yield from self.compose_choices()

    def options(self) -> list[Option]:
        return [option(f"{nhs_date(day)}  (" + ngettext("{count} free time", "{count} free times", len(slots)).format(
                       count=len(slots)) + ")", id=day.isoformat()) for day, slots in self.days.items()]

    def chosen(self, option_id: str) -> None:
        day = date.fromisoformat(option_id)
        self.app.push_screen(RescheduleTimeScreen(self.ctx, self.page, self.days[day]))


class RescheduleTimeScreen(ChoicePage):
    """The free times of one day — or, when the chosen one was taken meanwhile, the nearest others."""

    def __init__(self, ctx: PatientContext, page: AppointmentPage, slots: list[Slot], problem: str = "") -> None:
        super().__init__(ctx)
        self.page = page
        """The appointment being changed."""
        self.slots = {str(slot.id): slot for slot in slots}
        """The times to choose from."""
        self.problem = problem
        """Why these times are offered instead (the chosen one was taken)."""

    def title_text(self) -> str:
        days = {slot.starts_at.astimezone(LONDON).date() for slot in self.slots.values()}
        start = self.ctx.words(_("Change your appointment"), "Move the appointment")
        if self.problem or len(days) != 1:
            return _("{start}: choose another time").format(start=start)
        return _("{start}: choose a time on {date}").format(start=start, date=nhs_date(days.pop()))

    def compose_body(self) -> ComposeResult:
        view = self.page.view
        if not self.ctx.at_desk:  # at the desk each time says with whom, and where
            yield answer_row(_("With"), f"{view.clinician or view.clinic}, {view.where}")
        yield from self.compose_choices()

    def options(self) -> list[Option]:
        several_days = len({s.starts_at.astimezone(LONDON).date() for s in self.slots.values()}) > 1
        return [option(f"{nhs_datetime(s.starts_at) if several_days else nhs_time(s.starts_at)}"
                       f"  ({s.duration_minutes} minutes)" + (f"\n{s.clinician} · {s.place}" if s.clinician else ""),
                       id=key) for key, s in self.slots.items()]

    def on_mount(self) -> None:
        super().on_mount()
        if self.problem:
            self.show_problem(self.problem)

    def chosen(self, option_id: str) -> None:
        self.app.push_screen(CheckChangeScreen(self.ctx, self.page, self.slots[option_id]))


class CheckChangeScreen(PatientPage):
    """Check your answers: the old time, the new time, and that nothing else changes. Nothing is saved until
    Confirm is pressed."""

    TITLE_TEXT = N_("Check your new appointment")

    def __init__(self, ctx: PatientContext, page: AppointmentPage, slot: Slot) -> None:
        super().__init__(ctx)
        self.page = page
        """The appointment being changed."""
        self.slot = slot
        """The new time."""

    def title_text(self) -> str:
        return self.ctx.words(_(self.TITLE_TEXT), "Check the new appointment")

    def compose_body(self) -> ComposeResult:
        if self.ctx.at_desk:
            yield from self._desk_body()
        else:
            yield from self._patient_body()
        with Horizontal(classes="page-buttons"):
            yield PlainButton(_("Confirm change"), id="confirm", variant="primary")
            yield PlainButton(_("Back"), id="back")

    def _desk_body(self) -> ComposeResult:
        view, slot = self.page.view, self.slot
        yield Plain(_("Nothing is changed until you press Confirm change and give the reason."), classes="lede")
        yield answer_row(_("Appointment now"), f"{nhs_datetime(view.appointment.starts_at)}, "
                         f"{view.clinician or view.clinic}, {view.where}")
        yield answer_row(_("New date and time"), nhs_datetime(slot.starts_at), id="new-time")
        yield answer_row(_("With"), slot.clinician or view.clinician or view.clinic)
        yield answer_row(_("Where"), slot.place or view.where)
        decision = self.page.staff[Action.RESCHEDULE] if self.page.staff else None
        if decision and decision.overrides:
            yield Plain(f"This goes past the online rules (it is {' and '.join(decision.overrides)}): the audit "
                        "trail records your override.", classes="lede blocked")
        if decision and decision.arrangements:
            yield Plain(f"Afterwards, rebook {' and '.join(decision.arrangements)} for the new time.",
                        classes="lede blocked")
        yield Plain("The patient gets a confirmation text, and the letter in the portal"
                    + (" and by post." if self._paper() else "."), classes="lede")

    def _paper(self) -> bool:
        return self.ctx.details.letter_preference.value == "paper"

    def _patient_body(self) -> ComposeResult:
        view = self.page.view
        yield Plain(_("Nothing is changed until you press Confirm change. Only the date and time change: to see "
                      "someone else or go somewhere else, call the Appointments team on {phone}.").format(
                        phone=self.page.trust.appointments_phone), classes="lede")
        yield answer_row(_("Appointment now"), nhs_datetime(view.appointment.starts_at))
        yield answer_row(_("New date and time"), nhs_datetime(self.slot.starts_at), id="new-time")
        yield answer_row(_("Clinic"), view.clinic)
        if view.clinician:
            yield answer_row(_("You will see"), view.clinician)
        yield answer_row(_("Where"), view.where)
        left = self.page.reschedules_left - 1
        yield Plain(ngettext("After this change you can change it {count} more time online.",
                             "After this change you can change it {count} more times online.", left).format(count=left)
                    if left else _("This is the last time this appointment can be changed online."), classes="lede")
        yield Plain(_("We will text you to confirm it and put a confirmation letter in the portal."), classes="lede")

    def on_mount(self) -> None:
        self.query_one("#confirm", PlainButton).focus()

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()

    @on(PlainButton.Pressed, "#confirm")
    def confirm(self) -> None:
        if self.ctx.at_desk:
            self.app.push_screen(ReasonScreen("Why is this appointment being moved?", "Kept with the appointment "
                                              "and in the audit trail.", CHANGE_REASONS, "Confirm change"),
                                 self._reason_given)
            return
        self._change(None)

    def _reason_given(self, reason: str | None) -> None:
        if reason:
            self._change(reason)

    def _change(self, reason: str | None) -> None:
        self.query_one("#confirm", PlainButton).label = _("Please wait…")
        a = self.page.view.appointment
        self.call(lambda: self.record.reschedule(a.id, self.slot.id, reason), self.changed, self.refused)

    def refused(self, error: DomainError) -> None:
        self.query_one("#confirm", PlainButton).label = _("Confirm change")
        if isinstance(error, SlotTaken) and error.nearest:
            # Say so, and offer the nearest other times in place of this page.
            self.app.switch_screen(RescheduleTimeScreen(self.ctx, self.page, error.nearest, str(error)))
            return
        self.show_problem(str(error))

    def changed(self, done: Rescheduled) -> None:
        show_over_appointments(self.app, RescheduledScreen(self.ctx, done))


class RescheduledScreen(ConfirmationPage):
    """The confirmation panel."""

    TITLE_TEXT = N_("Your appointment has been changed")

    def title_text(self) -> str:
        return self.ctx.words(_(self.TITLE_TEXT), "The appointment has been moved")

    def __init__(self, ctx: PatientContext, done: Rescheduled) -> None:
        super().__init__(ctx)
        self.done = done
        """What was changed."""

    def compose_panel(self) -> ComposeResult:
        new = self.done.new
        a = new.appointment
        if self.ctx.at_desk:
            yield from self._desk_panel()
            return
        yield Plain(_("Your new appointment is on {when}.").format(when=nhs_datetime(a.starts_at)), classes="panel",
                    id="panel")
        yield answer_row(_("Reference"), a.reference)
        yield answer_row(_("Clinic"), new.clinic)
        yield answer_row(_("Where"), new.where)
        if self.done.sms is not None:
            yield Plain(_("We have sent a text to your mobile to confirm it."), classes="lede")
        yield Plain(_("Your confirmation letter is in the portal, and we are posting you a copy.") if self.done.posted
                    else _("Your confirmation letter is in the portal."), classes="lede")
        yield Plain(_("The appointment on {when} is no longer booked.").format(
            when=nhs_datetime(self.done.old.appointment.starts_at)), classes="lede")

    def _desk_panel(self) -> ComposeResult:
        new = self.done.new
        a = new.appointment
        yield Plain(f"The new appointment is on {nhs_datetime(a.starts_at)}.", classes="panel", id="panel")
        yield answer_row(_("Reference"), a.reference)
        yield answer_row(_("With"), new.clinician or new.clinic)
        yield answer_row(_("Where"), new.where)
        if self.done.arrangements:
            yield Plain(f"Now rebook {' and '.join(self.done.arrangements)} for the new time. The appointment shows "
                        "it as to do until you mark it done.", classes="lede blocked", id="arrangements")
        yield Plain("A confirmation text is on its way to the patient's mobile." if self.done.sms is not None else
                    "The patient has no mobile on record: tell them the new time.", classes="lede")
        yield Plain(letter_words(self.done.letter, self.done.posted), classes="lede" if self.done.letter != "too_late"
                    else "lede blocked", id="letter")


def letter_words(letter: str, posted: bool) -> str:
    """What the desk is told of the confirmation letter."""
    if letter == "too_late":
        return ("The letter cannot arrive by post before the appointment: tell the patient the date and time now "
                "(the appointment shows it as a to-do until you mark it done).")
    if letter == "portal":
        return "The confirmation letter is in the patient's portal account."
    return "The confirmation letter is in the portal, and a paper copy is queued for posting." if posted else \
        "The confirmation letter is in the portal."

