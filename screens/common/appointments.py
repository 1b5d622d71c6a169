"""Your appointments: the list from both trusts, one appointment's page with what you can do (and why not),
and the letters that belong to it."""

from __future__ import annotations

from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from domain.language import N_, _, ngettext
from domain.appointments.rules import Action, ubrn_words, ActionDecision
from domain.appointments.model import AppointmentStatus, AppointmentView
from domain.formatting import day_month_year, nhs_date, nhs_datetime
from domain.appointments.changes import AppointmentPage
from domain.clock import LONDON
from domain.records.model import Document, PostStatus
from domain.records.reading import VISITS_SHOWN, VisitList, letter_pages
from screens.common.patient_page import PatientContext, PatientPage, answer_row, banner
from screens.common.table import PlainTable
from screens.common.text import Footer, Plain, PlainButton, markdown, option, plain_text
from screens.common.widgets import ErrorSummary, OpensAtItsTop


def is_upcoming(view: AppointmentView, now: datetime) -> bool:
    """Booked and not yet over: the appointments still to come."""
    a = view.appointment
    return a.status is AppointmentStatus.BOOKED and a.ends_at > now


def _option(view: AppointmentView) -> Option:
    a = view.appointment
    return option((nhs_datetime(a.starts_at), "bold"), f"\n{_(a.kind.label)}, {view.clinic}",
                  f"\n{view.where} · {view.trust_name}", f"\n{_(a.status_words)}", id=f"appointment-{a.id}")


class AppointmentsScreen(PatientPage):
    """Upcoming first, then earlier, moved and cancelled ones; Enter opens one."""

    TITLE_TEXT = N_("Your appointments")

    def title_text(self) -> str:
        return self.ctx.words(_(self.TITLE_TEXT), f"Appointments of {self.ctx.details.full_name}")

    def __init__(self, ctx: PatientContext, views: list[AppointmentView], now: datetime,
                 visits: VisitList | None = None) -> None:
        super().__init__(ctx)
        self.views = views
        """Every appointment and admission of the patient, soonest first."""
        self.visits = list(visits.visits) if visits else []
        """Visits the trusts' own systems recorded (imported), the newest first: shown, below, when there are
        some; 'Show earlier visits' reads more."""
        self.visit_total = visits.total if visits else 0
        self.now = now
        """When the list was read."""

    def compose_body(self) -> ComposeResult:
        upcoming = [v for v in self.views if is_upcoming(v, self.now)]
        # Earlier ones newest first: last month's visit matters more than one from years ago.
        earlier = [v for v in reversed(self.views) if not is_upcoming(v, self.now)]
        yield Plain(_("Appointments and admissions at West Hertfordshire Teaching Hospitals and the Royal Free "
                     "London. Choose one to see its details, change or cancel it, or read its letters."),
                     classes="lede")
        yield Plain(_("Upcoming ({count})").format(count=len(upcoming)), classes="section-title")
        if upcoming:
            yield OptionList(*self._separated(upcoming), id="upcoming", classes="appointment-list")
        else:
            yield Plain(_("You have no upcoming appointments."), classes="lede")
        yield Plain(_("Earlier, moved and cancelled ({count})").format(count=len(earlier)), classes="section-title")
        if earlier:
            yield OptionList(*self._separated(earlier), id="earlier", classes="appointment-list")
        else:
            yield Plain(_("Nothing yet."), classes="lede")
        if self.visits:
            yield Plain((_("Hospital visits on record ({count})") if len(self.visits) >= self.visit_total else
                         _("Hospital visits on record ({count}, the newest {shown} shown)")).format(
                count=self.visit_total, shown=len(self.visits)), classes="section-title")
            yield Plain(_("Outpatient visits, hospital stays and emergency department visits, as each hospital's "
                         "own system recorded them. Use the arrow keys to read them all."), classes="lede")
            yield PlainTable(id="visits", cursor_type="row", zebra_stripes=False, classes="visit-table")
            if len(self.visits) < self.visit_total:
                yield PlainButton(_("Show earlier visits"), id="earlier-visits")
        yield PlainButton(_("Back"), id="back")

    def _separated(self, views: list[AppointmentView]) -> list[Option | None]:
        options: list[Option | None] = []
        for view in views:
            if options:
                options.append(None)
            options.append(_option(view))
        return options

    def on_mount(self) -> None:
        tables = self.query("#visits")
        if tables:
            table = self.query_one("#visits", PlainTable)
            if not table.columns:
                # Four narrow columns and two lines a row: the whole row fits an 80-column terminal.
                table.add_columns(_("Date"), _("Visit"), _("Hospital"), _("Status"))
                for visit in self.visits:
                    day = visit.started_at.astimezone(LONDON).date()
                    what = plain_text((_(visit.kind.label), "bold"), f"\n{_clipped(visit.title, 38)}")
                    table.add_row(day_month_year(day), what, visit.trust.short_name, _(visit.status_words),
                                  key=f"visit-{visit.id}", height=2)
        lists = self.query(OptionList)
        if lists:
            lists.first().focus()
            lists.first().highlighted = 0

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()

    @on(PlainButton.Pressed, "#earlier-visits")
    def show_earlier_visits(self) -> None:
        self.call(lambda: self.record.visits(len(self.visits) + VISITS_SHOWN), self._more_visits)

    async def _more_visits(self, found: VisitList) -> None:
        self.visits, self.visit_total = list(found.visits), found.total
        await self.recompose()
        self.on_mount()
        self.query_one("#visits", PlainTable).focus()

    @on(OptionList.OptionSelected)
    def open_appointment(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        appointment_id = int(event.option.id.removeprefix("appointment-"))
        self.call(lambda: self.record.appointment(appointment_id),
                  lambda page: self.app.push_screen(AppointmentScreen(self.ctx, page)))

    def on_screen_resume(self) -> None:
        self.busy(False)

    def reload(self) -> None:
        """Read the list again (after a change), and show it."""
        self.call(lambda: (self.record.appointments(), self.record.now()), self._reloaded)

    async def _reloaded(self, loaded: tuple[list[AppointmentView], datetime]) -> None:
        self.views, self.now = loaded
        await self.recompose()
        self.on_mount()


def show_over_appointments(app, confirmation: PatientPage) -> None:  # type: ignore[no-untyped-def]
    """End a change flow: its pages go, the list underneath is read again, and the confirmation shows over it."""
    while not isinstance(app.screen, AppointmentsScreen) and len(app.screen_stack) > 2:
        app.pop_screen()
    if isinstance(app.screen, AppointmentsScreen):
        app.screen.reload()
    app.push_screen(confirmation)


class ConfirmationPage(OpensAtItsTop, PatientPage):
    """A change has been made: a panel saying so, and one button back to the list (which has the focus). The page
    opens at its top — what was done is its title — even where the button is below the fold (a large font, a
    longer language)."""

    AUTO_FOCUS = "#finish"

    def compose_body(self) -> ComposeResult:
        yield from self.compose_panel()
        with Horizontal(classes="page-buttons"):
            yield PlainButton(self.ctx.words(_("Back to your appointments"), "Back to the appointments"), id="finish",
                              variant="primary")

    def compose_panel(self) -> ComposeResult:
        yield from ()

    @on(PlainButton.Pressed, "#finish")
    def finish(self) -> None:
        self.dismiss()


def _decision_text(verb: str, decision: ActionDecision) -> str:
    return _("You cannot {what} online.").format(what=verb) + f" {decision.reason} {decision.instead}"


class AppointmentScreen(PatientPage):
    """One appointment in full, the actions open, and for each closed one why and what to do instead."""

    TITLE_TEXT = N_("Appointment details")

    def __init__(self, ctx: PatientContext, page: AppointmentPage) -> None:
        super().__init__(ctx)
        self.page = page
        """What the use case said about this appointment."""

    def compose_body(self) -> ComposeResult:
        view = self.page.view
        a = view.appointment
        yield answer_row(_("When"), nhs_datetime(a.starts_at) + (
            _(" (for about {minutes} minutes)").format(minutes=a.duration_minutes) if not a.kind.is_admission else ""))
        yield answer_row(_("What"), _(a.kind.label))
        yield answer_row(_("Clinic"), view.clinic)
        if view.clinician:
            yield answer_row(_("You will see") if a.status is AppointmentStatus.BOOKED and not self.ctx.at_desk
                             else _("Clinician"), view.clinician)
        yield answer_row(_("Where"), ", ".join(p for p in (view.location, view.site, view.address) if p)
                         or _("To be confirmed"))
        yield answer_row(_("Hospital trust"), view.trust_name)
        yield answer_row(_("Reference"), a.reference)
        if self.page.ubrn:  # what e-RS and the NHS App know it by
            yield answer_row(_("e-RS booking reference (UBRN)"), ubrn_words(self.page.ubrn), id="ubrn")
        status = _(a.status_words)
        if self.ctx.at_desk and a.status.is_cancelled and a.staff_by:
            status = f"Cancelled for the patient by {view.staff_name or a.staff_by}"
        if a.cancelled_at is not None:
            status += _(" on {date}").format(date=nhs_date(a.cancelled_at.date()))
        if a.cancellation_reason:
            status += f" ({a.cancellation_reason})"
        if view.rescheduled_to:
            status += _(": see appointment {reference}").format(reference=view.rescheduled_to)
        yield answer_row(_("Status"), status, id="status")
        if view.rescheduled_from:
            yield answer_row(_("Replaces"), _("Appointment {reference}").format(reference=view.rescheduled_from))
        if self.ctx.at_desk:
            yield from self._desk_rows()
            yield Plain(_("What can be done"), classes="section-title")
            yield from self._desk_actions()
        else:
            yield Plain(_("What you can do"), classes="section-title")
            yield from self._actions()
        yield Plain(_("Letters about this appointment"), classes="section-title")
        if self.page.letters:
            for letter in self.page.letters:
                new = _(" (new)") if letter.is_new else ""
                yield PlainButton(f"{_(letter.kind.label)}, {nhs_date(letter.written_at.date())}{new}",
                             id=f"letter-{letter.id}", classes="menu-item letter-button")
        else:
            yield Plain(_("There are no letters about this appointment yet."), classes="lede")
        with Horizontal(classes="page-buttons"):
            yield PlainButton(self.ctx.words(_("Back to your appointments"), "Back to the appointments"), id="back")

    def _actions(self) -> ComposeResult:
        change = self.page.decisions[Action.RESCHEDULE]
        cancel = self.page.decisions[Action.CANCEL]
        if change:
            left = self.page.reschedules_left
            yield Plain(ngettext("You can change this appointment {count} more time.",
                                 "You can change this appointment {count} more times.", left).format(count=left),
                        classes="menu-hint")
            yield PlainButton(_("Change the date or time"), id="reschedule", variant="primary", classes="menu-item")
        if cancel:
            yield PlainButton(_("Cancel this appointment"), id="cancel", classes="menu-item")
        if not change and not cancel and change.blocker is cancel.blocker:
            yield Plain(_decision_text(_("change or cancel this appointment"), change), classes="lede blocked",
                         id="why-not")
            return
        if not change:
            yield Plain(_decision_text(_("change the date or time"), change), classes="lede blocked", id="why-not")
        if not cancel:
            yield Plain(_decision_text(_("cancel this appointment"), cancel), classes="lede blocked",
                         id="why-not-cancel")

    def _desk_rows(self) -> ComposeResult:
        a = self.page.view.appointment
        # After a move, what was booked for the old time no longer matches this one until someone rebooks it.
        if a.transport_booked:
            yield answer_row(_("Transport"), "Booked for the old time: not rebooked for this one yet"
                             if a.pending("transport") else _("Hospital transport booked"), id="transport")
        if a.interpreter_language:
            yield answer_row(_("Interpreter"), f"{a.interpreter_language} interpreter booked for the old time: not "
                             "rebooked for this one yet" if a.pending("interpreter") else
                             f"{a.interpreter_language} interpreter booked", id="interpreter")
        if a.staff_by:
            yield answer_row(_("At the desk"), f"{self.page.view.staff_name or a.staff_by}: {a.staff_reason}")
        if a.arrangements:
            done = (f"done by {a.arrangements_done_by} on {nhs_date(a.arrangements_done_at.date())}"
                    if a.arrangements_done_at else "not done yet")
            yield answer_row(_("To do"), f"{a.arrangements} ({done})", id="to-do")

    def _desk_actions(self) -> ComposeResult:
        assert self.page.staff is not None
        change, cancel = self.page.staff[Action.RESCHEDULE], self.page.staff[Action.CANCEL]
        a = self.page.view.appointment
        if a.arrangements_pending:
            yield PlainButton(f"{a.arrangements}: mark as done", id="arrangements-done", classes="menu-item")
        online = self.page.decisions[Action.RESCHEDULE]
        yield Plain(f"Online, the patient can change it {self.page.reschedules_left} more "
                    f"{'time' if self.page.reschedules_left == 1 else 'times'}." if online else
                    f"The patient cannot change it online: {online.reason}", classes="menu-hint")
        for decision in (change, cancel):
            if decision and decision.overrides:
                yield Plain(f"As a supervisor you can: it is {' and '.join(decision.overrides)}.", classes="menu-hint")
                break
        if change:
            yield PlainButton(_("Change the date, time or clinician"), id="reschedule", variant="primary",
                              classes="menu-item")
        if cancel:
            yield PlainButton(_("Cancel this appointment"), id="cancel", classes="menu-item")
        arrangements = change.arrangements or cancel.arrangements
        if arrangements and (change or cancel):
            what = " and ".join(arrangements)
            yield Plain(f"{what[:1].upper()}{what[1:]} {'is' if len(arrangements) == 1 else 'are'} "
                        "booked for this time: after a change, rebook or cancel by hand.", classes="lede blocked",
                        id="arrangements")
        if not change and not cancel and change.reason == cancel.reason:
            yield Plain(change.reason, classes="lede blocked", id="why-not")
            return
        if not change:
            yield Plain(f"It cannot be moved: {change.reason}", classes="lede blocked", id="why-not")
        if not cancel:
            yield Plain(f"It cannot be cancelled: {cancel.reason}", classes="lede blocked", id="why-not-cancel")

    @on(PlainButton.Pressed, "#arrangements-done")
    def arrangements_done(self) -> None:
        a = self.page.view.appointment
        record = self.record

        def done(result: None) -> None:
            self.notify(f"Marked as done: {a.arrangements}.", title=_("Saved"))
            self.call(lambda: record.appointment(a.id), self._reopened)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.call(lambda: record.arrangements_done(a.id), done)  # type: ignore[attr-defined]

        from screens.common.confirm import ConfirmScreen

        self.app.push_screen(ConfirmScreen("Is it done?", f"{a.arrangements}, for {nhs_datetime(a.starts_at)}. "
                                           "Mark it done only once it is: the appointment then shows it as booked, "
                                           "and the audit trail records who marked it.", "Yes, it is done",
                                           "No, go back"), confirmed)

    async def _reopened(self, page: AppointmentPage) -> None:
        self.page = page
        await self.recompose()
        self.on_mount()

    def on_mount(self) -> None:
        first = self.query("#reschedule, #cancel, #arrangements-done, .letter-button, #back").first()
        first.focus()

    def on_screen_resume(self) -> None:
        self.busy(False)

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()

    @on(PlainButton.Pressed, "#reschedule")
    def reschedule(self) -> None:
        from screens.common.reschedule import RescheduleDayScreen

        a = self.page.view.appointment

        def chosen(slots):  # type: ignore[no-untyped-def]
            if not slots and self.ctx.at_desk:
                self.show_problem(f"There are no free times in {self.page.view.clinic} in the weeks that can be "
                                  "booked. Ask the clinic to open more.")
                return
            if not slots:
                trust = self.page.trust
                self.show_problem(_("There are no free times with this clinician in the weeks we can book online. "
                                    "To ask for another time, call the Appointments team on {phone} or email "
                                    "{email}.").format(phone=trust.appointments_phone,
                                                       email=trust.appointments_email))
                return
            self.app.push_screen(RescheduleDayScreen(self.ctx, self.page, slots))

        self.call(lambda: self.record.reschedule_options(a.id), chosen)

    @on(PlainButton.Pressed, "#cancel")
    def cancel(self) -> None:
        from screens.common.cancel import CancelWarningScreen

        self.app.push_screen(CancelWarningScreen(self.ctx, self.page))

    @on(PlainButton.Pressed, ".letter-button")
    def open_letter(self, event: PlainButton.Pressed) -> None:
        assert event.button.id is not None
        document_id = int(event.button.id.removeprefix("letter-"))
        self.call(lambda: self.record.open_letter(document_id),
                  lambda letter: self.app.push_screen(LetterScreen(self.ctx, letter)))


class LetterScreen(PatientPage):
    """One letter: who wrote it, when, what it is, for whom — and its text, scrolled by keyboard."""

    def __init__(self, ctx: PatientContext, letter: Document) -> None:
        super().__init__(ctx)
        self.letter = letter
        """The letter, already marked read."""
        self.pages = letter_pages(letter.body_markdown or "")
        """Its text a few screenfuls at a time: a letter of megabytes is laid out a page at a time."""
        self.page_number = 0
        self.revealed = False
        """At the kiosk, the full NHS number shows in the letter only while F4 shows it in the banner."""
    def compose(self) -> ComposeResult:
        # The header stays put; only the letter scrolls (arrows, Page Up/Down, Home, End).
        d = self.letter
        details = self.ctx.details
        yield banner(self.ctx)
        with Vertical(classes="page"):
            yield Plain(d.title, classes="page-title", id="page-title")
            yield ErrorSummary(id="summary")
            yield Plain(_("{kind} from {trust}, {date}, for {name}.").format(
                kind=_(d.kind.label), trust=_trust_name(d), date=nhs_date(d.written_at.date()), name=details.full_name),
                classes="letter-header")
            if d.post_status is PostStatus.POSTED:
                yield Plain(_("A paper copy was posted to you."), classes="letter-header")
            elif d.post_status is PostStatus.QUEUED:
                yield Plain(_("A paper copy is being posted to you."), classes="letter-header")
            if d.body_markdown is not None:
                if len(self.pages) > 1:
                    yield Plain(self._page_words(), id="letter-page", classes="letter-header")
                with VerticalScroll(id="letter-body", classes="letter-body"):
                    # Rich's Markdown, not Textual's widget: a letter is read, not clicked, and nothing inside
                    # it takes the focus (or the keys) away from scrolling.
                    yield Plain(self._page_text(), id="letter-text")
            else:
                yield Plain(_("This document is a file that cannot be shown on screen ({kind}, {size}). You can "
                              "collect a printed copy from the Appointments team.").format(
                    kind=_kind_of_file(d.content_type), size=_size(d.size_bytes)), classes="lede", id="not-text")
            with Horizontal(classes="page-buttons"):
                if len(self.pages) > 1:
                    yield PlainButton(_("Next page"), id="next-page", variant="primary")
                    yield PlainButton(_("Previous page"), id="previous-page", disabled=True)
                yield PlainButton(_("Back"), id="back")
        yield Footer()

    def on_mount(self) -> None:
        self.query("#letter-body, #back").first().focus()

    @on(PlainButton.Pressed, "#back")
    def back_pressed(self) -> None:
        self.dismiss()

    @on(PlainButton.Pressed, "#next-page, #previous-page")
    def turn(self, event: PlainButton.Pressed) -> None:
        step = 1 if event.button.id == "next-page" else -1
        self.page_number = max(0, min(len(self.pages) - 1, self.page_number + step))
        self.query_one("#letter-text", Plain).update(self._page_text())
        self.query_one("#letter-page", Plain).update(self._page_words())
        self.query_one("#letter-body", VerticalScroll).scroll_home(animate=False)
        self.query_one("#previous-page", PlainButton).disabled = self.page_number == 0
        self.query_one("#next-page", PlainButton).disabled = self.page_number == len(self.pages) - 1

    def nhs_number_shown(self, revealed: bool) -> None:
        """F4: the banner shows (or hides) the full NHS number, and so does the letter."""
        self.revealed = revealed
        if self.letter.body_markdown is not None:
            self.query_one("#letter-text", Plain).update(self._page_text())

    def _page_text(self):  # type: ignore[no-untyped-def]
        # A note from another system is plain text: shown as written, never re-flowed as Markdown.
        text = self._masked(self.pages[self.page_number])
        return markdown(text) if self.letter.is_markdown else plain_text(text)

    def _masked(self, text: str) -> str:
        """At a kiosk in reception the full NHS number is not shown until asked for (F4), as in the banner:
        every way the letter writes it (spaced or not) becomes the masked form. The desk, and printing, show it."""
        details = self.ctx.details
        if self.ctx.at_desk or self.revealed or not details.nhs_number or not details.masked_nhs_number:
            return text
        digits = details.nhs_number.replace(" ", "")
        masked = details.masked_nhs_number.replace("*", "\\*") if self.letter.is_markdown else \
            details.masked_nhs_number  # Markdown would read the stars as emphasis
        for written in {details.nhs_number, digits, f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"}:
            text = text.replace(written, masked)
        return text

    def _page_words(self) -> str:
        return _("Page {number} of {count}").format(number=self.page_number + 1, count=len(self.pages))


def _trust_name(document: Document) -> str:
    from domain.hospital import TrustCode

    return {TrustCode.WEST_HERTS: "West Hertfordshire Teaching Hospitals NHS Trust",
            TrustCode.ROYAL_FREE: "Royal Free London NHS Foundation Trust"}[document.trust]


def _clipped(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _kind_of_file(content_type: str) -> str:
    return {"application/pdf": _("a PDF")}.get(content_type, content_type)


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} KB"
