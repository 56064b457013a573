"""How long a unit must at least keep the details of closed cases: as long as its own statistics
read them (README "Retention"). Unit.clean asks here, so every form that saves a unit (the
settings page, the retention page, the admin) gets the rule through full_clean.

The figures live in `reporting`, above this app; it registers what its indicators need when it
starts (ReportingConfig.ready), so this module names no indicator itself."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Every reporting period (up to a year) that holds a case's last activity must have ended before
# the case's details go, or the purge would change a period still being counted.
BASE_MONTHS = 12
BASE_REASON = _("every reporting period, up to a year, that holds a case's last activity must have ended before "
                "its details are removed")

# unit → (months, why) or None; registered by the apps that read the details.
_needs: list[Callable] = []


def register_need(need: Callable) -> None:
    if need not in _needs:
        _needs.append(need)


def retention_needs(unit) -> list[tuple[int, str]]:
    """(months, why) for each thing the unit's statistics need kept, the longest first."""
    found = [(BASE_MONTHS, BASE_REASON)]
    for need in _needs:
        result = need(unit)
        if result is not None:
            found.append(result)
    return sorted(found, key=lambda item: -item[0])


def minimum_months(unit) -> int:
    return retention_needs(unit)[0][0]


def validate_retention(unit) -> None:
    months, reason = retention_needs(unit)[0]
    if unit.retention_months is not None and unit.retention_months < months:
        raise ValidationError({"retention_months": _(
            "Keep details at least %(months)s months: %(reason)s.") % {"months": months, "reason": reason}})
