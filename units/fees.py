"""Which visit-fee marks a unit's sessions may carry — one rule for the session form, the session
service (so imports and the calendar's one-click outcome too) and the price tables.

A unit setting decides it (`Unit.visit_fee_asked`, `Unit.visit_fee_choices`): "not applicable" always
exists; an anonymous unit that asks for the fee adds the choices it offers (paid, exempt). A free
service offers nothing else — 004_4991f6e8c25cfe0a.txt: "børnefamilier kan modtage gratis
familieorienteret rådgivning" — so its session form has no fee field, a paid or exempt session is
refused, and its price tables take no visit fee. A case unit bills no visit fees."""

from django.utils.translation import gettext as _

from .models import Unit, VisitFee

EXTRA_CHOICES = (VisitFee.PAID, VisitFee.EXEMPT)


def stored_choices(text: str) -> list[str]:
    """The setting as stored ("paid,exempt"): the extra choices, in their fixed order."""
    chosen = set(filter(None, (text or "").split(",")))
    return [value for value in EXTRA_CHOICES if value in chosen]


def offered_fees(unit: Unit) -> list[str]:
    """The fee marks a session of this unit may carry, "not applicable" first. The setting is an
    anonymous unit's; a case unit's form never asks, and its imports keep every mark as before."""
    if not unit.is_anonymous:
        return list(VisitFee.values)
    extra = stored_choices(unit.visit_fee_choices) if unit.visit_fee_asked else []
    return [VisitFee.NONE, *extra]


def form_asks(unit: Unit) -> bool:
    """The session form has a fee field only when there is a choice to make."""
    return unit.is_anonymous and len(offered_fees(unit)) > 1


def fee_setting_errors(unit: Unit) -> dict[str, str]:
    """Unit.clean: an anonymous unit that asks offers a choice, and preselects one it offers (a unit
    that does not ask preselects nothing: every session is "not applicable")."""
    if not unit.is_anonymous:
        return {}
    if unit.visit_fee_asked and not stored_choices(unit.visit_fee_choices):
        return {"visit_fee_choices": _("Choose paid or exempt, or stop asking for the visit fee (a free service).")}
    if unit.visit_fee_asked and unit.default_visit_fee not in offered_fees(unit):
        return {"default_visit_fee": _("Preselect a visit fee the unit offers: %(choices)s.") % {
            "choices": ", ".join(str(VisitFee(value).label) for value in offered_fees(unit))}}
    return {}


def fee_problem(unit: Unit, fee: str | None) -> str | None:
    """Why a session of the unit cannot carry this mark, or None (the session service asks)."""
    if fee is None or fee in offered_fees(unit):
        return None
    if is_free(unit):
        return _("Visits to this unit are free: a session carries no visit fee.")
    return _("This unit does not offer the visit fee “%(fee)s”.") % {"fee": VisitFee(fee).label}


def is_free(unit: Unit) -> bool:
    """No session of the unit can carry a paid visit fee."""
    return VisitFee.PAID not in offered_fees(unit)


def fee_or_default(unit: Unit, wanted: str | None) -> str:
    """`wanted` if the unit offers it, else the unit's preselected fee if offered, else "not applicable"
    (a counsellor's usual fee from before the setting changed never makes a booking's outcome fail)."""
    offered = offered_fees(unit)
    for value in (wanted, unit.default_visit_fee):
        if value in offered:
            return value
    return VisitFee.NONE
