"""What a patient may meet at a public kiosk: which observations are test results at all, which results are
withheld from the kiosk (listed at the desk for staff, with the reason), and which wait a while for the care
team to review them first. Decided per item, each decision with its reason in words.

Test results are laboratory, imaging and pathology findings. Questionnaires, social history, vital signs and
certificates are not results: the importer does not make results of them. Sensitive kinds — safeguarding and
domestic-abuse screens, mental-health and substance-use instruments, sexual health and genetics, and whatever a
trust adds by code or category — never reach the kiosk: on a screen in a reception, a domestic-abuse screen's
answers can put a patient in danger. Codes are LOINC unless a SNOMED CT concept id (digits only) is given."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.language import N_
from domain.records.model import TestResult

NOT_RESULT_CATEGORIES = {
    "survey": "questionnaires are not test results",
    "social-history": "social history is not a test result",
    "vital-signs": "vital signs are not test results",
    "exam": "examination findings are not test results",
    "therapy": "therapy records are not test results",
    "activity": "activity records are not test results",
    "procedure": "procedure records are not test results",
}
"""FHIR observation categories that are not test results (laboratory and imaging are)."""

CERTIFICATES = {
    "69409-1": "a death certificate is not a test result",
    "69453-9": "a cause of death (from a death certificate) is not a test result",
    "64297-5": "a death certificate is not a test result",
    "81956-5": "a death certificate is not a test result",
}
"""Certificates that systems send as reports and observations."""

_MENTAL_HEALTH = "a mental-health screen"
_SUBSTANCE = "a drug or alcohol use screen"
_ABUSE = "a domestic-abuse or safeguarding screen"
_SEXUAL = "a sexual-health test"
_GENETIC = "a genetic test"

SENSITIVE_CODES = {
    # Domestic abuse: HARK (Humiliation, Afraid, Rape, Kick), its four questions and its score.
    "76499-3": _ABUSE, "76500-8": _ABUSE, "76501-6": _ABUSE, "76502-4": _ABUSE, "76503-2": _ABUSE,
    "76504-0": _ABUSE,
    # Mental health: PHQ-2, PHQ-9 and GAD-7, with their scores.
    "55757-9": _MENTAL_HEALTH, "55758-7": _MENTAL_HEALTH, "44249-1": _MENTAL_HEALTH, "44261-6": _MENTAL_HEALTH,
    "69737-5": _MENTAL_HEALTH, "70274-6": _MENTAL_HEALTH,
    # Drug and alcohol use: DAST-10, AUDIT and AUDIT-C, with their scores.
    "82666-9": _SUBSTANCE, "82667-7": _SUBSTANCE, "72110-0": _SUBSTANCE, "72109-2": _SUBSTANCE,
    "75626-2": _SUBSTANCE, "75624-7": _SUBSTANCE,
    # Sexual health: HIV, chlamydia, gonorrhoea, syphilis and HPV tests.
    "75622-1": _SEXUAL, "56888-1": _SEXUAL, "7917-8": _SEXUAL, "5221-7": _SEXUAL, "68961-2": _SEXUAL,
    "43304-5": _SEXUAL, "21613-5": _SEXUAL, "43305-2": _SEXUAL, "21415-5": _SEXUAL, "20507-0": _SEXUAL,
    "22587-0": _SEXUAL, "21440-3": _SEXUAL,
}
"""Results never shown at the kiosk, by code; a trust adds its own in settings (`results_withheld_codes`)."""

SENSITIVE_CATEGORIES = {"genetics": _GENETIC, "genomics": _GENETIC, "sexual-health": _SEXUAL,
                        "mental-health": _MENTAL_HEALTH, "safeguarding": _ABUSE, "substance-use": _SUBSTANCE}
"""Results never shown at the kiosk, by category (a trust adds its own: `results_withheld_categories`)."""

WAITING = N_("A result is waiting to be reviewed by your care team.")
"""All a patient is told of a result that waits."""


class Release(StrEnum):
    """What the kiosk does with a result."""

    SHOWN = "shown"
    WITHHELD = "withheld"
    """Never at the kiosk: staff see it at the desk, with the reason."""
    DELAYED = "delayed"
    """Not yet: the patient reads that a result is waiting to be reviewed, never its value."""


@dataclass(frozen=True, slots=True)
class ReleaseDecision:
    """Shown, withheld or delayed, and why in words (for staff, and for the audit trail)."""

    release: Release
    reason: str

    @property
    def shown(self) -> bool:
        return self.release is Release.SHOWN


@dataclass(frozen=True, slots=True)
class ReleasePolicy:
    """The trust's rules, from settings: its own sensitive codes and categories, and which results wait."""

    withheld_codes: frozenset[str] = frozenset()
    withheld_categories: frozenset[str] = frozenset()
    delayed_categories: frozenset[str] = frozenset({"imaging", "pathology"})
    delay: timedelta = timedelta(days=7)

    @classmethod
    def of(cls, codes: Iterable[str] = (), categories: Iterable[str] = (),
           delayed: Iterable[str] = ("imaging", "pathology"), delay_days: int = 7) -> ReleasePolicy:
        return cls(frozenset(c.strip() for c in codes if c.strip()),
                   frozenset(c.strip().lower() for c in categories if c.strip()),
                   frozenset(c.strip().lower() for c in delayed if c.strip()), timedelta(days=delay_days))


def not_a_result(categories: Iterable[str], code: str | None, panel_code: str | None = None) -> str | None:
    """Why an observation is not a test result (the importer skips it with this reason), or None if it is."""
    for c in (code, panel_code):
        if c in CERTIFICATES:
            return CERTIFICATES[c]
    kinds = [c.lower() for c in categories]
    if "laboratory" in kinds or "imaging" in kinds:
        return None
    for kind in kinds:
        if kind in NOT_RESULT_CATEGORIES:
            return NOT_RESULT_CATEGORIES[kind]
    return None


def decide(result: TestResult, now: datetime, policy: ReleasePolicy = ReleasePolicy()) -> ReleaseDecision:
    """Withheld by code or category (the result's own or its panel's), else delayed while it waits, else shown."""
    for code in (result.code, result.panel_code):
        if code is None:
            continue
        if code in SENSITIVE_CODES:
            return ReleaseDecision(Release.WITHHELD, f"{SENSITIVE_CODES[code]} (code {code})")
        if code in policy.withheld_codes:
            return ReleaseDecision(Release.WITHHELD, f"withheld by the trust's rules (code {code})")
    category = (result.category or "").lower()
    if category in SENSITIVE_CATEGORIES:
        return ReleaseDecision(Release.WITHHELD, SENSITIVE_CATEGORIES[category])
    if category and category in policy.withheld_categories:
        return ReleaseDecision(Release.WITHHELD, f"withheld by the trust's rules ({category} results)")
    if category in policy.delayed_categories and result.released_at is None and now - result.taken_at < policy.delay:
        days = policy.delay.days
        return ReleaseDecision(Release.DELAYED, f"{category} results are shown {days} days after they are taken, "
                                                "unless a clinician releases them sooner")
    return ReleaseDecision(Release.SHOWN, "shown")


@dataclass(frozen=True, slots=True)
class Sorted:
    """A patient's results as the release policy sorts them."""

    shown: list[TestResult] = field(default_factory=list)
    delayed: list[TestResult] = field(default_factory=list)
    withheld: list[tuple[TestResult, str]] = field(default_factory=list)


def sort_results(results: Iterable[TestResult], now: datetime, policy: ReleasePolicy) -> Sorted:
    out = Sorted()
    for result in results:
        decision = decide(result, now, policy)
        if decision.release is Release.SHOWN:
            out.shown.append(result)
        elif decision.release is Release.DELAYED:
            out.delayed.append(result)
        else:
            out.withheld.append((result, decision.reason))
    return out
