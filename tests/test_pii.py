"""The free-text guard, both sides: what it must catch (with its message code) and what it
must let through. Pure functions: the units are stand-ins, no database."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from units.pii import (
    MESSAGES,
    guard_text,
    normalise,
    pii_kind,
    reject_identity_numbers,
    text_guard,
)

# An anonymous Swedish unit with its own contact details, a Danish one, a case unit.
SE = SimpleNamespace(is_anonymous=True, country="SE", address="Drottninggatan 5B, 602 32 Norrköping",
                     phone="011-15 00 00", email="familjeradgivning@norrkoping.se")
DK = SimpleNamespace(is_anonymous=True, country="DK", address="Nørrebrogade 12, 2200 København N",
                     phone="+45 33 66 33 66", email="fr@kk.dk")
CASE = SimpleNamespace(is_anonymous=False, country="SE", address="", phone="", email="")
UNITS = {"SE": SE, "DK": DK, "CASE": CASE, "none": None}

ID, PHONE, EMAIL, STREET = "identity_number", "phone_number", "email_address", "street_address"

CAUGHT = [
    # --- identity numbers: every unit, whatever the check digit ---------------------------
    ("811218-9876", "CASE", ID),
    ("8112189876", "none", ID),
    ("19811218-9876", "CASE", ID),
    ("198112189876", "CASE", ID),
    ("811218+9876", "CASE", ID),  # + : over a hundred years old
    ("701063-2391", "CASE", ID),  # samordningsnummer: day 03 + 60
    ("121212-1212", "CASE", ID),
    ("ring 811218 9876 tack", "CASE", ID),
    ("850709\u20139805", "CASE", ID),  # en dash, what Word types
    ("850709\u20149805", "CASE", ID),  # em dash
    ("850709\u22129805", "CASE", ID),  # minus sign
    ("850709\u20109805", "CASE", ID),  # hyphen
    ("850709\u20119805", "CASE", ID),  # non-breaking hyphen
    ("850709\u00a09805", "CASE", ID),  # no-break space
    ("850709\u202f9805", "CASE", ID),  # narrow no-break space
    ("850709\u00ad9805", "CASE", ID),  # soft hyphen
    ("850709\u200b9805", "CASE", ID),  # zero-width space
    ("850709\u200d-9805", "CASE", ID),  # zero-width joiner
    ("８５０７０９－９８０５", "CASE", ID),  # full-width (NFKC)
    ("pnr 85 07 09-9805", "CASE", ID),
    ("850709  9805", "CASE", ID),  # two spaces
    ("850709 - 9805", "CASE", ID),
    ("850709.9805", "CASE", ID),
    ("850709/9805", "CASE", ID),
    ("1985-07-09-9805", "CASE", ID),
    ("850709-98 05", "CASE", ID),
    ("19850312-2384", "CASE", ID),  # a real shape with a wrong check digit
    ("811218-9875", "CASE", ID),  # Luhn fails: still a personnummer
    ("070123-4567", "CASE", ID),  # born 2007: the cut after the date makes it one
    ("0101901234", "CASE", ID),  # CPR
    ("010190-1234", "CASE", ID),
    ("07.09.85-1234", "CASE", ID),
    ("07 09 85 1234", "CASE", ID),
    ("0701851234", "DK", ID),  # in a Danish unit 070… is a CPR, not a Swedish mobile
    ("Anna, 850709-9805, ringer", "SE", ID),
    ("rum 3 850709-9805", "CASE", ID),
    ("850709-9805 2025-03-31", "CASE", ID),
    # --- phone numbers: anonymous units ---------------------------------------------------
    ("tel 070-123 45 67", "SE", PHONE),
    ("0701234567", "SE", PHONE),  # a mobile, not a personnummer
    ("070 123 45 67", "SE", PHONE),
    ("073-123 45 67", "SE", PHONE),
    ("076\u20131234567", "SE", PHONE),
    ("08-123 456 78", "SE", PHONE),
    ("013-20 60 00", "SE", PHONE),  # someone else's number
    ("+46 70 123 45 67", "SE", PHONE),
    ("+46701234567", "SE", PHONE),
    ("0046 70 123 45 67", "SE", PHONE),
    ("+46 (0)13-20 60 00", "SE", PHONE),
    ("12 34 56 78", "DK", PHONE),
    ("ring 22334455", "DK", PHONE),
    ("ring 12 34 56 78, tack", "DK", PHONE),
    ("ring 070-123 45 67.", "SE", PHONE),
    ("12 34 56 78", "SE", PHONE),  # a Danish number in a Swedish unit is still a phone
    ("+45 12 34 56 78", "DK", PHONE),
    ("0045 12345678", "DK", PHONE),
    # --- e-mail -----------------------------------------------------------------------
    ("anna.svensson@gmail.com", "SE", EMAIL),
    ("skriv till Per.Persson+x@hotmail.se", "SE", EMAIL),
    ("mette (at) mail.dk", "DK", EMAIL),
    # --- street addresses -----------------------------------------------------------------
    ("Storgatan 12", "SE", STREET),
    ("bor på storgatan 12", "SE", STREET),
    ("Drottninggatan 5B", "SE", STREET),  # the unit's own is 5B in Norrköping … see PASSED:
    ("Kungsvägen 3", "SE", STREET),
    ("Tanneforsvägen 3", "SE", STREET),
    ("Kopparslagargränd 4", "SE", STREET),
    ("Stortorget 3", "SE", STREET),
    ("Järntorgsplan 2", "SE", STREET),
    ("Fridhemsplan 3", "SE", STREET),
    ("Oxenstiernsgatan 15 C", "SE", STREET),
    ("Nya Rådstugugatan 3 i Norrköping", "SE", STREET),
    ("10451 Stockholm", "SE", STREET),
    ("Telefon: 08-508 10345", "SE", PHONE),
    ("08-508 10 338", "SE", PHONE),
    ("Vasaallén 7", "SE", STREET),
    ("Sankt Eriks Plan 2", "SE", STREET),
    ("Mosebacke 14", "SE", STREET),
    ("582 22 Linköping", "SE", STREET),
    ("58222 Linköping", "SE", STREET),
    ("Anna Svensson och Per Svensson, Storgatan 12, 582 22 Linköping", "SE", STREET),
    ("Nørrebrogade 12", "DK", STREET),  # the unit's own is 12 … see PASSED; here another:
    ("Amagerbrogade 5", "DK", STREET),
    ("Strandvejen 5", "DK", STREET),
    ("Istedgade 20", "DK", STREET),
    ("Kompagnistræde 3", "DK", STREET),
    ("Falkoner Allé 5", "DK", STREET),
    ("Vesterbros Torv 1", "DK", STREET),
    ("Nytorv 3", "DK", STREET),
    ("Kultorvet 2", "DK", STREET),
    ("Halmtorvet 12", "DK", STREET),
    ("Kongens Nytorv 3", "DK", STREET),
    ("Rådhuspladsen 1", "DK", STREET),
    ("2300 København S", "DK", STREET),
    ("5000 Odense C", "DK", STREET),
    ("2000 Frederiksberg", "DK", STREET),
]

# The two "own address" rows above name the unit's street with another number.
CAUGHT[CAUGHT.index(("Drottninggatan 5B", "SE", STREET))] = ("Drottninggatan 7", "SE", STREET)
CAUGHT[CAUGHT.index(("Nørrebrogade 12", "DK", STREET))] = ("Nørrebrogade 14", "DK", STREET)

PASSED = [
    ("kan bara komma kvällar", "SE"),
    ("", "SE"),
    ("P-2025-0142", "SE"),
    ("case P-2025-0142 and P-2024-1231", "SE"),
    ("2025-03-31", "SE"),
    ("2025-03-31 kl 17", "SE"),
    ("2025-03-31 - 2025-04-30", "SE"),
    ("2025-03-31\u20132025-04-30", "SE"),
    ("31.03.2025", "DK"),
    ("01.03.2025 - 31.03.2025", "DK"),
    ("1.3.2025-31.3.2025", "DK"),
    ("20250331", "DK"),
    ("31032025", "DK"),
    ("09:00\u201310:30", "SE"),
    ("kl. 10.00-12.00", "DK"),
    ("1 234,50 kr", "SE"),
    ("12 500 SEK", "SE"),
    ("2 500 000 kr", "SE"),
    ("12500 Kronor", "SE"),
    ("3000 Kroner", "DK"),
    ("2024 och 2025", "SE"),
    ("2023 2024 2025", "SE"),
    ("84,0 %", "SE"),
    ("poäng 10 20 30 40 50", "DK"),
    ("2025-01-01 2025-12-31", "SE"),
    ("dnr SOC 2025/0142", "SE"),
    ("Lag (2022:1250)", "SE"),
    ("kl 08.30-16.30", "SE"),
    ("rum 3", "SE"),
    ("vi ses på plan 3", "SE"),
    ("handlingsplan 2", "SE"),
    ("Verksamhetsplan 2019 för Familjeenheten", "SE"),
    ("Genomförandeplan 2 är klar", "SE"),
    ("alle 3 børn kom", "DK"),
    ("möttes ute på gatan och pratade", "SE"),
    ("Storgatan är avstängd", "SE"),
    ("I 2025 Familierådgivningen holdt åbent", "DK"),
    ("room 12345678901", "SE"),  # eleven digits
    ("811218-987", "SE"),  # nine digits
    ("0131234", "SE"),
    ("tel 013-20 60 00", "CASE"),  # phone numbers are not checked in case units
    ("anna@example.se, Storgatan 12", "CASE"),
    ("Storgatan 12", "none"),
    # The unit's own contact details, however they are written.
    ("Ring oss på 011-15 00 00", "SE"),
    ("+46 11 15 00 00", "SE"),
    ("familjeradgivning@norrkoping.se", "SE"),
    ("FamiljeRadgivning@Norrkoping.se", "SE"),
    ("Drottninggatan 5 B, 602 32 Norrköping", "SE"),
    ("60232 Norrköping", "SE"),
    ("33 66 33 66", "DK"),
    ("Nørrebrogade 12", "DK"),
    ("2200 København N", "DK"),
    ("fr@kk.dk", "DK"),
    # Ordinary Danish and Swedish report prose.
    ("Under 2025 hade enheten 294 nya ansökningar, 12 grupper och 3 föreläsningar.", "SE"),
    ("I 1. kvartal 2025 var ventetiden 14 dage i gennemsnit.", "DK"),
    ("Vi har 6 timer om ugen tilknyttet fra Børnefamilieenheden.", "DK"),
]


@pytest.mark.parametrize(("text", "unit", "code"), CAUGHT)
def test_the_guard_catches(text, unit, code):
    assert pii_kind(text, unit=UNITS[unit]) == code
    with pytest.raises(ValidationError) as raised:
        text_guard(UNITS[unit])(text)
    assert raised.value.code == code
    assert raised.value.messages == [str(MESSAGES[code])]


@pytest.mark.parametrize(("text", "unit"), PASSED)
def test_the_guard_lets_through(text, unit):
    assert pii_kind(text, unit=UNITS[unit]) is None
    guard_text(text, unit=UNITS[unit])


def test_identity_numbers_are_caught_in_every_unit_and_without_one():
    for unit in UNITS.values():
        with pytest.raises(ValidationError):
            guard_text("850709\u20139805", unit=unit)
    with pytest.raises(ValidationError) as raised:
        reject_identity_numbers("pnr 85 07 09-9805")
    assert raised.value.code == ID
    assert pii_kind("1985-07-09-9805") == "identity_number"
    assert pii_kind("0701234567") is None


def test_contact_details_are_only_checked_in_anonymous_units():
    reject_identity_numbers("070-123 45 67, anna@example.se, Storgatan 12")
    guard_text("070-123 45 67, anna@example.se, Storgatan 12", unit=CASE)


def test_each_kind_has_its_own_message():
    assert len({str(message) for message in MESSAGES.values()}) == 4


def test_normalise():
    assert normalise("a\u2013b\u2212c\u00a0d\u200be\u00adf\u2007g") == "a-b-c def g"


def test_a_text_too_long_to_scan_is_refused_quickly():
    with pytest.raises(ValidationError) as raised:
        guard_text("1 " * 1_200_000, unit=DK)
    assert raised.value.code == "too_long"
