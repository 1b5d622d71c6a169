"""A radio button whose words wrap (its own module: the welcome page, painted first, needs none)."""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widgets import RadioButton


class Choice(RadioButton):
    """A radio button whose words wrap under themselves instead of being cut off (a long answer, a narrow
    screen, a language whose words are longer)."""

    DEFAULT_CSS = """
    Choice { width: 100%; height: auto; }
    """

    def render(self) -> Content:
        width = max(8, (self.content_region.width or self.size.width or 80) - 4)
        lines = self.label.wrap(width)
        label_style = self.get_visual_style("toggle--label")
        parts: list[Content | str] = [self._button, " "]
        for number, line in enumerate(lines):
            parts += (["\n", "    "] if number else []) + [line.stylize_before(label_style)]
        return Content.assemble(*parts)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.label.wrap(max(8, width - 4))))
