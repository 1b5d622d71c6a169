"""Reading files from outside: references, dates, and what the reader says about files it cannot read."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from data.records.fhir_map import _instant
from data.records.fhir_read import Entry, Problem, entries, expand, reference_key


@pytest.mark.parametrize("reference, aliases, key", [
    ("Patient/123", {}, "Patient/123"),
    ("urn:uuid:abc", {"urn:uuid:abc": "Patient/abc"}, "Patient/abc"),
    ("urn:uuid:abc", {}, "Patient/abc"),
    ("https://fhir.example/R4/Patient/9/_history/2", {}, "Patient/9"),
    ("#contained", {}, None),
    ("Practitioner?identifier=x|1", {}, None),
    ("", {}, None),
])
def test_reference_key(reference: str, aliases: dict[str, str], key: str | None) -> None:
    assert reference_key(reference, aliases, "Patient") == key


@pytest.mark.parametrize("value, instant", [
    (datetime(2026, 6, 1, 10, 0, tzinfo=UTC), datetime(2026, 6, 1, 10, 0, tzinfo=UTC)),
    (date(2026, 6, 1), datetime(2026, 5, 31, 23, 0, tzinfo=UTC)),    # London midnight in summer
    ("2026-01", datetime(2026, 1, 1, 0, 0, tzinfo=UTC)),
    ("2013", datetime(2013, 1, 1, 0, 0, tzinfo=UTC)),
])
def test_partial_dates_are_their_first_london_midnight(value, instant) -> None:  # type: ignore[no-untyped-def]
    assert _instant(value) == instant


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    latin = tmp_path / "latin.ndjson"
    latin.write_bytes(b'{"resourceType": "Patient", "id": "\xe9"}\n')
    gz = tmp_path / "fake.ndjson.gz"
    gz.write_text("not gzip")
    files, problems = expand([str(tmp_path / "empty"), str(latin), str(gz), str(tmp_path / "nope")])
    assert [p.reason for p in problems] == ["this folder holds no .json or .ndjson files", "no such file or folder"]
    found = [item for path in files for item in entries(path)]
    assert [(item.file, item.entry, item.reason) for item in found if isinstance(item, Problem)] == [
        (str(latin), None, "is not UTF-8 text (byte 35 cannot be read)"),
        (str(gz), None, "is named .gz but is not a whole gzip file")]


def test_a_single_resource_file_and_blank_lines(tmp_path: Path) -> None:
    single = tmp_path / "one.json"
    single.write_text('{"resourceType": "Patient", "id": "p"}')
    lines = tmp_path / "two.ndjson"
    lines.write_text('\n{"resourceType": "Patient", "id": "a"}\n\n  \n{"resourceType": "Patient", "id": "b"}\n')
    assert [(e.where, e.source_id) for e in entries(single) if isinstance(e, Entry)] == [("the file", "p")]
    assert [(e.where, e.source_id) for e in entries(lines) if isinstance(e, Entry)] == [("line 2", "a"), ("line 5", "b")]


def test_a_resource_no_mapping_foresaw_is_reported_not_a_crash(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from data.records import fhir_map

    def broken(*_args):  # type: ignore[no-untyped-def]
        raise AttributeError("'NoneType' object has no attribute 'code'")

    monkeypatch.setattr(fhir_map, "_encounter", broken)
    entry = Entry("f.ndjson", "line 1", {"resourceType": "Encounter", "id": "e", "status": "finished",
                                         "class": {"code": "AMB"}})
    with pytest.raises(fhir_map.Unusable, match="could not be mapped \\(AttributeError"):
        fhir_map.to_record(entry, fhir_map.Panels())
