"""Every change to an application: one atomic, audited function each.

The outcome rule: offering a time ends the wait (waiting time is received → offered) and
sets the outcome to *started* — the case is open from then on, and the session log marks
`case.started_on` at the first held session. While no session has been held, an application
may still be withdrawn or referred elsewhere (an offer declined, a no-show); that closes the
application and its case. A waiting application may be handed over to another provider.
"""

import datetime
from smtplib import SMTPException

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from sessions.models import Case
from units.models import Membership, Unit
from units.services import audit_changes, audit_log

from .models import (
    CHILD_BAND_FIELDS,
    Application,
    CaseCodeSequence,
    CounsellorCompetence,
    ExceptionReason,
    ExternalProvider,
    IntakeSettings,
    LongWaitNotice,
    Outcome,
)
from .rules import case_code, parse_case_code, youngest_band
from .selectors import agreement_municipalities, hand_over_receivers

# What a hand-over carries to the receiving unit: the anonymous categories, flags, dates and
# codes, never the sender's handling of it (assignment, offers) and never free text.
CARRIED_FIELDS = [
    "received_on", "channel", "contact_path", "acute", "pregnancy", "small_children", "high_conflict", "violence",
    "age_band", "partner_age_band", "relationship_type", "relationship_length", "children_count",
    "youngest_child_age_band", "wanted_competence", "note_codes", "adults", "children_affected", "initiated_by",
    *CHILD_BAND_FIELDS.values(),
]  # not note or exception_reason: free text stays with the unit that wrote it


def case_code_next(*, unit: Unit, year: int) -> str:
    """The unit's next free case code for `year`. Call inside a transaction: the sequence row
    stays locked until it commits, so a concurrent registration waits for the next number."""
    locked = CaseCodeSequence.objects.select_for_update()
    sequence = locked.filter(unit=unit, year=year).first()
    if sequence is None:
        # INSERT … ON CONFLICT DO NOTHING: two first registrations of a year both find one row.
        CaseCodeSequence.objects.bulk_create([CaseCodeSequence(unit=unit, year=year)], ignore_conflicts=True)
        sequence = locked.get(unit=unit, year=year)
    number = sequence.last_number + 1
    # Codes written by an import or by hand may already hold a number: skip them.
    while Case.objects.filter(unit=unit, code=case_code(year, number)).exists():
        number += 1
    sequence.last_number = number
    sequence.save(update_fields=["last_number"])
    return case_code(year, number)


def case_code_sequences_raise(*, unit: Unit, codes: list[str]) -> None:
    """After codes were written in bulk (import, demo), let the sequences continue above them."""
    highest: dict[int, int] = {}
    for code in codes:
        parsed = parse_case_code(code)
        if parsed:
            year, number = parsed
            highest[year] = max(number, highest.get(year, 0))
    for year, number in highest.items():
        CaseCodeSequence.objects.bulk_create([CaseCodeSequence(unit=unit, year=year)], ignore_conflicts=True)
        CaseCodeSequence.objects.filter(unit=unit, year=year, last_number__lt=number).update(last_number=number)


@transaction.atomic
def application_register(*, unit: Unit, acting_user, **fields) -> Application:
    """Register an application and open its case under the unit's next code. `fields` are
    Application fields (received_on, channel, municipality, exception_reason, flags, categories…)."""
    return _application_create(unit=unit, acting_user=acting_user, action="application.register", fields=fields)


def _application_create(*, unit: Unit, acting_user, action: str, fields: dict) -> Application:
    application = Application(unit=unit, **fields)
    if not application.youngest_child_age_band:
        application.youngest_child_age_band = youngest_band(application.children_by_band)
    # Validate everything but the case first, so a bad form never uses up a code number.
    application.full_clean(exclude=["case"])
    municipality = application.municipality
    if municipality is not None and municipality not in agreement_municipalities(
        unit=unit, day=application.received_on
    ):
        raise ValidationError({"municipality": _("The unit has no agreement with this municipality.")})
    case = Case(unit=unit, code=case_code_next(unit=unit, year=application.received_on.year),
                opened_on=application.received_on)
    case.full_clean()
    case.save()
    application.case = case
    application.save()
    audit_log(user=acting_user, unit=unit, action=action, obj=application)
    return application


def _close_transferred(application: Application, *, handed_over_on: datetime.date, **receiver) -> None:
    """Close the application and its case as handed over to `receiver` (the one field naming it)."""
    for name, value in receiver.items():
        setattr(application, name, value)
    application.outcome = Outcome.TRANSFERRED
    application.closed_on = handed_over_on
    application.full_clean()
    application.save(update_fields=[*receiver, "outcome", "closed_on"])
    case = application.case
    case.closed_on = handed_over_on
    case.full_clean()
    case.save(update_fields=["closed_on"])


def _require_waiting(application: Application) -> None:
    if not application.is_waiting:
        raise ValidationError(_("This application is no longer waiting."))


def _require_on_or_before_today(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


@transaction.atomic
def application_offer(*, application: Application, offered_on: datetime.date, acting_user) -> Application:
    """Record the day a visit time was offered: the wait ends and the case starts."""
    application = Application.objects.select_for_update().get(pk=application.pk, unit=application.unit)
    _require_waiting(application)
    _require_on_or_before_today(offered_on, "offered_on")
    application.offered_on = offered_on
    application.outcome = Outcome.STARTED
    application.full_clean()
    application.save(update_fields=["offered_on", "outcome"])
    audit_log(user=acting_user, unit=application.unit, action="application.offer", obj=application)
    return application


@transaction.atomic
def application_assign(*, application: Application, counsellor_id: int, acting_user) -> Application:
    """Assign a waiting or started application to one of the unit's counsellors."""
    application = Application.objects.select_for_update().get(pk=application.pk, unit=application.unit)
    if application.closed_on is not None:
        raise ValidationError(_("This application is closed."))
    if not Membership.objects.filter(unit=application.unit, user_id=counsellor_id).exists():
        raise ValidationError({"counsellor": _("Choose a counsellor of this unit.")})
    application.assigned_to_id = counsellor_id
    application.full_clean()
    application.save(update_fields=["assigned_to"])
    audit_log(user=acting_user, unit=application.unit, action="application.assign", obj=application)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, outcome: str, closed_on: datetime.date,
                         acting_user) -> Application:
    """Withdrawn by the applicant, or referred elsewhere: closes the application and its case,
    as long as no session has been held."""
    if outcome not in (Outcome.WITHDRAWN, Outcome.REFERRED):
        raise ValidationError({"outcome": _("Choose withdrawn or referred elsewhere.")})
    application = Application.objects.select_for_update(of=("self",)).select_related("case").get(
        pk=application.pk, unit=application.unit
    )
    if application.closed_on is not None:
        raise ValidationError(_("This application is closed."))
    if application.case.started_on is not None:
        raise ValidationError(_("A session has been held in this case; close the case instead."))
    _require_on_or_before_today(closed_on, "closed_on")
    application.outcome = outcome
    application.closed_on = closed_on
    application.full_clean()
    application.save(update_fields=["outcome", "closed_on"])
    case = application.case
    case.closed_on = closed_on
    case.full_clean()
    case.save(update_fields=["closed_on"])
    audit_log(user=acting_user, unit=application.unit, action=f"application.{outcome}", obj=application)
    return application


@transaction.atomic
def application_hand_over(*, application: Application, receiver: Unit, handed_over_on: datetime.date,
                          acting_user) -> Application:
    """Hand a waiting application to another provider. The receiver gets a new application
    under its own next code with the same anonymous categories and the original received
    date; the sender keeps that it was handed over, to whom and when — nothing more."""
    sender = application.unit
    application = Application.objects.select_for_update(of=("self",)).select_related("case", "municipality").get(
        pk=application.pk, unit=sender
    )
    _require_waiting(application)
    if not hand_over_receivers(unit=sender).filter(pk=receiver.pk).exists():
        raise ValidationError({"receiver": _("Applications cannot be handed over to this unit.")})
    _require_on_or_before_today(handed_over_on, "handed_over_on")
    carried = {name: getattr(application, name) for name in CARRIED_FIELDS}

    _close_transferred(application, handed_over_on=handed_over_on, handed_over_to=receiver)
    audit_log(user=acting_user, unit=sender, action="application.hand_over", obj=application)

    with scope(unit=receiver):
        served = application.municipality in agreement_municipalities(unit=receiver, day=application.received_on)
        if served:
            residence = {"municipality": application.municipality}
        else:
            # received_from names the sender; the sender's own reason code, if any, still holds.
            residence = {"municipality": None,
                         "exception_code": application.exception_code or ExceptionReason.HANDED_OVER}
        _application_create(unit=receiver, acting_user=acting_user, action="application.receive",
                            fields={"received_from": sender, **residence, **carried})
    return application


@transaction.atomic
def counsellor_competences_set(*, unit: Unit, counsellor_id: int, competences: list[str], acting_user) -> None:
    """Replace a counsellor's competence tags."""
    if not Membership.objects.filter(unit=unit, user_id=counsellor_id).exists():
        raise ValidationError(_("Choose a counsellor of this unit."))
    wanted = set(competences)
    tags = CounsellorCompetence.objects.filter(unit=unit, user_id=counsellor_id)
    tags.exclude(competence__in=wanted).delete()
    existing = set(tags.values_list("competence", flat=True))
    for competence in sorted(wanted - existing):
        tag = CounsellorCompetence(unit=unit, user_id=counsellor_id, competence=competence)
        tag.full_clean()
        tag.save()
    audit_log(user=acting_user, unit=unit, action="counsellor_competence.set", object_type="auth.user",
              object_id=str(counsellor_id))


@transaction.atomic
def intake_settings_change(*, unit: Unit, values: dict, acting_user) -> list[str]:
    """The long-wait notice settings of the unit's settings page; the names that changed."""
    settings = IntakeSettings.objects.select_for_update().filter(unit=unit).first() or IntakeSettings(unit=unit)
    changed = [name for name, value in values.items() if getattr(settings, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(settings, name, values[name])
    settings.full_clean()
    settings.save()
    audit_changes(user=acting_user, unit=unit, action="intake.settings_change", obj=settings, fields=changed)
    return changed


def long_wait_notice_send(*, unit: Unit, subject: str, body: str, figures, acting_user) -> LongWaitNotice:
    """Send the long-wait notice to the administration's addresses (IntakeSettings.recipients)
    through Django's mail backend, then record it as sent; a failed send records nothing."""
    duty = IntakeSettings.objects.filter(unit=unit).first()
    recipients = duty.recipients if duty else []
    if not recipients:
        raise ValidationError(_("No e-mail address for the administration: add one in the unit's settings."))
    try:
        send_mail(subject, body, None, recipients)
    except (OSError, SMTPException) as error:
        raise ValidationError(_("The notice could not be sent: %(error)s") % {"error": error}) from error
    notice = LongWaitNotice(unit=unit, sent_by=acting_user, recipients=", ".join(recipients),
                            waiting=figures.waiting, over_limit=figures.over_limit,
                            longest_days=figures.longest_days)
    notice.full_clean()
    notice.save()
    audit_log(user=acting_user, unit=unit, action="intake.long_wait_notice_send", obj=notice)
    return notice


@transaction.atomic
def external_provider_save(*, unit: Unit, acting_user, provider: ExternalProvider | None = None, name: str,
                           competences: list[str], active: bool = True) -> ExternalProvider:
    """Add or change a provider outside the system in the unit's register."""
    provider = provider or ExternalProvider(unit=unit)
    provider.name, provider.competences, provider.active = name.strip(), ",".join(competences), active
    provider.full_clean()
    provider.save()
    audit_log(user=acting_user, unit=unit, action="intake.external_provider_save", obj=provider)
    return provider


@transaction.atomic
def application_hand_over_external(*, application: Application, provider: ExternalProvider,
                                   handed_over_on: datetime.date, acting_user) -> Application:
    """Hand a waiting application to a provider outside the system: it closes as transferred,
    with the provider named (nothing is sent anywhere; the provider is told outside the app)."""
    unit = application.unit
    application = Application.objects.select_for_update(of=("self",)).select_related("case").get(
        pk=application.pk, unit=unit)
    _require_waiting(application)
    if provider.unit_id != unit.pk or not provider.active:
        raise ValidationError({"provider": _("Choose a provider from the unit's register.")})
    _require_on_or_before_today(handed_over_on, "handed_over_on")
    _close_transferred(application, handed_over_on=handed_over_on, handed_over_external=provider)
    audit_log(user=acting_user, unit=unit, action="application.hand_over_external", obj=application)
    return application
