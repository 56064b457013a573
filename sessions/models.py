"""What counsellors log: cases (pseudonymous codes only), sessions and anonymous tallies."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from units.labels import ChoiceLabels
from units.models import JobStatus, Unit, VisitFee
from units.pii import guard_fields, reject_identity_numbers

# Letters, digits and dashes, at least one digit, at most 20 characters (`P-2025-0142`): a code
# cannot hold a name or an address ("Anna Svensson", "Storgatan 12"), in any record mode.
_CASE_CODE = re.compile(r"(?=[A-Za-z-]*\d)[A-Za-z0-9-]{1,20}")


def is_case_code(text: str) -> bool:
    return bool(_CASE_CODE.fullmatch(text or ""))


CASE_CODE_MESSAGE = _("A case code is letters, digits and dashes, with at least one digit, no spaces and at most "
                      "20 characters, e.g. P-2025-0142.")


def validate_case_code(value: str) -> None:
    if not is_case_code(value):
        raise ValidationError(CASE_CODE_MESSAGE, code="case_code")


class ClosingFocus(models.TextChoices):
    """What a closed case mainly worked on, as the national survey asks."""

    REPAIR = "repair", _("Repairing the relationship")
    CLARIFYING = "clarifying", _("Clarifying, mapping talks")
    SEPARATION = "separation", _("Separation work")
    OTHER = "other", _("Other focus")


class CaseKind(models.TextChoices):
    """What a case-mode case is (Östermalm). 003_eba17951e60b4a73.txt counts "barn och ungdomar
    som varit aktuella för insatser" — interventions — not investigations or family-law talks."""

    INTERVENTION = "intervention", _("Intervention for children and young people (insats)")
    INVESTIGATION = "investigation", _("Investigation (utredning)")
    FAMILY_LAW = "family_law", _("Family-law talks (samarbetssamtal)")
    ADVICE = "advice", _("Advice and support talks without assessment")


class Case(ChoiceLabels, models.Model):
    """A course of contact under a local code such as `P-2025-0142` — never a name or
    identity number. In case-mode units it is an assignment (uppdrag) from a case officer."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("case code"), max_length=20, validators=[validate_case_code, reject_identity_numbers])
    opened_on = models.DateField(_("opened"))
    started_on = models.DateField(_("first held session"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    # Case-mode units (Familjeteam 7-15, Östermalm).
    assigned_on = models.DateField(_("assignment date"), null=True, blank=True)
    officer_office = models.CharField(
        _("case officer's office"), max_length=100, blank=True, validators=[reject_identity_numbers],
        help_text=_("A role or office name, never the officer's or the family's personal data."),
    )
    urgent = models.BooleanField(_("urgent assignment (skyndsam)"), default=False)
    # 001_12d4c227923da397.txt: "Vår första kontakt med familjens sker på planeringsmöte tillsammans
    # med handläggare … Insatsen påbörjas när familjen tackat ja" — the dated start of a regular assignment.
    planning_meeting_on = models.DateField(_("planning meeting with the case officer"), null=True, blank=True)
    regular_from = models.DateField(_("became a regular assignment"), null=True, blank=True)
    closing_meeting_on = models.DateField(_("closing meeting"), null=True, blank=True)
    rereferred_on = models.DateField(_("current again (re-referral)"), null=True, blank=True)
    kind = models.CharField(_("kind of case"), max_length=15, choices=CaseKind.choices,
                            default=CaseKind.INTERVENTION, db_default=CaseKind.INTERVENTION)
    children = models.PositiveSmallIntegerField(
        _("children in the case"), default=1, db_default=1, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("The not-current-again indicator counts one per child."))
    family_code = models.CharField(
        _("family code"), max_length=20, blank=True, default="", db_default="",
        validators=[validate_case_code, reject_identity_numbers],
        help_text=_("A pseudonymous code shared by the family's cases, e.g. F-0142 — never a name or identity "
                    "number."))
    closing_focus = models.CharField(
        _("focus of the case"), max_length=12, choices=ClosingFocus.choices, blank=True, default="", db_default="",
        help_text=_("Chosen when the case is closed."),
    )
    # Set by the retention purge on a case nobody closed that stayed inactive for the retention
    # period: it has ended (not closed) on this day, and is kept only as a counting row, without
    # code or details, until the periods of that day have ended (README "Retention").
    lapsed_on = models.DateField(_("ended as inactive"), null=True, blank=True, editable=False)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-opened_on", "code"]
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="case_code_unique_per_unit")]
        indexes = [
            models.Index(fields=["unit", "started_on"]),
            models.Index(fields=["unit", "closed_on"]),
            models.Index(fields=["unit", "family_code"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self):
        return self.code

    def clean(self):
        guard_fields(self, ("code", "officer_office", "family_code"))


class SessionFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COUPLE = "couple", _("Couple")
    FAMILY = "family", _("Family")
    GROUP = "group", _("Group")


class SessionStatus(models.TextChoices):
    HELD = "held", _("Held")
    CLIENT_CANCELLED = "client_cancelled", _("Client cancelled (återbud)")
    NO_SHOW = "no_show", _("No-show")
    UNIT_CANCELLED = "unit_cancelled", _("Cancelled by the unit")


class Location(models.TextChoices):
    OFFICE = "office", _("Office")
    HOME = "home", pgettext_lazy("location", "Home")
    FLAT = "flat", _("Unit flat (verksamhetslägenhet)")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    OTHER = "other", _("Other")


# The fee marks live with the unit, whose settings preselect one.
Fee = VisitFee


class Constellation(models.TextChoices):
    WHOLE_FAMILY = "whole_family", _("Whole family")
    CHILD_ALONE = "child_alone", _("Child alone")
    PARENTS_ALONE = "parents_alone", _("Parents alone")
    OTHER = "other", _("Other constellation")


class Activity(models.TextChoices):
    """003_eba17951e60b4a73.txt: the work Östermalm counts."""

    SUPPORT_TALK = "support_talk", _("Advice and support talk (råd- och stödsamtal)")
    KOMET = "komet", _("Komet parent group")
    TRYGGARE_BARN = "tryggare_barn", _("Tryggare barn")
    COOPERATION_TALK = "cooperation_talk", _("Cooperation talk (samarbetssamtal)")
    SKILDA_VARLDAR = "skilda_varldar", _("Skilda världar group")


GROUP_ACTIVITIES = [(Activity.KOMET, Activity.KOMET.label), (Activity.SKILDA_VARLDAR, Activity.SKILDA_VARLDAR.label)]


class GroupRound(ChoiceLabels, models.Model):
    """One round (omgång) of a group — 003_eba17951e60b4a73.txt: "Antal föräldrar som genomgått
    Kometgrupp", and the Skilda världar groups with the children in them. Counted per round,
    not per session: how many started it and, once it ended, how many completed it."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    activity = models.CharField(_("group"), max_length=20, choices=GROUP_ACTIVITIES)
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    participants = models.PositiveSmallIntegerField(
        _("participants who started"), validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Parents in a Komet group, children in a Skilda världar group."))
    completed = models.PositiveSmallIntegerField(
        _("participants who completed the round"), null=True, blank=True, validators=[MaxValueValidator(50)])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(completed__isnull=True) | Q(completed__lte=F("participants")),
                                   name="group_round_completed_at_most_started"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                                   name="group_round_ends_after_start"),
        ]
        indexes = [models.Index(fields=["unit", "started_on"])]
        verbose_name = _("group round")
        verbose_name_plural = _("group rounds")

    def __str__(self):
        return f"{self.get_activity_display()} {self.started_on}"


class Session(ChoiceLabels, models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"), null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    format = models.CharField(_("format"), max_length=12, choices=SessionFormat.choices)
    participants = models.PositiveSmallIntegerField(_("participants"), default=1)
    location = models.CharField(_("location"), max_length=10, choices=Location.choices, default=Location.OFFICE)
    status = models.CharField(_("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.HELD)
    fee = models.CharField(_("visit fee"), max_length=10, choices=Fee.choices, default=Fee.NONE)
    constellation = models.CharField(
        _("constellation"), max_length=15, choices=Constellation.choices, blank=True,
        help_text=_("Familjeteam 7-15: who took part."),
    )
    activity = models.CharField(
        _("counted activity"), max_length=20, choices=Activity.choices, blank=True,
        help_text=_("Familjeenheten Östermalm's counted work."),
    )
    counsellors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("counsellors"), related_name="+", blank=True
    )
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
        help_text=_("A correction line for a session in a closed billing month."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-date", "-start_time"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "idempotency_key"], name="session_idempotency_key_once"),
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="session_minutes_positive"),
            models.CheckConstraint(condition=models.Q(participants__gt=0), name="session_participants_positive"),
        ]
        indexes = [
            # Covering index: period statistics aggregate from the index alone.
            models.Index(
                fields=["unit", "date"], include=["status", "minutes", "format", "case", "location", "id"],
                name="session_unit_date_cov",
            ),
            # First held session per case (cases started) and the correction lookup.
            models.Index(fields=["case", "date"], include=["id"], condition=models.Q(status="held"),
                         name="session_case_held"),
            models.Index(fields=["unit", "corrects"], condition=models.Q(corrects__isnull=False),
                         name="session_unit_corrections"),
            # The session form: the counsellor's own latest rows, their usual values read from the
            # index alone (issue 17).
            models.Index(fields=["unit", "logged_by", "-created_at"], include=["minutes", "format", "location", "fee"],
                         condition=models.Q(corrects__isnull=True), name="session_usual_values"),
            # The session form's "my recent cases": the counsellor's latest sessions that have a
            # case, read from the index alone however many sessions without one they logged.
            models.Index(fields=["unit", "logged_by", "-created_at"], include=["case"],
                         condition=models.Q(corrects__isnull=True, case__isnull=False),
                         name="session_recent_cases"),
        ]
        # Context: django.contrib.sessions' catalogue would otherwise say "session(er)".
        verbose_name = pgettext_lazy("counselling", "session")
        verbose_name_plural = pgettext_lazy("counselling", "sessions")

    def __str__(self):
        return f"{self.date} {self.get_format_display()} ({self.minutes} min)"


class PersonRole(models.TextChoices):
    """Who an outcome or Familjeklimat score belongs to: a role within the case, never a name."""

    PARENT_1 = "parent_1", _("Parent 1")
    PARENT_2 = "parent_2", _("Parent 2")
    CHILD_1 = "child_1", _("Child 1")
    CHILD_2 = "child_2", _("Child 2")
    CHILD_3 = "child_3", _("Child 3")
    CHILD_4 = "child_4", _("Child 4")
    OTHER_ADULT_1 = "other_adult_1", _("Other adult 1")
    OTHER_ADULT_2 = "other_adult_2", _("Other adult 2")


# The children's roles: their ORS is judged against the children's clinical cut-off.
CHILD_ROLES = frozenset({PersonRole.CHILD_1, PersonRole.CHILD_2, PersonRole.CHILD_3, PersonRole.CHILD_4})


def person_label(role: str) -> str:
    """The label of a stored role (rows written before the closed list show their value)."""
    return PersonRole(role).label if role in PersonRole.values else role


class Visit(ChoiceLabels, models.Model):
    """One anonymous inquiry in the tally: walk-in, phone, e-mail, home visit. Nothing identifying."""

    class Channel(models.TextChoices):
        WALK_IN = "walk_in", _("Walk-in")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        HOME = "home", _("Home visit")

    class Topic(models.TextChoices):
        COUPLE = "couple", _("Couple problems")
        SEPARATION = "separation", _("Divorce / separation")
        LOSS = "loss", _("Loss")
        BULLYING = "bullying", _("Bullying")
        UPBRINGING = "upbringing", _("Upbringing")
        OTHER = "other", _("Other")

    class ChildAgeBand(models.TextChoices):
        AGE_0_2 = "0-2", _("0–2 years")
        AGE_3_5 = "3-5", _("3–5 years")
        AGE_6_12 = "6-12", _("6–12 years")
        AGE_13_17 = "13-17", _("13–17 years")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Woman")
        MALE = "male", _("Man")
        OTHER = "other", _("Other")

    class Background(models.TextChoices):
        DANISH = "danish", _("Danish background")
        WESTERN = "western", _("Immigrant or descendant, Western country")
        NON_WESTERN = "non_western", _("Immigrant or descendant, non-Western country")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices, default=Topic.OTHER)
    child_age_band = models.CharField(_("children's age"), max_length=6, choices=ChildAgeBand.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, blank=True)
    background = models.CharField(_("background"), max_length=12, choices=Background.choices, blank=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "idempotency_key"], name="visit_idempotency_key_once"),
        ]
        indexes = [models.Index(fields=["unit", "date"])]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")

    def __str__(self):
        return f"{self.date} {self.get_channel_display()}"


class Phase(ChoiceLabels, models.Model):
    """001_12d4c227923da397.txt: kartläggning (≈1 month), behandling (3–12 months),
    generalisering (1–3 months, often parallel with behandling)."""

    class Kind(models.TextChoices):
        ASSESSMENT = "kartlaggning", _("Assessment (kartläggning)")
        TREATMENT = "behandling", _("Treatment (behandling)")
        GENERALISATION = "generalisering", _("Generalisation (generalisering)")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=15, choices=Kind.choices)
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["started_on"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")

    def __str__(self):
        return f"{self.case} {self.get_kind_display()}"


class Goal(ChoiceLabels, models.Model):
    """A goal of the genomförandeplan (the implementation plan): text without personal data."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTLY_MET = "partly_met", _("Partly met")
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("goal"), max_length=300, validators=[reject_identity_numbers])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self):
        return self.text

    def clean(self):
        guard_fields(self, ("text",))


class FollowUpMeeting(models.Model):
    """001_12d4c227923da397.txt: "kontinuerliga uppföljningar med familj och handläggare"."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("date"))

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("follow-up meeting")
        verbose_name_plural = _("follow-up meetings")

    def __str__(self):
        return f"{self.case} {self.date}"


class OutcomeScore(ChoiceLabels, models.Model):
    """ORS (before the session) or SRS (after): four items 0–10, total 0–40. Scores only;
    the forms are licensed by their authors and not reproduced."""

    class Kind(models.TextChoices):
        ORS = "ors", "ORS"
        SRS = "srs", "SRS"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcome_scores")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person = models.CharField(_("person"), max_length=30, choices=PersonRole.choices)
    is_child = models.BooleanField(_("child"), default=False)
    kind = models.CharField(_("scale"), max_length=3, choices=Kind.choices)
    date = models.DateField(_("date"))
    item1 = models.PositiveSmallIntegerField(_("item 1"), validators=[MaxValueValidator(10)])
    item2 = models.PositiveSmallIntegerField(_("item 2"), validators=[MaxValueValidator(10)])
    item3 = models.PositiveSmallIntegerField(_("item 3"), validators=[MaxValueValidator(10)])
    item4 = models.PositiveSmallIntegerField(_("item 4"), validators=[MaxValueValidator(10)])
    total = models.PositiveSmallIntegerField(_("total"), validators=[MaxValueValidator(40)])

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item1__lte=10, item2__lte=10, item3__lte=10, item4__lte=10, total__lte=40),
                name="outcome_items_0_to_10",
            ),
        ]
        verbose_name = _("outcome score")
        verbose_name_plural = _("outcome scores")

    def __str__(self):
        return f"{self.kind} {self.person} {self.date}: {self.total}"


class ClimateScore(models.Model):
    """Familjeklimat factor scores per family member and occasion."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="climate_scores")
    person = models.CharField(_("person"), max_length=30, choices=PersonRole.choices)
    date = models.DateField(_("date"))
    # The maxima are the number of adjectives in each factor.
    closeness = models.PositiveSmallIntegerField(_("Närhet"), validators=[MaxValueValidator(18)])
    distance = models.PositiveSmallIntegerField(_("Distans"), validators=[MaxValueValidator(11)])
    spontaneity = models.PositiveSmallIntegerField(_("Spontanitet"), validators=[MaxValueValidator(6)])
    chaos = models.PositiveSmallIntegerField(_("Kaos"), validators=[MaxValueValidator(6)])

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closeness__lte=18, distance__lte=11, spontaneity__lte=6, chaos__lte=6),
                name="climate_factor_maxima",
            ),
        ]
        verbose_name = _("family climate score")
        verbose_name_plural = _("family climate scores")

    def __str__(self):
        return f"{self.person} {self.date}"


class Course(models.Model):
    """An inquiry that became a course (forløb) in an open anonymous unit: counted, not named."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = ScopedManager(unit="unit")

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "idempotency_key"], name="course_idempotency_key_once"),
        ]
        indexes = [models.Index(fields=["unit", "started_on"])]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return f"{self.started_on}–{self.ended_on or ''}"


def _export_path(job, filename):
    return f"exports/{job.unit_id}/{filename}"


class SessionExport(models.Model):
    """A big export of the session list, built by a worker (issue 17): the same progress fields
    and status values as a report build (reporting.ReportDocument). Only its requester opens it."""

    Status = JobStatus

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    fmt = models.CharField(max_length=4, default="xlsx")
    # The session list's filter as its query string (date_from=…&status=…), read again by the worker.
    query = models.CharField(max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to=_export_path, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The build's last sign of life (each chunk of rows): a message delivered again while a live
    # build writes is dropped; a build silent for REPORT_BUILD_STALE_SECONDS is queued again.
    touched_at = models.DateTimeField(null=True, blank=True)
    # Builds started (sessions.exports._claim): only the latest may mark the export done.
    attempt = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(unit="unit")

    class Meta:
        verbose_name = _("session export")
        verbose_name_plural = _("session exports")

    def __str__(self):
        return f"{self.unit} {self.created_at:%Y-%m-%d %H:%M}"
