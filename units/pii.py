"""The one guard for free text (DESIGN.md §2: anonymous units keep "Varken journal eller
register", and case units keep their journal elsewhere).

In every unit: nothing shaped like a Swedish personnummer / samordningsnummer or a Danish
CPR number — judged by its shape (a plausible date and four more digits), not by its check
digit, because a mistyped identity number still identifies a person. In an anonymous unit
also no phone number, e-mail address or street address, except the unit's own, which its
reports may print.

The text is normalised first (NFKC, every dash to "-", every space to " ", invisible
characters removed), so that what Word or a phone keyboard types cannot slip past."""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "identity_number": _(
        "This looks like a personal identity number (personnummer, samordningsnummer or CPR). "
        "Do not write identity data here."
    ),
    "phone_number": _(
        "This looks like a phone number. An anonymous unit keeps no contact details: "
        "only the unit's own number may be written here."
    ),
    "email_address": _(
        "This looks like an e-mail address. An anonymous unit keeps no contact details: "
        "only the unit's own address may be written here."
    ),
    "street_address": _(
        "This looks like a street address or postcode. An anonymous unit keeps no addresses: "
        "only the unit's own address may be written here."
    ),
}

# --- Normalisation ---------------------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"


def normalise(text: str) -> str:
    """NFKC; every dash and minus to "-"; tabs and every Unicode space to " "; format
    characters (zero-width spaces and joiners, soft hyphen, direction marks) removed."""
    text = unicodedata.normalize("NFKC", text or "")
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char in _DASHES or category == "Pd":
            out.append("-")
        elif char == "\t" or category == "Zs":
            out.append(" ")
        elif category == "Cf":  # U+00AD soft hyphen, U+200B–U+200D, U+2060, U+FEFF …
            continue
        else:
            out.append(char)
    return "".join(out)


# --- Identity numbers by shape ---------------------------------------------------------

# What may stand between two digit groups of one written number: a little spacing and at
# most one of - + . / ("850709-9805", "85 07 09-9805", "850709 - 9805", "850709/9805").
_SEPARATOR = re.compile(r" {0,3}[-+./]? {0,3}")
_DIGITS = re.compile(r"\d+")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass
class _Group:
    digits: str
    start: int
    end: int
    tight_before: bool  # glued to the previous group by a separator without spaces
    joined_before: bool  # part of the same written number as the previous group


def _groups(text: str) -> list[list[_Group]]:
    """Digit groups, bundled into the written numbers they form."""
    chunks: list[list[_Group]] = []
    previous_end = None
    for match in _DIGITS.finditer(text):
        between = text[previous_end:match.start()] if previous_end is not None else None
        joined = between is not None and _SEPARATOR.fullmatch(between) is not None
        group = _Group(match.group(), match.start(), match.end(),
                       tight_before=joined and " " not in between, joined_before=joined)
        if joined:
            chunks[-1].append(group)
        else:
            chunks.append([group])
        previous_end = match.end()
    return chunks


def _plausible_day(month: int, day: int) -> bool:
    if day > 60:  # samordningsnummer: the day of birth plus 60
        day -= 60
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


def _date_shaped(digits: str) -> bool:
    if len(digits) == 12:
        return digits[:2] in {"19", "20"} and _plausible_day(int(digits[4:6]), int(digits[6:8]))
    swedish = _plausible_day(int(digits[2:4]), int(digits[4:6]))  # YYMMDD
    day, month = int(digits[:2]), int(digits[2:4])  # Danish DDMMYY
    danish = 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]
    return swedish or danish


def _cuts(window: list[_Group]) -> set[int]:
    """Positions, counted in digits, where the written number is split."""
    cuts, position = set(), 0
    for group in window[:-1]:
        position += len(group.digits)
        cuts.add(position)
    return cuts


def _splits_like_identity(window: list[_Group]) -> bool:
    """Where a written identity number is split: between date and serial, between the
    two-digit parts of the date, in the middle of the serial — nowhere else. Rules out
    "2025-03-31 1 234", "070-123 45 67", "01.03.2025 - 31.03.2025"."""
    cuts = _cuts(window)
    if not cuts:
        return True
    length = sum(len(g.digits) for g in window)
    date_length = length - 4
    allowed = set(range(2, date_length + 1, 2)) | {length - 2}
    return date_length in cuts and cuts <= allowed


def _looks_like_swedish_mobile(window: list[_Group]) -> bool:
    """0701234567 is a mobile number, 070123-4567 the personnummer of someone born in
    2007. Mobile numbers are 07x + 7 digits; only 070 gives a month (01–09) at all, so a
    070… number is read as a phone unless it is written with the cut after the date."""
    digits = "".join(g.digits for g in window)
    return len(digits) == 10 and digits.startswith("070") and 6 not in _cuts(window)


def _identity_numbers(text: str, *, country: str = "") -> list[str]:
    found = []
    for chunk in _groups(text):
        for first in range(len(chunk)):
            # A window glued without spaces to a neighbour is part of something longer
            # ("2025-03-31 - 2025-04-30", "P-2025-0142").
            if chunk[first].tight_before:
                continue
            length = 0
            for last in range(first, len(chunk)):
                length += len(chunk[last].digits)
                if length > 12:
                    break
                if length not in (10, 12):
                    continue
                if last + 1 < len(chunk) and chunk[last + 1].tight_before:
                    continue
                window = chunk[first:last + 1]
                # +46 11 15 00 00 is a phone number whose digits happen to read 1946-11-15.
                if text[max(0, window[0].start - 4):window[0].start].rstrip(" ").endswith("+"):
                    continue
                digits = "".join(g.digits for g in window)
                if not (_date_shaped(digits) and _splits_like_identity(window)):
                    continue
                # Danish phone numbers have 8 digits, so in a Danish unit 070185… is a CPR.
                if country != "DK" and _looks_like_swedish_mobile(window):
                    continue
                found.append(text[window[0].start:window[-1].end])
    return found


# --- Contact details (anonymous units) ---------------------------------------------------

_EMAIL = re.compile(
    # The look-behind starts a match only where a word starts: linear time on long words.
    r"(?<![\w.+-])[\w.+-]+\s?(?:@|\(at\)|\[at\])\s?[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}", re.IGNORECASE
)

_S = r"[ -]?"  # one optional space or dash between the digits of a phone number
_PHONES = [
    # +46 / 0046, an optional (0), then 7–9 digits.
    re.compile(rf"(?<![\w+])(?:\+|00){_S}46{_S}(?:\(0\){_S})?[1-9](?:{_S}\d){{6,8}}(?!\d)"),
    # +45 / 0045 and 8 digits.
    re.compile(rf"(?<![\w+])(?:\+|00){_S}45{_S}\d(?:{_S}\d){{7}}(?!\d)"),
    # Swedish mobile 07x + 7 digits, with or without separators.
    re.compile(rf"(?<![\w+./-])07[02369](?:{_S}\d){{7}}(?![\d])"),
    # Swedish landline: area code (08 or 0xx / 0xxx), a separator, then 5–8 digits.
    re.compile(r"(?<![\w+./-])(?:08|0[1-9]\d{1,2}) ?[-/ ] ?\d(?:[ -]?\d){4,7}(?![\d])"),
    # Danish national numbers: 8 digits in pairs; unbroken only from 2 up (no Danish number
    # starts with 0 or 1, and 10203040 is more likely a count than a phone).
    # Exactly four pairs: "10 20 30 40 50" is a list of numbers.
    re.compile(r"(?<![\w+./,-])(?<!\d[ .-])(?:[1-9]\d([ .-])\d\d\1\d\d\1\d\d|[2-9]\d{7})(?!\d|[ .,-]\d)"),
]

# Street names end in one of these (Storgatan, Drottninggatan, Kungsvägen, Nørrebrogade,
# Strandvejen …). A word before the suffix is required, so "gatan" without a number, "plan 3"
# (a floor) or "alle 3 børn" stay prose. Suffixes that also end ordinary words
# (handlingsplan, arbetsstig) count only in a capitalised name (Järntorgsplan, Mosebacke).
# Street numbers have 1–3 digits: "Verksamhetsplan 2019" is a title, not an address.
_NUMBER = r"\s+\d{1,3}(?:\s?[A-Za-z]\b)?(?![\d,.]\d)"
# Plans of the work itself, not squares (Odenplan, Fridhemsplan).
_NOT_STREETS = re.compile(r"(?:verksamhets|handlings|genomförande|behandlings|vård|arbets|åtgärds|kompetens|"
                          r"utbildnings|individuell|aktivitets|insats|kommunikations)plan", re.IGNORECASE)
_LETTERS = "A-Za-zÅÄÖÆØÉåäöæøéü"
_STREET = re.compile(
    rf"\b[{_LETTERS}]{{2,}}(?:gatan|gata|vägen|väg|gränden|gränd|gade|vejen|vej|strædet|stræde){_NUMBER}"
    rf"|\b[A-ZÅÄÖÆØ][{_LETTERS}]+(?:torget|torg|planen|plan|allén|allé|backen|backe|stigen|stig|leden|"
    rf"kajen|esplanaden|alle|pladsen|plads|boulevard|torvet|torv|vænget|vænge){_NUMBER}"
)
# Names in two words: "Falkoner Allé 5", "Sankt Eriks Plan 2".
_STREET_TWO_WORDS = re.compile(
    r"\b[A-ZÅÄÖÆØ][\wåäöæø]+\s+(?:Gata|Gatan|Väg|Vägen|Gränd|Torg|Plan|Allé|Backe|Gade|Vej|Stræde|Alle|"
    r"Plads|Boulevard|Torv)" + _NUMBER
)
# A town after a postcode is capitalised; units and currencies are not towns.
_NOT_TOWNS = {"kr", "kronor", "kroner", "sek", "dkk", "eur", "st", "stk", "timmar", "timer", "min", "minuter",
              "personer", "familjer", "familier", "samtal", "besök", "deltagare", "barn", "børn"}
_SE_POSTCODE = re.compile(r"(?<![\w.,-])(?:SE-?)?[1-9]\d{2} ?\d{2}\s+([A-ZÅÄÖ][a-zåäöé]+)")
_DK_POSTCODE = re.compile(r"(?<![\w.,-])(?:DK-?)?([1-9]\d{3})\s+([A-ZÆØÅ][a-zæøåé]+)")
_DK_TOWNS_LIKE_YEARS = {"københavn", "kbh", "frederiksberg"}  # 1800–2099 are also years


_EIGHT_DIGITS = re.compile(r"\d{8}")
_NON_DIGITS = re.compile(r"\D")
_SPACE_IN_NUMBER = re.compile(r"(?<=\d) (?=\d|[a-z]\b)")
_NON_WORDS = re.compile(r"\W+")


def _unbroken_date(value: str) -> bool:
    """20250331 and 31032025 are dates, not Danish phone numbers."""
    if not _EIGHT_DIGITS.fullmatch(value):
        return False
    year_first = value[:2] in {"19", "20"} and _plausible_day(int(value[4:6]), int(value[6:8]))
    year_last = value[4:6] in {"19", "20"} and _plausible_day(int(value[2:4]), int(value[:2]))
    return year_first or year_last


def _addresses(text: str, *, country: str) -> list[str]:
    found = [m.group() for pattern in (_STREET, _STREET_TWO_WORDS) for m in pattern.finditer(text)
             if not _NOT_STREETS.match(m.group())]
    found += [m.group() for m in _SE_POSTCODE.finditer(text) if m.group(1).casefold() not in _NOT_TOWNS]
    if country == "DK":
        for m in _DK_POSTCODE.finditer(text):
            number, town = int(m.group(1)), m.group(2).casefold()
            if town in _NOT_TOWNS or (1800 <= number <= 2099 and town not in _DK_TOWNS_LIKE_YEARS):
                continue
            found.append(m.group())
    return found


def _phone_digits(value: str) -> str:
    """A phone number as its national digits without the trunk 0, so that
    +46 (0)13-20 60 00, 0046 13 20 60 00 and 013-20 60 00 compare equal."""
    value = value.strip()
    digits = _NON_DIGITS.sub("", value)
    if value.startswith("00"):
        digits = digits[2:]
    if value.startswith(("+", "00")) and digits[:2] in {"46", "45"}:
        digits = digits[2:]
    return digits.lstrip("0")


def _comparable(value: str) -> str:
    """Case, spacing and punctuation aside: "582 22 Linköping" equals "58222 linköping",
    "Drottninggatan 5 B" equals "drottninggatan 5b"."""
    value = _SPACE_IN_NUMBER.sub("", normalise(value).casefold())
    return _NON_WORDS.sub(" ", value).strip()


def _own(unit, kind: str, found: str) -> bool:
    """The unit's own contact details may be printed."""
    if kind == "phone_number":
        own = getattr(unit, "phone", "") or ""
        return bool(own) and _phone_digits(normalise(own)) == _phone_digits(found)
    if kind == "email_address":
        own = normalise(getattr(unit, "email", "") or "").strip().casefold()
        return bool(own) and own == found.strip().casefold()
    own = _comparable(getattr(unit, "address", "") or "")
    # Both are words joined by single spaces: a whole-word match is a match between spaces.
    return bool(own) and f" {_comparable(found)} " in f" {own} "


def pii_kind(value: str, *, unit=None) -> str | None:
    """The code of the first kind of identifying data found in `value`, or None."""
    text = normalise(value)
    country = getattr(unit, "country", "") or ""
    own_phone = _phone_digits(normalise(getattr(unit, "phone", "") or ""))
    if any(_phone_digits(found) != own_phone for found in _identity_numbers(text, country=country)):
        return "identity_number"
    if unit is None or not getattr(unit, "is_anonymous", False):
        return None
    candidates = [
        ("email_address", [m.group() for m in _EMAIL.finditer(text)]),
        ("phone_number", [m.group() for pattern in _PHONES for m in pattern.finditer(text)
                          if not _unbroken_date(m.group())]),
        ("street_address", _addresses(text, country=country)),
    ]
    for kind, found in candidates:
        if any(not _own(unit, kind, item) for item in found):
            return kind
    return None


# Far above every field's own limit; beyond it the scan itself would cost seconds.
GUARD_MAX_LENGTH = 50_000


def guard_text(value: str, *, unit=None) -> None:
    """The one guard for free text. In every unit: anything shaped like an identity number.
    In an anonymous unit (`unit.is_anonymous`) also phone numbers, e-mail addresses and
    street addresses, except the unit's own contact details. Raises ValidationError."""
    if len(value or "") > GUARD_MAX_LENGTH:
        raise ValidationError(
            _("This text is too long to be checked for identifying data (at most %(limit)s characters)."),
            code="too_long", params={"limit": GUARD_MAX_LENGTH},
        )
    kind = pii_kind(value, unit=unit)
    if kind:
        raise ValidationError(MESSAGES[kind], code=kind)


def reject_identity_numbers(value: str) -> None:
    """Model-field validator for every free-text field (no unit known there)."""
    guard_text(value)


def text_guard(unit):
    """`guard_text` as a field validator for a form bound to `unit`."""

    def validate(value: str) -> None:
        guard_text(value, unit=unit)

    return validate


def guard_fields(instance, names: tuple[str, ...]) -> None:
    """The unit-aware guard at a model's free-text fields, for its `clean()`, so that every
    service, import and admin form runs it, not only the web forms."""
    errors = {}
    for name in names:
        value = getattr(instance, name)
        if not value:
            continue
        try:
            reject_identity_numbers(value)
        except ValidationError:
            continue  # the field's own validator reports it
        try:
            guard_text(value, unit=instance.unit)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
