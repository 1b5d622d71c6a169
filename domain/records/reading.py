"""A patient's letters and test results from both trusts: lists, and one test's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.clock import LONDON
from domain.hospital import TrustCode
from domain.identity.access import require_access, target_patient
from domain.ports import Clock, UnitOfWork
from domain.records.model import Document, DocumentKind, TestResult
from domain.identity.session import Actor
from domain.records.visits import Visit


def letters(uow: UnitOfWork, clock: Clock, actor: Actor, *, kind: DocumentKind | None = None,
            trust: TrustCode | None = None, patient_id: int | None = None) -> list[Document]:
    """Letters and documents, newest first, without their text (the reader opens one)."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "list_letters")
        return [d for d in uow.documents.for_patient(target)
                if (kind is None or d.kind is kind) and (trust is None or d.trust is trust)]


@dataclass(frozen=True, slots=True)
class ResultGroup:
    """The results of one panel taken on one day at one trust."""

    day: date
    panel: str
    trust: TrustCode
    results: list[TestResult]


def results(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None) -> list[ResultGroup]:
    """Test results grouped by day and panel, newest day first."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "list_results")
        found = uow.results.for_patient(target)
    groups: dict[tuple[date, str, TrustCode], list[TestResult]] = {}
    for result in found:
        key = (result.taken_at.astimezone(LONDON).date(), result.panel, result.trust)
        groups.setdefault(key, []).append(result)
    ordered = sorted(groups.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True)
    return [ResultGroup(day, panel, trust, sorted(items, key=lambda r: r.test_name))
            for (day, panel, trust), items in ordered]


def visits(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None) -> list[Visit]:
    """Visits, stays and emergency attendances the trusts' systems recorded, newest first."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "list_visits")
        return uow.visits.for_patient(target)


def history(uow: UnitOfWork, clock: Clock, actor: Actor, result_id: int, patient_id: int | None = None) -> list[TestResult]:
    """Every result of the same test (same code, or the same name where there is no code), oldest first."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "result_history")
        found = uow.results.for_patient(target)
    chosen = next((r for r in found if r.id == result_id), None)
    if chosen is None:
        return []
    same = [r for r in found if (r.code == chosen.code if chosen.code else r.test_name == chosen.test_name)
            and r.unit == chosen.unit]
    return sorted(same, key=lambda r: r.taken_at)
