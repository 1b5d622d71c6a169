"""The floor for `make bench`: the smallest Textual app that paints one line."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Floor(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("Patient Portal")


if __name__ == "__main__":
    Floor().run()
