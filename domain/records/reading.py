"""A patient's letters and test results from both trusts: lists, and one test's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from domain.clock import LONDON
from domain.hospital import TrustCode
from domain.identity.access import require_access, target_patient
from domain.ports import Clock, UnitOfWork
from domain.records.model import Document, DocumentKind, TestResult
from domain.audit import AuditEvent, Outcome
from domain.identity.session import Actor, StaffSession
from domain.records.release import ReleasePolicy, sort_results
from domain.records.visits import Visit


LETTERS_PAGE = 100
"""How many letters the list shows at first; 'Show earlier letters' shows as many more each time."""


def letters(uow: UnitOfWork, clock: Clock, actor: Actor, *, kind: DocumentKind | None = None,
            trust: TrustCode | None = None, patient_id: int | None = None) -> list[Document]:
    """Letters and documents, newest first, without their text (the reader opens one): all of them."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "list_letters")
        return uow.documents.for_patient(target, kind, trust)


@dataclass(frozen=True, slots=True)
class LetterList:
    """The newest letters, and how many there are in all (of the kind and trust asked for)."""

    documents: list[Document]
    total: int


def letter_list(uow: UnitOfWork, clock: Clock, actor: Actor, *, kind: DocumentKind | None = None,
                trust: TrustCode | None = None, patient_id: int | None = None,
                limit: int = LETTERS_PAGE) -> LetterList:
    """The newest `limit` letters and the count of all: what the letters page shows, whatever their number."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "list_letters")
        return LetterList(uow.documents.for_patient(target, kind, trust, limit),
                          uow.documents.count(target, kind, trust))


@dataclass(frozen=True, slots=True)
class ResultGroup:
    """The results of one panel taken on one day at one trust."""

    day: date
    panel: str
    trust: TrustCode
    results: list[TestResult]
    waiting: int = 0
    """Results of this panel still waiting for the care team: the patient is told so, never their values."""
    notes: dict[int, str] = field(default_factory=dict)
    """At the desk: why a result is held back from the kiosk (withheld, or waiting), by result id."""


RESULTS_PAGE = 300
"""How many results a page of the results table reads; 'Show earlier results' reads the next."""


@dataclass(frozen=True, slots=True)
class ResultsPage:
    """A page of results, newest first, and where the next (earlier) page starts, if there is one."""

    groups: list[ResultGroup]
    earlier: tuple[datetime, int] | None


def results(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None,
            policy: ReleasePolicy = ReleasePolicy()) -> list[ResultGroup]:
    """The newest page of test results, grouped (see `results_page`)."""
    return results_page(uow, clock, actor, patient_id, policy).groups


def results_page(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None,
                 policy: ReleasePolicy = ReleasePolicy(), before: tuple[datetime, int] | None = None,
                 limit: int = RESULTS_PAGE) -> ResultsPage:
    """Test results grouped by day and panel, newest day first, a page at a time — as the release policy lets
    the actor see them: a patient never meets a withheld result, and of a waiting one only that it waits;
    staff see all, each held-back one marked with the reason (and their look at those is audited)."""
    target = target_patient(actor, patient_id)
    now = clock.now()
    with uow:
        require_access(uow, clock, actor, target, "list_results")
        raw = uow.results.page(target, before, limit)
        found = sort_results(raw, now, policy)
        staff = isinstance(actor, StaffSession)
        if staff and (found.withheld or found.delayed):
            kind, actor_id, role = actor.audit_identity
            uow.audit.record(AuditEvent(
                at=now, actor_kind=kind, actor_id=actor_id, actor_role=role, action="view_held_results",
                outcome=Outcome.SUCCESS, patient_id=target,
                detail=f"{len(found.withheld)} withheld from the kiosk, {len(found.delayed)} waiting: "
                       + "; ".join(sorted({reason for _, reason in found.withheld}))))
            uow.commit()
    notes = {r.id: f"Withheld from the kiosk: {reason}" for r, reason in found.withheld} if staff else {}
    if staff:
        notes |= {r.id: "Waiting for the care team (the patient is told only that a result waits)"
                  for r in found.delayed}
    seen = found.shown + ([r for r, _ in found.withheld] + found.delayed if staff else [])
    groups: dict[tuple[date, str, TrustCode], list[TestResult]] = {}
    waiting: dict[tuple[date, str, TrustCode], int] = {}
    for result in seen:
        groups.setdefault(_group_key(result), []).append(result)
    if not staff:
        for result in found.delayed:
            key = _group_key(result)
            groups.setdefault(key, [])
            waiting[key] = waiting.get(key, 0) + 1
    ordered = sorted(groups.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True)
    earlier = (raw[-1].taken_at, raw[-1].id) if len(raw) == limit else None
    return ResultsPage([ResultGroup(day, panel, trust, sorted(items, key=lambda r: r.test_name),
                                    waiting.get((day, panel, trust), 0),
                                    {r.id: notes[r.id] for r in items if r.id in notes})
                        for (day, panel, trust), items in ordered], earlier)


def _group_key(result: TestResult) -> tuple[date, str, TrustCode]:
    return result.taken_at.astimezone(LONDON).date(), result.panel, result.trust


VISITS_SHOWN = 100
"""How many visits the appointments page lists at first (the newest); 'Show earlier visits' adds as many more."""


@dataclass(frozen=True, slots=True)
class VisitList:
    """The newest visits, and how many there are in all."""

    visits: list[Visit]
    total: int


def visits(uow: UnitOfWork, clock: Clock, actor: Actor, patient_id: int | None = None,
           limit: int = VISITS_SHOWN) -> VisitList:
    """Visits, stays and emergency attendances the trusts' systems recorded, newest first (the newest
    `limit`), and their count."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "list_visits")
        return VisitList(uow.visits.for_patient(target, limit), uow.visits.count(target))


def history(uow: UnitOfWork, clock: Clock, actor: Actor, result_id: int, patient_id: int | None = None,
            policy: ReleasePolicy = ReleasePolicy()) -> list[TestResult]:
    """Every result of the same test (same code, or the same name where there is no code), oldest first; a
    patient's only of what the release policy shows them."""
    target = target_patient(actor, patient_id)
    with uow:
        require_access(uow, clock, actor, target, "result_history")
        chosen = uow.results.get(result_id)
        if chosen is None or chosen.patient_id != target:
            return []
        same = uow.results.same_test(target, chosen.code, chosen.test_name, chosen.unit)
    if not isinstance(actor, StaffSession):
        shown = sort_results(same, clock.now(), policy).shown
        return shown if any(r.id == result_id for r in shown) else []
    return same


LETTER_PAGE = 12_000
"""Characters of a letter shown at once (a few screenfuls): a letter of megabytes is read a page at a time, each
laid out as quickly as a short one, never all at once."""


def letter_pages(text: str, size: int = LETTER_PAGE) -> list[str]:
    """A letter's text in pages of at most `size` characters, each ending where a paragraph does (else a line,
    else a word) so that no sentence or table row is cut in two where it can be helped."""
    pages: list[str] = []
    while len(text) > size:
        cut = next((at for mark in ("\n\n", "\n", " ") if (at := text.rfind(mark, size // 2, size)) > 0), size)
        pages.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n ")
    return [*pages, text] if text or not pages else pages
