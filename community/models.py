"""The network's offer and its community: resources, the requests for them, events and registrations.

Visibility lives in each QuerySet's ``visible_to(user)``; what a person may do in ``rules.py``;
the workflows (a request's transitions, a registration and its waiting list) in ``services.py``,
the only writers of the statuses (``ResourceRequest.TRANSITIONS``, ``Registration.TRANSITIONS``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incubator.dates import validate_in_window, window_constraint
from incubator.markdown import MarkdownField, RenderedMarkdownMixin
from incubator.models import Incubator, Membership, Organisation
from incubator.rules import managed_incubator_ids
from incubator.validators import CodeListValidator
from portfolio.models import Phase, Startup, TeamMembership

MESSAGE_MAX_LENGTH = 5000


def lists_code(field, code):
    """A JSON list column holds ``code`` (works on SQLite and PostgreSQL: the codes are quoted words)."""
    return Q(**{f"{field}__icontains": f'"{code}"'})


class ResourceCategory(models.Model):
    """A family of the offer: public contracts, technical offer, community, funding, strategic support, guides."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=280, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("resource category")
        verbose_name_plural = _("resource categories")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ResourceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """The catalogue: the published resources; an anonymous visitor sees the open ones only."""
        published = self.published()
        if user is None or not user.is_authenticated:
            return published.filter(access_mode=Resource.AccessMode.OPEN)
        return published

    def handled_by(self, user):
        """Resources whose requests the user answers (network admins: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_network_admin:
            return self.all()
        return self.filter(handlers=user)

    def for_phase(self, phase):
        return self.filter(Q(phases=[]) | lists_code("phases", phase))

    def for_organisation_types(self, types):
        """Open to any type (empty list), or to at least one of ``types``."""
        condition = Q(organisation_types=[])
        for code in types:
            condition |= lists_code("organisation_types", code)
        return self.filter(condition)

    def eligible_for(self, startup, organisation_types):
        """What a product may use: its phase and its sponsors' types (``sponsor_types``) allow it."""
        return self.for_phase(startup.phase).for_organisation_types(organisation_types)

    def for_list(self):
        return self.select_related("category")


class Resource(RenderedMarkdownMixin, models.Model):
    """Something the network offers its incubators and products."""

    markdown_fields = ("description",)

    class AccessMode(models.TextChoices):
        OPEN = "open", _("Open link")
        ON_REQUEST = "on_request", _("On request")
        CALL = "call", _("Call for applications")
        CONTRACT = "contract", _("Public contract")

    category = models.ForeignKey(
        ResourceCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="resources"
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=280, help_text=_("One sentence: what it is, for whom."))
    description = MarkdownField(_("description"), blank=True, help_text=_("Markdown."))
    # The description's sanitised HTML, rendered on save (incubator.markdown); pages print this.
    description_html = models.TextField(blank=True, default="", editable=False)
    provider = models.CharField(_("provider"), max_length=150)
    access_mode = models.CharField(_("access mode"), max_length=20, choices=AccessMode.choices)
    link = models.URLField(_("link"), max_length=500, blank=True)
    call_opens_on = models.DateField(_("applications open on"), null=True, blank=True, validators=[validate_in_window])
    call_closes_on = models.DateField(
        _("applications close on"), null=True, blank=True, validators=[validate_in_window]
    )
    phases = models.JSONField(
        _("eligible phases"),
        default=list,
        blank=True,
        validators=[CodeListValidator(Phase)],
        help_text=_("Empty: every phase."),
    )
    organisation_types = models.JSONField(
        _("eligible organisation types"),
        default=list,
        blank=True,
        validators=[CodeListValidator(Organisation.Type)],
        help_text=_("The types of the product's sponsors. Empty: every type."),
    )
    priority_policy_only = models.BooleanField(
        _("for priority-policy products only"),
        default=False,
        help_text=_("Reserved to products tied to one of the government's priority policies."),
    )
    indicative_value = models.CharField(_("indicative value"), max_length=150, blank=True)
    contact_name = models.CharField(_("contact"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handlers"),
        blank=True,
        related_name="handled_resources",
        help_text=_("Who answers the requests."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["category__order", "title"]
        indexes = [models.Index(fields=["access_mode"], name="resource_access_mode_idx")]
        constraints = [
            window_constraint("call_opens_on", name="resource_call_opens_on_in_window", nullable=True),
            window_constraint("call_closes_on", name="resource_call_closes_on_in_window", nullable=True),
            models.CheckConstraint(
                condition=Q(call_opens_on__isnull=True)
                | Q(call_closes_on__isnull=True)
                | Q(call_opens_on__lte=models.F("call_closes_on")),
                name="resource_call_opens_before_closing",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("community:resource_detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.call_opens_on and self.call_closes_on and self.call_opens_on > self.call_closes_on:
            raise ValidationError({"call_closes_on": _("The applications cannot close before they open.")})
        if self.access_mode == self.AccessMode.CALL and not (self.call_opens_on and self.call_closes_on):
            raise ValidationError({"call_opens_on": _("A call for applications needs its opening and closing dates.")})

    @property
    def access_badge(self):
        """The DSFR badge modifier of the access mode."""
        return {"open": "success", "on_request": "info", "call": "new", "contract": "warning"}[self.access_mode]

    @property
    def is_open_link(self):
        return self.access_mode == self.AccessMode.OPEN

    @property
    def is_call(self):
        return self.access_mode == self.AccessMode.CALL

    @property
    def can_be_requested(self):
        return self.access_mode == self.AccessMode.ON_REQUEST

    def call_is_open(self, today=None):
        today = today or timezone.localdate()
        return bool(self.call_opens_on and self.call_closes_on and self.call_opens_on <= today <= self.call_closes_on)

    @property
    def phase_labels(self):
        return [str(Phase(code).label) for code in self.phases]

    @property
    def organisation_type_labels(self):
        return [str(Organisation.Type(code).label) for code in self.organisation_types]

    def ineligibility(self, startup, organisation_types):
        """Why ``startup`` may not use this resource (a sentence), or None when it may."""
        if self.phases and startup.phase not in self.phases:
            return _("This resource is for products in %(phases)s.") % {"phases": ", ".join(self.phase_labels)}
        if self.organisation_types and not set(self.organisation_types) & set(organisation_types):
            return _("This resource is for products sponsored by: %(types)s.") % {
                "types": ", ".join(self.organisation_type_labels)
            }
        return None


def sponsor_types(startup):
    """The organisation types a product's eligibility reads: its sponsors', or, with no sponsor, the
    owner of its principal incubator's (one query)."""
    types = set(startup.sponsors.values_list("type", flat=True))
    if not types:
        types = set(Organisation.objects.filter(incubators=startup.incubator_id).values_list("type", flat=True))
    return sorted(types)


def _requester_side(user):
    """Requests the user made, those of the products whose current team the user is in, and those of
    the incubators the user runs (co-incubation included)."""
    managed = managed_incubator_ids(user)
    managed_startups = Startup.objects.filter(Q(incubator__in=managed) | Q(other_incubators__in=managed))
    return (
        Q(requester=user)
        | Q(startup__in=TeamMembership.objects.current().filter(user=user).values("startup"))
        | Q(incubator__in=managed)
        | Q(startup__in=managed_startups.values("pk"))
    )


class ResourceRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Network admins: all. Otherwise the requester's side (``_requester_side``) and the handlers
        of the resource. Another incubator's request, and the coaches, jurors and viewers of the same
        incubator, see nothing (a 404)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_network_admin:
            return self.all()
        return self.filter(_requester_side(user) | Q(resource__handlers=user)).distinct()

    def of_requester(self, user):
        """ "Mes demandes": the requests of the user's side."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_requester_side(user)).distinct()

    def queue_of(self, user):
        """The handler's queue: the requests of the resources the user answers (network admins: all)."""
        return self.filter(resource__in=Resource.objects.handled_by(user).values("pk"))

    def open(self):
        return self.filter(status__in=ResourceRequest.OPEN_STATUSES)

    def for_list(self):
        return self.select_related("resource", "resource__category", "startup", "incubator", "requester")


class ResourceRequest(models.Model):
    """A request for an on-request resource, for a product or for an incubator."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        IN_PROGRESS = "in_progress", _("In progress")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    # The one map of allowed moves; ``services.transition_request`` is the only writer of ``status``.
    TRANSITIONS = {
        Status.SUBMITTED: {Status.IN_PROGRESS, Status.GRANTED, Status.REFUSED},
        Status.IN_PROGRESS: {Status.GRANTED, Status.REFUSED},
        Status.GRANTED: set(),
        Status.REFUSED: set(),
    }
    OPEN_STATUSES = (Status.SUBMITTED, Status.IN_PROGRESS)

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="requests"
    )
    incubator = models.ForeignKey(
        Incubator,
        verbose_name=_("incubator"),
        on_delete=models.PROTECT,
        related_name="resource_requests",
        help_text=_("The incubator asking, or the product's principal incubator."),
    )
    startup = models.ForeignKey(
        Startup,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="resource_requests",
        help_text=_("Empty: a request of the incubator itself."),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="resource_requests",
    )
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    status_changed_at = models.DateTimeField(
        _("status changed at"), default=timezone.now, validators=[validate_in_window]
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, validators=[validate_in_window])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ResourceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource request")
        verbose_name_plural = _("resource requests")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="resourcerequest_status_idx")]
        constraints = [
            window_constraint("status_changed_at", name="resourcerequest_status_changed_at_in_window", instant=True),
            window_constraint("submitted_at", name="resourcerequest_submitted_at_in_window", instant=True),
            # One open request per resource and product (or per resource and incubator, for itself).
            models.UniqueConstraint(
                fields=["resource", "startup"],
                condition=Q(status__in=["submitted", "in_progress"], startup__isnull=False),
                name="resourcerequest_one_open_per_startup",
            ),
            models.UniqueConstraint(
                fields=["resource", "incubator"],
                condition=Q(status__in=["submitted", "in_progress"], startup__isnull=True),
                name="resourcerequest_one_open_per_incubator",
            ),
        ]

    def __str__(self):
        return f"{self.resource} — {self.target_name}"

    def get_absolute_url(self):
        return reverse("community:request_detail", kwargs={"pk": self.pk})

    @property
    def target_name(self):
        return self.startup.name if self.startup_id else self.incubator.title

    @property
    def next_statuses(self):
        """The statuses this request may move to, in the order of the choices."""
        allowed = self.TRANSITIONS[self.Status(self.status)]
        return [status for status in self.Status if status in allowed]

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def status_badge(self):
        """The DSFR badge modifier of the status."""
        return {"submitted": "new", "in_progress": "info", "granted": "success", "refused": "error"}[self.status]

    def age_days(self, now=None):
        """Days since it was submitted."""
        return ((now or timezone.now()) - self.submitted_at).days

    @property
    def age(self):
        return self.age_days()


class RequestComment(models.Model):
    """A comment on a request; one is written with each move of its status (``status`` then says where to)."""

    request = models.ForeignKey(
        ResourceRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    status = models.CharField(_("new status"), max_length=20, choices=ResourceRequest.Status.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("request comment")
        verbose_name_plural = _("request comments")
        ordering = ["request", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(body="") | ~Q(status=""), name="requestcomment_body_or_status"),
        ]

    def __str__(self):
        return f"{self.request} — {self.author}"


# Events -------------------------------------------------------------------------------------------


class AudienceRole(models.TextChoices):
    """The roles an event can be for: a product team's roles (the role clubs) and an incubator's."""

    INTRAPRENEUR = "intrapreneur", _("Intrapreneurs")
    COACH = "coach", _("Coaches")
    PRODUCT = "product", _("Product managers")
    DEVELOPER = "developer", _("Developers")
    DESIGNER = "designer", _("Designers")
    DEPLOYMENT = "deployment", _("Deployment leads")
    MANAGER = "manager", _("Incubator managers")
    PORTFOLIO_MANAGER = "portfolio_manager", _("Portfolio managers")


def _in_audience(user):
    """Events whose audience includes the user: everyone, one of the user's roles (in a current team
    or in an incubator), or one of the user's incubators (a member, or in the team of one of its products)."""
    team = TeamMembership.objects.current().filter(user=user)
    memberships = Membership.objects.filter(user=user)
    team_incubators = Startup.objects.filter(pk__in=team.values("startup")).values("incubator")
    return (
        Q(audience=Event.Audience.ALL)
        | Q(audience=Event.Audience.ROLE, audience_role__in=team.values("role"))
        | Q(audience=Event.Audience.ROLE, audience_role__in=memberships.values("role"))
        | Q(audience=Event.Audience.INCUBATOR, audience_incubator__in=memberships.values("incubator"))
        | Q(audience=Event.Audience.INCUBATOR, audience_incubator__in=team_incubators)
    )


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Anonymous: the public events. Signed in: those of the user's audience, the public ones, those
        the user organises or registered for. Network admins: all."""
        if user is None or not user.is_authenticated:
            return self.filter(is_public=True)
        if user.is_network_admin:
            return self.all()
        registered = Registration.objects.filter(user=user).values("event")
        return self.filter(_in_audience(user) | Q(is_public=True) | Q(organiser=user) | Q(pk__in=registered))

    def open_to(self, user):
        """Events the user may register for (their audience; network admins: all)."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_network_admin:
            return self.all()
        return self.filter(_in_audience(user))

    def organised_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_network_admin:
            return self.all()
        return self.filter(organiser=user)

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now())

    def with_seats(self):
        """``confirmed`` and ``waitlisted``: the registrations counted in the same query."""
        Status = Registration.Status
        return self.annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED), distinct=True),
            waitlisted=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED), distinct=True),
        )

    def with_registration_of(self, user):
        """``my_status``: the user's active registration's status (None: not registered)."""
        if user is None or not user.is_authenticated:
            return self.annotate(my_status=models.Value(None, output_field=models.CharField()))
        mine = Registration.objects.active().filter(event=OuterRef("pk"), user=user)
        return self.annotate(my_status=models.Subquery(mine.values("status")[:1]))

    def for_list(self, user=None):
        return self.select_related("audience_incubator").with_seats().with_registration_of(user)


class Event(RenderedMarkdownMixin, models.Model):
    """A meeting of the community: a forum, a club, a training, a demo day, a seminar."""

    markdown_fields = ("description",)

    class Kind(models.TextChoices):
        FORUM = "forum", _("Monthly forum")
        CLUB = "club", _("Role club")
        ALPHA = "alpha", _("Alpha training")
        DEMO_DAY = "demo_day", _("Demo day")
        SEMINAR = "seminar", _("Seminar")

    class Audience(models.TextChoices):
        ALL = "all", _("Everyone in the network")
        ROLE = "role", _("One role")
        INCUBATOR = "incubator", _("One incubator")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = MarkdownField(_("description"), blank=True, help_text=_("Markdown."))
    # The description's sanitised HTML, rendered on save (incubator.markdown); pages print this.
    description_html = models.TextField(blank=True, default="", editable=False)
    starts_at = models.DateTimeField(_("starts at"), validators=[validate_in_window], help_text=_("Paris time."))
    ends_at = models.DateTimeField(_("ends at"), validators=[validate_in_window], help_text=_("Paris time."))
    place = models.CharField(_("place"), max_length=255, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Seats; once they are taken, a waiting list."))
    registration_opens_at = models.DateTimeField(_("registration opens at"), validators=[validate_in_window])
    registration_closes_at = models.DateTimeField(_("registration closes at"), validators=[validate_in_window])
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.ALL)
    audience_role = models.CharField(_("role"), max_length=30, choices=AudienceRole.choices, blank=True)
    audience_incubator = models.ForeignKey(
        Incubator,
        verbose_name=_("incubator"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="community_events",
    )
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on the public events page, to visitors who are not signed in.")
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_events",
        help_text=_("Sees the attendance list."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"], name="event_starts_at_idx")]
        constraints = [
            window_constraint("starts_at", name="event_starts_at_in_window", instant=True),
            window_constraint("ends_at", name="event_ends_at_in_window", instant=True),
            window_constraint("registration_opens_at", name="event_registration_opens_at_in_window", instant=True),
            window_constraint("registration_closes_at", name="event_registration_closes_at_in_window", instant=True),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_starts_before_end"),
            models.CheckConstraint(
                condition=Q(registration_opens_at__lt=models.F("registration_closes_at")),
                name="event_registration_opens_before_closing",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__lte=models.F("ends_at")),
                name="event_registration_closes_before_end",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(video_link=""), name="event_place_or_link"),
            models.CheckConstraint(
                condition=~Q(audience="role") | ~Q(audience_role=""), name="event_role_audience_named"
            ),
            models.CheckConstraint(
                condition=~Q(audience="incubator") | Q(audience_incubator__isnull=False),
                name="event_incubator_audience_named",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("community:event_detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        if self.registration_opens_at and self.registration_closes_at:
            if self.registration_closes_at <= self.registration_opens_at:
                errors["registration_closes_at"] = _("The registration must close after it opens.")
            elif self.ends_at and self.registration_closes_at > self.ends_at:
                errors["registration_closes_at"] = _("The registration must close before the event ends.")
        if not self.place and not self.video_link:
            errors["place"] = _("Give a place or a video link.")
        if self.audience == self.Audience.ROLE and not self.audience_role:
            errors["audience_role"] = _("Choose the role this event is for.")
        if self.audience == self.Audience.INCUBATOR and not self.audience_incubator_id:
            errors["audience_incubator"] = _("Choose the incubator this event is for.")
        if self.pk and self.capacity:
            confirmed = self.registrations.filter(status=Registration.Status.CONFIRMED).count()
            if self.capacity < confirmed:
                errors["capacity"] = _(
                    "%(count)s people already have a seat: the capacity cannot be lower (cancel registrations first)."
                ) % {"count": confirmed}
        if errors:
            raise ValidationError(errors)

    @property
    def audience_label(self):
        if self.audience == self.Audience.ROLE:
            return AudienceRole(self.audience_role).label
        if self.audience == self.Audience.INCUBATOR and self.audience_incubator_id:
            return self.audience_incubator.title
        return self.get_audience_display()

    def registration_state(self, now=None):
        """ "not_yet", "open" or "closed" (the window, and the start of the event)."""
        now = now or timezone.now()
        if now < self.registration_opens_at:
            return "not_yet"
        if now >= self.registration_closes_at or now >= self.starts_at:
            return "closed"
        return "open"

    @property
    def seats_left(self):
        """Free seats (needs ``with_seats()``)."""
        return max(self.capacity - self.confirmed, 0)

    @property
    def is_full(self):
        return self.seats_left == 0

    @property
    def is_registration_open(self):
        return self.registration_state() == "open"


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)

    def waiting(self):
        return self.filter(status=Registration.Status.WAITLISTED).order_by("position", "pk")


class Registration(models.Model):
    """A person's place at an event: a seat, or a place on its waiting list (``position``)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    # The one map of allowed moves; ``services.transition_registration`` is the only writer of ``status``.
    TRANSITIONS = {
        Status.CONFIRMED: {Status.CANCELLED},
        Status.WAITLISTED: {Status.CONFIRMED, Status.CANCELLED},
        Status.CANCELLED: set(),
    }

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    position = models.PositiveIntegerField(
        _("place on the waiting list"), null=True, blank=True, help_text=_("Only while on the waiting list.")
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    status_changed_at = models.DateTimeField(
        _("status changed at"), default=timezone.now, validators=[validate_in_window]
    )

    history = HistoricalRecords()
    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            window_constraint("status_changed_at", name="registration_status_changed_at_in_window", instant=True),
            models.UniqueConstraint(
                fields=["event", "user"], condition=~Q(status="cancelled"), name="registration_one_active_per_person"
            ),
            models.UniqueConstraint(
                fields=["event", "position"], condition=Q(status="waitlisted"), name="registration_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", position__isnull=False)
                | (~Q(status="waitlisted") & Q(position__isnull=True)),
                name="registration_position_iff_waitlisted",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.event} ({self.get_status_display()})"

    @property
    def is_active(self):
        return self.status != self.Status.CANCELLED

    @property
    def is_waitlisted(self):
        return self.status == self.Status.WAITLISTED

    @property
    def status_badge(self):
        return {"confirmed": "success", "waitlisted": "warning", "cancelled": "error"}[self.status]

    @property
    def can_cancel(self):
        return self.Status.CANCELLED in self.TRANSITIONS[self.Status(self.status)]


def handles_requests(user):
    """For the header: the user answers the requests of at least one resource (an ``Exists``)."""
    return Exists(Resource.handlers.through.objects.filter(user=user))


class DismissedSuggestion(models.Model):
    """A person does not want to see a suggested resource for a product any more
    (``community.suggestions``; ``docs/architecture.md``, "Where a new feature goes")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    startup = models.ForeignKey(Startup, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("dismissed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed suggestion")
        verbose_name_plural = _("dismissed suggestions")
        constraints = [
            models.UniqueConstraint(fields=["user", "startup", "resource"], name="dismissedsuggestion_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.startup} — {self.resource}"
