"""Core models: people, organisations, incubators, memberships and the mail outbox."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
    """A person. The email address is the login; network admins are staff."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

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
        """Incubators a user may open in the signed-in area: all for network admins, theirs otherwise."""
        if not user.is_authenticated:
            return self.none()
        if user.is_network_admin:
            return self.all()
        return self.filter(memberships__user=user).distinct()

    def for_list(self):
        return self.select_related("owner")


class Incubator(models.Model):
    """A ministry's digital factory or a network lab hosting products."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("name"), max_length=255)
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
    """An email the portal sends: written in the transaction that causes it, sent after commit."""

    class Status(models.TextChoices):
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
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"], name="outbox_status_updated_idx")]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
