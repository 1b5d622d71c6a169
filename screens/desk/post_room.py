"""The post room: letters waiting to be printed (and why one cannot be yet), print them as one PDF, and mark a
printed batch posted once it has gone."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal

from domain.formatting import table_datetime
from domain.records.post import Batch, PostItem, PostRoom
from screens.common.table import PlainTable
from screens.common.text import Plain, PlainButton
from screens.desk.page import clip
from screens.desk.tools import ToolPage


class PostRoomScreen(ToolPage):
    TITLE_TEXT = "Post room"
    AUTO_FOCUS = "#waiting"

    def compose_body(self) -> ComposeResult:
        yield Plain("", id="post-count", classes="lede")
        yield PlainTable(id="waiting", cursor_type="row", zebra_stripes=False)
        with Horizontal(classes="page-buttons"):
            yield PlainButton("Print the waiting letters", id="print", variant="primary")
            yield PlainButton("Back", id="back")
        yield Plain("Batches, newest first. Choose a printed one once its letters have gone, to mark it posted.",
                    classes="lede")
        yield PlainTable(id="batches", cursor_type="row", zebra_stripes=False)

    def on_mount(self) -> None:
        self.query_one("#waiting", PlainTable).add_columns("Arrived", "Patient", "Letter", "Ready")
        self.query_one("#batches", PlainTable).add_columns("Batch", "Printed", "By", "Letters", "Posted", "File")
        self.load()

    def load(self) -> None:
        self.in_background(lambda: self.tools.post_room(self.session), self._show, "post")

    def _show(self, room: PostRoom) -> None:
        waiting = self.query_one("#waiting", PlainTable)
        waiting.clear()
        for item in room.waiting:
            waiting.add_row(table_datetime(item.written_at), item.name, clip(item.title, 30),
                            "yes" if item.problem is None else item.problem, key=str(item.document_id))
        ready = sum(item.problem is None for item in room.waiting)
        blocked = len(room.waiting) - ready
        words = f"{ready} {'letter' if ready == 1 else 'letters'} ready to print" if ready else "Nothing new to print"
        if blocked:
            words += f"; {blocked} cannot be printed until their address is added"
        if room.fallback_queued:
            words += f". {room.fallback_queued} unopened appointment letters were just added to go by post too"
        self.query_one("#post-count", Plain).update(words + ".")
        self.query_one("#print", PlainButton).disabled = not ready
        batches = self.query_one("#batches", PlainTable)
        batches.clear()
        for b in room.batches:
            batches.add_row(str(b.id), table_datetime(b.printed_at), b.printed_by, str(b.letters),
                            table_datetime(b.posted_at) if b.posted_at else "not yet", clip(Path(b.file_name).name, 30),
                            key=str(b.id))

    @on(PlainButton.Pressed, "#print")
    def print_letters(self) -> None:
        self.query_one("#print", PlainButton).disabled = True
        self.in_background(lambda: self.tools.print_letters(self.session), self._printed, "print")

    def _printed(self, printed: tuple[Batch, list[PostItem]] | None) -> None:
        if printed is None:
            self.app.notify("Nothing new to print.", title="Post room")
        else:
            batch, items = printed
            self.app.notify(f"Batch {batch.id}: {len(items)} letters in {batch.file_name}", title="Printed",
                            timeout=20)
        self.load()

    @on(PlainTable.RowSelected, "#batches")
    def chosen(self, event: PlainTable.RowSelected) -> None:
        from screens.common.confirm import ConfirmScreen

        batch_id = int(str(event.row_key.value))
        self.app.push_screen(ConfirmScreen(f"Mark batch {batch_id} posted?", "Only once its letters are in the post.",
                                           "Mark posted", "No, not yet"), lambda yes: self._confirmed(batch_id, yes))

    def _confirmed(self, batch_id: int, yes: bool | None) -> None:
        if yes:
            self.in_background(lambda: self.tools.mark_posted(self.session, batch_id), lambda _: self.load(),
                               "posted")
