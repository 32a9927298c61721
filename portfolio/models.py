"""The portfolio: products (Startups d'État), their phases, teams and impact."""

import datetime
from datetime import timedelta

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incubator import versions
from incubator.dates import validate_in_window, window_constraint
from incubator.markdown import MarkdownField, RenderedMarkdownMixin
from incubator.models import Incubator, Membership, Organisation
from incubator.validators import CodeListValidator

# Product slugs of the network may hold dots ("demarches-simplifiees.fr"); see urls.StartupSlug.
SLUG_PATTERN = r"^[a-z0-9]+(?:[-._][a-z0-9]+)*\Z"


class Phase(models.TextChoices):
    INVESTIGATION = "investigation", _("Investigation")
    CONSTRUCTION = "construction", _("Construction")
    ACCELERATION = "acceleration", _("Acceleration")
    CONSOLIDATION = "consolidation", _("Consolidation")
    OPERATED = "opere", _("Operated")
    TRANSFERRED = "transfere", _("Transferred")
    ABANDONED_INVESTIGATION = "abandon-investigation", _("Stopped after investigation")
    ABANDONED = "abandon", _("Stopped")


# The one map of a product's phase moves: the usual path of the network (docs/architecture.md).
# Anything else is an override that needs a manager's reason. ``services.change_phase`` is the
# only writer of ``Startup.phase``.
ALLOWED_MOVES = {
    Phase.INVESTIGATION: {Phase.CONSTRUCTION, Phase.ABANDONED_INVESTIGATION},
    Phase.CONSTRUCTION: {Phase.ACCELERATION, Phase.ABANDONED},
    Phase.ACCELERATION: {Phase.CONSOLIDATION, Phase.OPERATED, Phase.TRANSFERRED, Phase.ABANDONED},
    Phase.CONSOLIDATION: {Phase.OPERATED, Phase.TRANSFERRED, Phase.ABANDONED},
    Phase.OPERATED: {Phase.TRANSFERRED, Phase.ABANDONED},
    Phase.TRANSFERRED: {Phase.ABANDONED},
    Phase.ABANDONED_INVESTIGATION: set(),
    Phase.ABANDONED: set(),
}
ENDED_PHASES = {Phase.TRANSFERRED, Phase.ABANDONED_INVESTIGATION, Phase.ABANDONED}
ACTIVE_PHASES = [phase for phase in Phase if phase not in ENDED_PHASES]

# An investigation lasts about 9 weeks: its end-of-investigation committee comes then.
INVESTIGATION_LENGTH = timedelta(weeks=9)

# Typical durations in days (the network's guide), used to flag a phase that lasts too long.
TYPICAL_MAX_DAYS = {
    Phase.INVESTIGATION: INVESTIGATION_LENGTH.days,
    Phase.CONSTRUCTION: 18 * 31,
    Phase.ACCELERATION: 12 * 31,
    Phase.CONSOLIDATION: 18 * 31,
}


class AccessibilityStatus(models.TextChoices):
    NOT = "non-conforme", _("Not compliant")
    PARTIAL = "partiellement-conforme", _("Partially compliant")
    FULL = "totalement-conforme", _("Fully compliant")


class DsfrStatus(models.TextChoices):
    NONE = "non", _("Not using the DSFR")
    PARTIAL = "partiel", _("Partially using the DSFR")
    FULL = "complet", _("Fully using the DSFR")


class UserType(models.TextChoices):
    CITIZENS = "particuliers", _("Citizens")
    COMPANIES = "entreprises", _("Companies")
    ASSOCIATIONS = "associations", _("Associations")
    PUBLIC_SERVANTS = "agents-publics", _("Public servants")
    LOCAL_AUTHORITIES = "collectivites", _("Local authorities")
    PROFESSIONALS = "professionnels", _("Professionals")


class Theme(models.TextChoices):
    ENVIRONMENT = "environnement", _("Environment")
    HOUSING = "logement", _("Housing")
    HEALTH = "sante", _("Health")
    SOCIAL = "social", _("Social affairs")
    EMPLOYMENT = "emploi", _("Employment")
    JUSTICE = "justice", _("Justice")
    SECURITY = "securite", _("Security")
    AGRICULTURE = "agriculture", _("Agriculture and food")
    CULTURE = "culture", _("Culture")
    EDUCATION = "education", _("Education")
    TERRITORIES = "territoires", _("Territories")
    DATA = "donnees", _("Data")
    ECONOMY = "economie", _("Economy")
    DIGITAL = "numerique", _("Digital")


class StartupQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def active(self):
        return self.filter(phase__in=ACTIVE_PHASES)

    def managed_by(self, user):
        """Products whose incubators the user manages (manager or portfolio manager)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_network_admin:
            return self.all()
        return self.in_incubators(Incubator.objects.managed_by(user).values("pk"))

    def in_incubators(self, incubators):
        """Products whose principal incubator or a partner one is among ``incubators`` (ids, rows or
        a subquery). Subqueries, no join: no row twice, so no DISTINCT, which would make PostgreSQL
        compute every annotation of every row before a page is cut."""
        partners = Startup.other_incubators.through.objects.filter(incubator__in=incubators).values("startup")
        return self.filter(Q(incubator__in=incubators) | Q(pk__in=partners))

    def visible_to(self, user):
        """Products a user may open in the signed-in area.

        Network admins and coordinators (``reads_network``): all. Members of one of the product's
        incubators (any role): theirs. Team members: their own products.
        """
        if not user.is_authenticated:
            return self.none()
        if user.reads_network:
            return self.all()
        incubators = Membership.objects.filter(user=user).values("incubator")
        teams = TeamMembership.objects.filter(user=user).values("startup")
        return self.in_incubators(incubators) | self.filter(pk__in=teams)

    def stale(self, days=90, now=None):
        return self.filter(updated_at__lt=(now or timezone.now()) - timedelta(days=days))

    def with_theme(self, theme):
        return self.filter(themes__icontains=f'"{theme}"')

    def for_list(self):
        """What a list row shows: incubator, sponsors and the date the current phase began."""
        phase_since = PhasePeriod.objects.filter(startup=OuterRef("pk"), end__isnull=True).values("start")[:1]
        return (
            self.select_related("incubator", "incubator__owner")
            .prefetch_related("sponsors")
            .annotate(phase_since=Subquery(phase_since))
        )


class Startup(RenderedMarkdownMixin, models.Model):
    """A product (Startup d'État)."""

    markdown_fields = ("description",)

    slug = models.CharField(
        _("slug"),
        max_length=80,
        unique=True,
        validators=[RegexValidator(SLUG_PATTERN, _("Use lowercase letters, digits, and dashes or dots between them."))],
    )
    name = models.CharField(_("name"), max_length=120)
    pitch = models.CharField(_("pitch"), max_length=280, help_text=_("One sentence: what the product does, for whom."))
    description = MarkdownField(
        _("description"), blank=True, help_text=_("Markdown: context, problem, solution, strategy.")
    )
    # The description's sanitised HTML, rendered on save (incubator.markdown); pages print this.
    description_html = models.TextField(blank=True, default="", editable=False)
    contact_email = models.EmailField(_("contact email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    repository = models.URLField(_("source code repository"), blank=True)
    stats_url = models.URLField(_("statistics page"), blank=True)
    budget_url = models.URLField(_("budget page"), blank=True)
    impact_url = models.URLField(_("impact page"), blank=True)
    roadmap_url = models.URLField(_("roadmap"), blank=True)
    accessibility_status = models.CharField(
        _("accessibility"), max_length=30, choices=AccessibilityStatus.choices, default=AccessibilityStatus.NOT
    )
    dsfr_status = models.CharField(_("DSFR"), max_length=10, choices=DsfrStatus.choices, default=DsfrStatus.NONE)
    user_types = models.JSONField(_("user types"), default=list, blank=True, validators=[CodeListValidator(UserType)])
    themes = models.JSONField(_("themes"), default=list, blank=True, validators=[CodeListValidator(Theme)])
    sponsors = models.ManyToManyField(
        Organisation, verbose_name=_("sponsors"), related_name="sponsored_startups", blank=True
    )
    incubator = models.ForeignKey(
        Incubator, verbose_name=_("principal incubator"), on_delete=models.PROTECT, related_name="startups"
    )
    other_incubators = models.ManyToManyField(
        Incubator, verbose_name=_("other incubators"), related_name="partner_startups", blank=True
    )
    phase = models.CharField(
        _("phase"), max_length=30, choices=Phase.choices, default=Phase.INVESTIGATION, editable=False
    )
    next_committee_due = models.DateField(
        _("next committee due"), null=True, blank=True, validators=[validate_in_window]
    )
    is_published = models.BooleanField(_("published"), default=True, help_text=_("Shown in the public directory."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, validators=[validate_in_window])

    history = HistoricalRecords(excluded_fields=["updated_at", "description_html"])
    objects = StartupQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["phase"], name="startup_phase_idx"),
            models.Index(fields=["updated_at"], name="startup_updated_idx"),
        ]
        constraints = [
            window_constraint("next_committee_due", name="startup_next_committee_due_in_window", nullable=True),
            window_constraint("updated_at", name="startup_updated_at_in_window", instant=True),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portfolio:startup_detail", kwargs={"slug": self.slug})

    def get_public_url(self):
        return reverse("portfolio:public_detail", kwargs={"slug": self.slug})

    def touch(self):
        """Record that the sheet changed (the "no update for N months" filters read it)."""
        self.updated_at = timezone.now()
        Startup.objects.filter(pk=self.pk).update(updated_at=self.updated_at)
        versions.STEERING.changed()  # the stale sheets counted on the dashboards

    @property
    def is_ended(self):
        return self.phase in ENDED_PHASES

    @property
    def is_stale_for_public(self):
        return self.updated_at < timezone.now() - timedelta(days=365)


class PhasePeriodQuerySet(models.QuerySet):
    def open(self):
        return self.filter(end__isnull=True)


class PhasePeriod(models.Model):
    """A phase of a product, from ``start`` to ``end`` (null while current)."""

    startup = models.ForeignKey(Startup, verbose_name=_("product"), on_delete=models.CASCADE, related_name="periods")
    phase = models.CharField(_("phase"), max_length=30, choices=Phase.choices)
    start = models.DateField(_("start"), validators=[validate_in_window])
    end = models.DateField(_("end"), null=True, blank=True, validators=[validate_in_window])
    comment = models.TextField(_("comment"), blank=True)
    is_override = models.BooleanField(
        _("outside the usual path"), default=False, help_text=_("A backward move or a skip, with a reason.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set by the committees app when a decision causes the move (no import of committees here).
    decision_id = models.PositiveBigIntegerField(_("decision"), null=True, blank=True)

    history = HistoricalRecords()
    objects = PhasePeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("phase period")
        verbose_name_plural = _("phase periods")
        ordering = ["startup", "start"]
        constraints = [
            window_constraint("start", name="phaseperiod_start_in_window"),
            window_constraint("end", name="phaseperiod_end_in_window", nullable=True),
            models.UniqueConstraint(
                fields=["startup"], condition=Q(end__isnull=True), name="phaseperiod_one_open_per_startup"
            ),
            models.UniqueConstraint(fields=["startup", "start"], name="phaseperiod_unique_start"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")), name="phaseperiod_start_before_end"
            ),
        ]

    def __str__(self):
        return f"{self.startup} — {self.get_phase_display()} ({self.start} → {self.end or '…'})"

    def duration_days(self, today=None):
        return ((self.end or today or timezone.localdate()) - self.start).days


class TeamMembershipQuerySet(models.QuerySet):
    def current(self, today=None):
        today = today or timezone.localdate()
        return self.filter(Q(end__isnull=True) | Q(end__gte=today), start__lte=today)


class TeamMembership(models.Model):
    """Someone in a product's team, with or without an account."""

    class Role(models.TextChoices):
        INTRAPRENEUR = "intrapreneur", _("Intrapreneur")
        COACH = "coach", _("Coach")
        PRODUCT = "product", _("Product manager")
        DEVELOPER = "developer", _("Developer")
        DESIGNER = "designer", _("Designer")
        DEPLOYMENT = "deployment", _("Deployment")
        OTHER = "other", _("Other")

    startup = models.ForeignKey(Startup, verbose_name=_("product"), on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="team_memberships",
    )
    name = models.CharField(_("name"), max_length=150, blank=True, help_text=_("For people without an account."))
    email = models.EmailField(_("email"), blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    start = models.DateField(_("start"), default=timezone.localdate, validators=[validate_in_window])
    end = models.DateField(_("end"), null=True, blank=True, validators=[validate_in_window])

    history = HistoricalRecords()
    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["startup", "role", "start"]
        constraints = [
            window_constraint("start", name="teammembership_start_in_window"),
            window_constraint("end", name="teammembership_end_in_window", nullable=True),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(name=""), name="teammembership_user_or_name"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="teammembership_start_before_end"
            ),
        ]

    def __str__(self):
        return f"{self.display_name} — {self.get_role_display()}"

    @property
    def display_name(self):
        return str(self.user) if self.user_id else self.name

    @property
    def contact_email(self):
        return self.user.email if self.user_id else self.email


class Indicator(models.Model):
    """A line of the impact matrix, with its unit and 6-month target."""

    class Kind(models.TextChoices):
        USABLE = "usable", _("Usable")
        USED = "used", _("Used")
        USEFUL = "useful", _("Useful")
        IMPACTFUL = "impactful", _("Impactful")
        EFFICIENT = "efficient", _("Efficient")

    startup = models.ForeignKey(Startup, verbose_name=_("product"), on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    allows_negative = models.BooleanField(_("negative values allowed"), default=False)
    target = models.DecimalField(_("6-month target"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["startup", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["startup", "name"], name="indicator_unique_name")]

    def __str__(self):
        return self.name


class Measurement(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="measurements"
    )
    date = models.DateField(_("date"), validators=[validate_in_window])
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="measurement_unique_date"),
            window_constraint("date", name="measurement_date_in_window"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.date})"

    def clean(self):
        if self.value is not None and self.value < 0 and not self.indicator.allows_negative:
            raise ValidationError({"value": _("This indicator cannot be negative.")})


class EventKind(models.TextChoices):
    """What happened to a product, in the network's vocabulary. Committees are events too, but they
    are the committees app's records: it adds them to the time line (``incubator.registry``,
    ``TimelineSource``); the portfolio stores only these."""

    LAUNCH = "lancement", _("Product launch")
    FAST = "fast", _("FAST funding")
    NATIONAL_IMPACT = "label-impact-national", _("National impact label")
    FUNDING_STOPPED = "fin-financement", _("Funding stopped")
    STOPPED = "arret", _("Product stopped")
    OTHER = "autre", _("Other")


# A FAST promotion is known by its number, a label by its year: their day may be unknown (the
# network's sample has none). Every other event has its day.
UNDATED_KINDS = (EventKind.FAST, EventKind.NATIONAL_IMPACT)


class ProductEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The events of the products the user may open (``Startup.objects.visible_to``)."""
        return self.filter(startup__in=Startup.objects.visible_to(user).values("pk"))

    def public(self):
        """What the public page and the open data show: the public events of published products."""
        return self.filter(is_public=True, startup__is_published=True)


class ProductEvent(models.Model):
    """A dated fact of a product's life: its launch, a FAST promotion, a national impact label, the
    end of its funding, its stop. ``is_public``: shown on the public page and in the open data
    (with its note); the others are for those who follow the product."""

    startup = models.ForeignKey(
        Startup, verbose_name=_("product"), on_delete=models.CASCADE, related_name="product_events"
    )
    kind = models.CharField(_("event"), max_length=30, choices=EventKind.choices)
    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        validators=[validate_in_window],
        help_text=_("Optional for a FAST promotion or a label, whose number or year is enough."),
    )
    fast_promotion = models.PositiveSmallIntegerField(_("FAST promotion"), null=True, blank=True)
    amount_eur = models.PositiveIntegerField(_("amount (EUR)"), null=True, blank=True)
    label_year = models.PositiveSmallIntegerField(_("year of the label"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=280, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown, with its note, on the product's public page and in the open data."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ProductEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("product event")
        verbose_name_plural = _("product events")
        ordering = ["startup", "date", "pk"]
        indexes = [models.Index(fields=["startup", "kind"], name="productevent_startup_kind_idx")]
        constraints = [
            window_constraint("date", name="productevent_date_in_window", nullable=True),
            models.CheckConstraint(
                condition=Q(kind__in=UNDATED_KINDS) | Q(date__isnull=False), name="productevent_dated"
            ),
            models.CheckConstraint(
                condition=(Q(kind=EventKind.FAST) & Q(fast_promotion__isnull=False, fast_promotion__gte=1))
                | (~Q(kind=EventKind.FAST) & Q(fast_promotion__isnull=True, amount_eur__isnull=True)),
                name="productevent_fast_fields",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=EventKind.NATIONAL_IMPACT)
                    & Q(label_year__isnull=False, label_year__gte=2000, label_year__lte=2099)
                )
                | (~Q(kind=EventKind.NATIONAL_IMPACT) & Q(label_year__isnull=True)),
                name="productevent_label_year",
            ),
            models.UniqueConstraint(
                fields=["startup", "fast_promotion"],
                condition=Q(kind=EventKind.FAST),
                name="productevent_one_fast_per_promotion",
                violation_error_message=_("This product already has this FAST promotion."),
            ),
            models.UniqueConstraint(
                fields=["startup", "label_year"],
                condition=Q(kind=EventKind.NATIONAL_IMPACT),
                name="productevent_one_label_per_year",
                violation_error_message=_("This product already has the label of this year."),
            ),
        ]

    def __str__(self):
        return f"{self.startup} — {self.get_kind_display()} ({self.when})"

    def clean(self):
        """Each kind asks for its own facts; the fields of other kinds are emptied."""
        if self.kind != EventKind.FAST:
            self.fast_promotion = self.amount_eur = None
        if self.kind != EventKind.NATIONAL_IMPACT:
            self.label_year = None
        errors = {}
        if self.kind == EventKind.FAST and not self.fast_promotion:
            errors["fast_promotion"] = _("Give the number of the FAST promotion.")
        if self.kind == EventKind.NATIONAL_IMPACT and not self.label_year:
            errors["label_year"] = _("Give the year of the label.")
        elif self.label_year is not None and not 2000 <= self.label_year <= 2099:
            errors["label_year"] = _("Enter a year between 2000 and 2099.")
        if self.kind and self.kind not in UNDATED_KINDS and self.date is None:
            errors["date"] = _("Give the date of the event.")
        if errors:
            raise ValidationError(errors)

    @property
    def sort_day(self):
        """The day it is placed on in a time line: its date, else its label's year (1 January);
        None when neither is known (an undated FAST promotion goes last)."""
        if self.date:
            return self.date
        if self.label_year:
            return datetime.date(self.label_year, 1, 1)
        return None

    @property
    def when(self):
        """Its date as text: the ISO day, the label's year, or "date not recorded"."""
        if self.date:
            return self.date.isoformat()
        if self.label_year:
            return str(self.label_year)
        return str(_("date not recorded"))

    @property
    def summary(self):
        """The event's facts in a few words: "Promotion 14, 300,000 €", "2024", or nothing."""
        if self.kind == EventKind.FAST:
            text = _("Promotion %(number)s") % {"number": self.fast_promotion}
            if self.amount_eur:
                text = _("%(promotion)s, %(amount)s €") % {"promotion": text, "amount": intcomma(self.amount_eur)}
            return text
        if self.kind == EventKind.NATIONAL_IMPACT:
            return str(self.label_year)
        return ""

    @property
    def is_funding_stop(self):
        return self.kind == EventKind.FUNDING_STOPPED
