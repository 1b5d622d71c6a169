"""Reading FHIR R4 files from outside: bundles (JSON) and bulk-export NDJSON, entry by entry.

Nothing here trusts the file. A file that cannot be read, a line that is not JSON, an entry that is not a
resource: each becomes a `Problem` naming the file and the entry, and reading goes on with the next one."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".json", ".ndjson", ".jsonl", ".json.gz", ".ndjson.gz", ".jsonl.gz")
"""The files taken from a folder given on the command line."""
LONGEST_LINE = 16 << 20
"""Bytes of one NDJSON line (one resource) at most: a longer one is that line's problem, read past, never held."""
LARGEST_BUNDLE = 256 << 20
"""Bytes of a JSON file (unpacked) at most: a larger bundle is refused — bulk data comes as NDJSON, line by line."""
DEEPEST = 64
"""Levels of nesting in one resource at most (FHIR's own are a dozen or so): deeper is refused, never recursed into."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in a file that could not be imported, and why, in words."""

    file: str
    entry: str | None
    reason: str

    def as_json(self) -> dict[str, str | None]:
        return {"file": self.file, "entry": self.entry, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Entry:
    """One resource as it stood in its file (not yet validated)."""

    file: str
    where: str
    """Where in the file: 'line 12' or 'entry 40'."""
    raw: dict[str, object]
    aliases: dict[str, str] = field(default_factory=dict)
    """A bundle's full URLs (urn:uuid:…) and what they stand for ('Patient/<id>'); shared by its entries."""

    @property
    def resource_type(self) -> str:
        return str(self.raw.get("resourceType"))

    @property
    def source_id(self) -> str | None:
        value = self.raw.get("id")
        return value if isinstance(value, str) and value else None

    @property
    def label(self) -> str:
        """'line 12 (Observation/abc)': what an error names."""
        name = f"{self.resource_type}/{self.source_id}" if self.source_id else self.resource_type
        return f"{self.where} ({name})"


def expand(paths: list[str]) -> tuple[list[Path], list[Problem]]:
    """The files to read: each file given, and the FHIR files inside each folder given (sorted)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(SUFFIXES))
            if not found:
                problems.append(Problem(text, None, "this folder holds no .json or .ndjson files"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(text, None, "no such file or folder"))
    return files, problems


def entries(path: Path) -> Iterator[Entry | Problem]:
    """Every resource in one file, in order; a Problem in place of anything that is not one."""
    name = str(path)
    try:
        if _is_ndjson(path):
            yield from _ndjson(path, name)
        else:
            yield from _json(path, name)
    except (gzip.BadGzipFile, EOFError):
        yield Problem(name, None, "is named .gz but is not a whole gzip file")
    except OSError as error:
        yield Problem(name, None, f"cannot be read: {error.strerror or error}")
    except UnicodeDecodeError as error:
        yield Problem(name, None, f"is not UTF-8 text (byte {error.start} cannot be read)")


def _is_ndjson(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith((".ndjson", ".jsonl"))


def _open(path: Path):  # type: ignore[no-untyped-def]
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _ndjson(path: Path, name: str) -> Iterator[Entry | Problem]:
    # Read as bytes and decode line by line: a line that is not UTF-8 is that line's problem, not the file's.
    # A packed file is unpacked as it is read, a line at a time, each line bounded: a small .gz that unpacks to
    # gigabytes costs time, never memory.
    opened = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")
    with opened as stream:
        number = 0
        while raw_line := stream.readline(LONGEST_LINE + 1):
            number += 1
            where = f"line {number}"
            if len(raw_line) > LONGEST_LINE and not raw_line.endswith(b"\n"):
                while (rest := stream.readline(LONGEST_LINE)) and not rest.endswith(b"\n"):
                    pass  # read past the rest of the line
                yield Problem(name, where, f"is longer than {_size(LONGEST_LINE)}: not a resource this portal takes")
                continue
            if number == 1:
                raw_line = raw_line.removeprefix(b"\xef\xbb\xbf")
            if not raw_line.strip():
                continue
            try:
                line = raw_line.decode("utf-8")
            except UnicodeDecodeError as error:
                yield Problem(name, where, f"is not UTF-8 text (byte {error.start + 1} of the line cannot be read)")
                continue
            yield _parsed(name, where, line)


def _json(path: Path, name: str) -> Iterator[Entry | Problem]:
    with _open(path) as stream:
        text = stream.read(LARGEST_BUNDLE + 1)
    if len(text) > LARGEST_BUNDLE:
        yield Problem(name, None, f"is larger than {_size(LARGEST_BUNDLE)} of JSON: send bulk data as NDJSON")
        return
    raw, problem = _loaded(text, whole=True)
    if problem:
        yield Problem(name, None, problem)
        return
    if not (isinstance(raw, dict) and raw.get("resourceType") == "Bundle"):
        yield _resource(name, "the file", raw)
        return
    listed = raw.get("entry") or []
    if not isinstance(listed, list):
        yield Problem(name, None, "is a Bundle whose 'entry' is not a list")
        return
    aliases: dict[str, str] = {}
    for item in listed:
        resource = item.get("resource") if isinstance(item, dict) else None
        if isinstance(item, dict) and isinstance(resource, dict) and isinstance(item.get("fullUrl"), str):
            if isinstance(resource.get("resourceType"), str) and (resource_id := _identity(item, resource)):
                aliases[item["fullUrl"]] = f"{resource['resourceType']}/{resource_id}"
    for number, item in enumerate(listed):
        where = f"entry {number}"
        resource = item.get("resource") if isinstance(item, dict) else None
        if isinstance(resource, dict) and not isinstance(resource.get("id"), str) and _identity(item, resource):
            resource = {**resource, "id": _identity(item, resource)}  # a transaction's new resource
        if resource is None:
            yield Problem(name, where, "has no resource")
            continue
        found = _resource(name, where, resource)
        yield Entry(found.file, found.where, found.raw, aliases) if isinstance(found, Entry) else found


def _identity(item: dict[str, object], resource: dict[str, object]) -> str | None:
    """A bundle entry's id: the resource's own, else — in a transaction or batch, whose new resources have none —
    the uuid of its `urn:uuid:` full URL, its identity within the bundle (and the same on every run of the file)."""
    if isinstance(resource.get("id"), str) and resource["id"]:
        return str(resource["id"])
    url = item.get("fullUrl")
    if isinstance(url, str) and url.startswith("urn:uuid:") and 0 < len(url) - 9 <= 64:
        return url.removeprefix("urn:uuid:")
    return None


def _parsed(name: str, where: str, text: str) -> Entry | Problem:
    """One NDJSON line's resource, or its problem."""
    raw, problem = _loaded(text, whole=False)
    return Problem(name, where, problem) if problem else _resource(name, where, raw)


def _loaded(text: str, *, whole: bool) -> tuple[object, str]:
    """(the JSON, '') or (None, why it is refused): not JSON, or nested deeper than any FHIR resource (a bundle
    holds its resources two levels down)."""
    deepest = DEEPEST + (3 if whole else 0)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        at = f"line {error.lineno}, column {error.colno}" if whole else f"column {error.colno}"
        return None, f"is not JSON ({error.msg} at {at})"
    except RecursionError:
        return None, f"is nested more than {DEEPEST} levels deep: not a FHIR resource"
    if _deeper_than(raw, deepest):
        return None, f"is nested more than {DEEPEST} levels deep: not a FHIR resource"
    return raw, ""


def _size(count: int) -> str:
    return f"{count >> 20} MiB" if count >= 1 << 20 else f"{count >> 10} KiB"


def _deeper_than(value: object, deepest: int) -> bool:
    """Whether lists and objects nest more than `deepest` levels (looked at without recursion)."""
    waiting = [(value, 1)]
    while waiting:
        item, depth = waiting.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > deepest:
            return True
        waiting.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _resource(name: str, where: str, raw: object) -> Entry | Problem:
    if not isinstance(raw, dict):
        return Problem(name, where, "is not a FHIR resource (not a JSON object)")
    if not isinstance(raw.get("resourceType"), str) or not raw["resourceType"]:
        return Problem(name, where, "is not a FHIR resource (no resourceType)")
    return Entry(name, where, raw)


def reference_key(reference: str | None, aliases: dict[str, str], expected: str) -> str | None:
    """What a reference points at, as 'Type/id': a bundle's urn:uuid full URL, 'Patient/123', or an absolute
    URL ending in them ('…/Patient/123/_history/2'). None when it points at nothing we can find."""
    if not reference:
        return None
    if reference in aliases:
        return aliases[reference]
    if reference.startswith("urn:uuid:"):
        return f"{expected}/{reference.removeprefix('urn:uuid:')}"
    if reference.startswith("#") or "?" in reference:
        return None  # a contained resource or a conditional reference: nothing to match by id
    parts = reference.rstrip("/").split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and parts[-2] and parts[-1]:
        return f"{parts[-2]}/{parts[-1]}"
    return None
