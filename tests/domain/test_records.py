"""Flags in words and measured values as a person reads them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.records.model import ReferenceRange, ResultFlag, flag_for, measured


@pytest.mark.parametrize("value, low, high, interpretation, flag", [
    (5.9, 3.5, 5.3, None, ResultFlag.HIGH),
    (3.1, 3.5, 5.3, None, ResultFlag.LOW),
    (4.0, 3.5, 5.3, None, ResultFlag.NORMAL),
    (4.0, None, None, None, ResultFlag.NO_RANGE),
    (None, 3.5, 5.3, None, ResultFlag.NO_RANGE),
    (4.0, 3.5, 5.3, "H", ResultFlag.HIGH),       # the laboratory's own word wins
    (4.0, None, None, "LL", ResultFlag.LOW),
    (None, None, None, "POS", ResultFlag.ABNORMAL),
    (9.0, 3.5, 5.3, "N", ResultFlag.NORMAL),
    (9.0, 3.5, 5.3, "unknown-code", ResultFlag.HIGH),
])
def test_flag_for(value, low, high, interpretation, flag) -> None:  # type: ignore[no-untyped-def]
    assert flag_for(value, ReferenceRange(low, high), interpretation) is flag


@pytest.mark.parametrize("value, text", [(6.77675169667728, "6.78"), (141.0, "141"), (0.0123456, "0.0123"),
                                         (12.5, "12.5"), (1.0049, "1"), (-2.345, "-2.35"), (250000.0, "250000"),
                                         (0.0000123, "0.000012")])
def test_measured(value: float, text: str) -> None:
    assert measured(value) == text


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_measured_is_close_and_never_in_exponent_form(value: float) -> None:
    text = measured(value)
    assert "e" not in text and "E" not in text
    assert abs(float(text) - value) <= max(0.005, abs(value) * 0.01) + 1e-6
