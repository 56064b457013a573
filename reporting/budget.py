"""Budget per activity, followed monthly (003_eba17951e60b4a73.txt: "budget per aktivitet (MSEK)";
"Ekonomiuppföljningar … genomförs månadsvis"; "Budget i balans och god prognossäkerhet").

The chief enters the year's budget per activity and each month's outcome (typed in, or imported
from the ledger as CSV/XLSX through units.imports). `follow_up` is the one function the budget
page, the statistics page, the exports, `period_stats` and the tertial report read. Amounts are
Decimal MSEK, written as strings with three decimals."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from units.imports import Column, ErrorList, choice_values, normalise_header
from units.services import audit_log

from .models import Budget, BudgetActivity, BudgetOutcome

PLACES = Decimal("0.001")
LIMIT = Decimal("999999.999")


def msek_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(PLACES, rounding=ROUND_HALF_UP))


def forecast(outcome: Decimal, months: int) -> Decimal | None:
    """Pure: the year's outcome at the current rate — outcome so far × 12 / months recorded."""
    return None if not months else outcome * 12 / months


def follow_up(unit, start: datetime.date, end: datetime.date) -> dict:
    """The year of `end` (a period lies within one year): per activity the year's `budget`, the
    `outcome` to date (months January … the period's last month), the `forecast` at the
    current rate and its `deviation` from the budget (forecast − budget: over budget is
    positive), with the `total`. `months_recorded`: the last month up to the period end with
    any outcome recorded (its number, 0 without any); the rate is the outcome over those months."""
    year = end.year
    first, last = datetime.date(year, 1, 1), end.replace(day=1)
    budgets = dict(Budget.objects.filter(unit=unit, year=year).values_list("activity", "amount"))
    outcomes = BudgetOutcome.objects.filter(unit=unit, month__range=(first, last))
    spent = dict(outcomes.values("activity").order_by().annotate(total=Sum("amount")).values_list("activity", "total"))
    latest = outcomes.aggregate(latest=Max("month"))["latest"]
    months = latest.month if latest else 0
    zero = Decimal(0)
    activities = [value for value in BudgetActivity.values if value in budgets or value in spent]

    def line(budget, outcome):
        expected = forecast(outcome, months)
        return {"budget": msek_text(budget), "outcome": msek_text(outcome), "forecast": msek_text(expected),
                "deviation": msek_text(None if expected is None or budget is None else expected - budget)}

    lines = {activity: line(budgets.get(activity), spent.get(activity, zero)) for activity in activities}
    total = line(sum(budgets.values(), zero), sum(spent.values(), zero))
    return {"year": year, "months_recorded": months, "unit_of_amounts": "MSEK",
            **{name: {activity: values[name] for activity, values in lines.items()}
               for name in ("budget", "outcome", "forecast", "deviation")},
            "total": total}


# --- writing ----------------------------------------------------------------------------------


def parse_msek(text) -> Decimal:
    """"14,6", "14.6", "-0,25" → Decimal; more than three decimals or out of range is refused."""
    try:
        value = Decimal(str(text).strip().replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("Give the amount in MSEK as a number, e.g. 14,6.")) from None
    if not value.is_finite() or value != value.quantize(PLACES) or abs(value) > LIMIT:
        raise ValidationError(_("Give the amount in MSEK with at most three decimals (whole thousands of kronor)."))
    return value


@transaction.atomic
def budget_set(*, unit, acting_user, year: int, activity: str, amount: Decimal) -> Budget:
    if amount < 0:
        raise ValidationError({"amount": _("A budget is not negative.")})
    budget, _created = Budget.objects.update_or_create(unit=unit, year=year, activity=activity,
                                                       defaults={"amount": amount})
    audit_log(user=acting_user, unit=unit, action="budget.set", obj=budget)
    return budget


@transaction.atomic
def outcome_set(*, unit, acting_user, month: datetime.date, activity: str, amount: Decimal) -> BudgetOutcome:
    outcome, _created = BudgetOutcome.objects.update_or_create(unit=unit, month=month.replace(day=1),
                                                               activity=activity, defaults={"amount": amount})
    audit_log(user=acting_user, unit=unit, action="budget.outcome", obj=outcome)
    return outcome


class BudgetOutcomeImporter:
    """`import_csv --kind budget` and the budget page: the ledger's monthly outcome per activity,
    one row per (month, activity); a month already recorded is replaced. All rows or none.
    With `year` (the budget page's), a row whose month lies in another year is refused."""

    columns = [
        Column("month", (gettext_noop("Month"),)),
        Column("activity", (gettext_noop("Activity"),)),
        Column("outcome", (gettext_noop("Outcome (MSEK)"),)),
    ]

    def __init__(self, *, unit, acting_user=None, year: int | None = None):
        self.unit, self.acting_user, self.year = unit, acting_user, year
        self.activities = choice_values(BudgetActivity)
        self.seen = set()
        self.written = 0

    def check(self, line: int, row: dict, errors: ErrorList):
        from .profiles import profile_for  # profiles reads BudgetActivity from the models, not this module

        if "budget_follow_up" not in profile_for(self.unit).figure_keys:
            errors.add(line, "", _("This unit does not follow a budget per activity."), prefix=False)
            return None
        problems = len(errors.listed) + errors.more
        month = _month(row.get("month", ""))
        if month is None:
            errors.add(line, "month", _("Give the month as YYYY-MM, e.g. 2025-03."))
        elif self.year is not None and month.year != self.year:
            errors.add(line, "month", _("Every month in the file must lie in %(year)s.") % {"year": self.year})
        activity = self.activities.get(normalise_header(row.get("activity", "")))
        if activity is None:
            errors.add(line, "activity", _("Not one of the budget's activities."))
        try:
            amount = parse_msek(row.get("outcome", ""))
        except ValidationError as error:
            errors.add(line, "outcome", " ".join(error.messages))
            amount = None
        if len(errors.listed) + errors.more > problems:
            return None
        if (month, activity) in self.seen:
            errors.add(line, "", _("This month and activity stand twice in the file."), prefix=False)
            return None
        self.seen.add((month, activity))
        return BudgetOutcome(unit=self.unit, month=month, activity=activity, amount=amount)

    def write(self, items: list[BudgetOutcome]) -> None:
        BudgetOutcome.objects.bulk_create(items, update_conflicts=True, unique_fields=["unit", "month", "activity"],
                                          update_fields=["amount"])
        self.written += len(items)

    def finish(self) -> None:
        audit_log(user=self.acting_user, unit=self.unit, action="budget.import", object_type="budget",
                  object_id=str(self.written))


def _month(text: str) -> datetime.date | None:
    text = str(text).strip()[:10]
    for pattern in ("%Y-%m", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date().replace(day=1)  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None
