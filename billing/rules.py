"""The contract's arithmetic: values in, values out, Decimal throughout, no database.

Wording from Leanlink's contract with Linköping (`002_93c1598fd6f3fa34.txt` §1.2, §2.3):
- "Debiterbar tid räknas i timmar där en timme är 60 minuter. För utförd tid som över- eller
  understiger hel klocktimme om 60 minuter utgår en fjärdedels timersättning för varje
  påbörjad kvart."
- "Grundprincipen är att Leanlink får debitera fyra klienttimmar för varje genomförd grupptimme
  med minst 5 deltagare. Principen gäller för gruppverksamhet som omfattar 1-2 timmars
  verksamhet per grupptillfälle."
- "Maximal beställningsvolym är 2 590 timmar per år." / "kan social- och omsorgsförvaltningen
  skriftligen avropa ytterligare timmar/grupptimmar."
- "Avgiften för familjerådgivningen är 200 kr per besök i 2022 års pris. Avgiften revideras
  varje år." … "Avgiften tas ut av Leanlink men tillfaller Social- och omsorgsförvaltningen."
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from sessions.models import Fee, SessionStatus

QUARTER_MINUTES = 15
QUARTERS_PER_HOUR = 4
GROUP_MIN_PARTICIPANTS = 5
GROUP_MIN_MINUTES = 60
GROUP_MAX_MINUTES = 120
GROUP_CLIENT_HOURS_PER_HOUR = 4
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Why a group line is billed as plain time and flagged for review.
FEWER_THAN_5 = "fewer_than_5_participants"
SHORTER_THAN_1_HOUR = "shorter_than_1_hour"
LONGER_THAN_2_HOURS = "longer_than_2_hours"


def billable_quarters(minutes: int) -> int:
    """Every started quarter counts: 61 min → 5, 60 → 4, 50 → 4, 40 → 3."""
    return -(-minutes // QUARTER_MINUTES)


def billable_hours(minutes: int) -> Decimal:
    return Decimal(billable_quarters(minutes)) / QUARTERS_PER_HOUR


def group_rule_breaches(*, minutes: int, participants: int) -> tuple[str, ...]:
    """Reasons a group occasion falls outside the 4-client-hours rule; empty when it applies."""
    reasons = []
    if participants < GROUP_MIN_PARTICIPANTS:
        reasons.append(FEWER_THAN_5)
    if minutes < GROUP_MIN_MINUTES:
        reasons.append(SHORTER_THAN_1_HOUR)
    if minutes > GROUP_MAX_MINUTES:
        reasons.append(LONGER_THAN_2_HOURS)
    return tuple(reasons)


@dataclass(frozen=True)
class BilledTime:
    hours: Decimal
    flags: tuple[str, ...] = ()


def session_time(*, minutes: int, is_group: bool, participants: int) -> BilledTime:
    """Billable hours of one held session; a group outside the rule bills plain time, flagged."""
    hours = billable_hours(minutes)
    if not is_group:
        return BilledTime(hours)
    breaches = group_rule_breaches(minutes=minutes, participants=participants)
    if breaches:
        return BilledTime(hours, breaches)
    return BilledTime(hours * GROUP_CLIENT_HOURS_PER_HOUR)


@dataclass(frozen=True)
class CapShare:
    charged: Decimal
    over_cap: Decimal


def allocate_cap(*, hours_before: Decimal, limit: Decimal | None, hours: list[Decimal]) -> list[CapShare]:
    """Charge hours in the given (date) order until the year's limit (cap plus call-offs).

    `hours_before` are the year's billable hours before the first entry. Each entry is charged
    what it moves the clamped running total, so a negative correction gives back only hours
    that were actually charged."""

    def clamped(total):
        return total if limit is None else max(ZERO, min(total, limit))

    shares = []
    running = hours_before
    for entry in hours:
        charged = clamped(running + entry) - clamped(running)
        shares.append(CapShare(charged=charged, over_cap=entry - charged))
        running += entry
    return shares


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def hours_amount(*, hours: Decimal, rate: Decimal) -> Decimal:
    """"en fjärdedels timersättning för varje påbörjad kvart": hours (in quarters) × rate, to öre."""
    return money(hours * rate)


@dataclass(frozen=True)
class FeeTerms:
    fee: Decimal
    first_visit_free: bool = False
    fee_on_no_show: bool = False


def visit_fee(*, status: str, fee_mark: str, first_visit: bool, terms: FeeTerms) -> Decimal:
    """The fee a visit brings to the administration. Only a visit marked paid counts; a held
    first visit is free when the municipality says so; a no-show pays only when it says so."""
    if fee_mark != Fee.PAID:
        return ZERO
    if status == SessionStatus.HELD:
        return ZERO if first_visit and terms.first_visit_free else terms.fee
    if status == SessionStatus.NO_SHOW and terms.fee_on_no_show:
        return terms.fee
    return ZERO


def fee_applies(*, status: str, fee_mark: str) -> bool:
    """Whether a visit needs the fee table at all (so a missing entry must be reported)."""
    return fee_mark == Fee.PAID and status in (SessionStatus.HELD, SessionStatus.NO_SHOW)


def fixed_month_amount(*, yearly: Decimal, month: int) -> Decimal:
    """A fixed yearly amount billed in twelfths; December takes the öre left by rounding,
    so the twelve months add up to the yearly amount exactly."""
    twelfth = (yearly / 12).quantize(CENT, rounding=ROUND_DOWN)
    return yearly - 11 * twelfth if month == 12 else twelfth


# --- price tables over a year -----------------------------------------------------------------

def in_force(entries: list[tuple[int, object]], month: int):
    """The entry of a year's price table that applies in `month` (1–12): the one with the
    latest from-month at or before it; None when none has begun. `entries`: (from_month, value)."""
    found = None
    for from_month, value in sorted(entries, key=lambda entry: entry[0]):
        if from_month <= month:
            found = value
    return found


def first_open_month(closed_months: list[int]) -> int | None:
    """Where a price entered now takes effect in a year with these months (1–12) closed: the month
    after the last closed one, so a closed month keeps what it was billed with; None when
    December is closed (the year is finished)."""
    if not closed_months:
        return 1
    last = max(closed_months)
    return None if last == 12 else last + 1
