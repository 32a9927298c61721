"""Investment committees: when a product is steered, who attends, the documents, the decision."""

import secrets
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incubator.dates import validate_in_window, window_constraint
from incubator.rules import managed_incubator_ids
from portfolio.models import Phase, Startup, TeamMembership

DECK_MAX_BYTES = 10 * 1024 * 1024
# The longest period a decision may grant, and the furthest a due date may be set after the last
# committee (``cadence.check_rule``): past the 6-month rule, a reason is required; past this, never.
MAX_GRANTED_MONTHS = 24


def _managed_by(user):
    """Committees of the products whose incubators the user runs (manager or portfolio manager;
    co-incubation included)."""
    managed = Startup.objects.in_incubators(managed_incubator_ids(user))  # subqueries: no join
    return Q(startup__in=managed.values("pk"))


def _attended_by(user):
    """Committees the user attends, by account or by email."""
    return Q(pk__in=Attendee.objects.filter(Q(user=user) | Q(email__iexact=user.email)).values("committee"))


def _in_team_of(user):
    """Committees of the products whose current team the user is in."""
    return Q(startup__in=TeamMembership.objects.current().filter(user=user).values("startup"))


def visibility_conditions(user):
    """The ways a signed-in person who does not read the whole network sees a committee (any one):
    managing its product, being in its team, attending it."""
    return [_managed_by(user), _in_team_of(user), _attended_by(user)]


class CommitteeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Committees a user may open: network admins and coordinators (``reads_network``) all;
        otherwise those of the products the user manages or is in the team of, and those the user
        attends. The other roles of an incubator (coach, jury, viewer) read its product sheets, not
        its committees, decks and minutes."""
        if not user.is_authenticated:
            return self.none()
        if user.reads_network:
            return self.all()
        return self.filter(reduce(or_, visibility_conditions(user)))

    def in_calendar_of(self, user):
        """What the user's calendar feed lists: the committees the user attends or manages."""
        return self.filter(_managed_by(user) | _attended_by(user))

    def planned(self):
        return self.filter(status=Committee.Status.PLANNED)

    def for_list(self):
        decks = CommitteeDocument.objects.filter(committee=OuterRef("pk"), kind=CommitteeDocument.Kind.DECK)
        return self.select_related("startup", "startup__incubator").annotate(
            has_deck=Exists(decks), has_decision=Exists(Decision.objects.filter(committee=OuterRef("pk")))
        )


class Committee(models.Model):
    """An investment committee of one product."""

    class Kind(models.TextChoices):
        END_OF_INVESTIGATION = "end_of_investigation", _("End of investigation")
        PERIODIC = "periodic", _("Periodic")
        CONSOLIDATION = "consolidation", _("Consolidation")
        FAST = "fast", _("FAST")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    # The one map of a committee's moves; ``services.transition_committee`` is the only writer of
    # ``status``: a planned committee is held (its decision is recorded) or cancelled.
    TRANSITIONS = {
        Status.PLANNED: {Status.HELD, Status.CANCELLED},
        Status.HELD: set(),
        Status.CANCELLED: set(),
    }

    startup = models.ForeignKey(Startup, verbose_name=_("product"), on_delete=models.CASCADE, related_name="committees")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.PERIODIC)
    scheduled_at = models.DateTimeField(_("date and time"), validators=[validate_in_window])
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    place = models.CharField(_("place"), max_length=255, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    requested_budget = models.DecimalField(
        _("requested budget (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    requested_months = models.PositiveSmallIntegerField(_("requested period (months)"), null=True, blank=True)
    requested_team = models.TextField(_("requested team"), blank=True)
    objectives = models.TextField(_("6-month objectives"), blank=True)
    success_criteria = models.TextField(_("success criteria"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("investment committee")
        verbose_name_plural = _("investment committees")
        ordering = ["scheduled_at"]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="committee_status_date_idx")]
        constraints = [
            window_constraint("scheduled_at", name="committee_scheduled_at_in_window", instant=True),
            models.CheckConstraint(
                condition=Q(requested_months__isnull=True) | Q(requested_months__gte=1),
                name="committee_months_positive",
            ),
        ]

    def __str__(self):
        return f"{self.startup} — {self.get_kind_display()} ({timezone.localtime(self.scheduled_at):%d/%m/%Y %H:%M})"

    def get_absolute_url(self):
        return reverse("committees:committee_detail", kwargs={"pk": self.pk})

    @property
    def local_date(self):
        return timezone.localtime(self.scheduled_at).date()

    def may_become(self, status):
        """True when the map allows this committee to move to ``status``."""
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def is_planned(self):
        return self.status == self.Status.PLANNED

    @property
    def is_held(self):
        return self.status == self.Status.HELD

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def has_started(self):
        return self.scheduled_at <= timezone.now()

    @property
    def awaits_decision(self):
        """Its time has come and its decision is not recorded yet."""
        return self.may_become(self.Status.HELD) and self.has_started

    @property
    def can_record_decision(self):
        """A decision may be recorded now (the service checks again, and that none exists)."""
        return self.awaits_decision

    @property
    def can_cancel(self):
        return self.may_become(self.Status.CANCELLED)

    @property
    def accepts_documents(self):
        return not self.is_cancelled


class Attendee(models.Model):
    class Role(models.TextChoices):
        INTRAPRENEUR = "intrapreneur", _("Intrapreneur")
        COACH = "coach", _("Coach")
        TEAM = "team", _("Team member")
        SPONSOR = "sponsor", _("Sponsor")
        INCUBATOR_MANAGER = "incubator_manager", _("Incubator manager")
        PORTFOLIO_MANAGER = "portfolio_manager", _("Portfolio manager")
        DINUM = "dinum", _("DINUM")
        OTHER = "other", _("Other")

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="attendees"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.OTHER)
    mandatory = models.BooleanField(_("mandatory"), default=False)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["committee", "-mandatory", "role", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "email"], name="attendee_unique_email"),
            models.CheckConstraint(condition=~Q(email=""), name="attendee_has_email"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class CommitteeDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Documents of the committees the user may open (``Committee.objects.visible_to``)."""
        return self.filter(committee__in=Committee.objects.visible_to(user).values("pk"))


class CommitteeDocument(models.Model):
    class Kind(models.TextChoices):
        DECK = "deck", _("Deck")
        BUDGET_REPORT = "budget_report", _("Budget report")
        MINUTES = "minutes", _("Minutes")

    class Content(models.TextChoices):
        USER_RESEARCH = "user_research", _("User research")
        BENCHMARK = "benchmark", _("Benchmark")
        IMPACT = "impact", _("Impact")
        ROADMAP = "roadmap", _("Roadmap")
        BUDGET = "budget", _("Budget")

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DECK)
    file = models.FileField(_("file"), upload_to="committees/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    contents = models.JSONField(_("contents"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = CommitteeDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee document")
        verbose_name_plural = _("committee documents")
        ordering = ["committee", "-uploaded_at"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("committees:document_download", kwargs={"pk": self.pk})


class Decision(models.Model):
    """The decision of a held committee. Recording it moves the phase and sets the next due date."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        PROVISIONAL = "provisional", _("Provisional (more evidence required)")
        NEXT_PHASE = "next_phase", _("Next phase")
        PIVOT = "pivot", _("Pivot")
        STOP = "stop", _("Stop")
        TRANSFER = "transfer", _("Transfer")

    committee = models.OneToOneField(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    next_phase = models.CharField(_("new phase"), max_length=30, choices=Phase.choices, blank=True)
    decided_on = models.DateField(_("date of the decision"), validators=[validate_in_window])
    granted_amount = models.DecimalField(
        _("granted amount (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    granted_months = models.PositiveSmallIntegerField(_("granted period (months)"), default=6)
    # The 6-month rule (``cadence.check_rule``): more than 6 months (12 in consolidation or opéré)
    # needs a written reason; the decision is then marked, on its pages and as a flag.
    beyond_rule = models.BooleanField(_("beyond the 6-month rule"), default=False)
    beyond_rule_reason = models.TextField(_("reason for going beyond the 6-month rule"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    # What the next committee checks (issue 11, item 8: promise against delivery).
    next_objectives = models.TextField(_("objectives until the next committee"), blank=True)
    team_size = models.PositiveSmallIntegerField(_("team size (people)"), null=True, blank=True)
    hypotheses = models.TextField(_("hypotheses"), blank=True)
    purchasing_told = models.BooleanField(_("purchasing told"), default=False)
    deck_published = models.BooleanField(_("deck published"), default=False)
    sheet_updated = models.BooleanField(_("product sheet updated"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on"]
        constraints = [
            window_constraint("decided_on", name="decision_decided_on_in_window"),
            models.CheckConstraint(condition=Q(granted_months__gte=1), name="decision_months_positive"),
            models.CheckConstraint(
                condition=Q(granted_months__lte=MAX_GRANTED_MONTHS), name="decision_months_at_most_24"
            ),
            models.CheckConstraint(
                condition=Q(beyond_rule=False) | ~Q(beyond_rule_reason=""), name="decision_beyond_rule_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(team_size__isnull=True) | Q(team_size__range=(1, 100)), name="decision_team_size_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="next_phase") | ~Q(next_phase=""), name="decision_next_phase_named"
            ),
        ]

    def __str__(self):
        return f"{self.committee} — {self.get_outcome_display()}"


class DueDateChange(models.Model):
    """A due date a manager set by hand (``cadence.set_due_date``), with its reason; ``beyond_rule``
    marks a date more than 6 months (12 in consolidation or opéré) after the last committee."""

    startup = models.ForeignKey(
        Startup, verbose_name=_("product"), on_delete=models.CASCADE, related_name="due_date_changes"
    )
    due = models.DateField(_("due on"), validators=[validate_in_window])
    reason = models.CharField(_("reason"), max_length=100)
    beyond_rule = models.BooleanField(_("beyond the 6-month rule"), default=False)
    beyond_rule_reason = models.TextField(_("reason for going beyond the 6-month rule"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("due date set by hand")
        verbose_name_plural = _("due dates set by hand")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["startup", "due"], name="due_date_change_startup_idx")]
        constraints = [
            window_constraint("due", name="due_date_change_due_in_window"),
            models.CheckConstraint(
                condition=Q(beyond_rule=False) | ~Q(beyond_rule_reason=""), name="due_date_change_beyond_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.startup} — {self.due:%d/%m/%Y}"


class CalendarFeed(models.Model):
    """A user's personal calendar feed: a secret URL, revocable (a new token replaces the old one)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    # When the address was created or last renewed (a renewal replaces the token).
    renewed_at = models.DateTimeField(_("renewed at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("committees:calendar_feed", kwargs={"token": self.token})

    def renew(self):
        self.token = secrets.token_urlsafe(32)
        self.save(update_fields=["token", "renewed_at"])


def planned_ahead():
    """For a Startup queryset: it has a planned committee from now on (an ``Exists`` expression)."""
    return Exists(Committee.objects.planned().filter(startup=OuterRef("pk"), scheduled_at__gte=timezone.now()))
