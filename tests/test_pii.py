import pytest
from django.core.exceptions import ValidationError

from units.pii import contains_identity_number, reject_identity_numbers

# Luhn-valid Swedish numbers (Skatteverket's test range) in every written shape.
IDENTITY_NUMBERS = [
    "811218-9876", "8112189876", "19811218-9876", "198112189876", "811218+9876",
    "701063-2391",  # samordningsnummer: day 03 + 60
    "121212-1212",  # also a valid Danish CPR shape
    "0101901234", "010190-1234",  # Danish CPR, with and without a separator
    "ring 811218 9876 tack",
]
HARMLESS = [
    "kan bara komma kvällar", "", "P-2025-0142", "tel 013-20 60 00",
    "811218-9875",  # Luhn fails and 81 is no day of a month: no shape
    "room 12345678901",  # eleven digits: not an identity number
    "2025-03-31 kl 17",
]


@pytest.mark.parametrize("text", IDENTITY_NUMBERS)
def test_identity_shapes_are_rejected(text):
    assert contains_identity_number(text)
    with pytest.raises(ValidationError) as raised:
        reject_identity_numbers(text)
    assert raised.value.code == "identity_number"


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_text_passes(text):
    assert not contains_identity_number(text)
    reject_identity_numbers(text)
