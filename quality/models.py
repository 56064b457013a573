"""Quality records the yearly report prints: the anonymous user survey (brukarenkät),
outreach work, staff competence and training, lex Sarah reports, complaints, incidents,
concern reports about children, and the staff time København's concept links to a unit.

Sources: 000_610e279258caecb4.txt §3.3 and §7, 001_12d4c227923da397.txt (Uppföljning),
002_93c1598fd6f3fa34.txt §2.6 and §4, 004_4991f6e8c25cfe0a.txt (the concept's table).
"""

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from units.labels import ChoiceLabels
from units.models import Unit
from units.pii import reject_identity_numbers

SCALE_MIN, SCALE_MAX = 1, 5
POSITIVE_HOURS = [MinValueValidator(Decimal("0.25"))]


class QualitySettings(models.Model):
    """What a unit's contract or own routine asks of its staff; set by platform administrators."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="+")
    introduction_supervision_hours = models.DecimalField(
        _("introduction supervision for new staff (hours)"), max_digits=5, decimal_places=1, null=True, blank=True,
        help_text=_("000_610e279258caecb4.txt §3.3: “Nyanställda familjerådgivare får 60 timmars "
                    "introduktionshandledning av en erfaren kollega.”"),
    )
    requires_authorised_counsellor = models.BooleanField(
        _("requires an authorised family counsellor or licensed psychotherapist"), default=False,
        help_text=_("002_93c1598fd6f3fa34.txt §2.6: “minst en personal som är auktoriserad familjerådgivare "
                    "och/eller legitimerad psykoterapeut”."),
    )

    objects = ScopedManager(unit="unit")

    class Meta:
        verbose_name = _("quality settings")
        verbose_name_plural = _("quality settings")

    def __str__(self):
        return str(self.unit)


# --- User survey (brukarenkät) --------------------------------------------------------


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale 1–5")
        TEXT = "text", _("Free text (answers seen only by the chief, never exported)")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("question"), max_length=300, validators=[reject_identity_numbers])
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.SCALE)
    retired = models.BooleanField(
        _("retired"), default=False, help_text=_("No longer asked; earlier answers stay in the results.")
    )

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(kind="text", retired=False),
                                    name="survey_one_free_text_question"),
        ]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self):
        return self.text


def new_public_token() -> str:
    # 72 random bits, URL-safe: unguessable, yet short enough for a sparse QR code.
    return secrets.token_urlsafe(9)


class SurveyRound(models.Model):
    """A period during which the unit hands out the survey. The public link carries the
    round's token: it names the unit and the round, never the person answering."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=100, validators=[reject_identity_numbers])
    token = models.CharField(max_length=24, unique=True, default=new_public_token, editable=False)
    is_open = models.BooleanField(_("open for answers"), default=True)
    created_on = models.DateField(_("created"))

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-created_on", "-pk"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")

    def __str__(self):
        return self.title


class SurveyResponse(models.Model):
    """One anonymous submission of the form. It holds the round and the day only — no user,
    address, session or time of day — and a random id, so that not even the order in which
    answers arrived can be read back and matched with who was in the waiting room."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="responses")
    answered_on = models.DateField(_("answered"))

    objects = ScopedManager(unit="unit")

    class Meta:
        indexes = [models.Index(fields=["unit", "answered_on"])]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self):
        return f"{self.round} {self.answered_on}"


class SurveyAnswer(models.Model):
    """The answer to one question in one response: a score 1–5 or a free text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)]
    )
    # A TextField's max_length binds only the form; the validator binds the model too.
    text = models.TextField(_("answer"), max_length=2000, blank=True,
                            validators=[reject_identity_numbers, MaxLengthValidator(2000)])

    objects = ScopedManager(unit="unit")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_one_answer_per_question"),
            models.CheckConstraint(
                condition=(Q(score__isnull=True) & ~Q(text=""))
                | (Q(score__gte=SCALE_MIN, score__lte=SCALE_MAX) & Q(text="")),
                name="survey_answer_score_or_text",
            ),
        ]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self):
        return str(self.score) if self.score is not None else self.text[:40]


class SurveySubmission(models.Model):
    """The one-time token of a form that has been sent, so a double click stores one answer.
    Kept apart from the response on purpose: the token also sits in the respondent's
    browser, and stored on the response it would tie that device to the answers."""

    token = models.UUIDField(primary_key=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(unit="unit")

    class Meta:
        verbose_name = _("survey submission token")
        verbose_name_plural = _("survey submission tokens")

    def __str__(self):
        return str(self.token)


# --- Outreach (utåtriktat arbete) -----------------------------------------------------


class OutreachKind(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    PARENT_GROUP = "parent_group", _("Parent group")
    CONSULTATION = "consultation", _("Consultation or supervision of other professionals")
    FAMILY_CENTRE = "family_centre", _("Family centre (familjecentral)")
    NETWORK_MEETING = "network_meeting", _("Network meeting")
    DAYCARE_VISIT = "daycare_visit", _("Day-care institution visited or invited")
    THEME_EVENT = "theme_event", _("Theme event for professionals")
    VOLUNTEER_MEETING = "volunteer_meeting", _("Meeting with the volunteer activities")
    CROSS_CITY_MEETING = "cross_city_meeting", _("Cross-city meeting of the counselling units")
    FOLLOW_GROUP_MEETING = "follow_group_meeting", _("Meeting with the follow group")
    # 004_4991f6e8c25cfe0a.txt, "Samarbejde lokalt - professionelle": the cooperation the concept asks for.
    HEALTH_VISITORS = "health_visitors", _("Cooperation with the health visitors (sundhedsplejen)")
    HOUSING_SOCIAL_WORKERS = ("housing_social_workers",
                              _("Cooperation with housing social workers (boligsociale medarbejdere)"))
    SOCIAL_CENTRE = "social_centre", _("Cooperation with Socialcenter København")
    OPEN_HOUSE = "open_house", _("Open house")
    # 003_eba17951e60b4a73.txt: "Genomförda samverkansforum/öppet hus".
    COOPERATION_FORUM = "cooperation_forum", _("Cooperation forum (samverkansforum)")


class OutreachActivity(ChoiceLabels, models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=25, choices=OutreachKind.choices)
    audience = models.PositiveIntegerField(_("audience (people reached)"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, validators=POSITIVE_HOURS)
    note = models.CharField(
        _("topic or place"), max_length=300, blank=True, validators=[reject_identity_numbers],
        help_text=_("For example the subject of a lecture or the family centre visited — never a client."),
    )
    counsellors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("staff"), related_name="+",
                                         blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="outreach_hours_positive")]
        indexes = [models.Index(fields=["unit", "date"])]
        verbose_name = _("outreach activity")
        verbose_name_plural = _("outreach activities")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


# --- Staff competence and training ----------------------------------------------------


class Qualification(models.TextChoices):
    SOCIAL_WORK = "social_work", _("Social work degree (socionom / socialrådgiver)")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    SOCIAL_PEDAGOGUE = "social_pedagogue", _("Social pedagogue")
    BEHAVIOURAL_SCIENCE = "behavioural_science", _("Behavioural scientist")
    AUTHORISED_COUNSELLOR = "authorised_counsellor", _("Authorised family counsellor (KFR)")
    LICENSED_PSYCHOTHERAPIST = "licensed_psychotherapist", _("Licensed psychotherapist")
    PSYCHOTHERAPY_BASIC = "psychotherapy_basic", _("Basic psychotherapy training (step 1)")
    FAMILY_THERAPY = "family_therapy", _("Family therapy")
    SEXOLOGY = "sexology", _("Sexology")
    SUPERVISION_TRAINING = "supervision_training", _("Supervision training")
    VIOLENCE = "violence", _("Violence in close relationships")


# 002_93c1598fd6f3fa34.txt §2.6: "auktoriserad familjerådgivare och/eller legitimerad psykoterapeut".
CONTRACT_COMPETENCE = (Qualification.AUTHORISED_COUNSELLOR, Qualification.LICENSED_PSYCHOTHERAPIST)


class StaffQualification(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    qualification = models.CharField(_("qualification"), max_length=30, choices=Qualification.choices)

    objects = ScopedManager(unit="unit")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "user", "qualification"],
                                               name="staff_qualification_once")]
        verbose_name = _("staff qualification")
        verbose_name_plural = _("staff qualifications")

    def __str__(self):
        return f"{self.user} {self.get_qualification_display()}"


class TrainingRecord(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Training and competence development")
        SUPERVISION = "supervision", _("Supervision (handledning)")
        INTRODUCTION = "introduction", _("Introduction supervision for new staff")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("course or subject"), max_length=200, blank=True, validators=[reject_identity_numbers])
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, validators=POSITIVE_HOURS)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive")]
        indexes = [models.Index(fields=["unit", "date"])]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.hours} h"

    def clean(self):
        if self.kind == self.Kind.TRAINING and not self.title.strip():
            raise ValidationError({"title": _("Name the course or the subject of the training.")})


# --- Lex Sarah, complaints and suggestions, incidents, concern reports ----------------


class QualityEvent(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        LEX_SARAH = "lex_sarah", _("Lex Sarah report")
        COMPLAINT = "complaint", _("Complaint")
        SUGGESTION = "suggestion", _("Suggestion")
        INCIDENT = "incident", _("Incident (tillbud)")
        CONCERN_REPORT = "concern_report", _("Concern report about a child (orosanmälan)")

    class Status(models.TextChoices):
        OPEN = "open", _("Being handled")
        CLOSED = "closed", _("Closed")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    date = models.DateField(_("date"))
    description = models.TextField(
        _("short description"), max_length=1000, blank=True,
        validators=[reject_identity_numbers, MaxLengthValidator(1000)],
        help_text=_("What happened, without names, identity numbers or other personal data."),
    )
    measures = models.TextField(_("measures taken"), max_length=1000, blank=True,
                                validators=[reject_identity_numbers, MaxLengthValidator(1000)])
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN)
    reported_to_ivo_on = models.DateField(_("reported to IVO"), null=True, blank=True)
    reported_to_administration_on = models.DateField(_("reported to the administration"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["unit", "date"])]
        verbose_name = _("quality event")
        verbose_name_plural = _("quality events")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    def clean(self):
        if self.kind == self.Kind.CONCERN_REPORT:
            # The report itself is made in the social services' own system; here it is only counted.
            if self.description or self.measures or self.reported_to_ivo_on or self.reported_to_administration_on:
                raise ValidationError(_("A concern report is only counted here: record its date and nothing else."))
        elif not self.description.strip():
            raise ValidationError({"description": _("Describe briefly what happened.")})


DESCRIBED_EVENT_KINDS = [kind for kind in QualityEvent.Kind.values if kind != QualityEvent.Kind.CONCERN_REPORT]


# --- København: staff linked from the børnefamilieenhed --------------------------------


class LinkedStaffTime(ChoiceLabels, models.Model):
    """004_4991f6e8c25cfe0a.txt: “Der skal tilknyttes personale fra Børnefamilieenheden
    minimum 6 timer om ugen (som kan omfatte familiekonsulenter, sagsbehandlere,
    familiebehandlere mv.)”."""

    class Role(models.TextChoices):
        FAMILY_CONSULTANT = "family_consultant", _("Family consultant")
        CASE_WORKER = "case_worker", _("Case worker")
        FAMILY_THERAPIST = "family_therapist", _("Family therapist")
        OTHER = "other", _("Other staff")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=1,
                                         validators=POSITIVE_HOURS)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours_per_week__gt=0), name="linked_staff_hours_positive"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="linked_staff_dates_in_order"),
        ]
        verbose_name = _("linked staff time")
        verbose_name_plural = _("linked staff time")

    def __str__(self):
        return f"{self.get_role_display()} {self.hours_per_week} h/week"

    def clean(self):
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date comes before the start date.")})


class DropInWeek(models.Model):
    """The drop-in hours a unit actually held in one week (004_4991f6e8c25cfe0a.txt: "6 timers
    åbningstid om ugen, hvor det er muligt for borgerne at komme ind fra gaden uden forudgående
    aftale"), where it differs from the drop-in hours of its settings — a holiday closed, an extra
    evening. A week without a record held what the settings (and so the calendar) say."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("week (its Monday)"))
    hours = models.DecimalField(_("drop-in hours held"), max_digits=4, decimal_places=2,
                                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(80))])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "week"], name="drop_in_week_once"),
            models.CheckConstraint(condition=Q(hours__gte=0) & Q(hours__lte=80), name="drop_in_week_hours_range"),
        ]
        verbose_name = _("drop-in week")
        verbose_name_plural = _("drop-in weeks")

    def __str__(self):
        return f"{self.week} {self.hours}"
