"""The release policy as a table: code or category → shown, withheld or delayed; and which observations are
not test results at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.hospital import TrustCode
from domain.records.model import ResultFlag, TestResult
from domain.records.release import Release, ReleasePolicy, decide, not_a_result

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def result(code: str | None = "2951-2", category: str | None = "laboratory", panel_code: str | None = None,
           days_ago: int = 1, released: bool = False) -> TestResult:
    return TestResult(id=1, patient_id=1, trust=TrustCode.ROYAL_FREE, taken_at=NOW - timedelta(days=days_ago),
                      panel="Panel", test_name="Test", value_text="1", unit=None, reference_range=None,
                      flag=ResultFlag.NO_RANGE, code=code, category=category, panel_code=panel_code,
                      released_at=NOW - timedelta(hours=1) if released else None)


@pytest.mark.parametrize("item, release, words", [
    (result(), Release.SHOWN, "shown"),                                              # sodium
    (result(code="76504-0"), Release.WITHHELD, "domestic-abuse"),                    # HARK score
    (result(code="1234-5", panel_code="76499-3"), Release.WITHHELD, "domestic-abuse"),  # an item under HARK
    (result(code="55758-7", category=None), Release.WITHHELD, "mental-health"),      # PHQ-2 score
    (result(code="70274-6"), Release.WITHHELD, "mental-health"),                     # GAD-7 score
    (result(code="82667-7"), Release.WITHHELD, "drug or alcohol"),                   # DAST-10 score
    (result(code="75622-1"), Release.WITHHELD, "sexual-health"),                     # HIV 1+2 Ag/Ab
    (result(code="43304-5"), Release.WITHHELD, "sexual-health"),                     # chlamydia
    (result(code="81247-9", category="genetics"), Release.WITHHELD, "genetic"),
    (result(category="imaging", days_ago=2), Release.DELAYED, "imaging results are shown 7 days"),
    (result(category="pathology", days_ago=6), Release.DELAYED, "pathology"),
    (result(category="imaging", days_ago=8), Release.SHOWN, "shown"),
    (result(category="imaging", days_ago=2, released=True), Release.SHOWN, "shown"),  # a clinician released it
    (result(code="76504-0", category="imaging", days_ago=30), Release.WITHHELD, "domestic-abuse"),
])
def test_each_result_is_decided_with_its_reason(item: TestResult, release: Release, words: str) -> None:
    decision = decide(item, NOW)
    assert decision.release is release
    assert words in decision.reason


def test_the_trust_adds_its_own_codes_and_categories_and_sets_the_wait() -> None:
    policy = ReleasePolicy.of(codes=["2951-2"], categories=["microbiology"], delayed=["laboratory"], delay_days=2)
    assert decide(result(), NOW, policy).release is Release.WITHHELD
    assert decide(result(code="718-7", category="microbiology"), NOW, policy).release is Release.WITHHELD
    assert decide(result(code="718-7", days_ago=1), NOW, policy).release is Release.DELAYED
    assert decide(result(code="718-7", days_ago=3), NOW, policy).release is Release.SHOWN
    assert decide(result(category="imaging", days_ago=1), NOW, ReleasePolicy.of(delay_days=0)).shown


@pytest.mark.parametrize("categories, code, panel_code, reason", [
    (["laboratory"], "2951-2", None, None),
    (["imaging"], "24627-2", None, None),
    (["survey"], "76504-0", "76499-3", "questionnaires are not test results"),
    (["social-history"], "72166-2", None, "social history is not a test result"),
    (["vital-signs"], "8302-2", None, "vital signs are not test results"),
    ([], "69453-9", "69409-1", "a cause of death (from a death certificate) is not a test result"),
    (["laboratory"], "1234-5", "69409-1", "a death certificate is not a test result"),
    ([], "2951-2", None, None),  # no category: the importer asks whether a report groups it
])
def test_what_is_not_a_test_result(categories: list[str], code: str, panel_code: str | None,
                                   reason: str | None) -> None:
    assert not_a_result(categories, code, panel_code) == reason
