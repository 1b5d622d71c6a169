"""The arrows of DESIGN.md: domain imports only the standard library and the identifier libraries,
screens never reach the database. Import-linter checks the layers too (`make lint`); this test also
checks domain against an allow-list, which import-linter cannot express."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IDENTIFIER_LIBRARIES = {"nhs_number", "phonenumbers", "email_validator"}


def _imports(package: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name.split(".")[0]) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((str(path.relative_to(ROOT)), node.module.split(".")[0]))
    return found


def test_domain_imports_only_the_standard_library_and_identifier_libraries() -> None:
    allowed = set(sys.stdlib_module_names) | IDENTIFIER_LIBRARIES | {"domain"}
    offenders = [(path, module) for path, module in _imports("domain") if module not in allowed]
    assert offenders == []


@pytest.mark.parametrize("forbidden", ["data", "sqlalchemy", "alembic", "psycopg", "portal_tui"])
def test_screens_never_import_the_database_or_the_composition_root(forbidden: str) -> None:
    assert [(path, module) for path, module in _imports("screens") if module == forbidden] == []


def test_import_linter_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
