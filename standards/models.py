"""The beta.gouv.fr standards and each product's scorecard (issue 11, item 7).

A ``StandardsVersion`` is one edition of the standards; its ``Standard`` rows are the criteria.
One version is current (a partial unique constraint); rolling out a new one is
``services.roll_out_version``. A ``ProductStandard`` is a product's answer to one criterion: its
status, an evidence link, the date it was reached and when to review it. A product without an
answer to a criterion has not started it. The wing's place in the app graph:
``docs/architecture.md``, "Layers" (a wing beside committees, calls and community).

``portfolio.Startup.accessibility_status`` and ``dsfr_status`` stay for now; the scorecard
supersedes them on the pages (a data migration may copy them into the scorecard later).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from incubator.dates import validate_in_window, window_constraint
from portfolio.models import Startup


class StandardsVersionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)


class StandardsVersion(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    published_on = models.DateField(_("published on"), validators=[validate_in_window])
    is_current = models.BooleanField(_("current"), default=False)

    objects = StandardsVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("version of the standards")
        verbose_name_plural = _("versions of the standards")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="standards_one_current_version"
            ),
            window_constraint("published_on", name="standards_version_published_on_in_window"),
        ]

    def __str__(self):
        return self.name


class StandardQuerySet(models.QuerySet):
    def current(self):
        return self.filter(version__is_current=True)

    def with_answer_of(self, startup):
        """Each criterion with ``startup``'s answer in the same query (a LEFT JOIN): ``answer_status``
        (None: not started), ``answer_evidence_url``, ``answer_done_on``, ``answer_review_due``."""
        return self.annotate(
            answer=FilteredRelation("answers", condition=Q(answers__startup=startup)),
            answer_pk=F("answer__pk"),
            answer_status=F("answer__status"),
            answer_evidence_url=F("answer__evidence_url"),
            answer_done_on=F("answer__done_on"),
            answer_review_due=F("answer__review_due"),
        ).order_by("order", "pk")


class Standard(models.Model):
    """A criterion of one version of the standards; ``key`` names it across versions."""

    version = models.ForeignKey(
        StandardsVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="standards"
    )
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    help = models.TextField(_("help"), blank=True)

    objects = StandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["version", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="standard_unique_key_per_version")]

    def __str__(self):
        return self.label


class Status(models.TextChoices):
    NOT_STARTED = "a-faire", _("Not started")
    IN_PROGRESS = "en-cours", _("In progress")
    DONE = "fait", _("Done")
    NOT_APPLICABLE = "non-applicable", _("Not applicable")


# What a committee no longer waits for.
SETTLED = (Status.DONE, Status.NOT_APPLICABLE)


class ProductStandardQuerySet(models.QuerySet):
    def current(self):
        return self.filter(standard__version__is_current=True)

    def settled(self):
        return self.filter(status__in=SETTLED)


class ProductStandard(models.Model):
    """A product's answer to one criterion (written by ``services.record_answers``)."""

    Status = Status

    startup = models.ForeignKey(Startup, verbose_name=_("product"), on_delete=models.CASCADE, related_name="standards")
    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="answers")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    evidence_url = models.URLField(_("evidence link"), blank=True)
    done_on = models.DateField(_("date"), null=True, blank=True, validators=[validate_in_window])
    review_due = models.DateField(_("review due"), null=True, blank=True, validators=[validate_in_window])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, validators=[validate_in_window])

    history = HistoricalRecords()
    objects = ProductStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("product standard")
        verbose_name_plural = _("product standards")
        ordering = ["startup", "standard__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["startup", "standard"], name="product_standard_unique"),
            window_constraint("done_on", name="product_standard_done_on_in_window", nullable=True),
            window_constraint("review_due", name="product_standard_review_due_in_window", nullable=True),
            window_constraint("updated_at", name="product_standard_updated_at_in_window", instant=True),
        ]
        indexes = [models.Index(fields=["standard", "status"], name="product_standard_status_idx")]

    def __str__(self):
        return f"{self.startup} · {self.standard}"

    @property
    def is_settled(self):
        return self.status in SETTLED
