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
        (str(latin), "line 1", "is not UTF-8 text (byte 36 of the line cannot be read)"),
        (str(gz), None, "is named .gz but is not a whole gzip file")]


def test_a_damaged_ndjson_line_loses_only_itself(tmp_path: Path) -> None:
    """Bulk exports are read a line at a time: bad bytes, bad JSON or no resource on one line is that line's
    problem, named by its number; every other line is read (a BOM on the first is no problem)."""
    damaged = tmp_path / "Patient.ndjson"
    damaged.write_bytes(b'\xef\xbb\xbf{"resourceType": "Patient", "id": "a"}\n'
                        b'{"resourceType": "Patient", "id": "b\xff\xfe"}\n'
                        b'{"resourceType": "Patient", "id": \n'
                        b'{"resourceType": "Patient", "id": "d"}\n')
    found = list(entries(damaged))
    assert [(e.where, e.source_id) for e in found if isinstance(e, Entry)] == [("line 1", "a"), ("line 4", "d")]
    assert [(p.entry, p.reason.split(" (")[0]) for p in found if isinstance(p, Problem)] == [
        ("line 2", "is not UTF-8 text"), ("line 3", "is not JSON")]


@pytest.mark.parametrize("deceased, day", [
    ("1989-05-09T20:35:00-04:00", date(1989, 5, 9)),   # late evening in New York is already 10 May in London
    ("1989-05-10T00:20:00+02:00", date(1989, 5, 10)),  # just after midnight east of London is 9 May in London
    ("1989-05-09", date(1989, 5, 9)),
])
def test_a_date_of_death_is_the_date_the_source_says(deceased: str, day: date) -> None:
    from data.records import fhir_map

    entry = Entry("f.json", "entry 1", {"resourceType": "Patient", "id": "p", "birthDate": "1920-01-01",
                                        "name": [{"family": "Doe", "given": ["Jo"]}], "deceasedDateTime": deceased})
    record = fhir_map.to_record(entry, fhir_map.Panels())
    assert record.date_of_death == day


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


def test_hostile_files_cost_one_line_and_bounded_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A line nested 30,000 deep is that line's problem (it raised RecursionError and ended the import); a line
    longer than the limit is read past, never held; a small .gz that unpacks to far more than a bundle may be is
    refused by its size, read only that far."""
    import gzip

    from data.records import fhir_read

    monkeypatch.setattr(fhir_read, "LONGEST_LINE", 1 << 16)
    monkeypatch.setattr(fhir_read, "LARGEST_BUNDLE", 1 << 20)
    nested = tmp_path / "nested.ndjson"
    nested.write_text('{"resourceType": "Patient", "id": "a"}\n'
                      + '{"resourceType": "Patient", "x": ' + "[" * 30_000 + "]" * 30_000 + "}\n"
                      + '{"resourceType": "Patient", "x": ' + "[" * 70 + "]" * 70 + "}\n"
                      + '{"resourceType": "Patient", "id": "' + "b" * 200_000 + '"}\n'
                      + '{"resourceType": "Patient", "id": "c"}\n')
    found = list(entries(nested))
    assert [e.source_id for e in found if isinstance(e, Entry)] == ["a", "c"]
    assert [(p.entry, p.reason.split(":")[0]) for p in found if isinstance(p, Problem)] == [
        ("line 2", "is nested more than 64 levels deep"), ("line 3", "is nested more than 64 levels deep"),
        ("line 4", "is longer than 64 KiB")]
    bomb = tmp_path / "bomb.json.gz"
    with gzip.open(bomb, "wb") as packed:
        packed.write(b'{"resourceType": "Bundle", "entry": [' + b" " * (8 << 20) + b"]}")
    assert bomb.stat().st_size < 100_000
    [refused] = list(entries(bomb))
    assert isinstance(refused, Problem) and "larger than 1 MiB of JSON" in refused.reason
