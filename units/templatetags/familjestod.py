"""Numbers as people in the unit write them: `1 234,50 kr`, dates ISO."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import get_language

from units.periods import Period

register = template.Library()

NBSP = "\u00a0"


def format_decimal(value, places: int = 2) -> str:
    if value is None or value == "":
        return "–"
    quantum = Decimal(1).scaleb(-places)
    number = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    decimal_mark = "." if (get_language() or "en").startswith("en") else ","
    text = NBSP.join(groups)
    return f"{sign}{text}{decimal_mark}{fraction}" if places else f"{sign}{text}"


@register.filter
def decimal2(value):
    return format_decimal(value, 2)


@register.filter
def integer(value):
    return format_decimal(value, 0)


@register.filter
def money(value):
    text = format_decimal(value, 2)
    return text if text == "–" else f"{text}{NBSP}kr"


@register.filter
def percent(value):
    """A share already in per cent (`73.6`) as every page, PDF and export writes shares: `73,6 %`."""
    text = format_decimal(value, 1)
    return text if text == "–" else f"{text}{NBSP}%"


@register.filter
def period_name(value) -> str:
    """A period (or its label, `2025-Q1`) as people write it in the active language."""
    if isinstance(value, Period):
        return value.name
    try:
        return Period.parse(str(value)).name
    except ValueError:
        return str(value)
