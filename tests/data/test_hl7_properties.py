"""Properties of the feed over messages Hypothesis makes across the profile's variations — identifier types and
authorities, the same digits at two trusts, missing fields, HL7's `""`, escapes, events out of order — on SQLite
and PostgreSQL: no exception escapes, every outcome has its reason and its ACK, and a message never changes a
patient through another trust's hospital number."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import HospitalNumberRow, PatientRow
from domain.events.feed import Outcome
from tests.data.feed import receive, receive_all

SENDERS = {"PAS^RWG": "RWG", "CERNER^RAL": "RAL"}
NHS_NUMBERS = ["9997000021", "9997000048", "9990000018", "1234567890", ""]
"""Two of no one, one of a demo patient, one that fails its check digit, none."""
DIGITS = ["843124", "843125", "RWG1000001", "RWG1000002"]
"""Few, so that the same digits arrive from both trusts, and as demo patients' numbers."""

identifier = st.tuples(st.sampled_from(DIGITS), st.sampled_from(["RWG", "RAL", "", "USA", "WHHT"]),
                       st.sampled_from(["MR", "MRN", "PI", "PAS", "", "SS", "XX"]))
name = st.sampled_from(["THOMPSON", "O\\X27\\NEILL", "SMITH\\S\\JONES", '""', "", "NEWMAN", "Łukasiewicz"])
birth = st.sampled_from(["19591022", "19591023", "19800101", "", '""', "1980", "notadate", "20001302"])


@st.composite
def message(draw: Any, n: int) -> str:
    sender = draw(st.sampled_from(sorted(SENDERS)))
    app, facility = sender.split("^")
    event = draw(st.sampled_from(["ADT^A28", "ADT^A31", "ADT^A08", "ADT^A03", "ADT^A40", "SIU^S12", "SIU^S13",
                                  "SIU^S15", "SIU^S26"]))
    ids = draw(st.lists(identifier, min_size=0, max_size=3))
    pid3 = "~".join(f"{value}^^^{authority}^{kind}" for value, authority, kind in ids)
    nhs = draw(st.sampled_from(NHS_NUMBERS))
    if nhs:
        pid3 += ("~" if pid3 else "") + f"{nhs}^^^NHS^NH"
    pid = (f"PID|1||{pid3}||{draw(name)}^{draw(name)}||{draw(birth)}|F|||"
           f"{draw(st.sampled_from(['1 Road^^Watford^^WD18 0HB', '', chr(34) * 2]))}||"
           f"{draw(st.sampled_from(['07700 900123^PRN^CP', '', chr(34) * 2]))}"
           + "|" * 19 + draw(st.sampled_from(["", "01", "1", "02"])))
    text = f"MSH|^~\\&|{app}|{facility}|PORTAL|RWG|20261201101500||{event}|H{n}|P|2.4\r{pid}\r"
    if event == "ADT^A40":
        text += f"MRG|{draw(st.sampled_from(DIGITS))}^^^{facility}^MR\r"
    if event.startswith("SIU"):
        filler = draw(st.sampled_from(["PAS1", "PAS2"]))
        text += (f"SCH|P{filler}|{filler}||||^reason \\F\\ here||{draw(st.sampled_from(['NEW', 'FU', 'ODD', '']))}"
                 f"|20|MIN|^^20^202612021000\rAIS|1||{draw(st.sampled_from(['CARD', 'NOPE', '']))}|202612021000\r"
                 f"AIP|1||{draw(st.sampled_from(['C1001', '']))}\r")
    if event in ("ADT^A03", "ADT^A01"):
        text += "PV1|1|I|WGH-W7A||||||||||||||||V9|" + "|" * 24 + "20261130090000|20261201100000\r"
    return text


def _numbers_of(raw: str, trust: str) -> set[str]:
    """Every value the message gives in PID-3 (any type, any authority)."""
    pid = next(s for s in raw.split("\r") if s.startswith("PID"))
    return {rep.split("^")[0] for rep in pid.split("|")[3].split("~") if rep}


def _snapshot(engine) -> dict[int, tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return {row.id: (row.given_name, row.family_name, row.date_of_birth, row.postcode, row.mobile,
                         row.nhs_number, row.address_lines, row.date_of_death)
                for row in session.scalars(select(PatientRow))}


def _held(engine, patient_id: int) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return {(r.trust_code, r.value) for r in session.scalars(
            select(HospitalNumberRow).where(HospitalNumberRow.patient_id == patient_id))}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_no_message_escapes_its_reason_or_reaches_another_trusts_patient(demo_engine, data: Any) -> None:  # type: ignore[no-untyped-def]
    run = data.draw(st.integers(0, 10**9))
    batch = [data.draw(message(run * 10 + n)) for n in range(data.draw(st.integers(1, 6)))]
    for raw in batch:
        before = _snapshot(demo_engine)
        receipt = receive(demo_engine, raw, "property", allow_drama=True)
        assert receipt.reason.strip(), raw
        assert "\rMSA|" in receipt.ack and receipt.ack.startswith("MSH|"), receipt.ack
        after = _snapshot(demo_engine)
        trust = SENDERS[raw.split("|")[2] + "^" + raw.split("|")[3]]
        nhs = next((p.split("^")[0] for s in raw.split("\r") if s.startswith("PID")
                    for p in s.split("|")[3].split("~") if p.endswith("^NHS^NH")), None)
        for patient_id, now in after.items():
            if patient_id in before and before[patient_id] != now:
                assert receipt.outcome is Outcome.ACCEPTED, (raw, receipt.reason)
                # Changed: found by its NHS number, or by a number of the sending trust that it holds.
                own = {value for held_trust, value in _held(demo_engine, patient_id) if held_trust == trust}
                assert now[5] == nhs or own & _numbers_of(raw, trust), (raw, receipt.reason, patient_id)
    # The same batch as one round (the listener's group commit) keeps to the same rules.
    again = receive_all(demo_engine, [(raw.replace("|H", "|R"), "round") for raw in batch], allow_drama=True)
    assert all(r.reason.strip() and "\rMSA|" in r.ack for r in again)
