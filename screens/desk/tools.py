"""The supervisor's tools at the desk: the audit trail (filter, open, export as CSV), the text outbox (retry a
failed text) and staff accounts (add, reset, disable). Each is open to the roles it is for; anyone else is
told why, in words, and nothing of it loads."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, RadioButton, RadioSet

from domain.errors import DomainError
from domain.formatting import nhs_datetime, table_datetime
from domain.identity.session import StaffRole, StaffSession
from domain.messaging.model import SmsStatus
from domain.records.post import Batch, PostItem, PostRoom
from domain.staff.accounts import Enrolment, StaffAccount
from domain.staff.supervision import AUDIT_PAGE, AuditPage, AuditQuery, AuditRow, Outbox, TextView, Tool
from screens.common.confirm import ConfirmScreen
from screens.common.table import PlainTable
from screens.common.text import Plain, PlainButton
from screens.common.widgets import ErrorSummary, Field
from screens.desk.page import DeskPage, clip


class SupervisorTools(Protocol):
    """What the tools ask of the portal; every method may block (call it from a thread worker)."""

    def may_use(self, session: StaffSession, tool: Tool) -> bool: ...

    def require(self, session: StaffSession, tool: Tool) -> None: ...

    def audit_query(self, session: StaffSession, *, patient: str = "", staff: str = "", action: str = "",
                    since: str = "", until: str = "") -> AuditQuery: ...

    def audit_page(self, session: StaffSession, query: AuditQuery) -> AuditPage: ...

    def audit_entry(self, session: StaffSession, entry_id: int) -> AuditRow: ...

    def export_audit(self, session: StaffSession, query: AuditQuery) -> tuple[Path, int]: ...

    def outbox(self, session: StaffSession, status: SmsStatus | None) -> Outbox: ...

    def post_room(self, session: StaffSession) -> PostRoom: ...

    def print_letters(self, session: StaffSession) -> tuple[Batch, list[PostItem]] | None: ...

    def mark_posted(self, session: StaffSession, batch_id: int) -> Batch: ...

    def retry_text(self, session: StaffSession, message_id: str) -> TextView: ...

    def send_failed_again(self, session: StaffSession) -> tuple[int, int]: ...

    def settle_held(self, session: StaffSession, ids: tuple[str, ...] | None, release: bool) -> int: ...

    def staff_members(self, session: StaffSession) -> list[StaffAccount]: ...

    def add_staff(self, session: StaffSession, username: str, display_name: str, role: StaffRole,
                  password: str) -> Enrolment: ...

    def reset_staff(self, session: StaffSession, username: str, password: str) -> Enrolment: ...

    def disable_staff(self, session: StaffSession, username: str) -> None: ...


class ToolPage(DeskPage):
    """A tool's page: the desk page, with the tools behind it."""

    def __init__(self, tools: SupervisorTools, session: StaffSession) -> None:
        super().__init__(session)
        self.tools = tools


class ToolsScreen(ToolPage):
    """Every tool, with what it is for; one the role may not use says why when chosen."""

    TITLE_TEXT = "Supervisor tools"
    AUTO_FOCUS = "#tool-audit"

    def __init__(self, tools: SupervisorTools, session: StaffSession, *, home: bool = False) -> None:
        super().__init__(tools, session)
        self.home = home
        """A system administrator's first page (they do not act for patients): nothing to go back to."""

    def compose_body(self) -> ComposeResult:
        yield Plain("Choose a tool. Each one says who it is for.", classes="lede")
        for tool in Tool:
            allowed = self.tools.may_use(self.session, tool)
            with Horizontal(classes="tool-row"):
                yield PlainButton(tool.label, id=f"tool-{tool.value}", variant="primary" if allowed else "default")
                yield Plain(tool.summary if allowed else f"{tool.summary} Not for your role.", classes="tool-summary")
        if self.home:
            yield PlainButton("Sign out", id="sign-out")
        else:
            yield PlainButton("Back", id="back")

    def action_back(self) -> None:
        if not self.home:
            self.dismiss()

    @on(PlainButton.Pressed, "#sign-out")
    def sign_out(self) -> None:
        from screens.desk.cover import SignOutStaff

        self.post_message(SignOutStaff())

    @on(PlainButton.Pressed, ".tool-row PlainButton")
    def chosen(self, event: PlainButton.Pressed) -> None:
        tool = Tool((event.button.id or "").removeprefix("tool-"))
        self.query_one(ErrorSummary).hide()
        try:
            self.tools.require(self.session, tool)
        except DomainError as error:
            self.problem(error)
            return
        if tool is Tool.POST_ROOM:
            from screens.desk.post_room import PostRoomScreen

            self.app.push_screen(PostRoomScreen(self.tools, self.session))
            return
        page = {Tool.AUDIT: AuditScreen, Tool.TEXTS: TextsScreen, Tool.STAFF: StaffScreen}[tool]
        self.app.push_screen(page(self.tools, self.session))


# --- the audit trail ------------------------------------------------------------------------------------------


class AuditScreen(ToolPage):
    TITLE_TEXT = "Audit trail"
    AUTO_FOCUS = "#patient-input"

    def __init__(self, tools: SupervisorTools, session: StaffSession) -> None:
        super().__init__(tools, session)
        self.page: AuditPage | None = None

    def compose_body(self) -> ComposeResult:
        yield Plain("Filter by any of these (all are optional), then Search. Newest first.", classes="lede")
        yield Field("Patient", hint="NHS number or hospital number.", id="patient", max_length=20)
        yield Field("Member of staff", hint="Their username, for example sam.patel.", id="staff", max_length=40)
        yield Field("Action", hint="Part of its name, for example sign_in, staff_open, reschedule, sms.", id="action",
                    max_length=60)
        with Horizontal(classes="field-row"):
            yield Field("From", hint="Day month year.", id="since", max_length=12)
            yield Field("To", hint="Day month year.", id="until", max_length=12)
        with Horizontal(classes="page-buttons"):
            yield PlainButton("Search", id="search", variant="primary")
            yield PlainButton("Export as CSV", id="export")
            yield PlainButton("Back", id="back")
        yield Plain("", id="audit-count", classes="lede")
        yield PlainTable(id="entries", cursor_type="row", zebra_stripes=False)

    def on_mount(self) -> None:
        self.query_one("#entries", PlainTable).add_columns("When", "Who", "Action", "Outcome", "Patient", "Detail")

    def _typed(self) -> dict[str, str]:
        return {name: self.query_one(f"#{name}", Field).value for name in ("patient", "staff", "action", "since",
                                                                          "until")}

    @on(PlainButton.Pressed, "#search")
    @on(Input.Submitted)
    def search(self) -> None:
        self.query_one(ErrorSummary).hide()
        typed = self._typed()
        self.in_background(lambda: self.tools.audit_page(self.session, self.tools.audit_query(self.session, **typed)),
                           self._show, "audit")

    @on(PlainButton.Pressed, "#export")
    def export(self) -> None:
        self.query_one(ErrorSummary).hide()
        self.query_one("#export", PlainButton).disabled = True
        typed = self._typed()
        self.in_background(lambda: self.tools.export_audit(self.session, self.tools.audit_query(self.session, **typed)),
                           self._exported, "export")

    def _exported(self, exported: tuple[Path, int]) -> None:
        path, rows = exported
        self.query_one("#export", PlainButton).disabled = False
        self.query_one("#audit-count", Plain).update(f"Exported {rows} {'entry' if rows == 1 else 'entries'} to "
                                                     f"{path}")
        self.app.notify(f"{rows} entries written to {path.name}", title="Exported")

    def _show(self, page: AuditPage) -> None:
        self.page = page
        table = self.query_one("#entries", PlainTable)
        table.clear()
        for row in page.rows:
            e = row.event
            table.add_row(table_datetime(e.at), e.actor_id, e.action, e.outcome.value, clip(row.patient, 30),
                          clip(e.detail, 40), key=str(e.id))
        shown = len(page.rows)
        more = f" (the newest {AUDIT_PAGE} shown; narrow the filter or export them all)" if page.total > shown else ""
        self.query_one("#audit-count", Plain).update(
            f"{page.total} {'entry' if page.total == 1 else 'entries'} for {page.query.description}{more}. "
            "Choose one to open it." if page.total else f"No entries for {page.query.description}.")
        if shown:
            table.focus()

    @on(PlainTable.RowSelected, "#entries")
    def open_entry(self, event: PlainTable.RowSelected) -> None:
        entry_id = int(str(event.row_key.value))
        self.in_background(lambda: self.tools.audit_entry(self.session, entry_id),
                           lambda row: self.app.push_screen(AuditEntryScreen(self.tools, self.session, row)), "open")


class AuditEntryScreen(ToolPage):
    AUTO_FOCUS = "#back"

    def __init__(self, tools: SupervisorTools, session: StaffSession, row: AuditRow) -> None:
        super().__init__(tools, session)
        self.row = row

    def title_text(self) -> str:
        return f"Audit entry {self.row.event.id}"

    def compose_body(self) -> ComposeResult:
        e = self.row.event
        facts = (("When", nhs_datetime(e.at)), ("Who", f"{e.actor_id} ({e.actor_kind}"
                 + (f", {e.actor_role.replace('_', ' ')})" if e.actor_role else ")")),
                 ("Action", e.action), ("Outcome", e.outcome.value),
                 ("Patient", self.row.patient or "none"), ("Terminal", e.terminal or "not recorded"),
                 ("Detail", e.detail or "none"))
        # One fact a line, so that the whole entry and its title fit an 80×24 terminal with Back in view.
        for number, (label, value) in enumerate(facts, 1):
            yield Plain((f"{label}: ", "bold"), value, classes="fact-line" + (" -last" if number == len(facts) else ""),
                        id=f"entry-{label.lower()}")
        yield PlainButton("Back", id="back", variant="primary")


# --- texts ----------------------------------------------------------------------------------------------------


class TextsScreen(ToolPage):
    TITLE_TEXT = "Texts"

    def __init__(self, tools: SupervisorTools, session: StaffSession) -> None:
        super().__init__(tools, session)
        self.status: SmsStatus | None = SmsStatus.FAILED
        self.outbox: Outbox | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="page-buttons filter-buttons"):
            for status in (SmsStatus.FAILED, SmsStatus.QUEUED, SmsStatus.SENT, SmsStatus.WITHDRAWN, SmsStatus.HELD):
                yield PlainButton(status.value.capitalize(), id=f"show-{status.value}", compact=True)
            yield PlainButton("All", id="show-all", compact=True)
        yield Plain("", id="texts-count", classes="lede")
        yield PlainTable(id="texts", cursor_type="row", zebra_stripes=False)
        with Horizontal(classes="page-buttons"):
            # For the whole list at once: after a Notify outage, and after a restore from a backup.
            for label, name in (("Send all again", "send-all-again"), ("Release all", "release-all"),
                                ("Withdraw all", "withdraw-all")):
                button = PlainButton(label, id=name)
                button.display = False  # shown with the list it is for
                yield button
            yield PlainButton("Back", id="back")

    def on_mount(self) -> None:
        self.query_one("#texts", PlainTable).add_columns("Created", "Status", "Kind", "To", "Tries", "Why not sent")
        self.load()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.load()

    @on(PlainButton.Pressed, ".filter-buttons PlainButton")
    def filter(self, event: PlainButton.Pressed) -> None:
        name = (event.button.id or "").removeprefix("show-")
        self.status = None if name == "all" else SmsStatus(name)
        self.load()

    def load(self) -> None:
        status = self.status
        self.in_background(lambda: self.tools.outbox(self.session, status), self._show, "texts")

    def _show(self, outbox: Outbox) -> None:
        self.outbox = outbox
        table = self.query_one("#texts", PlainTable)
        table.clear()
        for t in outbox.texts:
            table.add_row(table_datetime(t.created_at), t.status.value, t.kind, t.masked_to, str(t.attempts),
                          clip(t.last_error or "", 40), key=t.id)
        counts = " · ".join(f"{outbox.counts.get(s, 0)} {s.value}" for s in SmsStatus)
        which = outbox.status.value if outbox.status else "in all"
        self.query_one("#texts-count", Plain).update(
            f"{len(outbox.texts)} {'text' if len(outbox.texts) == 1 else 'texts'} {which}, newest first ({counts}). "
            "Choose one to see it." if outbox.texts else f"No texts {which} ({counts}).")
        failed, held = outbox.status is SmsStatus.FAILED, outbox.status is SmsStatus.HELD
        self.query_one("#send-all-again").display = failed and any(t.retryable for t in outbox.texts)
        for name in ("#release-all", "#withdraw-all"):
            self.query_one(name).display = held and bool(outbox.texts)
        if outbox.texts:
            table.focus()

    @on(PlainButton.Pressed, "#send-all-again")
    def send_all_again(self) -> None:
        self.app.push_screen(ConfirmScreen(
            "Send every failed text again?", "Each failed text still worth sending goes back in the queue now. "
            "Codes, invitations and texts whose appointment has begun are left as they are.",
            "Yes, send them again"), self._send_all_again)

    def _send_all_again(self, sure: bool | None) -> None:
        if sure:
            self.in_background(lambda: self.tools.send_failed_again(self.session), self._sent_again, "send again")

    def _sent_again(self, done: tuple[int, int]) -> None:
        queued, left = done
        self.app.notify(f"Queued again {queued} failed {'text' if queued == 1 else 'texts'}; left {left}.",
                        title="Texts")
        self.load()

    @on(PlainButton.Pressed, "#release-all, #withdraw-all")
    def settle_all(self, event: PlainButton.Pressed) -> None:
        release = event.button.id == "release-all"
        question, body, yes = (
            ("Send every held text?", "They were waiting when the backup was taken, and the live database may have "
             "sent them. Send them only if you have checked that it did not.", "Yes, send them")
            if release else
            ("Withdraw every held text?", "None of them will be sent.", "Yes, withdraw them"))
        self.app.push_screen(ConfirmScreen(question, body, yes), lambda sure: self._settle_all(sure, release))

    def _settle_all(self, sure: bool | None, release: bool) -> None:
        if sure:
            self.in_background(lambda: self.tools.settle_held(self.session, None, release),
                               lambda done: self._settled(done, release), "held texts")

    def _settled(self, done: int, release: bool) -> None:
        self.app.notify(f"{done} held {'text' if done == 1 else 'texts'} "
                        f"{'queued to be sent' if release else 'withdrawn'}.", title="Texts")
        self.load()

    @on(PlainTable.RowSelected, "#texts")
    def open_text(self, event: PlainTable.RowSelected) -> None:
        assert self.outbox is not None
        chosen = next(t for t in self.outbox.texts if t.id == str(event.row_key.value))
        self.app.push_screen(TextScreen(self.tools, self.session, chosen))


class TextScreen(ToolPage):
    AUTO_FOCUS = "#retry, #back"

    def __init__(self, tools: SupervisorTools, session: StaffSession, text: TextView) -> None:
        super().__init__(tools, session)
        self.text = text

    def title_text(self) -> str:
        return f"Text {self.text.id[:8]}"

    def compose_body(self) -> ComposeResult:
        t = self.text
        for label, value in (("Kind", t.kind), ("Status", t.status.value), ("To", t.masked_to),
                             ("Created", nhs_datetime(t.created_at)),
                             ("Sent", nhs_datetime(t.sent_at) if t.sent_at else "not sent"),
                             ("Tries", str(t.attempts)), ("Why not sent", t.last_error or "none"),
                             ("Reference", t.id)):
            yield Plain((f"{label}: ", "bold"), value, classes="lede", id=f"text-{label.split()[0].lower()}")
        yield Plain(("Text: ", "bold"), t.body, classes="lede", id="text-body")
        with Horizontal(classes="page-buttons"):
            if t.retryable:
                yield PlainButton("Send again", id="retry", variant="primary")
            if t.status is SmsStatus.HELD:
                yield PlainButton("Send it", id="release")
                yield PlainButton("Withdraw it", id="withdraw")
            yield PlainButton("Back", id="back")

    @on(PlainButton.Pressed, "#retry")
    def retry(self) -> None:
        self.query_one(ErrorSummary).hide()
        self.query_one("#retry", PlainButton).disabled = True
        self.in_background(lambda: self.tools.retry_text(self.session, self.text.id), self._retried, "retry")

    @on(PlainButton.Pressed, "#release, #withdraw")
    def settle(self, event: PlainButton.Pressed) -> None:
        release = event.button.id == "release"
        self.in_background(lambda: self.tools.settle_held(self.session, (self.text.id,), release),
                           lambda done: self._settled(done, release), "held text")

    def _settled(self, done: int, release: bool) -> None:
        self.app.notify(("Queued to be sent now." if release else "Withdrawn: it will not be sent.") if done
                        else "That text is no longer held.", title="Text")
        self.app.pop_screen()

    async def _retried(self, text: TextView) -> None:
        self.text = text
        await self.recompose()
        self.app.notify("Queued to be sent again now.", title="Text")


# --- staff accounts -------------------------------------------------------------------------------------------


_ROLE_WORDS = {StaffRole.APPOINTMENTS_CLERK: "Appointments clerk",
               StaffRole.APPOINTMENTS_SUPERVISOR: "Appointments supervisor",
               StaffRole.SYSTEM_ADMIN: "System administrator"}


class StaffScreen(ToolPage):
    TITLE_TEXT = "Staff accounts"

    def __init__(self, tools: SupervisorTools, session: StaffSession) -> None:
        super().__init__(tools, session)
        self.members: list[StaffAccount] = []

    def compose_body(self) -> ComposeResult:
        yield Plain("", id="staff-count", classes="lede")
        yield PlainTable(id="members", cursor_type="row", zebra_stripes=False)
        with Horizontal(classes="page-buttons"):
            yield PlainButton("Add a member of staff", id="add", variant="primary")
            yield PlainButton("Back", id="back")

    def on_mount(self) -> None:
        self.query_one("#members", PlainTable).add_columns("Username", "Name", "Role", "Account")
        self.load()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.load()

    def load(self) -> None:
        self.in_background(lambda: self.tools.staff_members(self.session), self._show, "staff")

    def _show(self, members: list[StaffAccount]) -> None:
        self.members = members
        table = self.query_one("#members", PlainTable)
        table.clear()
        for m in members:
            table.add_row(m.username, m.display_name, _ROLE_WORDS[m.role], "active" if m.active else "disabled",
                          key=m.username)
        active = sum(m.active for m in members)
        self.query_one("#staff-count", Plain).update(f"{len(members)} accounts, {active} active. Choose one to "
                                                     "reset or disable it.")

    @on(PlainTable.RowSelected, "#members")
    def chosen(self, event: PlainTable.RowSelected) -> None:
        member = next(m for m in self.members if m.username == str(event.row_key.value))
        self.app.push_screen(StaffMemberScreen(self.tools, self.session, member))

    @on(PlainButton.Pressed, "#add")
    def add(self) -> None:
        self.app.push_screen(AddStaffScreen(self.tools, self.session))


class AddStaffScreen(ToolPage):
    TITLE_TEXT = "Add a member of staff"
    AUTO_FOCUS = "#username-input"

    def compose_body(self) -> ComposeResult:
        yield Field("Username", hint="3 to 40 small letters, digits, dots or dashes, for example sam.patel.",
                    id="username", max_length=40)
        yield Field("Name", hint="As colleagues know them.", id="display-name", max_length=120)
        yield Plain("Role", classes="field-label")
        with RadioSet(id="role"):
            for role, words in _ROLE_WORDS.items():
                yield RadioButton(words, id=f"role-{role.value}", value=role is StaffRole.APPOINTMENTS_CLERK)
        yield Field("First password", hint="At least 12 characters; tell it to them in person. They set up their "
                    "authenticator app from the next page.", id="password", password=True, max_length=128)
        with Horizontal(classes="page-buttons"):
            yield PlainButton("Add", id="confirm-add", variant="primary")
            yield PlainButton("Back", id="back")

    @on(PlainButton.Pressed, "#confirm-add")
    def confirm(self) -> None:
        self.query_one(ErrorSummary).hide()
        pressed = self.query_one("#role", RadioSet).pressed_button
        role = StaffRole((pressed.id or "").removeprefix("role-")) if pressed else StaffRole.APPOINTMENTS_CLERK
        typed = (self.query_one("#username", Field).value, self.query_one("#display-name", Field).value, role,
                 self.query_one("#password", Field).value)
        self.query_one("#password-input").value = ""  # type: ignore[attr-defined]
        self.query_one("#confirm-add", PlainButton).disabled = True
        self.in_background(lambda: self.tools.add_staff(self.session, *typed), self._enrolled, "add")

    def _enrolled(self, enrolment: Enrolment) -> None:
        self.dismiss()
        self.app.push_screen(EnrolmentScreen(self.tools, self.session, enrolment, "added"))


class StaffMemberScreen(ToolPage):
    AUTO_FOCUS = "#password-input"

    def __init__(self, tools: SupervisorTools, session: StaffSession, member: StaffAccount) -> None:
        super().__init__(tools, session)
        self.member = member

    def title_text(self) -> str:
        return f"{self.member.display_name} ({self.member.username})"

    def compose_body(self) -> ComposeResult:
        m = self.member
        yield Plain(("Role: ", "bold"), _ROLE_WORDS[m.role], "  ·  ", ("Account: ", "bold"),
                    "active" if m.active else "disabled", classes="lede")
        yield Plain("Reset gives a new password and a new authenticator set-up (the old ones stop working) and opens "
                    "a disabled or locked account. Disable stops the account signing in; it stays for the audit "
                    "trail.", classes="lede")
        yield Field("New password", hint="At least 12 characters, for a reset.", id="password", password=True,
                    max_length=128)
        with Horizontal(classes="page-buttons"):
            yield PlainButton("Reset", id="reset", variant="primary")
            if m.active:
                yield PlainButton("Disable", id="disable", variant="error")
            yield PlainButton("Back", id="back")

    @on(PlainButton.Pressed, "#reset")
    def reset(self) -> None:
        self.query_one(ErrorSummary).hide()
        password = self.query_one("#password", Field).value
        self.query_one("#password-input").value = ""  # type: ignore[attr-defined]
        self.query_one("#reset", PlainButton).disabled = True
        self.in_background(lambda: self.tools.reset_staff(self.session, self.member.username, password),
                           self._enrolled, "reset")

    def _enrolled(self, enrolment: Enrolment) -> None:
        self.dismiss()
        self.app.push_screen(EnrolmentScreen(self.tools, self.session, enrolment, "reset"))

    @on(PlainButton.Pressed, "#disable")
    def disable(self) -> None:
        from screens.common.confirm import ConfirmScreen

        self.query_one(ErrorSummary).hide()
        self.app.push_screen(ConfirmScreen(f"Disable {self.member.username}?", "They will not be able to sign in "
                                           "until a system administrator resets the account.", "Disable",
                                           "No, keep it"), self._confirmed)

    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self.in_background(lambda: self.tools.disable_staff(self.session, self.member.username),
                               self._disabled, "disable")

    def _disabled(self, _: None) -> None:
        self.app.notify(f"{self.member.username} can no longer sign in.", title="Disabled")
        self.dismiss()


class EnrolmentScreen(ToolPage):
    """Shown once: the secret for the authenticator app. Nothing keeps it in the clear."""

    AUTO_FOCUS = "#done"

    def __init__(self, tools: SupervisorTools, session: StaffSession, enrolment: Enrolment, what: str) -> None:
        super().__init__(tools, session)
        self.enrolment = enrolment
        self.what = what

    def title_text(self) -> str:
        return f"{self.enrolment.username}: account {self.what}"

    def compose_body(self) -> ComposeResult:
        yield Plain("Give these to the member of staff in person. They add the key to their authenticator app "
                    "(or open the address on their phone), then sign in with their password and a code from the "
                    "app. This is shown once only.", classes="lede")
        yield Plain(("Key: ", "bold"), self.enrolment.secret, classes="lede", id="enrolment-secret")
        yield Plain(("Address: ", "bold"), self.enrolment.uri, classes="lede", id="enrolment-uri")
        yield PlainButton("Done", id="done", variant="primary")

    @on(PlainButton.Pressed, "#done")
    def done(self) -> None:
        self.dismiss()
