from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from billing import documents
from billing.forms import FORMS
from billing.models import CallOff
from billing.selectors import (
    corrected_later,
    month_statement,
    next_month,
    previous_month,
    price_tables,
    visible_closes,
    visible_months,
    year_overview,
)
from billing.services import call_off_add, call_off_remove, fee_enter, month_close, month_close_pdf_store, rate_enter
from units import fees
from units.access import (
    BILLING_READERS,
    access_object,
    administration_agreements,
    organisation_agreements_by_unit,
    unit_roles,
    units_seen_by_organisation,
)
from units.charts import line_chart
from units.exports import table_response
from units.models import Agreement, Role
from units.services import audit_log


def _today(unit):
    return timezone.localdate(timezone=ZoneInfo(unit.time_zone))


def _administration(request) -> bool:
    return request.unit_role == Role.ADMINISTRATION


def _funder_agreements(request):
    """None when the reader sees all of the unit's billing (its chief, the organisation that
    runs it); a funder's agreements with the unit otherwise (units.access)."""
    return administration_agreements(request.user, request.unit) if _administration(request) else None


@unit_roles(*BILLING_READERS, hidden=True)
def current(request, unit_slug):
    """The month to bill now (the one just ended); for the administration, the last closed one
    it may see."""
    if _administration(request):
        months = visible_months(unit=request.unit, funder_agreements=_funder_agreements(request))
        if not months:
            return render(request, "billing/no_statements.html")
        month = months[-1]
    else:
        month = previous_month(_today(request.unit))
    return redirect("billing:statement", unit_slug=unit_slug, month=month)


@unit_roles(*BILLING_READERS, hidden=True)
def statement(request, unit_slug, month):
    unit = request.unit
    funder_agreements = _funder_agreements(request)
    problems = []
    try:
        result = month_statement(unit=unit, month=month, closed_only=_administration(request),
                                 funder_agreements=funder_agreements)
    except ValidationError as error:
        result, problems = None, error.messages
    if result is None and not problems:
        raise Http404
    today = _today(unit)
    data = result.data if result else None
    context = {
        "month": month,
        "statement": data,
        "lines": documents.labelled_lines(data) if data else [],
        "close": result.close if result else None,
        "problems": problems,
        # A funder without the hourly agreement has no session lines, so no corrections to them.
        "corrected_later": corrected_later(unit=unit, month=month)
        if result and result.closed and not (result.filtered and data["agreement"] is None) else [],
        "can_close": (request.unit_role == Role.CHIEF and data is not None and not result.closed
                      and next_month(month) <= today),
        "ended": next_month(month) <= today,
        **_neighbours(request, month, today, funder_agreements),
        "members": not _administration(request),
    }
    return render(request, "billing/statement.html", context)


def _neighbours(request, month, today, funder_agreements) -> dict:
    """The months to link to: for the administration the nearest closed months it may open."""
    if not _administration(request):
        return {"previous_month": previous_month(month),
                "next_month": next_month(month) if next_month(month) <= today else None}
    months = visible_months(unit=request.unit, funder_agreements=funder_agreements)
    return {"previous_month": max((m for m in months if m < month), default=None),
            "next_month": min((m for m in months if m > month), default=None)}


@unit_roles(Role.CHIEF, hidden=True)
@require_POST
def close(request, unit_slug, month):
    try:
        month_close(unit=request.unit, month=month, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(month)s is closed. Its statement is stored as PDF and CSV and will not "
                                    "change.") % {"month": f"{month:%Y-%m}"})
    return redirect("billing:statement", unit_slug=unit_slug, month=month)


@unit_roles(*BILLING_READERS, hidden=True)
def statement_file(request, unit_slug, month, fmt):
    """The statement as PDF, CSV or XLSX: a closed month's stored files, or an open month's
    preliminary statement (the chief only). A funder's part of a closed month is made from the
    snapshot, never the stored files, which hold every funder. Every download is audited."""
    unit = request.unit
    try:
        result = month_statement(unit=unit, month=month, closed_only=_administration(request),
                                 funder_agreements=_funder_agreements(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("billing:statement", unit_slug=unit_slug, month=month)
    if result is None:
        raise Http404
    filename = documents.statement_filename(result.data)
    action = "billing.statement_download"
    if fmt == "xlsx" or (fmt == "csv" and (not result.closed or result.filtered)):
        headers, rows = documents.statement_table(result.data)
        # The same dialect as the stored statement of a closed month (documents.statement_csv).
        return table_response(request, filename=filename, headers=headers, rows=rows, fmt=fmt, action=action,
                              dialect="comma")
    if result.filtered:
        content = documents.statement_pdf(result.data, unit=unit, close=result.close)
        audit_log(user=request.user, unit=unit, action=f"{action}.{fmt}", obj=result.close)
    elif result.closed:
        close = result.close
        if fmt == "pdf" and not close.pdf_file:
            close = month_close_pdf_store(month_close=close, acting_user=request.user)
        content = documents.stored_file(close, fmt)
        audit_log(user=request.user, unit=unit, action=f"{action}.{fmt}", obj=close)
    else:
        content = documents.statement_pdf(result.data, unit=unit)
        audit_log(user=request.user, unit=unit, action=f"{action}.{fmt}", object_type="billing.statement",
                  object_id=result.data["month"])
    content_type = "application/pdf" if fmt == "pdf" else "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _year_overview(request, year):
    """The year as this reader may see it; 404 for the administration when it holds no month
    it may see."""
    overview = year_overview(unit=request.unit, year=year, today=_today(request.unit),
                             closed_only=_administration(request), funder_agreements=_funder_agreements(request))
    if _administration(request) and not overview["months"]:
        raise Http404
    return overview


@unit_roles(*BILLING_READERS, hidden=True)
def year(request, unit_slug, year):
    overview = _year_overview(request, year)
    chart = None
    if overview["hours_limit"]:
        labels = [str(MONTHS_3[entry["month"].month]) for entry in overview["months"]]
        chart = line_chart(
            title=_("Billable hours this year against the cap and call-offs"),
            labels=labels,
            series=[(_("Hours, year to date"),
                     [entry["statement"]["hours_year_to_date"] if entry["statement"] else None
                      for entry in overview["months"]])],
            reference=(overview["hours_limit"], _("Cap and call-offs")),
        )
    return render(request, "billing/year.html", {"overview": overview, "chart": chart,
                                                 "previous_year": year - 1,
                                                 "next_year": year + 1 if year < _today(request.unit).year else None})


@unit_roles(*BILLING_READERS, hidden=True)
def year_export(request, unit_slug, year, fmt):
    overview = _year_overview(request, year)
    headers, rows = documents.overview_table(overview)
    return table_response(request, filename=f"billing-{request.unit.slug}-{year}", headers=headers, rows=rows,
                          fmt=fmt, action="billing.overview_download")


def org_statements(request, org_slug):
    """Closed statements of the units the organisation runs or funds; of a funded unit only
    the months its agreements cover, with its own amounts."""
    units = list(units_seen_by_organisation(request.organisation))
    agreements = organisation_agreements_by_unit(request.organisation, units)
    entries = []
    for unit in units:
        with scope(unit=unit):
            entries.append({"unit": unit, "closes": visible_closes(unit=unit, funder_agreements=agreements[unit.pk])})
    return render(request, "billing/org_statements.html", {"units": entries})


# --- price tables -----------------------------------------------------------------------------

def _price_agreements(request) -> list[Agreement]:
    """The agreements whose prices the reader enters: all of them for the chief and the
    organisation that runs the unit, a funder's own otherwise."""
    funder = _funder_agreements(request)
    if funder is not None:
        return funder
    return list(Agreement.objects.filter(unit=request.unit).select_related("municipality"))


def _shown_year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return _today(request.unit).year
    return year if 2000 <= year <= 2100 else _today(request.unit).year


def _enter(name: str, form, *, unit, acting_user):
    values = dict(form.cleaned_data)
    if name == "rate":
        return rate_enter(unit=unit, acting_user=acting_user, **values)
    if name == "fee":
        values["municipality"] = next(agreement.municipality for agreement in form.agreements.values()
                                      if agreement.municipality_id == values["municipality"])
        return fee_enter(unit=unit, acting_user=acting_user, **values)
    return call_off_add(unit=unit, acting_user=acting_user, **values)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@unit_roles(*BILLING_READERS, hidden=True)
def prices(request, unit_slug):
    """Hourly rates, visit fees and call-offs of one year (`?year=`), and the forms that enter them."""
    year = _shown_year(request)
    tables = price_tables(unit=request.unit, year=year, agreements=_price_agreements(request))
    posted = request.POST.get("form") if request.method == "POST" else None
    forms = {name: form_class(request.POST if name == posted else None, agreements=tables.agreements,
                              year=year, prefix=name)
             for name, form_class in FORMS.items()}
    if posted in forms and forms[posted].is_valid():
        form = forms[posted]
        try:
            entered = _enter(posted, form, unit=request.unit, acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if entered is None:
                messages.info(request, _("That price is already in force; nothing was changed."))
            elif getattr(entered, "from_month", 1) > 1:
                messages.success(request, _("Saved. It applies from %(month)s: the months before are closed.")
                                 % {"month": f"{entered.year}-{entered.from_month:02d}"})
            else:
                messages.success(request, _("Saved."))
            return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    return render(request, "billing/prices.html", {
        "tables": tables, "forms": forms, "posted": posted, "year": year, "free": fees.is_free(request.unit),
        "years": range(_today(request.unit).year - 2, _today(request.unit).year + 2),
    })


@require_POST
@unit_roles(*BILLING_READERS, hidden=True)
def call_off_delete(request, unit_slug, pk):
    allowed = {agreement.pk for agreement in _price_agreements(request)}
    call_off = access_object(request.unit, CallOff, pk, agreement_id__in=allowed)
    try:
        call_off_remove(call_off=call_off, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The call-off is removed."))
    return redirect(f"{reverse('billing:prices', kwargs={'unit_slug': unit_slug})}?year={call_off.year}")
