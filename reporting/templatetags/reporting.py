"""How a statistics cell reads: counts `1 234`, hours `12,50`, shares `85,7 %`, hidden cells as they are."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

from units.templatetags.familjestod import NBSP, format_decimal

register = template.Library()


@register.filter
def cell(value, percent=False):
    if isinstance(value, str):
        return _decimal_text(value, percent=percent)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):  # a median: one decimal only between two whole days ("7", "7,5")
        return format_decimal(Decimal(str(value)), 0 if value.is_integer() else 1)
    return format_decimal(value, 0)  # a count, or "–" for None


def _decimal_text(value: str, *, percent: bool) -> str:
    """Decimal strings of the figures (`"12.50"`, shares `"0.857"`); anything else is a hidden cell."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    if percent:
        return f"{format_decimal(number * 100, 1)}{NBSP}%"
    return format_decimal(number, -number.as_tuple().exponent)


@register.filter
def goal_class(value) -> str:
    """A yes/no figure (a target met or not) is coloured as well as written."""
    if isinstance(value, bool):
        return " goal-met" if value else " goal-missed"
    return ""


@register.filter
def duties_done(duties) -> int:
    return sum(1 for duty in duties if duty.met)
