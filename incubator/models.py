"""Core models: people, organisations, incubators, memberships and the mail outbox."""

import uuid
from datetime import time, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .dates import validate_in_window, window_constraint


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. The email address is the login; network admins are staff; network coordinators
    read every incubator and change nothing (``reads_network``)."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    is_network_coordinator = models.BooleanField(
        _("network coordinator"),
        default=False,
        help_text=_("Reads every incubator's portfolio, committees and steering figures; changes nothing."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def is_network_admin(self):
        return self.is_active and self.is_staff

    @property
    def reads_network(self):
        """Reads every incubator (their portfolios, committees and steering figures): a network
        admin, or a network coordinator (who changes nothing: no rule that writes names them)."""
        return self.is_active and (self.is_staff or self.is_network_coordinator)


class Organisation(models.Model):
    """An administration: owner of incubators, sponsor of products."""

    class Type(models.TextChoices):
        CENTRAL = "administration-centrale", _("Central administration")
        DECENTRALISED = "service-deconcentre", _("Devolved state service")
        OPERATOR = "operateur", _("Public operator")
        SOCIAL_SECURITY = "securite-sociale", _("Social security")
        LOCAL_AUTHORITY = "collectivite-territoriale", _("Local authority")
        OTHER = "autre", _("Other")

    acronym = models.CharField(_("acronym"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=255)
    type = models.CharField(_("type"), max_length=30, choices=Type.choices, default=Type.CENTRAL)
    ministerial_area = models.CharField(_("ministerial area"), max_length=60, blank=True)
    # Who the organisation sends to the committees of the products it sponsors (pre-filled invitations).
    contact_name = models.CharField(_("sponsor contact"), max_length=150, blank=True)
    contact_email = models.EmailField(
        _("sponsor contact email"), blank=True, help_text=_("Invited to the committees of the products it sponsors.")
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["acronym"]

    def __str__(self):
        return f"{self.acronym} — {self.name}"


class IncubatorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def visible_to(self, user):
        """Incubators a user may open in the signed-in area: all for network admins and
        coordinators (``reads_network``), theirs otherwise."""
        if not user.is_authenticated:
            return self.none()
        if user.reads_network:
            return self.all()
        return self.filter(memberships__user=user).distinct()

    def managed_by(self, user):
        """Incubators the user runs (manager or portfolio manager); network admins: all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_network_admin:
            return self.all()
        return self.filter(memberships__user=user, memberships__role__in=Membership.MANAGER_ROLES).distinct()

    def for_list(self):
        return self.select_related("owner")


class Incubator(models.Model):
    """A ministry's digital factory or a network lab hosting products."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=255)
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="incubators"
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    short_description = models.CharField(_("short description"), max_length=280, blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="incubators/logos/", blank=True)
    purchasing_email = models.EmailField(
        _("purchasing email"), blank=True, help_text=_("Receives the decisions of investment committees.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = IncubatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("incubator")
        verbose_name_plural = _("incubators")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("incubator:incubator_detail", kwargs={"slug": self.slug})


class MembershipQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("incubator", "incubator__owner", "user")


class Membership(models.Model):
    """A user's role in an incubator. A user may belong to several incubators."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Incubator manager")
        PORTFOLIO_MANAGER = "portfolio_manager", _("Portfolio manager")
        COACH = "coach", _("Coach")
        JURY = "jury", _("Jury member")
        VIEWER = "viewer", _("Viewer")

    MANAGER_ROLES = (Role.MANAGER, Role.PORTFOLIO_MANAGER)  # who runs an incubator's portfolio and calls

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    incubator = models.ForeignKey(
        Incubator, verbose_name=_("incubator"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["incubator__title", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "incubator", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} — {self.incubator} ({self.get_role_display()})"


class OutboxMessageQuerySet(models.QuerySet):
    def stuck(self, now=None):
        """Rows claimed by a worker that never finished (crash, lost task)."""
        now = now or timezone.now()
        limit = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
        return self.filter(
            Q(status=OutboxMessage.Status.SENDING, claimed_at__lt=limit)
            | Q(status=OutboxMessage.Status.QUEUED, updated_at__lt=limit)
        )


class OutboxMessage(models.Model):
    """An email the portal sends: written in the transaction that causes it, sent after commit.

    Its status moves along ``incubator.outbox.TRANSITIONS``, written by ``incubator.outbox.transition()``
    only; the row is born ``held`` or ``queued`` (``incubator.outbox.enqueue()``).
    """

    class Status(models.TextChoices):
        HELD = "held", _("Held for review")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True, default=uuid.uuid4)
    from_email = models.CharField(_("sender"), max_length=255)
    to = models.JSONField(_("recipients"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    attachments = models.JSONField(
        _("attachments"), default=list, blank=True, help_text=_("List of {filename, content (base64), mimetype}.")
    )
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, validators=[validate_in_window])
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, validators=[validate_in_window])

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"], name="outbox_status_updated_idx")]
        constraints = [
            window_constraint("claimed_at", name="outboxmessage_claimed_at_in_window", instant=True, nullable=True),
            window_constraint("sent_at", name="outboxmessage_sent_at_in_window", instant=True, nullable=True),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class ReminderRule(models.Model):
    """When a kind of reminder is sent, and what it says (editable in the admin).

    Kinds are declared by the apps (``<app>/reminders.py``) and registered in the core's
    engine (``incubator.reminders``); a rule names its kind by code. To whom is the kind's
    business: its ``due()`` gives the recipients.
    """

    kind = models.CharField(_("kind"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    offset_days = models.IntegerField(
        _("offset in days"), help_text=_("From the kind's anchor date: -7 is a week before, 1 the day after.")
    )
    send_at = models.TimeField(_("time of sending (Paris)"), default=time(9, 0))
    is_active = models.BooleanField(_("active"), default=True)
    subject_template = models.CharField(_("subject"), max_length=300)
    body_template = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["kind", "offset_days"]
        constraints = [
            # A rule seeded twice, or copied in the admin without a name of its own, is refused.
            models.UniqueConstraint(
                fields=["kind", "offset_days", "name"], name="reminderrule_unique_kind_offset_name"
            ),
        ]

    def __str__(self):
        return self.name


class ReminderDelivery(models.Model):
    """One reminder handed to the outbox: at most one per (rule, object, recipient, occurrence)."""

    rule = models.ForeignKey(ReminderRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="deliveries")
    object_key = models.CharField(_("object"), max_length=120)
    recipient = models.EmailField(_("recipient"))
    occurrence = models.CharField(_("occurrence"), max_length=40)
    message = models.OneToOneField(
        OutboxMessage, verbose_name=_("email"), on_delete=models.SET_NULL, null=True, related_name="reminder"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_key", "recipient", "occurrence"], name="reminderdelivery_unique"
            ),
        ]

    def __str__(self):
        return f"{self.rule} → {self.recipient} ({self.occurrence})"


class AuditEventQuerySet(models.QuerySet):
    """Append-only: no bulk update or delete, except the purge of the rows past retention."""

    def update(self, **kwargs):
        raise TypeError("The audit log is append-only: its rows are never updated.")

    def delete(self):
        raise TypeError("The audit log is append-only: rows leave it only through AuditEvent.purge().")

    def expired(self, now=None):
        """Rows older than AUDIT_RETENTION_DAYS."""
        now = now or timezone.now()
        return self.filter(created_at__lt=now - timedelta(days=settings.AUDIT_RETENTION_DAYS))


class AuditEvent(models.Model):
    """Who did what to which object, and when (UTC): the security log (``incubator.audit``).

    Append-only, and personal data-free beyond the actor's id: no name, no email, no address, no
    payload. The actor is a plain id, not a foreign key, so the record outlives the account.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        MFA_ADDED = "mfa_added", _("Second factor added")
        MFA_REMOVED = "mfa_removed", _("Second factor removed")
        MFA_RESET = "mfa_reset", _("Recovery codes regenerated")
        MFA_USED = "mfa_used", _("Second factor used")
        MFA_FAILED = "mfa_failed", _("Wrong second-factor code")
        ACCESS_DENIED = "access_denied", _("Object access refused")
        ROLE_GRANTED = "role_granted", _("Role granted")
        ROLE_CHANGED = "role_changed", _("Role changed")
        ROLE_REVOKED = "role_revoked", _("Role revoked")
        STAFF_GRANTED = "staff_granted", _("Network admin right granted")
        STAFF_REVOKED = "staff_revoked", _("Network admin right revoked")
        SUPERUSER_GRANTED = "superuser_granted", _("Superuser right granted")
        SUPERUSER_REVOKED = "superuser_revoked", _("Superuser right revoked")
        COORDINATOR_GRANTED = "coordinator_granted", _("Network coordinator right granted")
        COORDINATOR_REVOKED = "coordinator_revoked", _("Network coordinator right revoked")
        SCORE_CHANGED = "score_changed", _("Jury score recorded")
        DOCUMENT_UPLOADED = "document_uploaded", _("Document uploaded")
        DOCUMENT_DOWNLOADED = "document_downloaded", _("Document downloaded")
        DATA_EXPORTED = "data_exported", _("Data exported")
        DATA_ERASED = "data_erased", _("Personal data erased")

    created_at = models.DateTimeField(
        _("date (UTC)"), default=timezone.now, editable=False, db_index=True, validators=[validate_in_window]
    )
    actor_id = models.PositiveBigIntegerField(_("actor (user id)"), null=True, blank=True, editable=False)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices, editable=False)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, editable=False)
    object_id = models.CharField(_("object id"), max_length=100, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["action", "created_at"], name="auditevent_action_created_idx")]
        constraints = [window_constraint("created_at", name="auditevent_created_at_in_window", instant=True)]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type} {self.object_id}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The audit log is append-only: its rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only: rows leave it only through AuditEvent.purge().")

    @classmethod
    def purge(cls, now=None):
        """Delete the rows past retention (the one way out of the log); returns how many."""
        expired = cls.objects.expired(now)
        deleted, _per_model = models.QuerySet.delete(expired)
        return deleted
