"""Shown instead of any page while the window is smaller than the pages are laid out for."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen

from screens.common.text import Plain


class TooSmallScreen(Screen[None]):
    """'Make the window bigger': nothing else fits, so nothing else is shown (not even a patient's name)."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen Plain { width: auto; height: auto; text-style: bold; }
    """

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self.needed = (width, height)
        """The smallest size the pages fit (columns, rows)."""

    def compose(self) -> ComposeResult:
        width, height = self.needed
        yield Plain(f"Make the window bigger.\nThis needs at least {width} × {height}.", id="too-small")
