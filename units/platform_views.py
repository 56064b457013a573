"""Pages of the platform administrator (a superuser) outside every unit: `/platform/…`.
Anyone else gets 404, as for a page that does not exist."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import render

from . import onboarding
from .platform_forms import NewUnitForm


def platform_administrator(view):
    @wraps(view)
    def check(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return check


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


ORGANISATION_FIELDS = {"slug": "new_organisation_slug", "name": "new_organisation_name",
                       "municipality_name": "new_organisation_municipality"}


def _renamed(error: ValidationError, names: dict) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(field, field): messages for field, messages in error.error_dict.items()})


def _create(values: dict, *, request):
    """The organisation (when new) and the unit, both or neither."""
    with transaction.atomic():
        organisation = values["organisation"]
        if organisation is None:
            try:
                organisation = onboarding.organisation_create(
                    slug=values["new_organisation_slug"], name=values["new_organisation_name"],
                    municipality_name=values["new_organisation_municipality"], country=values["country"],
                    acting_user=request.user)
            except ValidationError as error:
                raise _renamed(error, ORGANISATION_FIELDS) from error
        return onboarding.unit_create(
            organisation=organisation, slug=values["slug"], name=values["name"], kind=values["kind"],
            country=values["country"], language=values["language"], record_mode=values["record_mode"],
            period_kind=values["period_kind"], chief_email=values["chief_email"],
            acting_user=request.user, request=request)


@platform_administrator
def unit_new(request):
    """A new unit in minutes: organisation, kind, country and language, record mode, period kind,
    and the first chief invited; everything else starts as the kind's defaults."""
    form = NewUnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit, invitation = _create(form.cleaned_data, request=request)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return render(request, "units/platform_unit_created.html", {"new_unit": unit, "invitation": invitation})
    return render(request, "units/platform_unit_new.html", {"form": form})
