"""The clinical risk management file (docs/safety): every hazard's control has tests, every test it names exists,
and the clinical safety case report is the one the log makes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _hazard_log():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("hazard_log", ROOT / "docs" / "safety" / "hazard_log.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_every_control_has_tests_that_exist_and_the_report_is_in_step() -> None:
    log = _hazard_log()
    about, hazards = log.load()
    assert log.problems(hazards) == []
    assert (ROOT / "docs" / "safety" / "safety-case.md").read_text(encoding="utf-8") == log.report(about, hazards), \
        "docs/safety/safety-case.md is out of step: run python docs/safety/hazard_log.py"
    assert {h.id for h in hazards} >= {"HAZ-001", "HAZ-002", "HAZ-003", "HAZ-004", "HAZ-005", "HAZ-006", "HAZ-101"}


def test_a_missing_test_or_a_control_without_one_fails(tmp_path: Path) -> None:
    log = _hazard_log()
    (tmp_path / "hazards.toml").write_text('''
[[hazard]]
id = "HAZ-X"
title = "t"
description = "d"
causes = ["c"]
effect = "e"
severity = "Major"
likelihood = "High"
residual_likelihood = "Very high"
[[hazard.control]]
what = "a control with no test"
[[hazard.control]]
what = "a control naming tests that are not there"
tests = ["tests/nowhere.py::test_x", "tests/test_safety_case.py::test_no_such_test"]
''')
    _, hazards = log.load(tmp_path / "hazards.toml")
    found = log.problems(hazards, ROOT)
    assert any("names no test" in p for p in found)
    assert any("there is no file tests/nowhere.py" in p for p in found)
    assert any("has no test test_no_such_test" in p for p in found)
    assert any("higher than the initial risk" in p for p in found)
    assert log.risk("Catastrophic", "Very low") == 3 and log.risk("Minor", "Very low") == 1
