"""Reads for billing. `month_statement` is the one statement: the page, the CSV/XLSX/PDF
files, the `billing_statement` command and the yearly overview all come from it.

A statement is a JSON-ready dict (money and hours as two-decimal strings). A closed month's
statement is its frozen snapshot; an open month's is computed from the sessions with a fixed
number of queries: the unit's price tables (4), the month's sessions (1) and the year's hours
before the month, summed in the database (1).

Which month a row is billed in: a session in the month of its date; a correction row (a
session with `corrects`, made by the sessions app after the original's month was closed) in
the month it was created, where it shows the difference against the row it corrects. Its
hours count towards that month's year, in first place (they refer to earlier work), at that
year's rate and fee — so a closed year stays closed.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import rules
from billing.models import CallOff, FeeYear, MonthClose, RateYear
from sessions.models import Fee, Session, SessionFormat, SessionStatus
from units.access import agreement_overlaps
from units.models import Agreement, Municipality, Unit

ZERO = rules.ZERO


def month_is_closed(*, unit: Unit, day: datetime.date) -> bool:
    return MonthClose.objects.filter(unit=unit, month=day.replace(day=1)).exists()


def closed_month_starts(*, unit: Unit) -> set[datetime.date]:
    """The first days of the unit's closed months, for checking many dates at once."""
    return set(MonthClose.objects.filter(unit=unit).values_list("month", flat=True))


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def last_day(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def two(value: Decimal) -> str:
    """Money and hours in the JSON: two decimals, never "-0.00"."""
    return str(value.quantize(rules.CENT) + ZERO)


# --- price tables --------------------------------------------------------------------------

@dataclass(frozen=True)
class Terms:
    """Everything entered for a unit's agreements; small, loaded whole."""

    agreements: list[Agreement]
    rates: dict[tuple[int, int], list[tuple[int, Decimal]]]  # (agreement id, year) → [(from month, rate)]
    fees: dict[tuple[int, int], list[tuple[int, FeeYear]]]  # (year, municipality id) → [(from month, entry)]
    call_offs: dict[tuple[int, int], list[CallOff]]  # (agreement id, year) → call-offs

    def rate(self, agreement_id: int, month: datetime.date) -> Decimal | None:
        return rules.in_force(self.rates.get((agreement_id, month.year), []), month.month)

    def fee(self, municipality_id: int, month: datetime.date) -> FeeYear | None:
        return rules.in_force(self.fees.get((month.year, municipality_id), []), month.month)


def billing_terms(*, unit: Unit) -> Terms:
    call_offs, rates, fees = defaultdict(list), defaultdict(list), defaultdict(list)
    for call_off in CallOff.objects.filter(unit=unit):
        call_offs[(call_off.agreement_id, call_off.year)].append(call_off)
    for row in RateYear.objects.filter(unit=unit):
        rates[(row.agreement_id, row.year)].append((row.from_month, row.rate))
    for row in FeeYear.objects.filter(unit=unit):
        fees[(row.year, row.municipality_id)].append((row.from_month, row))
    return Terms(
        agreements=list(Agreement.objects.filter(unit=unit).select_related("municipality")),
        rates=dict(rates),
        fees=dict(fees),
        call_offs=dict(call_offs),
    )


def _covers(agreement: Agreement | None, day: datetime.date) -> bool:
    return agreement is not None and agreement.valid_from <= day and (
        agreement.valid_to is None or day <= agreement.valid_to)


def _overlaps(agreement: Agreement, month: datetime.date) -> bool:
    return agreement_overlaps(agreement, month, last_day(month))


# --- sessions ------------------------------------------------------------------------------

def _midnight(day: datetime.date, unit: Unit) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(unit.time_zone))


def billing_month(row: Session, unit: Unit) -> datetime.date:
    if row.corrects_id is None:
        return row.date.replace(day=1)
    return timezone.localtime(row.created_at, ZoneInfo(unit.time_zone)).date().replace(day=1)


def _billed_in(unit: Unit, start: datetime.date, end: datetime.date) -> Q:
    """Rows billed in the months from `start` up to (not including) `end`."""
    return Q(corrects__isnull=True, date__gte=start, date__lt=end) | Q(
        corrects__isnull=False, created_at__gte=_midnight(start, unit), created_at__lt=_midnight(end, unit))


# The original at the root of a session's correction chain (sessions allow three corrections).
_ROOT = Coalesce("corrects__corrects__corrects_id", "corrects__corrects_id", "corrects_id", "pk")


def _session_rows(*, unit: Unit, start: datetime.date, end: datetime.date) -> list[Session]:
    """Every row that can bill hours or a fee in [start, end), in billing order: corrections
    first, then the sessions by date and time."""
    # The case's first held visit as it was billed, named by its original row; a correction is
    # judged against that visit through the root of its chain (see _ROOT).
    first_held = Session.objects.filter(
        unit=unit, case=OuterRef("case"), status=SessionStatus.HELD, corrects__isnull=True,
    ).order_by("date", "start_time", "pk").values("pk")[:1]
    rows = list(
        Session.objects.filter(unit=unit)
        .filter(_billed_in(unit, start, end))
        .filter(Q(corrects__isnull=False) | Q(status__in=[SessionStatus.HELD, SessionStatus.NO_SHOW]))
        .select_related("case__application__municipality", "corrects__case__application__municipality")
        .annotate(first_held_id=Subquery(first_held),
                  root_id=_ROOT)
    )
    corrections = sorted((row for row in rows if row.corrects_id), key=lambda row: (row.created_at, row.pk))
    sessions = sorted((row for row in rows if not row.corrects_id),
                      key=lambda row: (row.date, row.start_time or datetime.time.min, row.pk))
    return corrections + sessions


def _held_quarters(prefix: str = "") -> Case:
    """`rules.session_time` in SQL, in whole quarters (exact integers): every started quarter,
    times 4 for a group occasion within the group rule; 0 unless held."""
    quarters = (F(f"{prefix}minutes") + (rules.QUARTER_MINUTES - 1)) / rules.QUARTER_MINUTES
    group_rule = Q(**{
        f"{prefix}format": SessionFormat.GROUP,
        f"{prefix}participants__gte": rules.GROUP_MIN_PARTICIPANTS,
        f"{prefix}minutes__gte": rules.GROUP_MIN_MINUTES,
        f"{prefix}minutes__lte": rules.GROUP_MAX_MINUTES,
    })
    held = Q(**{f"{prefix}status": SessionStatus.HELD})
    return Case(
        When(held & group_rule, then=quarters * rules.GROUP_CLIENT_HOURS_PER_HOUR),
        When(held, then=quarters),
        default=Value(0),
        output_field=IntegerField(),
    )


def _hours_before(*, unit: Unit, month: datetime.date) -> Decimal:
    """The year's billable hours billed before `month` (corrections as their difference)."""
    quarters = (
        Session.objects.filter(unit=unit)
        .filter(_billed_in(unit, month.replace(month=1), month))
        .aggregate(quarters=Sum(_held_quarters() - _held_quarters("corrects__")))["quarters"]
    )
    return Decimal(quarters or 0) / rules.QUARTERS_PER_HOUR


def _resident_municipality(row: Session, default: Municipality) -> Municipality:
    """The resident's municipality from the case's application; a session without a case
    (groups, one-off advice) or without a stated municipality belongs to `default`."""
    try:
        return row.case.application.municipality or default
    except (AttributeError, ObjectDoesNotExist):
        return default


def _time(row: Session) -> rules.BilledTime:
    if row.status != SessionStatus.HELD:
        return rules.BilledTime(ZERO)
    return rules.session_time(minutes=row.minutes, is_group=row.format == SessionFormat.GROUP,
                              participants=row.participants)


# --- the statement -------------------------------------------------------------------------

@dataclass(frozen=True)
class Statement:
    data: dict
    close: MonthClose | None
    # True when `data` is a funder's part of the snapshot: the stored files hold more than it.
    filtered: bool = False

    @property
    def closed(self) -> bool:
        return self.close is not None


def closed_month(*, unit: Unit, month: datetime.date) -> MonthClose | None:
    return MonthClose.objects.filter(unit=unit, month=month).select_related("closed_by").first()


def month_statement(*, unit: Unit, month: datetime.date, closed_only: bool = False,
                    funder_agreements: list[Agreement] | None = None) -> Statement | None:
    """The statement of `month` (its first day); None for an open month when `closed_only`
    (what the administration may see). With `funder_agreements` (a funder's agreements with
    the unit, see units.access.administration_agreements) only a closed month that one of
    them covers, cut down to that funder's part (`funder_statement`); None otherwise. Raises
    ValidationError naming what to enter when an open month cannot be billed (no rate, no
    fee, a session outside the agreement)."""
    if funder_agreements is not None:
        close = closed_month(unit=unit, month=month) if any(_overlaps(a, month) for a in funder_agreements) else None
        if close is None:
            return None
        return Statement(_funder_part(close, funder_agreements), close, filtered=True)
    close = closed_month(unit=unit, month=month)
    if close is not None:
        return Statement(close.snapshot, close)
    if closed_only:
        return None
    return Statement(compute_statement(unit=unit, month=month), None)


# The hourly part of a statement, as it reads when the hourly agreement is another funder's.
_NO_HOURS = {"agreement": None, "rate": None, "lines": [], "billable_hours": "0.00", "amount": "0.00",
             "hours_year_to_date": "0.00", "hours_cap": None, "call_off_hours": "0.00", "call_offs": [],
             "hours_limit": None, "hours_over_cap": "0.00", "flagged_lines": 0}


def _funder_part(close: MonthClose, funder_agreements: list[Agreement]) -> dict:
    """`funder_statement` of a closed month, under the funder's agreements valid in it."""
    return funder_statement(close.snapshot, agreements=[a for a in funder_agreements if _overlaps(a, close.month)])


def funder_statement(statement: dict, *, agreements: list[Agreement]) -> dict:
    """A funder's part of a statement: the hours only if the hourly agreement is one of
    `agreements`, and only its own municipalities' fees and fixed amounts, totals made again.
    Made from the statement dict alone (a snapshot names municipalities, and the hourly
    agreement by id), so a closed month's funder view comes from its snapshot."""
    names = {agreement.municipality.name for agreement in agreements}
    hourly = statement["agreement"]
    part = dict(statement)
    if hourly is None or hourly["id"] not in {agreement.pk for agreement in agreements}:
        part.update(_NO_HOURS)
    by_municipality = {name: fee for name, fee in statement["fees"]["by_municipality"].items() if name in names}
    part["fees"] = {
        "visits": sum(fee["visits"] for fee in by_municipality.values()),
        "total": two(sum((Decimal(fee["total"]) for fee in by_municipality.values()), ZERO)),
        "by_municipality": by_municipality,
    }
    part["fixed"] = [entry for entry in statement["fixed"] if entry["municipality"] in names]
    fixed_total = sum((Decimal(entry["amount"]) for entry in part["fixed"]), ZERO)
    part["fixed_amount"] = two(fixed_total)
    part["total_amount"] = two(Decimal(part["amount"]) + fixed_total)
    part["funders"] = sorted(names)
    return part


def compute_statement(*, unit: Unit, month: datetime.date) -> dict:
    return build_statement(unit=unit, month=month, terms=billing_terms(unit=unit),
                           rows=_session_rows(unit=unit, start=month, end=next_month(month)),
                           hours_before=_hours_before(unit=unit, month=month))


def build_statement(*, unit: Unit, month: datetime.date, terms: Terms, rows: list[Session],
                    hours_before: Decimal) -> dict:
    """The statement from rows already fetched; `hours_before` are the year's hours billed
    before the month (they count only under an hourly agreement)."""
    problems = []
    hourly_agreements = [a for a in terms.agreements if a.kind == Agreement.Kind.HOURLY]
    covering = [a for a in hourly_agreements if _overlaps(a, month)]
    if len(covering) > 1:
        problems.append(_("Two hourly agreements cover %(month)s. Change their validity so that one agreement "
                          "covers each month.") % {"month": f"{month:%Y-%m}"})
    agreement = covering[0] if covering else None
    if agreement is None:
        hours_before = ZERO
    default_municipality = agreement.municipality if agreement else unit.organisation.municipality
    year = month.year

    rate, limit, cap, call_offs = None, None, None, []
    if agreement is not None:
        rate = terms.rate(agreement.pk, month)
        if rate is None:
            problems.append(_("Enter the hourly rate for %(year)s of the agreement with %(municipality)s.")
                            % {"year": year, "municipality": agreement.municipality.name})
        call_offs = terms.call_offs.get((agreement.pk, year), [])
        cap = agreement.hour_cap
        if cap is not None:
            limit = cap + sum((c.hours for c in call_offs), ZERO)

    lines = _hour_lines(rows, agreement, problems) if hourly_agreements else []
    shares = rules.allocate_cap(hours_before=hours_before, limit=limit,
                                hours=[line["billable_hours"] for line in lines])
    for line, share in zip(lines, shares, strict=True):
        line["charged_hours"] = share.charged
        line["amount"] = rules.hours_amount(hours=share.charged, rate=rate or ZERO)
    charged = sum((share.charged for share in shares), ZERO)
    amount = rules.hours_amount(hours=charged, rate=rate or ZERO)
    fees = _fees(rows, terms, month, default_municipality, problems)
    fixed = _fixed(terms, month, problems)
    if problems:
        raise ValidationError(problems)
    month_hours = sum((line["billable_hours"] for line in lines), ZERO)
    fixed_total = sum((Decimal(entry["amount"]) for entry in fixed), ZERO)
    return {
        "unit": unit.slug,
        "unit_name": unit.name,
        "month": f"{month:%Y-%m}",
        "agreement": None if agreement is None else {
            "id": agreement.pk,
            "municipality": agreement.municipality.name,
            "reference": agreement.reference,
            "valid_from": agreement.valid_from.isoformat(),
            "valid_to": agreement.valid_to.isoformat() if agreement.valid_to else None,
        },
        "rate": None if rate is None else two(rate),
        "lines": [_line_json(line) for line in lines],
        "billable_hours": two(charged),
        "amount": two(amount),
        "hours_year_to_date": two(hours_before + month_hours),
        "hours_cap": None if cap is None else two(cap),
        "call_off_hours": two(sum((c.hours for c in call_offs), ZERO)),
        "call_offs": [{"date": c.date.isoformat(), "hours": two(c.hours), "reference": c.reference}
                      for c in call_offs],
        "hours_limit": None if limit is None else two(limit),
        "hours_over_cap": two(sum((share.over_cap for share in shares), ZERO)),
        "flagged_lines": sum(1 for line in lines if line["flags"]),
        "fees": fees,
        "fixed": fixed,
        "fixed_amount": two(fixed_total),
        "total_amount": two(amount + fixed_total),
    }


def _hour_lines(rows: list[Session], agreement: Agreement | None, problems: list) -> list[dict]:
    lines, outside = [], []
    for row in rows:
        time = _time(row)
        line = {"row": row, "billable_hours": time.hours, "flags": time.flags}
        if row.corrects_id is None:
            if row.status != SessionStatus.HELD:
                continue
            if not _covers(agreement, row.date):
                outside.append(row.date)
        else:
            line["billable_hours"] = time.hours - _time(row.corrects).hours
        lines.append(line)
    if outside:
        dates = ", ".join(sorted({day.isoformat() for day in outside}))
        if agreement is None:
            problems.append(_("No hourly agreement covers the sessions on %(dates)s. Enter an agreement that "
                              "covers these dates.") % {"dates": dates})
        else:
            problems.append(_("The sessions on %(dates)s are outside the agreement with %(municipality)s (valid "
                              "%(valid)s). Enter an agreement that covers these dates.") % {
                "dates": dates, "municipality": agreement.municipality.name,
                "valid": f"{agreement.valid_from.isoformat()}–{agreement.valid_to or ''}"})
    return lines


def _line_json(line: dict) -> dict:
    row = line["row"]
    data = {
        "kind": "session" if row.corrects_id is None else "correction",
        "date": row.date.isoformat(),
        "session_id": row.pk,
        "format": row.format,
        "participants": row.participants,
        "minutes": row.minutes,
        "status": row.status,
        "billable_hours": two(line["billable_hours"]),
        "charged_hours": two(line["charged_hours"]),
        "amount": two(line["amount"]),
        "flag": ",".join(line["flags"]) or None,
        "corrects": None,
    }
    if row.corrects_id is not None:
        original = row.corrects
        data["corrects"] = {
            "session_id": original.pk,
            "date": original.date.isoformat(),
            "month": f"{original.date:%Y-%m}",
            "format": original.format,
            "participants": original.participants,
            "minutes": original.minutes,
            "status": original.status,
            "billable_hours": two(_time(original).hours),
        }
    return data


def _fees(rows: list[Session], terms: Terms, month: datetime.date, default: Municipality, problems: list) -> dict:
    """Fees collected on behalf of the administration, per municipality of residence. A
    correction adds its fee and takes back the fee of the row it corrects."""
    by_municipality, missing = {}, set()
    for row in rows:
        versions = [(1, row)] if row.corrects_id is None else [(1, row), (-1, row.corrects)]
        first_visit = row.root_id == row.first_held_id
        for sign, version in versions:
            if not rules.fee_applies(status=version.status, fee_mark=version.fee):
                continue
            municipality = _resident_municipality(version, default)
            entry = terms.fee(municipality.pk, month)
            if entry is None:
                missing.add(municipality.name)
                continue
            fee = rules.visit_fee(status=version.status, fee_mark=version.fee, first_visit=first_visit,
                                  terms=rules.FeeTerms(entry.fee, entry.first_visit_free, entry.fee_on_no_show))
            if fee:
                bucket = by_municipality.setdefault(municipality.name, {"visits": 0, "fee": entry.fee, "total": ZERO})
                bucket["visits"] += sign
                bucket["total"] += sign * fee
    for name in sorted(missing):
        problems.append(_("Enter the visit fee for %(year)s for residents of %(municipality)s.")
                        % {"year": month.year, "municipality": name})
    return {
        "visits": sum(bucket["visits"] for bucket in by_municipality.values()),
        "total": two(sum((bucket["total"] for bucket in by_municipality.values()), ZERO)),
        "by_municipality": {
            name: {"visits": bucket["visits"], "fee": two(bucket["fee"]), "total": two(bucket["total"])}
            for name, bucket in sorted(by_municipality.items())
        },
    }


def _fixed(terms: Terms, month: datetime.date, problems: list) -> list[dict]:
    fixed = []
    for agreement in terms.agreements:
        if agreement.kind != Agreement.Kind.FIXED or not _overlaps(agreement, month):
            continue
        if agreement.fixed_amount is None:
            problems.append(_("Enter the fixed yearly amount of the agreement with %(municipality)s.")
                            % {"municipality": agreement.municipality.name})
            continue
        fixed.append({
            "municipality": agreement.municipality.name,
            "reference": agreement.reference,
            "yearly_amount": two(agreement.fixed_amount),
            "amount": two(rules.fixed_month_amount(yearly=agreement.fixed_amount, month=month.month)),
        })
    return fixed


# --- closing, lists, overview ----------------------------------------------------------------

def open_months_before(*, unit: Unit, month: datetime.date) -> list[datetime.date]:
    """Earlier months that are not closed although they hold something billable: a held
    session under an hourly agreement, a visit with a fee, or a correction line."""
    under_hourly = Q(pk__in=[])
    for agreement in Agreement.objects.filter(unit=unit, kind=Agreement.Kind.HOURLY):
        validity = Q(date__gte=agreement.valid_from)
        if agreement.valid_to:
            validity &= Q(date__lte=agreement.valid_to)
        under_hourly |= validity
    billable = (Q(status=SessionStatus.HELD) & under_hourly) | Q(
        fee=Fee.PAID, status__in=[SessionStatus.HELD, SessionStatus.NO_SHOW])
    originals = Session.objects.filter(unit=unit, corrects__isnull=True, date__lt=month).filter(billable)
    corrections = Session.objects.filter(unit=unit, corrects__isnull=False, created_at__lt=_midnight(month, unit))
    months = set(originals.annotate(m=TruncMonth("date")).values_list("m", flat=True).distinct())
    months |= {
        value.date() for value in corrections.annotate(m=TruncMonth("created_at", tzinfo=ZoneInfo(unit.time_zone)))
        .values_list("m", flat=True).distinct()
    }
    closed = set(MonthClose.objects.filter(unit=unit, month__lt=month).values_list("month", flat=True))
    return sorted(months - closed)


def closed_months(*, unit: Unit):
    """Closed months, newest first, with their totals read from the snapshots in the database."""
    return (
        MonthClose.objects.filter(unit=unit).select_related("closed_by").defer("snapshot")
        .annotate(billable_hours=KT("snapshot__billable_hours"), total_amount=KT("snapshot__total_amount"),
                  fees_total=KT("snapshot__fees__total"))
        .order_by("-month")
    )


def _covered_months(agreements: list[Agreement]) -> Q:
    """MonthClose rows of months that one of the agreements is valid in."""
    covered = Q(pk__in=[])
    for agreement in agreements:
        validity = Q(month__gte=agreement.valid_from.replace(day=1))
        if agreement.valid_to:
            validity &= Q(month__lte=agreement.valid_to)
        covered |= validity
    return covered


def visible_months(*, unit: Unit, funder_agreements: list[Agreement] | None = None) -> list[datetime.date]:
    """The closed months the administration may open (a funder: those its agreements cover), oldest first."""
    closes = MonthClose.objects.filter(unit=unit)
    if funder_agreements is not None:
        closes = closes.filter(_covered_months(funder_agreements))
    return list(closes.order_by("month").values_list("month", flat=True))


def visible_closes(*, unit: Unit, funder_agreements: list[Agreement] | None = None) -> list[MonthClose]:
    """`closed_months`, or for a funder (see `month_statement`) the closed months its agreements
    cover, each with `billable_hours`, `total_amount` and `fees_total` of the funder's part."""
    if funder_agreements is None:
        return list(closed_months(unit=unit))
    closes = []
    for close in (MonthClose.objects.filter(unit=unit).filter(_covered_months(funder_agreements))
                  .select_related("closed_by").order_by("-month")):
        part = _funder_part(close, funder_agreements)
        close.billable_hours, close.total_amount = part["billable_hours"], part["total_amount"]
        close.fees_total = part["fees"]["total"]
        closes.append(close)
    return closes


def corrected_later(*, unit: Unit, month: datetime.date) -> list[dict]:
    """Corrections made after `month` was closed to sessions of that month, and the month
    whose statement carries each of them."""
    rows = Session.objects.filter(unit=unit, corrects__date__gte=month, corrects__date__lt=next_month(month))
    return [
        {"session_id": row.pk, "corrects": row.corrects_id, "month": billing_month(row, unit)}
        for row in rows.only("pk", "corrects_id", "created_at", "date").order_by("created_at")
    ]


def year_overview(*, unit: Unit, year: int, today: datetime.date, closed_only: bool = False,
                  funder_agreements: list[Agreement] | None = None) -> dict:
    """Hours, amounts and fees per month of a year (up to this month), cap use, fees per
    municipality. Closed months from their snapshots; open months through `build_statement`
    with the same rows the month page would fetch, chained so each month's year-to-date
    starts where the previous one ended. Six queries whatever the year holds (fewer when every
    month is closed).

    `closed_only` and `funder_agreements` as in `month_statement`: the administration's
    overview holds closed months only, a funder's only those its agreements cover, each cut
    down to its part."""
    closes = {close.month: close for close in MonthClose.objects.filter(unit=unit, month__year=year)}
    if funder_agreements is not None:
        closed_only = True
        closes = {month: close for month, close in closes.items()
                  if any(_overlaps(agreement, month) for agreement in funder_agreements)}
    if closed_only:
        months, terms, rows_by_month = sorted(closes), None, {}
    else:
        months = [datetime.date(year, number, 1) for number in range(1, 13)
                  if datetime.date(year, number, 1) <= today.replace(day=1)]
        # Only the open months are built from rows: the rows billed from the first of them on
        # (a closed month before it is its snapshot; every month closed, no rows at all).
        open_months = [month for month in months if month not in closes]
        terms = billing_terms(unit=unit) if open_months else None
        rows_by_month = defaultdict(list)
        if open_months:
            for row in _session_rows(unit=unit, start=open_months[0], end=datetime.date(year + 1, 1, 1)):
                rows_by_month[billing_month(row, unit)].append(row)

    entries, hours_before, fees_by_municipality = [], ZERO, {}
    for month in months:
        entry = {"month": month, "closed": month in closes, "problems": [], "statement": None}
        if month in closes and funder_agreements is not None:
            entry["statement"] = _funder_part(closes[month], funder_agreements)
        elif month in closes:
            entry["statement"] = closes[month].snapshot
        else:
            try:
                entry["statement"] = build_statement(unit=unit, month=month, terms=terms,
                                                     rows=rows_by_month[month], hours_before=hours_before)
            except ValidationError as error:
                entry["problems"] = error.messages
        if entry["statement"] is not None:
            statement = entry["statement"]
            hours_before = Decimal(statement["hours_year_to_date"])
            for name, fee in statement["fees"]["by_municipality"].items():
                bucket = fees_by_municipality.setdefault(name, {"visits": 0, "total": ZERO})
                bucket["visits"] += fee["visits"]
                bucket["total"] += Decimal(fee["total"])
        entries.append(entry)

    statements = [entry["statement"] for entry in entries if entry["statement"] is not None]
    last = statements[-1] if statements else None

    def total(key):
        return two(sum((Decimal(statement[key]) for statement in statements), ZERO))

    return {
        "year": year,
        "months": entries,
        "totals": {key: total(key) for key in
                   ("billable_hours", "hours_over_cap", "amount", "fixed_amount", "total_amount")}
        | {"fee_visits": sum(statement["fees"]["visits"] for statement in statements),
           "fees": two(sum((Decimal(statement["fees"]["total"]) for statement in statements), ZERO))},
        "hours_year_to_date": two(hours_before),
        "hours_cap": last["hours_cap"] if last else None,
        "call_off_hours": last["call_off_hours"] if last else two(ZERO),
        "hours_limit": last["hours_limit"] if last else None,
        "fees_by_municipality": {name: {"visits": bucket["visits"], "total": two(bucket["total"])}
                                 for name, bucket in sorted(fees_by_municipality.items())},
    }


# --- price tables page and reminder ------------------------------------------------------------

def closed_months_of(*, unit: Unit, year: int) -> list[int]:
    return [month.month for month in
            MonthClose.objects.filter(unit=unit, month__year=year).values_list("month", flat=True)]


@dataclass(frozen=True)
class PriceTables:
    """What the prices page lists for one year, limited to the agreements the reader may see."""

    year: int
    agreements: list[Agreement]
    rates: list[RateYear]
    fees: list[FeeYear]
    call_offs: list[CallOff]
    closed_months: list[int]
    first_open_month: int | None


def price_tables(*, unit: Unit, year: int, agreements: list[Agreement] | None = None) -> PriceTables:
    """The year's rates, fees and call-offs; `agreements` (a funder's) limits them. Five queries."""
    agreements = agreements if agreements is not None else list(
        Agreement.objects.filter(unit=unit).select_related("municipality"))
    ids = [agreement.pk for agreement in agreements]
    closed = closed_months_of(unit=unit, year=year)
    return PriceTables(
        year=year,
        agreements=agreements,
        rates=list(RateYear.objects.filter(unit=unit, year=year, agreement_id__in=ids)
                   .select_related("agreement__municipality").order_by("agreement__municipality__name", "from_month")),
        fees=list(FeeYear.objects.filter(unit=unit, year=year, agreement_id__in=ids)
                  .select_related("municipality", "agreement__municipality")
                  .order_by("municipality__name", "from_month")),
        call_offs=list(CallOff.objects.filter(unit=unit, year=year, agreement_id__in=ids)
                       .select_related("agreement__municipality").order_by("date", "pk")),
        closed_months=sorted(closed),
        first_open_month=rules.first_open_month(closed),
    )


@dataclass(frozen=True)
class MissingPrices:
    year: int
    rates: list[str]  # municipalities of hourly agreements without a rate for the year
    fees: list[str]  # municipalities of residence with a fee last year and none this year


def missing_prices(*, unit: Unit, year: int) -> MissingPrices:
    """Prices of `year` not entered yet: the rate of each hourly agreement valid in the year, and
    the fee of each municipality that had one the year before. Three queries."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    hourly = [agreement for agreement in Agreement.objects.filter(unit=unit, kind=Agreement.Kind.HOURLY)
              .select_related("municipality") if agreement_overlaps(agreement, start, end)]
    with_rate = set(RateYear.objects.filter(unit=unit, year=year).values_list("agreement_id", flat=True))
    fees = {}
    for fee_year, name in FeeYear.objects.filter(unit=unit, year__in=[year - 1, year]).values_list(
            "year", "municipality__name"):
        fees.setdefault(name, set()).add(fee_year)
    return MissingPrices(
        year=year,
        rates=sorted(agreement.municipality.name for agreement in hourly if agreement.pk not in with_rate),
        fees=sorted(name for name, years in fees.items() if years == {year - 1}),
    )


def price_reminder_year(today: datetime.date) -> int | None:
    """December asks for next year's prices; January still asks for the year just begun."""
    return today.year + 1 if today.month == 12 else today.year if today.month == 1 else None
