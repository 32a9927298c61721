"""The scorecard's workflows: answering the criteria of a product, rolling out a new version.

Plain functions with keyword-only arguments and an explicit ``actor`` (the history's user):
``docs/architecture.md``, "What each file holds". The statuses move freely (no state machine):
any status may follow any other; what matters is who wrote it and when (the history).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from incubator import versions
from portfolio import opendata
from portfolio.models import Startup

from .models import ProductStandard, Standard, StandardsVersion

ANSWER_FIELDS = ("status", "evidence_url", "done_on", "review_due")


@dataclass(frozen=True)
class Answer:
    standard: Standard
    status: str
    evidence_url: str = ""
    done_on: object = None
    review_due: object = None


def record_answers(*, startup, answers, actor):
    """Write ``startup``'s answers (``Answer`` items) to the current criteria; only those that
    changed are saved, each with a history row. A constant number of queries, whatever the number
    of criteria. Returns the number of answers changed."""
    now = timezone.now()
    with transaction.atomic():
        existing = {
            row.standard_id: row
            for row in ProductStandard.objects.select_for_update().filter(
                startup=startup, standard__in=[answer.standard for answer in answers]
            )
        }
        new, changed = [], []
        for answer in answers:
            values = {name: getattr(answer, name) for name in ANSWER_FIELDS}
            values["evidence_url"] = values["evidence_url"] or ""
            row = existing.get(answer.standard.pk)
            if row is None:
                new.append(
                    ProductStandard(
                        startup=startup, standard=answer.standard, updated_by=actor, updated_at=now, **values
                    )
                )
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                row.updated_by, row.updated_at = actor, now
                changed.append(row)
        if new:
            bulk_create_with_history(new, ProductStandard, default_user=actor)
        if changed:
            bulk_update_with_history(
                changed, ProductStandard, [*ANSWER_FIELDS, "updated_by", "updated_at"], default_user=actor
            )
        if new or changed:
            opendata.data_changed(sender=ProductStandard)  # bulk writes send no post_save
            versions.STEERING.changed()
    return len(new) + len(changed)


def roll_out_version(*, name, published_on, criteria, actor):
    """Publish a new version of the standards and make it current.

    ``criteria``: dicts with ``key``, ``label`` and optionally ``order`` and ``help``. Every
    product gets the new version's items: a criterion whose ``key`` the previous version had keeps
    the product's answer (status, evidence, dates), the others start "not started". The previous
    version and its answers stay, as a record. Returns the new version.
    """
    with transaction.atomic():
        previous = StandardsVersion.objects.select_for_update().filter(is_current=True).first()
        StandardsVersion.objects.filter(is_current=True).update(is_current=False)
        version = StandardsVersion.objects.create(name=name, published_on=published_on, is_current=True)
        Standard.objects.bulk_create(
            Standard(
                version=version,
                key=item["key"],
                label=item["label"],
                order=item.get("order", number),
                help=item.get("help", ""),
            )
            for number, item in enumerate(criteria, start=1)
        )
        by_key = {standard.key: standard for standard in Standard.objects.filter(version=version)}
        carried = {}
        if previous is not None:
            old = ProductStandard.objects.filter(standard__version=previous, standard__key__in=by_key)
            carried = {(row.startup_id, row.standard.key): row for row in old.select_related("standard")}
        now = timezone.now()
        rows = []
        for startup_id in Startup.objects.order_by("pk").values_list("pk", flat=True):
            for key, standard in by_key.items():
                before = carried.get((startup_id, key))
                values = {name: getattr(before, name) for name in ANSWER_FIELDS} if before else {}
                rows.append(
                    ProductStandard(
                        startup_id=startup_id,
                        standard=standard,
                        updated_by_id=before.updated_by_id if before else None,
                        updated_at=before.updated_at if before else now,
                        **values,
                    )
                )
        bulk_create_with_history(rows, ProductStandard, batch_size=500, default_user=actor)
        opendata.data_changed(sender=ProductStandard)
        versions.STEERING.changed()
    return version
