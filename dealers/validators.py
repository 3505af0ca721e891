"""Vehicle identification numbers (ISO 3779; GB 16735 in China)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def normalize_vin(value: str) -> str:
    return "".join(str(value).split()).upper()


def vin_check_digit(vin: str) -> str:
    total = sum(_TRANSLITERATION[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


_FORBIDDEN_LETTERS = "IOQ"


def vin_problem(value: str) -> tuple[str, str] | None:
    """What is wrong with a VIN, as (code, one sentence in the active language), or None.

    One sentence that names every problem found (the length, letters a VIN never uses, other
    characters), so that the desk reads one clear instruction; the check digit is verified
    only once the VIN is otherwise well formed, since a wrong length or letter already
    explains a mismatch."""
    vin = normalize_vin(value)
    length_wrong = len(vin) != 17
    forbidden = sorted({ch for ch in vin if ch in _FORBIDDEN_LETTERS})
    other = sorted({ch for ch in vin if not ch.isascii() or not ch.isalnum()})
    facts = {
        "count": len(vin),
        "letters": ", ".join(forbidden),
        "characters": " ".join(other),
    }
    if forbidden and length_wrong:
        return "vin_length", str(
            _(
                "A VIN has exactly 17 characters (this one has %(count)s) and never uses the "
                "letters I, O or Q (found: %(letters)s)."
            )
            % facts
        )
    if other and length_wrong:
        return "vin_length", str(
            _(
                "A VIN has exactly 17 characters (this one has %(count)s) and only digits and "
                "capital letters (found: %(characters)s)."
            )
            % facts
        )
    if length_wrong:
        return "vin_length", str(
            _("A VIN has exactly 17 characters; this one has %(count)s.") % facts
        )
    if forbidden:
        return "vin_characters", str(
            _(
                "A VIN never uses the letters I, O or Q (found: %(letters)s): they are "
                "probably the digits 1 and 0."
            )
            % facts
        )
    if other or not VIN_PATTERN.match(vin):
        return "vin_characters", str(
            _("A VIN has only digits and capital letters (found: %(characters)s).") % facts
        )
    # Position 9 is the check digit wherever it is used (North America, China); elsewhere it
    # may be any letter, so only a digit or X there is taken as a check digit to verify.
    position_nine = vin[8]
    if (position_nine.isdigit() or position_nine == "X") and vin_check_digit(vin) != position_nine:
        return "vin_check_digit", str(
            _(
                "The VIN's check digit (9th character) does not match the other characters: "
                "one of them is mistyped."
            )
        )
    return None


def validate_vin(value: str) -> None:
    problem = vin_problem(value)
    if problem is not None:
        code, message = problem
        raise ValidationError(message, code=code)


# Separators people type inside a phone number or a plate ("138 0013 8000", "(021) 6123-4567",
# "沪A·12345"); full-width characters from a Chinese input method become ASCII first (NFKC).
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]+")
_PLATE_SEPARATORS = re.compile(r"[\s\-.·•]+")


def normalize_phone(value: str) -> str:
    """A phone number as it is stored and matched: without spaces, dashes, dots, slashes or
    parentheses. Digits, a leading "+" and anything unexpected are kept as typed, so that
    nothing a person wrote is silently turned into another number."""
    return _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value or "")))


def normalize_plate(value: str) -> str:
    """A licence plate as it is stored and matched: upper-case, without spaces, dashes or
    dots (沪a 12345, 沪A-12345 and 沪A·12345 are one plate)."""
    return _PLATE_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value or ""))).upper()
