"""Calls for intrapreneurs: the call, its questions, the applications, the jury's work."""

from collections import Counter

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import pre_delete
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incubator.dates import validate_in_window, window_constraint
from incubator.markdown import MarkdownField, RenderedMarkdownMixin
from incubator.models import Incubator, Membership, User
from incubator.validators import CodeListValidator
from portfolio.models import Startup, Theme

COMMITMENT_MAX_BYTES = 5 * 1024 * 1024
GUIDE_MAX_BYTES = 10 * 1024 * 1024


class CallQuerySet(models.QuerySet):
    def open(self, now=None):
        """Published and between the opening and the closing date."""
        now = now or timezone.now()
        return self.filter(status=Call.Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now)

    def public(self):
        return self.exclude(status=Call.Status.DRAFT)

    def managed_by(self, user):
        """Calls the user runs: managers of the call's incubator; network admins: all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_network_admin:
            return self.all()
        return self.filter(incubator__in=Incubator.objects.managed_by(user).values("pk"))

    def judged_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(jurors=user)

    def for_list(self):
        return self.select_related("incubator")


class Call(RenderedMarkdownMixin, models.Model):
    """A call for intrapreneurs, run by an incubator (or network-wide)."""

    markdown_fields = ("description",)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")
        PRESELECTION_DONE = "preselection_done", _("Pre-selection done")
        SELECTION_DONE = "selection_done", _("Selection done")
        ARCHIVED = "archived", _("Archived")

    # The one map of a call's states: ``calls.services.transition_call`` is the only writer of ``status``.
    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED},
        Status.PUBLISHED: {Status.CLOSED, Status.DRAFT},
        Status.CLOSED: {Status.PRESELECTION_DONE},
        Status.PRESELECTION_DONE: {Status.SELECTION_DONE},
        Status.SELECTION_DONE: {Status.ARCHIVED},
        Status.ARCHIVED: set(),
    }

    incubator = models.ForeignKey(
        Incubator,
        verbose_name=_("incubator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        help_text=_("Empty for a network-wide call."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = MarkdownField(_("description"), help_text=_("Markdown."))
    # The description's sanitised HTML, rendered on save (incubator.markdown); pages print this.
    description_html = models.TextField(blank=True, default="", editable=False)
    themes = models.JSONField(_("themes"), default=list, blank=True, validators=[CodeListValidator(Theme)])
    eligibility = models.TextField(_("eligibility"), blank=True)
    opens_at = models.DateTimeField(_("opens on"), validators=[validate_in_window])
    closes_at = models.DateTimeField(_("closes on"), validators=[validate_in_window])
    preselection_on = models.DateField(_("pre-selection on"), validators=[validate_in_window])
    selection_on = models.DateField(_("selection day"), validators=[validate_in_window])
    investigation_starts_on = models.DateField(_("investigations start on"), validators=[validate_in_window])
    investigations_planned = models.PositiveSmallIntegerField(_("investigations planned"), default=3)
    budget = models.DecimalField(_("budget (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True)
    guide_url = models.URLField(
        _("applicant's guide (address)"),
        max_length=500,
        blank=True,
        help_text=_("The address of the applicant's guide, if it is published elsewhere."),
    )
    # Stored under a random name, served only by ``views.files.guide_file`` (never from MEDIA_URL).
    guide_file = models.FileField(
        _("applicant's guide (PDF)"),
        upload_to="calls/guides/%Y/",
        blank=True,
        help_text=_("The applicant's guide as a PDF file; it is offered instead of the address when both are given."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    hide_identity = models.BooleanField(
        _("hide the applicants' identity from the jury during pre-selection"), default=False
    )
    pitch_minutes = models.PositiveSmallIntegerField(_("pitch (minutes)"), default=3)
    questions_minutes = models.PositiveSmallIntegerField(_("questions (minutes)"), default=5)
    jurors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("jurors"), blank=True, related_name="judged_calls"
    )
    draw_seed = models.CharField(_("seed of the pitch draw"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("pitch order drawn on"), null=True, blank=True, validators=[validate_in_window])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The moves of its status, who made them and why (the reason of an early closing).
    history = HistoricalRecords(
        excluded_fields=["updated_at", "description_html"],
        history_change_reason_field=models.TextField(null=True),
    )
    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call for intrapreneurs")
        verbose_name_plural = _("calls for intrapreneurs")
        ordering = ["-opens_at"]
        constraints = [
            window_constraint("opens_at", name="call_opens_at_in_window", instant=True),
            window_constraint("closes_at", name="call_closes_at_in_window", instant=True),
            window_constraint("preselection_on", name="call_preselection_on_in_window"),
            window_constraint("selection_on", name="call_selection_on_in_window"),
            window_constraint("investigation_starts_on", name="call_investigation_starts_on_in_window"),
            window_constraint("drawn_at", name="call_drawn_at_in_window", instant=True, nullable=True),
            models.CheckConstraint(condition=Q(opens_at__lt=models.F("closes_at")), name="call_opens_before_closing"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("calls:call_detail", kwargs={"slug": self.slug})

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at

    def may_become(self, status):
        """True when the map allows this call to move to ``status`` (any string: a forged one is False)."""
        return status in self.TRANSITIONS[self.Status(self.status)]

    def next_statuses(self):
        """The statuses the call may move to, the way back to a draft last."""
        return sorted(self.TRANSITIONS[self.Status(self.status)], key=lambda status: status == self.Status.DRAFT)

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def before_deadline(self, now=None):
        """Still taking (or about to take) applications: a draft or published call before its closing date."""
        now = now or timezone.now()
        return self.status in (self.Status.DRAFT, self.Status.PUBLISHED) and now < self.closes_at

    def juror_candidates(self):
        """The people the jurors' form offers: the incubator's jury members first (``in_jury``), then
        the call's other jurors, by name.

        Both lists are looked up by their own keys and the people by primary key (``pk IN (a UNION
        b)``): an ``OR`` over a join of the jurors would read every account of the network.
        """
        jury = Membership.objects.filter(incubator=self.incubator_id, role=Membership.Role.JURY).values("user")
        jurors = Call.jurors.through.objects.filter(call=self.pk).values("user")
        return (
            User.objects.filter(pk__in=jury.union(jurors))
            .annotate(in_jury=Exists(jury.filter(user=OuterRef("pk"))))
            .order_by("-in_jury", "last_name", "first_name", "email")
        )

    @cached_property
    def guide_link(self):
        """The applicant's guide as ``{"href", "detail"}``, or None when the call has none.

        The file first (``detail``: its type and size, as DSFR download links say them), served
        by ``calls:guide_file``; a file missing from the storage is no guide (no dead link).
        """
        if self.guide_file:
            try:
                size = self.guide_file.size
            except OSError:
                size = None
            if size is not None:
                href = reverse("calls:guide_file", kwargs={"slug": self.slug})
                return {"href": href, "detail": f"PDF \N{EN DASH} {filesizeformat(size)}"}
        if self.guide_url:
            return {"href": self.guide_url, "detail": ""}
        return None


class Question(models.Model):
    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        CHOICE = "choice", _("Choice")
        YES_NO = "yes_no", _("Yes or no")
        FILE = "file", _("File")

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LONG_TEXT)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One per line, for a choice question."))
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["call", "order", "pk"]

    def __str__(self):
        return self.label

    @property
    def choice_list(self):
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class ApplicationQuerySet(models.QuerySet):
    def of(self, user):
        """An applicant's own applications."""
        return self.filter(applicant=user) if user.is_authenticated else self.none()

    def for_jury(self, user):
        """Submitted (or later) applications of the calls the user judges, without their conflicts."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(call__jurors=user, status__in=Application.JURY_STATUSES).exclude(conflicts__juror=user)

    def managed_by(self, user):
        """Applications to the calls the user runs (``Call.objects.managed_by``); network admins: all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_network_admin:
            return self.all()
        return self.filter(call__in=Call.objects.managed_by(user))

    def for_list(self):
        """With what a list of applications across calls shows: the call, its incubator, the applicant."""
        return self.select_related("call__incubator", "applicant")

    def newest_first(self):
        """The latest submitted first, then the drafts, the latest begun first (``application_newest_idx``,
        on PostgreSQL: migration 0010)."""
        return self.order_by(F("submitted_at").desc(nulls_last=True), "-pk")

    def with_ticks(self):
        """``ticks``: the application's maintained tick count (``Application.tick_count``), no grouping."""
        return self.annotate(ticks=F("tick_count"))

    def ranked(self):
        """By ticks, the earliest submitted first: within a call, the order of ``application_ranking_idx``."""
        return self.order_by("-tick_count", "submitted_at", "pk")

    def recount_ticks(self):
        """Set the tick count of these applications from their votes, in one UPDATE.

        For bulk inserts of votes (volume data, which ``bulk_create`` does without ``save()``) and
        repairs; the votes of the site keep the count themselves (``PreselectionVote``).
        """
        votes = (
            PreselectionVote.objects.filter(application=OuterRef("pk"))
            .order_by()
            .values("application")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.update(tick_count=Coalesce(Subquery(votes), 0))


class Application(models.Model):
    """An applicant's answer to a call. Drafts live on the server: nothing typed is lost."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        INELIGIBLE = "ineligible", _("Ineligible")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        NOT_SHORTLISTED = "not_shortlisted", _("Not shortlisted")
        PITCHED = "pitched", _("Pitched")
        LAUREATE = "laureate", _("Laureate")
        NOT_SELECTED = "not_selected", _("Not selected")
        COMMITMENT_SIGNED = "commitment_signed", _("Commitment signed")
        ONBOARDED = "onboarded", _("Onboarded")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The one map of the allowed moves of an application: ``calls.services.transition_application``
    # is the only writer of ``status``.
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.INELIGIBLE, Status.SHORTLISTED, Status.NOT_SHORTLISTED, Status.WITHDRAWN},
        Status.SHORTLISTED: {Status.PITCHED, Status.NOT_SHORTLISTED, Status.WITHDRAWN},
        Status.PITCHED: {Status.LAUREATE, Status.NOT_SELECTED, Status.WITHDRAWN},
        Status.LAUREATE: {Status.COMMITMENT_SIGNED, Status.WITHDRAWN},
        Status.COMMITMENT_SIGNED: {Status.ONBOARDED},
        Status.INELIGIBLE: set(),
        Status.NOT_SHORTLISTED: set(),
        Status.NOT_SELECTED: set(),
        Status.ONBOARDED: set(),
        Status.WITHDRAWN: set(),
    }
    # What the applicant may still change before the deadline.
    EDITABLE_STATUSES = (Status.DRAFT, Status.SUBMITTED)
    # The results of the pre-selection: only once the call takes no more applications.
    PRESELECTION_RESULTS = (Status.INELIGIBLE, Status.SHORTLISTED, Status.NOT_SHORTLISTED)
    # Heard on the selection day: the jury scores them, the manager decides.
    ON_STAGE_STATUSES = (Status.SHORTLISTED, Status.PITCHED)
    # The decisions of the selection day.
    DECISIONS = (Status.LAUREATE, Status.NOT_SELECTED)
    JURY_STATUSES = (
        Status.SUBMITTED,
        Status.SHORTLISTED,
        Status.NOT_SHORTLISTED,
        Status.PITCHED,
        Status.LAUREATE,
        Status.NOT_SELECTED,
        Status.COMMITMENT_SIGNED,
        Status.ONBOARDED,
    )

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    administration = models.CharField(_("administration"), max_length=200, blank=True)
    service = models.CharField(_("service"), max_length=200, blank=True)
    role = models.CharField(_("your role"), max_length=200, blank=True)
    problem = models.TextField(_("the problem to solve, quantified"), blank=True)
    solution = models.TextField(_("the potential solution"), blank=True)
    first_users = models.TextField(_("first users, partners and diffusion strategy"), blank=True)
    population = models.TextField(_("population concerned"), blank=True)
    potential_sponsor = models.CharField(_("potential sponsor"), max_length=200, blank=True)
    manager_agreement = models.BooleanField(_("my manager agrees to release my time"), default=False)
    callback_requested = models.BooleanField(_("I would like to be called back"), default=False)
    remarks = models.TextField(_("remarks"), blank=True)
    answers = models.JSONField(_("answers to the call's questions"), default=dict, blank=True)
    consent_guide = models.BooleanField(_("I have read the applicant's guide"), default=False)
    consent_sharing = models.BooleanField(
        _("I agree that my data is shared with the teams running the call"), default=False
    )
    # The applicant's consent to the talent pool, with its date (None: not given, or withdrawn): an
    # application the call does not keep is then anonymised ``retention.talent_pool_days()`` after
    # the call closes instead of ``retention.application_days()`` (``calls.personal_data.purge``).
    talent_pool_consent_at = models.DateTimeField(
        _("consent to the talent pool given on"), null=True, blank=True, validators=[validate_in_window]
    )
    commitment_form = models.FileField(_("signed commitment form"), upload_to="calls/commitments/%Y/", blank=True)
    startup = models.ForeignKey(
        Startup,
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )
    status_changed_at = models.DateTimeField(
        _("status changed at"), default=timezone.now, validators=[validate_in_window]
    )
    # The number of its votes (``PreselectionVote``), kept by the votes themselves with F() in
    # the vote's transaction: the ranking sorts and filters on it through an index, no grouping.
    tick_count = models.PositiveIntegerField(_("ticks"), default=0, editable=False)
    draft_saved_at = models.DateTimeField(_("draft saved at"), null=True, blank=True, validators=[validate_in_window])
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, validators=[validate_in_window])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["draft_saved_at", "updated_at", "tick_count"])
    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["call", "-submitted_at", "pk"]
        constraints = [
            window_constraint("status_changed_at", name="application_status_changed_at_in_window", instant=True),
            window_constraint(
                "draft_saved_at", name="application_draft_saved_at_in_window", instant=True, nullable=True
            ),
            window_constraint("submitted_at", name="application_submitted_at_in_window", instant=True, nullable=True),
            window_constraint(
                "talent_pool_consent_at",
                name="application_talent_pool_consent_at_in_window",
                instant=True,
                nullable=True,
            ),
            models.UniqueConstraint(fields=["call", "applicant"], name="application_one_per_call"),
            models.UniqueConstraint(
                fields=["startup"], condition=Q(startup__isnull=False), name="application_one_startup"
            ),
        ]
        indexes = [
            models.Index(fields=["call", "status"], name="application_call_status_idx"),
            # The ranking's order (``ApplicationQuerySet.ranked``): a page of 25 read off the index.
            models.Index(fields=["call", "-tick_count", "submitted_at", "id"], name="application_ranking_idx"),
            # The list across calls (``newest_first``) reads ``application_newest_idx``, created on
            # PostgreSQL only by migration 0010 (SQLite has no NULLS LAST in an index).
        ]

    def __str__(self):
        return f"{self.call} — {self.applicant}"

    def get_absolute_url(self):
        return reverse("calls:application_detail", kwargs={"pk": self.pk})

    @property
    def status_badge(self):
        """The DSFR badge modifier of the status (``calls/includes/_application_status.html``)."""
        if self.status in (self.Status.LAUREATE, self.Status.COMMITMENT_SIGNED, self.Status.ONBOARDED):
            return "success"
        if self.status in (self.Status.SUBMITTED, self.Status.SHORTLISTED, self.Status.PITCHED):
            return "info"
        if self.status == self.Status.DRAFT:
            return "new"
        return ""  # ineligible, not shortlisted, not selected, withdrawn: the plain grey badge

    def may_become(self, status):
        """True when the map allows this application to move to ``status``."""
        return status in self.TRANSITIONS[self.Status(self.status)]

    # What the pages ask (templates never compare status strings).
    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    @property
    def is_shortlisted(self):
        return self.status == self.Status.SHORTLISTED

    @property
    def is_laureate(self):
        return self.status == self.Status.LAUREATE

    @property
    def is_commitment_signed(self):
        return self.status == self.Status.COMMITMENT_SIGNED

    @property
    def can_edit(self):
        """The applicant may still change it (before the call's deadline, which is checked apart)."""
        return self.status in self.EDITABLE_STATUSES

    @property
    def can_withdraw(self):
        return self.may_become(self.Status.WITHDRAWN)

    @property
    def in_talent_pool(self):
        """The applicant agreed that the application stays longer if the call does not keep it."""
        return self.talent_pool_consent_at is not None

    @property
    def can_be_voted(self):
        """Jurors tick (or untick) it: a submitted application, before the pre-selection result."""
        return self.status == self.Status.SUBMITTED

    @property
    def can_be_scored(self):
        return self.status in self.ON_STAGE_STATUSES

    @property
    def can_be_decided(self):
        """The selection day's decision can be recorded (a shortlisted one is first marked pitched)."""
        return self.status in self.ON_STAGE_STATUSES

    @property
    def can_sign_commitment(self):
        return self.may_become(self.Status.COMMITMENT_SIGNED)

    @property
    def can_be_onboarded(self):
        return self.may_become(self.Status.ONBOARDED)


class JuryRecord(models.Model):
    """A juror's vote, conflict or score: it outlives the juror's account (``keep_jury_record``)."""

    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("juror"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    juror_label = models.CharField(_("juror (account removed)"), max_length=40, blank=True, editable=False)

    class Meta:
        abstract = True


def juror_name(record):
    """The juror of a vote, conflict or score: the account, or its pseudonym once the account is removed."""
    return str(record.juror) if record.juror_id else record.juror_label


def keep_jury_record(sender, instance, **kwargs):
    """Before an account is removed: its votes, conflicts and scores stay, under a pseudonym.

    The rows keep counting (ticks, averages, spread) with ``juror`` set to NULL by the foreign
    keys; ``juror_label`` says "Juror no. N", N counting the removed jurors of each call, the
    same N on all the rows of one juror in one call.
    """
    records = [model.objects.filter(juror=instance) for model in (PreselectionVote, ConflictOfInterest, JuryScore)]
    calls = set()
    for rows in records:
        calls.update(rows.values_list("application__call", flat=True))
    for call in calls:
        labels = set()
        for model in (PreselectionVote, ConflictOfInterest, JuryScore):
            labels.update(
                model.objects.filter(application__call=call, juror__isnull=True).values_list("juror_label", flat=True)
            )
        label = _("Juror no. %(number)s") % {"number": len(labels - {""}) + 1}
        for rows in records:
            rows.filter(application__call=call).update(juror_label=str(label)[:40])


pre_delete.connect(keep_jury_record, sender=settings.AUTH_USER_MODEL, dispatch_uid="calls.keep_jury_record")


class PreselectionVoteQuerySet(models.QuerySet):
    def delete(self):
        """Delete these votes and take them off their applications' tick counts, in one transaction.

        The rows are locked first and only those are deleted: a vote removed meanwhile by another
        transaction (a double click) is neither deleted nor counted twice.
        """
        with transaction.atomic(savepoint=False):
            rows = list(self.order_by().select_for_update().values_list("pk", "application_id"))
            if not rows:
                return 0, {}
            locked = self.model.objects.filter(pk__in=[pk for pk, _application_id in rows])
            deleted = super(PreselectionVoteQuerySet, locked).delete()
            for application_id, count in Counter(application_id for _pk, application_id in rows).items():
                Application.objects.filter(pk=application_id).update(tick_count=F("tick_count") - count)
        return deleted

    delete.alters_data = True
    delete.queryset_only = True


class PreselectionVote(JuryRecord):
    """A juror's tick: "I want to hear this applicant".

    A vote keeps its application's ``tick_count``: ``save()`` of a new vote adds one, ``delete()``
    (of a vote or of a queryset of votes) takes them off, with F() in the same transaction, so
    two jurors voting at once both count. ``bulk_create`` does not: follow it with
    ``Application.objects.recount_ticks()``. A vote is never moved to another application.
    """

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="votes"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PreselectionVoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("pre-selection vote")
        verbose_name_plural = _("pre-selection votes")
        constraints = [models.UniqueConstraint(fields=["application", "juror"], name="vote_one_per_juror")]

    def __str__(self):
        return f"{juror_name(self)} → {self.application}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if adding:
                Application.objects.filter(pk=self.application_id).update(tick_count=F("tick_count") + 1)

    save.alters_data = True

    def delete(self, using=None, keep_parents=False):
        deleted = type(self).objects.filter(pk=self.pk).delete()
        self.pk = None
        return deleted

    delete.alters_data = True


class ConflictOfInterest(JuryRecord):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="conflicts"
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["application", "juror"], name="conflict_one_per_juror")]

    def __str__(self):
        return f"{juror_name(self)} ≠ {self.application}"


class Pitch(models.Model):
    """An applicant's slot on the selection day (order drawn at random, seed kept on the call)."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="pitch"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    starts_at = models.DateTimeField(_("starts at"), validators=[validate_in_window])

    class Meta:
        verbose_name = _("pitch")
        verbose_name_plural = _("pitches")
        ordering = ["starts_at"]
        constraints = [
            window_constraint("starts_at", name="pitch_starts_at_in_window", instant=True),
        ]

    def __str__(self):
        return f"{self.order}. {self.application}"


class JuryScore(JuryRecord):
    class Criterion(models.TextChoices):
        PROBLEM = "problem", _("The problem: intensity times volume")
        STRATEGY = "strategy", _("The 6-month strategy")
        LEGITIMACY = "legitimacy", _("Legitimacy of the solution for the State")
        PERSON = "person", _("The person")

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.CharField(_("criterion"), max_length=20, choices=Criterion.choices)
    score = models.PositiveSmallIntegerField(_("score (0 to 5)"))

    class Meta:
        verbose_name = _("jury score")
        verbose_name_plural = _("jury scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "juror", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(condition=Q(score__lte=5), name="score_at_most_five"),
        ]

    def __str__(self):
        return f"{self.application} — {self.get_criterion_display()}: {self.score}"
