"""Guard for free text: nothing shaped like a Swedish personnummer / samordningsnummer
or a Danish CPR number may be stored, in any unit (DESIGN.md §2: anonymous units keep
"Varken journal eller register", and case units keep their journal elsewhere)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 6 or 8 date digits, an optional separator (-, +, space), 4 more digits; not inside a longer number.
_CANDIDATE = re.compile(r"(?<![\d])(\d{6}|\d{8})[-+ ]?(\d{4})(?![\d])")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _is_swedish(date_part: str, serial: str) -> bool:
    yymmdd = date_part[-6:]
    if len(date_part) == 8 and date_part[:2] not in {"18", "19", "20"}:
        return False
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    # Samordningsnummer: the day plus 60.
    day_ok = 1 <= day <= 31 or 61 <= day <= 91
    return 1 <= month <= 12 and day_ok and _luhn_ok(yymmdd + serial)


def _is_danish(date_part: str) -> bool:
    if len(date_part) != 6:
        return False
    day, month = int(date_part[:2]), int(date_part[2:4])
    # Since 2007 CPR numbers need not pass modulus 11, so a valid DDMMYY is enough.
    return 1 <= day <= 31 and 1 <= month <= 12


def contains_identity_number(text: str) -> bool:
    for match in _CANDIDATE.finditer(text or ""):
        date_part, serial = match.groups()
        if _is_swedish(date_part, serial) or _is_danish(date_part):
            return True
    return False


def reject_identity_numbers(value: str) -> None:
    """Field validator: use on every free-text field."""
    if contains_identity_number(value):
        raise ValidationError(
            _(
                "This looks like a personal identity number (personnummer, samordningsnummer or CPR). "
                "Do not write identity data here."
            ),
            code="identity_number",
        )


def guard_text(value: str, *, unit=None) -> None:
    """The one guard for free text. In every unit: anything shaped like an identity number.
    In an anonymous unit (`unit.is_anonymous`) also phone numbers, e-mail addresses and
    street addresses, except the unit's own contact details. Raises ValidationError."""
    reject_identity_numbers(value)


def text_guard(unit):
    """`guard_text` as a field validator for a form bound to `unit`."""

    def validate(value: str) -> None:
        guard_text(value, unit=unit)

    return validate
