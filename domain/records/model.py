"""What the patient can read: letters and other documents, and test results with their ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.hospital import TrustCode
from domain.language import N_


class DocumentKind(StrEnum):
    """The documents the portal shows."""

    APPOINTMENT_CONFIRMATION = "appointment_confirmation"
    ADMISSION_CONFIRMATION = "admission_confirmation"
    CLINIC_OUTCOME = "clinic_outcome"
    DISCHARGE_SUMMARY = "discharge_summary"
    CLINICAL_NOTE = "clinical_note"
    """A note from another system (an emergency department note, say), imported from FHIR."""

    @property
    def label(self) -> str:
        """The words on the letter's heading."""
        return _DOCUMENT_LABELS[self]


_DOCUMENT_LABELS = {
    DocumentKind.APPOINTMENT_CONFIRMATION: N_("Appointment confirmation letter"),
    DocumentKind.ADMISSION_CONFIRMATION: N_("Admission confirmation letter"),
    DocumentKind.CLINIC_OUTCOME: N_("Clinic outcome letter"),
    DocumentKind.DISCHARGE_SUMMARY: N_("Discharge summary"),
    DocumentKind.CLINICAL_NOTE: N_("Clinical note"),
}


class PostStatus(StrEnum):
    """A paper copy of a letter: waiting for the post room, printed in a batch, or posted."""

    QUEUED = "queued"
    PRINTED = "printed"
    POSTED = "posted"


@dataclass(frozen=True, slots=True)
class Document:
    """A letter or summary; `body_markdown` is None when the original is not text (a PDF, say)."""

    id: int
    patient_id: int
    trust: TrustCode
    kind: DocumentKind
    title: str
    written_at: datetime
    content_type: str
    size_bytes: int
    body_markdown: str | None = None
    appointment_id: int | None = None
    read_at: datetime | None = None
    post_status: PostStatus | None = None
    """None when no paper copy goes (paperless, or a document from outside)."""

    @property
    def is_new(self) -> bool:
        """Not yet opened by the patient."""
        return self.read_at is None

    @property
    def is_text(self) -> bool:
        """The portal can show it on screen (a list knows from the type, without loading the text)."""
        return self.content_type.startswith("text/")

    @property
    def is_markdown(self) -> bool:
        """Written as Markdown (our own letters); other text is shown exactly as it came."""
        return self.content_type.startswith("text/markdown")


class ResultFlag(StrEnum):
    """How a value stands against its reference range — always shown in words, never by colour alone."""

    NORMAL = "normal"
    HIGH = "high"
    LOW = "low"
    ABNORMAL = "abnormal"
    NO_RANGE = "no_range"

    @property
    def words(self) -> str:
        """What the screen says."""
        return _FLAG_WORDS[self]


_FLAG_WORDS = {
    ResultFlag.NORMAL: N_("In range"),
    ResultFlag.HIGH: N_("High"),
    ResultFlag.LOW: N_("Low"),
    ResultFlag.ABNORMAL: N_("Abnormal"),
    ResultFlag.NO_RANGE: N_("No range given"),
}


@dataclass(frozen=True, slots=True)
class ReferenceRange:
    """A reference range; either bound may be open, and some ranges are only words ('Negative')."""

    low: float | None = None
    high: float | None = None
    text: str | None = None

    def flag(self, value: float | None) -> ResultFlag:
        """Where a numeric value stands; a range of words alone cannot judge a number."""
        if value is None or (self.low is None and self.high is None):
            return ResultFlag.NO_RANGE
        if self.low is not None and value < self.low:
            return ResultFlag.LOW
        if self.high is not None and value > self.high:
            return ResultFlag.HIGH
        return ResultFlag.NORMAL


@dataclass(frozen=True, slots=True)
class TestResult:
    """One test's result: value, unit, range when given, and the flag in words."""

    __test__ = False  # not a pytest test class, whatever its name

    id: int
    patient_id: int
    trust: TrustCode
    taken_at: datetime
    panel: str
    test_name: str
    value_text: str
    unit: str | None
    reference_range: ReferenceRange | None
    flag: ResultFlag
    value_number: float | None = None
    code: str | None = None
    category: str | None = None
    """'laboratory', 'imaging', 'pathology', … as the source said (the release policy reads it)."""
    panel_code: str | None = None
    """The code of the report that groups it (a questionnaire's or a certificate's, say)."""
    released_at: datetime | None = None
    """When a clinician released it to the patient, before its wait was over."""


# How a laboratory system says where a value stands (HL7 v3 ObservationInterpretation), in our words.
_INTERPRETATIONS = {
    "H": ResultFlag.HIGH, "HH": ResultFlag.HIGH, "HU": ResultFlag.HIGH, ">": ResultFlag.HIGH,
    "L": ResultFlag.LOW, "LL": ResultFlag.LOW, "LU": ResultFlag.LOW, "<": ResultFlag.LOW,
    "A": ResultFlag.ABNORMAL, "AA": ResultFlag.ABNORMAL, "POS": ResultFlag.ABNORMAL, "DET": ResultFlag.ABNORMAL,
    "R": ResultFlag.ABNORMAL, "I": ResultFlag.ABNORMAL, "W": ResultFlag.ABNORMAL, "CAR": ResultFlag.ABNORMAL,
    "N": ResultFlag.NORMAL, "NEG": ResultFlag.NORMAL, "ND": ResultFlag.NORMAL, "S": ResultFlag.NORMAL,
}


def flag_for(value: float | None, reference_range: ReferenceRange | None, interpretation: str | None) -> ResultFlag:
    """The laboratory's own interpretation when it gave one we know; else the value against the range."""
    if interpretation and interpretation.upper() in _INTERPRETATIONS:
        return _INTERPRETATIONS[interpretation.upper()]
    return (reference_range or ReferenceRange()).flag(value)


def measured(value: float) -> str:
    """A measured value as a person reads it: whole numbers bare, else at most 2 decimals (3 significant
    figures below 1), without trailing zeros — laboratories' exports often carry 15 digits of noise."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
        if "e" in text:
            text = f"{value:.6f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
