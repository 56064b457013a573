from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions.models import is_case_code
from units.access import CHIEF_ONLY, MEMBER_ROLES, access_object, unit_roles
from units.charts import bar_chart
from units.exports import table_response
from units.pages import page as list_page
from units.pdf import render_pdf
from units.services import audit_log

from . import selectors, services
from .forms import (
    ApplicationForm,
    AssignForm,
    CompetencesForm,
    ExternalHandOverForm,
    ExternalProviderForm,
    HandOverForm,
    OfferForm,
    WithdrawForm,
)
from .models import Application


@unit_roles(*MEMBER_ROLES)
def queue(request, unit_slug):
    code = request.GET.get("code", "").strip()
    if code and not is_case_code(code):
        # A term off the case-code pattern (a name, an address) finds nothing, whatever is stored,
        # and is not repeated on the page.
        messages.warning(request, _("No application has this case code."))
    elif code:
        found = Application.objects.filter(unit=request.unit, case__code__iexact=code).values_list("pk", flat=True)
        if found:
            return redirect("intake:application_detail", unit_slug=unit_slug, pk=found[0])
        messages.warning(request, _("No application has the case code %(code)s.") % {"code": code})
    today = timezone.localdate()
    waiting = selectors.waiting_applications(unit=request.unit)
    page = list_page(request, waiting.select_related("case", "municipality", "assigned_to"),
                     keys=selectors.queue_order(selectors.unit_queue_order(unit=request.unit)), count=waiting)
    return render(request, "intake/queue.html", {
        "page": page, "rows": selectors.queue_rows(page, unit=request.unit, today=today,
                                                   team=selectors.counsellors(unit=request.unit)),
        "over_limit": selectors.queue_over_limit(unit=request.unit, today=today),
    })


@unit_roles(*MEMBER_ROLES)
def application_new(request, unit_slug):
    today = timezone.localdate()
    municipalities = selectors.agreement_municipalities(unit=request.unit, day=today)
    form = ApplicationForm(request.POST or None, unit=request.unit, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_register(
                unit=request.unit, acting_user=request.user, **form.application_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Application %(code)s registered.") % {"code": application.case.code})
            return redirect("intake:queue", unit_slug=unit_slug)
    return render(request, "intake/application_form.html", {"form": form})


def _detail(request, application, **bound):
    """The application and, while it can still change, the forms for what can be done with it."""
    team = selectors.counsellors(unit=request.unit)
    forms = {}
    if application.closed_on is None:
        forms["assign_form"] = bound.get("assign_form") or AssignForm(
            team=team, wanted=application.wanted_competence, initial={"counsellor": application.assigned_to_id}
        )
        if application.case.started_on is None:
            forms["withdraw_form"] = bound.get("withdraw_form") or WithdrawForm()
    if application.is_waiting:
        forms["offer_form"] = bound.get("offer_form") or OfferForm()
        if request.unit_role in CHIEF_ONLY:
            receivers = selectors.hand_over_receivers(unit=request.unit)
            forms["hand_over_form"] = bound.get("hand_over_form") or HandOverForm(receivers=receivers)
            providers = selectors.external_providers(unit=request.unit, active_only=True)
            if providers.exists():
                forms["external_form"] = bound.get("external_form") or ExternalHandOverForm(providers=providers)
    status = 400 if bound else 200
    return render(request, "intake/application_detail.html", {"application": application, **forms}, status=status)


def _application(request, pk):
    return access_object(request.unit, Application, pk)


@unit_roles(*MEMBER_ROLES)
def application_detail(request, unit_slug, pk):
    return _detail(request, _application(request, pk))


def _act(request, application, form_name, form, action):
    """Validate the form, run the service, or show the page again with the errors."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("intake:queue", unit_slug=request.unit.slug)
    return _detail(request, application, **{form_name: form})


@require_POST
@unit_roles(*MEMBER_ROLES)
def application_offer(request, unit_slug, pk):
    application = _application(request, pk)

    def offer(data):
        services.application_offer(application=application, offered_on=data["offered_on"], acting_user=request.user)
        messages.success(request, _("Offer recorded for %(code)s.") % {"code": application.case.code})

    return _act(request, application, "offer_form", OfferForm(request.POST), offer)


@require_POST
@unit_roles(*MEMBER_ROLES)
def application_assign(request, unit_slug, pk):
    application = _application(request, pk)
    team = selectors.counsellors(unit=request.unit)
    form = AssignForm(request.POST, team=team, wanted=application.wanted_competence)

    def assign(data):
        counsellor = next(member for member in team if member.user_id == data["counsellor"])
        services.application_assign(application=application, counsellor_id=counsellor.user_id,
                                    acting_user=request.user)
        messages.success(request, _("%(code)s assigned to %(name)s.") % {
            "code": application.case.code, "name": counsellor.name})

    return _act(request, application, "assign_form", form, assign)


@require_POST
@unit_roles(*MEMBER_ROLES)
def application_withdraw(request, unit_slug, pk):
    application = _application(request, pk)

    def withdraw(data):
        services.application_withdraw(application=application, outcome=data["outcome"],
                                      closed_on=data["closed_on"], acting_user=request.user)
        messages.success(request, _("%(code)s closed.") % {"code": application.case.code})

    return _act(request, application, "withdraw_form", WithdrawForm(request.POST), withdraw)


@require_POST
@unit_roles(*CHIEF_ONLY)
def application_hand_over(request, unit_slug, pk):
    application = _application(request, pk)
    form = HandOverForm(request.POST, receivers=selectors.hand_over_receivers(unit=request.unit))

    def hand_over(data):
        services.application_hand_over(application=application, receiver=data["receiver"],
                                       handed_over_on=data["handed_over_on"], acting_user=request.user)
        messages.success(request, _("%(code)s handed over to %(unit)s.") % {
            "code": application.case.code, "unit": data["receiver"].name})

    return _act(request, application, "hand_over_form", form, hand_over)


@require_POST
@unit_roles(*CHIEF_ONLY)
def application_hand_over_external(request, unit_slug, pk):
    application = _application(request, pk)
    form = ExternalHandOverForm(request.POST, providers=selectors.external_providers(unit=request.unit,
                                                                                     active_only=True))

    def hand_over(data):
        services.application_hand_over_external(application=application, provider=data["provider"],
                                                handed_over_on=data["handed_over_on"], acting_user=request.user)
        messages.success(request, _("%(code)s handed over to %(unit)s.") % {
            "code": application.case.code, "unit": data["provider"].name})

    return _act(request, application, "external_form", form, hand_over)


@unit_roles(*CHIEF_ONLY)
def external_providers(request, unit_slug):
    form = ExternalProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.external_provider_save(unit=request.unit, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The provider is added."))
            return redirect("intake:external_providers", unit_slug=unit_slug)
    return render(request, "intake/external_providers.html", {
        "form": form, "providers": selectors.external_providers(unit=request.unit)})


@unit_roles(*CHIEF_ONLY)
def competences(request, unit_slug):
    team = selectors.counsellors(unit=request.unit)
    form = CompetencesForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # the whole team's tags, or none of them
            for member in team:
                wanted = form.cleaned_data[f"user_{member.user_id}"]
                if set(wanted) != set(member.competences):
                    services.counsellor_competences_set(unit=request.unit, counsellor_id=member.user_id,
                                                        competences=wanted, acting_user=request.user)
        messages.success(request, _("Competences saved."))
        return redirect("intake:competences", unit_slug=unit_slug)
    return render(request, "intake/competences.html", {"form": form})


def _month_table(unit, today):
    rows = selectors.queue_by_month(unit=unit, today=today)
    headers = [_("Month"), _("Received"), _("Offered a time"), _("Still waiting at month end")]
    table = [[row.month.strftime("%Y-%m"), row.received, row.offered, row.waiting_at_end] for row in rows]
    return rows, headers, table


@unit_roles(*MEMBER_ROLES)  # exact monthly counts: unit staff only (statistics suppress for others)
def queue_by_month(request, unit_slug):
    today = timezone.localdate()
    rows, headers, table = _month_table(request.unit, today)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return table_response(request, filename=f"queue-by-month-{request.unit.slug}-{today:%Y-%m}",
                              headers=headers, rows=table, fmt=fmt)
    labels = [row.month.strftime("%y-%m") for row in rows]
    chart = bar_chart(
        title=_("Applications per month, last 24 months"), labels=labels,
        series=[(_("Received"), [row.received for row in rows]), (_("Offered a time"), [row.offered for row in rows]),
                (_("Still waiting at month end"), [row.waiting_at_end for row in rows])],
    )
    municipalities = selectors.received_by_municipality(unit=request.unit, start=rows[0].month, end=today)
    return render(request, "intake/queue_by_month.html", {
        "headers": headers, "table": table, "chart": chart, "municipalities": municipalities,
        "first_month": rows[0].month,
    })


def _notice_context(request):
    duty = selectors.intake_settings(unit=request.unit)
    if duty is None or not duty.administration_name:
        raise Http404
    today = timezone.localdate()
    return {"unit": request.unit, "settings": duty, "today": today,
            "figures": selectors.long_waits(unit=request.unit, today=today),
            "subject": _("Long waiting times at %(unit)s, %(day)s") % {"unit": request.unit.name, "day": today}}


@unit_roles(*CHIEF_ONLY)
def long_wait_notice(request, unit_slug):
    context = _notice_context(request)
    context["body"] = render_to_string("intake/long_wait_notice_email.txt", context)
    context["sent"] = selectors.long_wait_notices_sent(unit=request.unit)
    return render(request, "intake/long_wait_notice.html", context)


@require_POST
@unit_roles(*CHIEF_ONLY)
def long_wait_notice_send(request, unit_slug):
    context = _notice_context(request)
    try:
        notice = services.long_wait_notice_send(
            unit=request.unit, subject=context["subject"], figures=context["figures"], acting_user=request.user,
            body=render_to_string("intake/long_wait_notice_email.txt", context))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The notice was sent to %(recipients)s.") % {"recipients": notice.recipients})
    return redirect("intake:long_wait_notice", unit_slug=unit_slug)


@unit_roles(*CHIEF_ONLY)
def long_wait_notice_pdf(request, unit_slug):
    context = _notice_context(request)
    pdf = render_pdf(template="intake/long_wait_notice_pdf.html", context=context, language=request.unit.language)
    audit_log(user=request.user, unit=request.unit, action="download.pdf", object_type="long_wait_notice",
              object_id=context["today"].isoformat())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="long-wait-notice-{unit_slug}-{context["today"]}.pdf"'
    return response

