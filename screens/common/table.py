"""A table whose cells are shown as written — part of the one safe path (text.py), kept apart so that the
welcome page, painted first, loads no DataTable."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable

from screens.common.text import plain_text, safe


class PlainTable(DataTable[Any]):
    """A DataTable whose cells and column labels are shown as written (Textual's would parse a string)."""

    def add_column(self, label: Any, *, width: int | None = None, key: str | None = None,
                   default: Any = None) -> Any:
        return super().add_column(*_cells([label]), width=width, key=key, default=default)

    def add_columns(self, *labels: Any) -> list[Any]:
        return [self.add_column(label) for label in labels]

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None, label: Any = None) -> Any:
        return super().add_row(*_cells(cells), height=height, key=key,
                               label=None if label is None else _cells([label])[0])

    def update_cell(self, row_key: Any, column_key: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, *_cells([value]), update_width=update_width)


def _cells(cells: Iterable[Any]) -> list[Any]:
    return [plain_text(cell) if isinstance(cell, str) else safe(cell) for cell in cells]
