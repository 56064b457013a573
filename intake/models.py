"""Applications (ansökningar) and the queue. Anonymous categories only: no name,
identity number, address or free text about a person."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from sessions.models import Case
from units.labels import ChoiceLabels
from units.models import Municipality, Unit
from units.pii import guard_fields, reject_identity_numbers


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web")
    WALK_IN = "walk_in", _("Walk-in")
    REFERRAL = "referral", _("Referral")


class ContactPath(models.TextChoices):
    SELF = "self", _("Self / web")
    FAMILY_CENTRE = "family_centre", _("Familjecentral")
    CHILD_HEALTH = "child_health", _("BVC / MVC")
    HEALTH_CARE = "health_care", _("Health care")
    SOCIAL_SERVICES = "social_services", _("Social services")
    SCHOOL = "school", _("School")
    FRIEND = "friend", _("Friend or relative")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    UNDER_25 = "-24", _("under 25")
    AGE_25_34 = "25-34", "25–34"
    AGE_35_44 = "35-44", "35–44"
    AGE_45_54 = "45-54", "45–54"
    AGE_55_64 = "55-64", "55–64"
    AGE_65_PLUS = "65-", _("65 and over")


class RelationshipType(models.TextChoices):
    MARRIED = "married", _("Married")
    COHABITING = "cohabiting", _("Cohabiting")
    LIVING_APART = "living_apart", _("Couple living apart")
    SEPARATED = "separated", _("Separated / divorced")
    OTHER = "other", _("Other")


class RelationshipLength(models.TextChoices):
    UNDER_2 = "0-1", _("under 2 years")
    YEARS_2_5 = "2-5", _("2–5 years")
    YEARS_6_10 = "6-10", _("6–10 years")
    YEARS_11_20 = "11-20", _("11–20 years")
    OVER_20 = "21-", _("over 20 years")


class ChildAgeBand(models.TextChoices):
    UNBORN = "unborn", _("Expected")
    AGE_0_2 = "0-2", _("0–2 years")
    AGE_3_6 = "3-6", _("3–6 years")
    AGE_7_12 = "7-12", _("7–12 years")
    AGE_13_17 = "13-17", _("13–17 years")
    ADULT = "18-", _("18 and over")


class Competence(models.TextChoices):
    VIOLENCE = "violence", _("Violence")
    SEXOLOGY = "sexology", _("Sexology")
    HBTQ = "hbtq", _("HBTQ")
    DISABILITY = "disability", _("Disability")
    LANGUAGE = "language", _("Language")


class Outcome(models.TextChoices):
    STARTED = "started", _("Started")
    TRANSFERRED = "transferred", _("Handed over to another provider")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFERRED = "referred", _("Referred elsewhere")
    LAPSED = "lapsed", _("Ended: no contact for the retention period")


class NoteCode(models.TextChoices):
    """The practical note of an anonymous unit: what the unit needs to know to offer a time,
    never who the applicant is (002_93c1598fd6f3fa34.txt: "mottagning under kvällstid",
    "anpassning för fysiska funktionsnedsättningar"; 004_4991f6e8c25cfe0a.txt: "i hjemmet")."""

    EVENING = "evening", _("Evening times wanted")
    INTERPRETER = "interpreter", _("Interpreter needed")
    ACCESSIBILITY = "accessibility", _("Accessible premises needed")
    HOME_VISIT = "home_visit", _("Home visit wanted")
    REMOTE = "remote", _("Phone or video talks wanted")
    SEPARATE = "separate", _("Separate appointments for each partner")
    NO_PHONE = "no_phone", _("Do not phone: the applicant gets in touch")


class ExceptionReason(models.TextChoices):
    """Why a resident of a municipality without an agreement is taken (002_93c1598fd6f3fa34.txt:
    exceptions only by agreement with the administration, and recorded as such)."""

    MOVED = "moved", _("Moved within the period")
    SAFETY = "safety", _("Protected address or safety reasons")
    HANDED_OVER = "handed_over", _("Handed over by another provider")
    AGREED = "agreed", _("Other exception agreed with the administration")


class InitiatedBy(models.TextChoices):
    """Who took the contact, as the national survey asks (Socialstyrelsen 2003–2017, MFoF since 2018)."""

    CLIENTS = "clients", _("The clients themselves")
    REFERRAL = "referral", _("Referred by someone else")


PRIORITY_FLAGS = ("acute", "pregnancy", "small_children", "high_conflict", "violence")
# The priority groups after acute crisis (000_610e279258caecb4.txt: "För par i akut kris som är
# gravida, har små barn eller för par med hög konfliktnivå kommer väntetiden … att anpassas").
PRIORITY_GROUPS = ("pregnancy", "small_children", "high_conflict", "violence")
# 000_610e279258caecb4.txt: "antal barn i familjen och deras ålder" — the number of children in
# each age band, every child, not only the youngest. Expected children are not in children_count.
CHILD_BAND_FIELDS = {
    ChildAgeBand.UNBORN: "children_unborn",
    ChildAgeBand.AGE_0_2: "children_0_2",
    ChildAgeBand.AGE_3_6: "children_3_6",
    ChildAgeBand.AGE_7_12: "children_7_12",
    ChildAgeBand.AGE_13_17: "children_13_17",
    ChildAgeBand.ADULT: "children_18_plus",
}


class QueueOrder(models.TextChoices):
    ACUTE_THEN_WAIT = "acute_wait", _("Acute first, then the longest wait")
    PRIORITY_THEN_WAIT = "priority_wait", _(
        "Acute first, then pregnancy, small children, high conflict or violence, then the longest wait")


def validate_note_codes(value: str) -> None:
    """`note_codes` holds practical codes separated by commas, each once."""
    codes = value.split(",") if value else []
    if any(code not in NoteCode.values for code in codes) or len(set(codes)) != len(codes):
        raise ValidationError(_("Choose practical notes from the list."), code="note_codes")


def validate_competence_codes(value: str) -> None:
    codes = value.split(",") if value else []
    if any(code not in Competence.values for code in codes) or len(set(codes)) != len(codes):
        raise ValidationError(_("Choose competences from the list."), code="competences")


class ExternalProvider(models.Model):
    """A provider of family counselling outside the system (002_93c1598fd6f3fa34.txt: "Leanlink
    fördelar sedan uppdragen mellan sig och annan utförare … matcha par/enskilda med
    familjerådgivarnas specialkompetens"): its name and competences; an organisation, never a person."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("provider"), max_length=200, validators=[reject_identity_numbers])
    competences = models.CharField(_("competences"), max_length=100, blank=True,
                                   validators=[validate_competence_codes])
    active = models.BooleanField(_("takes applications"), default=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="external_provider_name_per_unit")]
        verbose_name = _("external provider")
        verbose_name_plural = _("external providers")

    def __str__(self):
        return self.name

    def clean(self):
        guard_fields(self, ("name",))

    @property
    def competence_labels(self) -> list[str]:
        return [Competence(code).label for code in self.competences.split(",") if code in Competence.values]


class Application(ChoiceLabels, models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="application")
    received_on = models.DateField(_("received"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality of residence"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # db_default: rows written by raw SQL (bench/generate.py) need no value.
    exception_code = models.CharField(
        _("reason for the exception"), max_length=12, choices=ExceptionReason.choices, blank=True, default="",
        db_default="",
    )
    # Case-mode units only: anonymous units keep no free text about a person (DESIGN.md §2).
    exception_reason = models.CharField(
        _("details of the exception"), max_length=200, blank=True, validators=[reject_identity_numbers]
    )
    contact_path = models.CharField(_("contact path"), max_length=20, choices=ContactPath.choices, blank=True)
    # Priority flags (000_610e279258caecb4.txt: "gravida par, par med små barn, höggradig konflikt, våld").
    acute = models.BooleanField(_("acute crisis"), default=False)
    pregnancy = models.BooleanField(_("pregnancy"), default=False)
    small_children = models.BooleanField(_("small children"), default=False)
    high_conflict = models.BooleanField(_("high conflict"), default=False)
    violence = models.BooleanField(_("violence in the relationship"), default=False)
    # Anonymous categories; blank means "not stated".
    age_band = models.CharField(_("applicant's age"), max_length=6, choices=AgeBand.choices, blank=True)
    partner_age_band = models.CharField(_("partner's age"), max_length=6, choices=AgeBand.choices, blank=True)
    relationship_type = models.CharField(
        _("relationship type"), max_length=15, choices=RelationshipType.choices, blank=True
    )
    relationship_length = models.CharField(
        _("relationship length"), max_length=6, choices=RelationshipLength.choices, blank=True
    )
    children_count = models.PositiveSmallIntegerField(
        _("number of children"), null=True, blank=True, validators=[MaxValueValidator(20)]
    )
    youngest_child_age_band = models.CharField(
        _("youngest child's age"), max_length=6, choices=ChildAgeBand.choices, blank=True
    )
    # Children per age band (CHILD_BAND_FIELDS); empty means not stated.
    children_unborn = models.PositiveSmallIntegerField(
        _("children expected"), null=True, blank=True, validators=[MaxValueValidator(20)])
    children_0_2 = models.PositiveSmallIntegerField(
        _("children 0–2 years"), null=True, blank=True, validators=[MaxValueValidator(20)])
    children_3_6 = models.PositiveSmallIntegerField(
        _("children 3–6 years"), null=True, blank=True, validators=[MaxValueValidator(20)])
    children_7_12 = models.PositiveSmallIntegerField(
        _("children 7–12 years"), null=True, blank=True, validators=[MaxValueValidator(20)])
    children_13_17 = models.PositiveSmallIntegerField(
        _("children 13–17 years"), null=True, blank=True, validators=[MaxValueValidator(20)])
    children_18_plus = models.PositiveSmallIntegerField(
        _("children 18 and over"), null=True, blank=True, validators=[MaxValueValidator(20)])
    # The national survey's counts per case: numbers, never persons.
    adults = models.PositiveSmallIntegerField(
        _("adults (18 and over) in the case"), null=True, blank=True, validators=[MaxValueValidator(20)]
    )
    children_affected = models.PositiveSmallIntegerField(
        _("children under 18 affected"), null=True, blank=True, validators=[MaxValueValidator(20)],
        help_text=_("Children directly or indirectly affected, whether or not they take part."),
    )
    initiated_by = models.CharField(
        _("contact initiated by"), max_length=10, choices=InitiatedBy.choices, blank=True, default="", db_default="",
    )
    wanted_competence = models.CharField(
        _("wanted competence"), max_length=12, choices=Competence.choices, blank=True
    )
    handed_over_to = models.ForeignKey(
        Unit, verbose_name=_("handed over to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_external = models.ForeignKey(
        ExternalProvider, verbose_name=_("handed over to (outside the system)"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    # Set on the receiving unit's copy of a handed-over application; the sender keeps only handed_over_to.
    received_from = models.ForeignKey(
        Unit, verbose_name=_("handed over by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offered_on = models.DateField(_("time offered"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("counsellor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    note_codes = models.CharField(_("practical note"), max_length=200, blank=True, default="", db_default="",
                                  validators=[validate_note_codes])
    # Case-mode units only, as exception_reason.
    note = models.CharField(
        _("other practical note"), max_length=200, blank=True, validators=[reject_identity_numbers],
        help_text=_("For example 'can only come evenings'. Never a name or identity number."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["received_on"]
        indexes = [
            models.Index(fields=["unit", "received_on"], include=["municipality", "offered_on", "closed_on"],
                         name="application_unit_received"),
            models.Index(fields=["unit", "offered_on"], include=["received_on"], name="application_unit_offered"),
            # The queue: only the waiting applications, a small part of the table.
            models.Index(fields=["unit", "received_on"], name="application_waiting",
                         condition=models.Q(offered_on__isnull=True, closed_on__isnull=True)),
        ]
        constraints = [
            # A listed municipality of residence, or "other — by exception" with its reason.
            models.CheckConstraint(
                condition=models.Q(municipality__isnull=False, exception_code="", exception_reason="")
                | (models.Q(municipality__isnull=True)
                   & (~models.Q(exception_code="") | ~models.Q(exception_reason=""))),
                name="application_municipality_or_exception_code",
            ),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self):
        return self.case.code if self.case_id else "—"

    def clean(self):
        errors = {}
        if self.unit.is_anonymous:
            # A closed choice only: free text in an anonymous unit ends up describing the person.
            for name in ("note", "exception_reason"):
                if getattr(self, name):
                    errors[name] = _("An anonymous unit keeps no free text about a person: choose from the list.")
        if self.municipality_id is None and not self.exception_code:
            errors["exception_code"] = _("Choose the reason for the exception.")
        if self.municipality_id is not None and (self.exception_code or self.exception_reason):
            errors["exception_code"] = _("A reason is only recorded for residents of other municipalities.")
        bands = self.children_by_band
        born = sum(count for band, count in bands.items() if band != ChildAgeBand.UNBORN)
        if bands and self.children_count is not None and born != self.children_count:
            errors["children_count"] = _(
                "The children in the age bands (%(born)s, expected ones not counted) do not add up to the "
                "number of children.") % {"born": born}
        if self.received_on and self.received_on > timezone.localdate():
            errors["received_on"] = _("The received date cannot be in the future.")
        for name in ("offered_on", "closed_on"):
            value = getattr(self, name)
            if value and self.received_on and value < self.received_on:
                errors[name] = _("This date cannot be before the received date.")
        try:
            guard_fields(self, ("note", "exception_reason"))
        except ValidationError as error:
            errors = {**error.error_dict, **errors}
        if errors:
            raise ValidationError(errors)

    @property
    def note_labels(self) -> list[str]:
        return [NoteCode(code).label for code in self.note_codes.split(",") if code in NoteCode.values]

    @property
    def priority_labels(self) -> list[str]:
        return [self._meta.get_field(name).verbose_name for name in PRIORITY_FLAGS if getattr(self, name)]

    @property
    def children_by_band(self) -> dict[str, int]:
        """{age band: children} for the bands filled in (zero included)."""
        return {band: getattr(self, name) for band, name in CHILD_BAND_FIELDS.items()
                if getattr(self, name) is not None}

    @property
    def children_band_labels(self) -> list[str]:
        return [f"{ChildAgeBand(band).label}: {count}" for band, count in self.children_by_band.items() if count]

    @property
    def is_waiting(self) -> bool:
        return self.offered_on is None and self.closed_on is None


class CaseCodeSequence(models.Model):
    """The last number given to a case code of one unit and year (`P-2025-0142`). The row
    is locked while a number is taken, so two registrations at once never share a code."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    objects = ScopedManager(unit="unit")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="case_code_sequence_per_unit_year")]

    def __str__(self):
        return f"{self.unit_id}/{self.year}: {self.last_number}"


class CounsellorCompetence(models.Model):
    """A special competence of a counsellor, for matching applications (002_93c1598fd6f3fa34.txt:
    "matcha par/enskilda med familjerådgivarnas specialkompetens")."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    competence = models.CharField(_("competence"), max_length=12, choices=Competence.choices)

    objects = ScopedManager(unit="unit")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "user", "competence"], name="competence_once_per_counsellor"),
        ]
        verbose_name = _("counsellor competence")
        verbose_name_plural = _("counsellor competences")

    def __str__(self):
        return f"{self.user} {self.get_competence_display()}"


def email_list(value: str) -> list[str]:
    return [address.strip() for address in value.replace(";", ",").split(",") if address.strip()]


def validate_email_list(value: str) -> None:
    wrong = []
    for address in email_list(value):
        try:
            validate_email(address)
        except ValidationError:
            wrong.append(address)
    if wrong:
        raise ValidationError(_("Not an e-mail address: %(addresses)s") % {"addresses": ", ".join(wrong)})


class IntakeSettings(models.Model):
    """A unit whose contract says the administration must be told when long waits persist
    (002_93c1598fd6f3fa34.txt: "Om väntetider över 14 dagar uppstår under en längre tid ska
    Social- och omsorgsförvaltningen informeras") names that administration here."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="+")
    administration_name = models.CharField(
        _("administration to tell about long waits"), max_length=200, blank=True,
        validators=[reject_identity_numbers],
        help_text=_("Leave empty when the unit has no such duty."),
    )
    notice_after_days = models.PositiveSmallIntegerField(
        _("long waits persist after (days of the last 30)"), default=14,
        help_text=_("The chief's page asks for a notice when the longest wait exceeded the limit on this many "
                    "of the last 30 days."),
    )
    queue_order = models.CharField(
        _("queue order"), max_length=15, choices=QueueOrder.choices, default=QueueOrder.ACUTE_THEN_WAIT,
        db_default=QueueOrder.ACUTE_THEN_WAIT,
        help_text=_("How the waiting applications are listed on the queue page."))
    notice_recipients = models.CharField(
        _("send the long-wait notice to"), max_length=500, blank=True,
        validators=[validate_email_list],
        help_text=_("E-mail addresses of the administration, separated by commas."),
    )

    objects = ScopedManager(unit="unit")

    class Meta:
        verbose_name = _("intake settings")
        verbose_name_plural = _("intake settings")

    def __str__(self):
        return str(self.unit)

    def clean(self):
        guard_fields(self, ("administration_name",))

    @property
    def recipients(self) -> list[str]:
        return email_list(self.notice_recipients)


class LongWaitNotice(models.Model):
    """A long-wait notice the app sent to the administration (002_93c1598fd6f3fa34.txt: "Om
    väntetider över 14 dagar uppstår under en längre tid ska Social- och omsorgsförvaltningen
    informeras"): when, by whom, to which addresses, and the figures it gave."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recipients = models.CharField(_("sent to"), max_length=500, validators=[validate_email_list])
    waiting = models.PositiveIntegerField(_("waiting"))
    over_limit = models.PositiveIntegerField(_("waiting longer than the limit"))
    longest_days = models.PositiveIntegerField(_("longest wait (days)"), null=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("long-wait notice sent")
        verbose_name_plural = _("long-wait notices sent")

    def __str__(self):
        return f"{self.unit_id} {self.sent_at:%Y-%m-%d}"
