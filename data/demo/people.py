"""The demo hospital's patients: one for every case the rules care about, then a crowd of ordinary ones."""

from __future__ import annotations

import random
from datetime import date, timedelta

from data.demo.builder import DemoBuilder
from domain.appointments.model import AppointmentKind as Kind
from domain.appointments.model import AppointmentStatus as Status
from domain.appointments.model import CancelledBy
from domain.identity.patients import LetterPreference
from domain.records.model import DocumentKind

FOLLOW_UP = Kind.OUTPATIENT_FOLLOW_UP
NEW = Kind.OUTPATIENT_NEW
PAPERLESS = LetterPreference.PAPERLESS


def years_ago(today: date, years: int, days: int = 0) -> date:
    """A birthday `years` years before today, moved `days` days earlier (29 February falls back to the 28th)."""
    try:
        born = today.replace(year=today.year - years)
    except ValueError:
        born = today.replace(year=today.year - years, day=28)
    return born - timedelta(days=days)


def build_people(b: DemoBuilder) -> None:
    """Every case first (the README lists them), then ordinary patients to make a real-looking list."""
    _registered_cases(b)
    _records_cases(b)
    _unregistered_cases(b)
    _crowd(b, random.Random(2026))


def _registered_cases(b: DemoBuilder) -> None:
    t = b.today
    # A follow-up the patient may reschedule or cancel, with a past visit, its letter and blood tests.
    p = b.patient("Margaret", "Thompson", years_ago(t, 67, 40), "WD17 1LS", registered=True, letters_by=PAPERLESS)
    referral = b.referral(p, "CARD", weeks_ago=20)
    seen = b.past(p, "CARD", NEW, 60, referral=referral)
    b.outcome_letter(p, seen, "Atrial fibrillation, well controlled on apixaban.",
                     "Continue apixaban 5mg twice a day. Blood tests before your next appointment. "
                     "We will see you again in clinic in about 3 months.")
    b.book(p, "CARD", FOLLOW_UP, 21, referral=referral)
    for days, hb, sodium, creatinine in ((62, 128, 139, 88), (20, 124, 141, 109)):
        b.result(p, "RWG", days, "Full blood count", "Haemoglobin", hb, "g/L", 115, 165, code="718-7")
        b.result(p, "RWG", days, "Full blood count", "White cell count", 6.8, "10*9/L", 4.0, 11.0, code="6690-2")
        b.result(p, "RWG", days, "Full blood count", "Platelets", 245, "10*9/L", 150, 400, code="777-3")
        b.result(p, "RWG", days, "Urea and electrolytes", "Sodium", sodium, "mmol/L", 133, 146, code="2951-2")
        b.result(p, "RWG", days, "Urea and electrolytes", "Potassium", 4.4, "mmol/L", 3.5, 5.3, code="2823-3")
        b.result(p, "RWG", days, "Urea and electrolytes", "Creatinine", creatinine, "umol/L", 59, 104, code="2160-0")

    # A first appointment booked through the NHS e-Referral Service: changed there, not here.
    p = b.patient("Oluwaseun", "Adebayo", years_ago(t, 34, 100), "WD24 5QS", registered=True, letters_by=PAPERLESS)
    b.book(p, "DERM", NEW, 28, referral=b.referral(p, "DERM", ers=True, weeks_ago=3))

    # Transport booked: the Appointments team must make any change.
    p = b.patient("Harold", "Finch", years_ago(t, 84, 10), "HP2 7DE", registered=True)
    b.book(p, "ORTH", FOLLOW_UP, 16, referral=b.referral(p, "ORTH"), transport=True)

    # Interpreter booked: the same.
    p = b.patient("Krzysztof", "Wiśniewski", years_ago(t, 52, 200), "WD18 7JJ", registered=True)
    b.book(p, "GAST", FOLLOW_UP, 24, referral=b.referral(p, "GAST"), interpreter="Polish")

    # Rescheduled twice already: the limit is reached. And one rescheduled once, with one change left.
    p = b.patient("Aisha", "Rahman", years_ago(t, 29, 300), "AL1 3HD", registered=True, letters_by=PAPERLESS)
    b.reschedule_chain(p, "ENT", 35, times=2)
    p = b.patient("Gwen", "Llewellyn-Jones", years_ago(t, 45, 12), "AL3 5PR", registered=True)
    b.reschedule_chain(p, "OPHT", 30, times=1)

    # View-only kinds: pre-operative assessment, day case, radiology — and a fast-track diagnostic test.
    p = b.patient("Brian", "O'Connor", years_ago(t, 61, 77), "AL4 0RA", registered=True)
    b.book(p, "POA", Kind.PRE_OPERATIVE_ASSESSMENT, 9)
    b.book(p, "DSU", Kind.DAY_CASE, 30)
    b.book(p, "RAD", Kind.RADIOLOGY, 12)
    p = b.patient("Deborah", "Kowalczyk", years_ago(t, 48, 5), "WD3 4EE", registered=True)
    b.book(p, "BRST", Kind.FAST_TRACK_DIAGNOSTIC, 6, referral=b.referral(p, "BRST", weeks_ago=1))

    # A planned admission with its admission letter.
    p = b.patient("Trevor", "Baptiste", years_ago(t, 71, 150), "HP1 1AA", registered=True)
    b.book(p, "DSU", Kind.ELECTIVE_ADMISSION, 40, clinician=0)

    # An appointment a day away: too close to change online (the cut-off is 48 hours).
    p = b.patient("Fiona", "MacLeod", years_ago(t, 39, 222), "WD19 4PL", registered=True, letters_by=PAPERLESS)
    b.soon(p, "DERM", FOLLOW_UP, referral=b.referral(p, "DERM"))


def _records_cases(b: DemoBuilder) -> None:
    t = b.today
    # Past and cancelled: attended, did not attend, cancelled by the hospital (rebooked), cancelled by the patient.
    p = b.patient("Sandeep", "Gill", years_ago(t, 56, 33), "WD25 9AB", registered=True, letters_by=PAPERLESS)
    referral = b.referral(p, "ORTH", weeks_ago=30)
    b.past(p, "ORTH", NEW, 150, referral=referral)
    b.past(p, "ORTH", FOLLOW_UP, 90, referral=referral, status=Status.DID_NOT_ATTEND)
    b.past(p, "ORTH", FOLLOW_UP, 20, referral=referral, status=Status.CANCELLED_BY_HOSPITAL,
           cancelled_by=CancelledBy.HOSPITAL)
    b.book(p, "ORTH", FOLLOW_UP, 18, referral=referral, clinician=1)
    discharged = b.referral(p, "DERM", weeks_ago=12, discharged=True)
    b.past(p, "DERM", NEW, 10, referral=discharged, status=Status.CANCELLED_BY_PATIENT, cancelled_by=CancelledBy.PATIENT)

    # An emergency admission and its discharge summary; an HbA1c history to draw a trend.
    p = b.patient("Eileen", "Doherty", years_ago(t, 78, 64), "WD17 3EN", registered=True)
    admission = b.past(p, "GAST", Kind.EMERGENCY_ADMISSION, 45)
    b.discharge(p, admission, 4, "You came to the Emergency Department with pain in your tummy and vomiting.",
                "A scan showed inflammation of the gallbladder (cholecystitis). You were given fluids and "
                "antibiotics through a drip, and the pain settled.", ["Co-amoxiclav 625mg three times a day "
                "for 5 more days", "Paracetamol 1g up to four times a day if needed"],
                "We will write to you with an appointment to discuss removing your gallbladder.")
    for days, value in ((400, 52), (300, 49), (200, 47), (100, 45), (15, 43)):
        b.result(p, "RWG", days, "Diabetes monitoring", "HbA1c", value, "mmol/mol", None, 48, code="4548-4")

    # Results with no range, and results given in words.
    p = b.patient("Chidi", "Okonkwo", years_ago(t, 42, 91), "WD23 1PX", registered=True, letters_by=PAPERLESS)
    b.result(p, "RWG", 8, "Vitamin D", "25-hydroxy vitamin D", 38, "nmol/L")
    b.result(p, "RWG", 8, "Urine culture", "Culture result", "No significant growth", None)
    b.result(p, "RWG", 8, "Serology", "Hepatitis B surface antigen", "Negative", None, range_text="Negative")
    b.result(p, "RWG", 8, "Serology", "Rubella IgG", "Positive", None, range_text="Negative")
    b.result(p, "RWG", 8, "Inflammatory markers", "C-reactive protein", 31, "mg/L", None, 5, code="1988-5")
    b.result(p, "RWG", 8, "Thyroid function", "Free T4", 9.1, "pmol/L", 12, 22, code="3024-7")

    # Records from the Royal Free: an appointment, results, a letter — and a letter that is a PDF.
    p = b.patient("Rosa", "Fernández", years_ago(t, 58, 140), "EN5 2TT", registered=True, letters_by=PAPERLESS)
    referral = b.referral(p, "RHEU", weeks_ago=26)
    seen = b.past(p, "RHEU", NEW, 70, referral=referral)
    b.outcome_letter(p, seen, "Rheumatoid arthritis, active in both hands.",
                     "Start methotrexate 10mg once a week with folic acid. Blood tests every 2 weeks for 6 weeks.")
    b.book(p, "RHEU", FOLLOW_UP, 26, referral=referral)
    for days, esr in ((70, 48), (42, 35), (14, 22)):
        b.result(p, "RAL", days, "Inflammatory markers", "ESR", esr, "mm/h", None, 20, code="4537-7")
    b.document(p, "RAL", DocumentKind.CLINIC_OUTCOME, "Hand X-ray report (scanned letter)", None,
               written=b.now - timedelta(days=65), content_type="application/pdf", size=182_344)

    # A patient of the Royal Free itself, with kidney function results over time.
    p = b.patient("Nadia", "Haddad", years_ago(t, 63, 18), "NW3 2QG", trust="RAL", registered=True)
    referral = b.referral(p, "NEPH", weeks_ago=40)
    b.past(p, "NEPH", NEW, 180, referral=referral)
    b.book(p, "NEPH", FOLLOW_UP, 33, referral=referral)
    for days, egfr in ((180, 48), (120, 44), (60, 41), (7, 39)):
        b.result(p, "RAL", days, "Kidney function", "eGFR", egfr, "mL/min/1.73m2", 60, None, code="33914-3")

    # Paper letters, already read ones.
    p = b.patient("Stanley", "Hughes", years_ago(t, 88, 2), "HP3 9RT", registered=True)
    seen = b.past(p, "OPHT", FOLLOW_UP, 35)
    b.outcome_letter(p, seen, "Cataract in the left eye.", "We have added you to the waiting list for cataract surgery.")
    b.book(p, "OPHT", FOLLOW_UP, 50, clinician=1)


def _unregistered_cases(b: DemoBuilder) -> None:
    t = b.today
    # Able to register at the kiosk (no account yet).
    for given, family, years, postcode in (("Grace", "Osei", 26, "WD18 8AA"), ("Liam", "Byrne", 33, "AL2 1HX"),
                                           ("Mei", "Zhang", 47, "HP2 5SE"), ("Tomás", "Silva", 19, "WD6 3LL")):
        p = b.patient(given, family, years_ago(t, years, 60), postcode)
        b.book(p, "ENT" if years % 2 else "DERM", NEW, 14 + years % 20, referral=b.referral(p, "DERM"))
    # Turned 18 today: may register. Turns 18 tomorrow: not yet.
    b.patient("Ellie", "Parker", years_ago(t, 18), "WD17 4QA")
    b.patient("Jacob", "Parker", years_ago(t, 18, -1), "WD17 4QA")
    # A child, a patient with only a landline, one with no email on the record, one who has died.
    b.patient("Sophie", "Turner", years_ago(t, 12, 40), "AL5 2JD", mobile=False, email=False)
    b.patient("Arthur", "Bell", years_ago(t, 79, 120), "HP4 1NB", mobile=False)
    b.patient("Zainab", "Hussain", years_ago(t, 36, 15), "WD24 7EF", email=False)
    b.patient("Norman", "Clarke", years_ago(t, 90, 300), "AL3 8LE", died=t - timedelta(days=200))
    # Born on 29 February.
    b.patient("Leap", "Day-Patient", date(1996, 2, 29), "WD19 6TT")
    # Known only by hospital number (no NHS number on the record).
    b.patient("Anon", "Visitor", years_ago(t, 30, 8), "WD18 0HB", with_nhs_number=False)


_GIVEN = ["James", "Olivia", "Mohammed", "Amelia", "Oliver", "Isla", "Noah", "Ava", "Jack", "Mia", "Harry",
          "Priya", "Leo", "Freya", "Arjun", "Chloe", "Kwame", "Ruth", "Dylan", "Ewa", "Hamza", "Niamh", "Ibrahim",
          "Joy", "Connor", "Yasmin", "Ethan", "Aoife", "Rafael", "Bethany", "Omar", "Megan"]
_FAMILY = ["Smith", "Patel", "Jones", "Williams", "Brown", "Khan", "Taylor", "Davies", "Evans", "Ahmed", "Wilson",
           "Murphy", "Walker", "Roberts", "Ali", "Wright", "Mensah", "Green", "Hall", "Nowak", "Wood", "Kelly",
           "Begum", "Clarke", "Thomas", "Singh", "O'Brien", "Lewis", "Edwards", "Hughes", "Scott", "Shah"]
_POSTCODES = ["WD17 2NA", "WD18 9QQ", "WD24 4AN", "WD25 0LS", "AL1 1JP", "AL3 6HH", "HP1 3EG", "HP2 4SS", "WD3 1DF",
              "WD19 5TR", "AL2 3NQ", "HP3 8BW"]
_ROUTINE = ["CARD", "DERM", "ORTH", "ENT", "OPHT", "GAST"]


def _crowd(b: DemoBuilder, rng: random.Random) -> None:
    """Ordinary patients: one follow-up each, half registered, some with a letter or results."""
    for index in range(32):
        given, family = _GIVEN[index], _FAMILY[index]
        p = b.patient(given, family, years_ago(b.today, rng.randint(18, 85), rng.randint(0, 364)),
                      rng.choice(_POSTCODES), registered=index % 2 == 0,
                      letters_by=PAPERLESS if index % 3 else LetterPreference.PAPER)
        clinic = _ROUTINE[index % len(_ROUTINE)]
        referral = b.referral(p, clinic, weeks_ago=rng.randint(4, 40))
        if index % 3 == 0:
            seen = b.past(p, clinic, NEW, rng.randint(20, 120), referral=referral, clinician=index % 2 if clinic
                          not in ("ENT", "GAST") else 0)
            b.outcome_letter(p, seen, "We found nothing of concern today.", "We will see you again in clinic.")
        b.book(p, clinic, FOLLOW_UP, rng.randint(3, 80), referral=referral,
               clinician=index % 2 if clinic not in ("ENT", "GAST") else 0)
        if index % 4 == 1:
            b.result(p, "RWG", rng.randint(5, 60), "Full blood count", "Haemoglobin", rng.randint(105, 170), "g/L",
                     115, 165, code="718-7")
