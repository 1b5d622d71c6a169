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
LOCALE_DATA = {"babel", "holidays"}
"""Babel's locale data: dates in the patient's language (domain/formatting.py), loaded only for a language
other than English; and the calendar's: England and Wales bank holidays (domain/closures.py)."""


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
    allowed = set(sys.stdlib_module_names) | IDENTIFIER_LIBRARIES | LOCALE_DATA | {"domain"}
    offenders = [(path, module) for path, module in _imports("domain") if module not in allowed]
    assert offenders == []


@pytest.mark.parametrize("forbidden", ["data", "sqlalchemy", "alembic", "psycopg", "portal_tui"])
def test_screens_never_import_the_database_or_the_composition_root(forbidden: str) -> None:
    assert [(path, module) for path, module in _imports("screens") if module == forbidden] == []


def test_import_linter_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# Textual's widgets that would show a string as markup; screens use screens/common/text.py's instead.
MARKUP_WIDGETS = {"Static", "Label", "Button", "DataTable", "Markdown", "MarkdownViewer", "Log", "RichLog",
                  "Pretty", "Link", "Digits"}
# Ways to build what reaches the screen without going through screens/common/text.py.
RAW_BUILDERS = {"Text", "Option", "Content", "from_markup", "Markdown", "assemble", "escape"}


SAFE_PATH = ("text.py", "choice.py", "table.py")
"""screens/common/text.py, and its radio button kept apart (choice.py) so that the first page loads none."""


def _screen_modules() -> list[Path]:
    return [p for p in sorted((ROOT / "screens").rglob("*.py")) if p.name not in SAFE_PATH]


def test_screens_take_text_widgets_only_from_the_one_safe_path() -> None:
    offenders = []
    for path in _screen_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module in ("textual.widgets", "rich.markdown",
                                                                     "rich.markup", "textual.markup"):
                offenders += [(path.name, alias.name) for alias in node.names
                              if alias.name in MARKUP_WIDGETS or node.module != "textual.widgets"]
    assert offenders == []


def test_screens_never_build_text_or_markup_themselves() -> None:
    offenders = []
    for path in _screen_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in RAW_BUILDERS:
                    offenders.append((path.name, node.lineno, name))
                offenders += [(path.name, node.lineno, "markup=True") for keyword in node.keywords
                              if keyword.arg == "markup" and not (isinstance(keyword.value, ast.Constant)
                                                                  and keyword.value.value is False)]
    assert offenders == []


def test_the_lock_file_holds_every_dependency_with_its_hashes() -> None:
    """`make install` takes every package from requirements.lock, each checked against its hash: a dependency
    named in pyproject.toml and missing from the lock (or locked outside its range) fails here, not in CI's
    install. `make lock` writes it again."""
    import re
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(text) for text in project["dependencies"] + project["optional-dependencies"]["test"]]
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {canonicalize_name(name): version for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) \\", lock, re.M)}
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (requirement, pinned[name])
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n\n", 1)[1] if "\n\n" in lock else lock)
    assert all("--hash=sha256:" in block for block in blocks if "==" in block)
    assert {"setuptools", "wheel"} <= set(pinned)  # the build tools too: the portal is built without isolation
