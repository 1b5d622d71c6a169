"""Value objects for what people type: NHS number, UK mobile number, email address, postcode."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidValue
from domain.language import _

_NON_DIGITS = re.compile(r"[\s\-]")


@dataclass(frozen=True, slots=True)
class NhsNumber:
    """A ten-digit NHS number with a valid check digit (Modulus 11), held as digits only."""

    digits: str

    @classmethod
    def parse(cls, text: str) -> NhsNumber:
        """Accept '943 476 5919', '943-476-5919' or '9434765919'; refuse anything else with a reason."""
        import nhs_number

        digits = _NON_DIGITS.sub("", text or "")
        if not digits:
            raise InvalidValue(_("Enter an NHS number."))
        if not digits.isdigit() or len(digits) != 10:
            raise InvalidValue(_("An NHS number is 10 digits, like 943 476 5919."))
        if not nhs_number.is_valid(digits):
            raise InvalidValue(_("That is not a valid NHS number. Check the digits and try again."))
        return cls(digits)

    @staticmethod
    def problem(text: str) -> str:
        """What is wrong with a number another system sent as an NHS number, in words a person can act on
        ('' for none): its length, its check digit, or — the check digit right — what its number range is."""
        import nhs_number

        digits = _NON_DIGITS.sub("", text or "")
        if not digits.isdigit() or len(digits) != 10:
            return f"{text!r} is not 10 digits"
        if nhs_number.is_valid(digits):
            return ""
        if str(nhs_number.calculate_checksum(digits[:9])) != digits[9]:
            return f"the NHS number {digits} fails its check digit (Modulus 11)"
        if nhs_number.REGIONS["SCOTLAND"].contains_number(digits):
            return (f"{digits} is in Scotland's CHI range but its first six digits are not a date of birth: "
                    "not a CHI number, nor an NHS number issued in England, Wales or the Isle of Man")
        return f"{digits} is not an NHS number issued in England, Wales or the Isle of Man"

    @property
    def formatted(self) -> str:
        """The NHS style for display: three, three and four digits."""
        return f"{self.digits[:3]} {self.digits[3:6]} {self.digits[6:]}"

    @property
    def masked(self) -> str:
        """Safe to show on a shared screen: only the last four digits."""
        return f"*** *** {self.digits[6:]}"

    @property
    def is_synthetic(self) -> bool:
        """True for the range never issued to real people (999 000 0000 to 999 999 9999)."""
        return self.digits.startswith("999")

    def __str__(self) -> str:
        return self.formatted


# Ofcom's range for drama: 07700 900000 to 07700 900999. libphonenumber rejects it on purpose.
_DRAMA_PREFIX = "+447700900"


@dataclass(frozen=True, slots=True)
class UkMobile:
    """A UK mobile number in E.164 form (+447700900123)."""

    e164: str

    @classmethod
    def parse(cls, text: str, *, allow_drama: bool = False) -> UkMobile:
        """Parse a typed UK mobile number; the drama range only when the settings allow it."""
        import phonenumbers

        raw = (text or "").strip()
        if not raw:
            raise InvalidValue(_("Enter a mobile phone number."))
        try:
            number = phonenumbers.parse(raw, "GB")
        except phonenumbers.NumberParseException:
            raise InvalidValue(_("Enter a UK mobile number, like 07700 900123.")) from None
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if _is_drama(e164):
            if allow_drama:
                return cls(e164)
            raise InvalidValue(_("That number is reserved for TV and radio drama. Enter your own mobile number."))
        if number.country_code != 44 or not phonenumbers.is_valid_number(number):
            raise InvalidValue(_("Enter a UK mobile number, like 07700 900123."))
        if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
            raise InvalidValue(_("That is not a mobile number. Enter a UK mobile number that can receive texts."))
        return cls(e164)

    @property
    def national(self) -> str:
        """As people in the UK write it: 07700 900123."""
        local = "0" + self.e164[3:]
        return f"{local[:5]} {local[5:]}"

    @property
    def masked(self) -> str:
        """Only the last three digits, for a shared screen."""
        return f"***** ***{self.e164[-3:]}"

    def __str__(self) -> str:
        return self.national


def _is_drama(e164: str) -> bool:
    return e164.startswith(_DRAMA_PREFIX) and len(e164) == len(_DRAMA_PREFIX) + 3


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """An email address, normalised by email-validator (no DNS look-up: a kiosk must not wait on one)."""

    normalized: str

    @classmethod
    def parse(cls, text: str) -> EmailAddress:
        """Validate the syntax only; the reason given is email-validator's own plain sentence."""
        import email_validator

        raw = (text or "").strip()
        if not raw:
            raise InvalidValue(_("Enter an email address."))
        try:
            result = email_validator.validate_email(raw, check_deliverability=False)
        except email_validator.EmailNotValidError as error:
            raise InvalidValue(_("Enter a valid email address, like name@example.com.") + f" ({error})") from None
        return cls(result.normalized)

    def __str__(self) -> str:
        return self.normalized


# The UK postcode shapes: outward code (area, district) and inward code (sector, unit).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


@dataclass(frozen=True, slots=True)
class Postcode:
    """A UK postcode, upper case with one space before the inward code (WD18 0HB)."""

    value: str

    @classmethod
    def parse(cls, text: str) -> Postcode:
        """Accept any spacing and case ('wd180hb', 'WD18  0HB'); refuse what is not a postcode's shape."""
        compact = re.sub(r"\s+", "", text or "").upper()
        if not compact:
            raise InvalidValue(_("Enter a postcode."))
        match = _POSTCODE.match(compact)
        if not match:
            raise InvalidValue(_("Enter a real postcode, like WD18 0HB."))
        return cls(f"{match.group(1)} {match.group(2)}")

    def __str__(self) -> str:
        return self.value
