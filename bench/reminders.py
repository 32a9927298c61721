"""Benchmark of the reminder planner: plan and queue N due reminders, count the queries, time it.

    python bench/reminders.py [--count 10000] [--kind all|synthetic|agenda]

Uses the configured database (DATABASE_URL; SQLite without it) through a throwaway database
(``bench_<name>`` on PostgreSQL, in memory on SQLite), created, migrated and dropped as the test
runner does, so it never touches real data nor the test runner's ``test_<name>``. Two workloads:

* ``synthetic``: a registered bench kind that returns N prepared dues (one recipient each): the
  engine alone (delivery lookups, outbox and delivery INSERTs, template rendering);
* ``agenda``: N real planned committees with one attendee each and the seeded D-7 agenda rule:
  the committee kind's query, its attendees and one .ics per committee on top.

The rows are written, not sent: handing them to Celery after commit is switched off here.
Prints the number of queries (by kind) and the wall times of plan(), of the kind's due() and of
the outbox and delivery INSERTs, and checks that the queries grow with batches, not reminders.
"""

import argparse
import collections
import datetime
import math
import os
import sys
import time
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from incubator import reminders, tasks  # noqa: E402
from incubator.models import Incubator, Organisation, OutboxMessage, ReminderDelivery, ReminderRule  # noqa: E402
from incubator.reminders import Due, Recipient, ReminderKind, register  # noqa: E402

SYNTHETIC = "bench.synthetic"
AGENDA = "committees.agenda"


@register
class SyntheticKind(ReminderKind):
    """N dues prepared by the benchmark, one recipient each, anchored today + 7."""

    code = SYNTHETIC
    dues = []

    def due(self, rule, *, anchors_from, anchors_to):
        return self.dues


def synthetic_dues(count):
    anchor = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    return [
        Due(f"bench.thing:{n}", anchor, [Recipient(f"personne{n}@example.gouv.fr", f"Personne {n}")], {"n": n})
        for n in range(count)
    ]


def reset():
    ReminderDelivery.objects.all().delete()
    OutboxMessage.objects.all().delete()


def timed_due(kind):
    """Wrap ``kind.due`` to add its wall time to ``kind.elapsed``."""
    original = type(kind).due

    def due(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(kind, *args, **kwargs)
        finally:
            kind.elapsed += time.perf_counter() - started

    kind.due = due
    kind.elapsed = 0.0


def measure(code, expected):
    """Run plan() once; return its figures."""
    kind = reminders.get_kind(code)
    timed_due(kind)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        created = reminders.plan().created
        elapsed = time.perf_counter() - started
    assert created == expected, f"{created} reminders queued, {expected} expected"
    by_verb = collections.Counter(query["sql"].split(None, 1)[0].upper() for query in captured.captured_queries)

    def insert_time(table):
        prefix = f'INSERT INTO "{table}"'
        return sum(float(query["time"]) for query in captured.captured_queries if query["sql"].startswith(prefix))

    return {
        "reminders": created,
        "queries": len(captured),
        "by_verb": dict(sorted(by_verb.items())),
        "plan_s": elapsed,
        "due_s": kind.elapsed,
        "outbox_insert_s": insert_time(OutboxMessage._meta.db_table),
        "delivery_insert_s": insert_time(ReminderDelivery._meta.db_table),
    }


def show(label, figures):
    print(
        f"{label:<28} {figures['reminders']:>6} reminders  {figures['queries']:>4} queries  "
        f"plan() {figures['plan_s']:7.2f} s  due() {figures['due_s']:6.2f} s  "
        f"outbox INSERT {figures['outbox_insert_s']:6.2f} s  delivery INSERT {figures['delivery_insert_s']:6.2f} s  "
        f"{figures['by_verb']}"
    )


def only_rule(code):
    ReminderRule.objects.exclude(kind=code).update(is_active=False)
    ReminderRule.objects.filter(kind=code).update(is_active=True, send_at=datetime.time(0, 0))


def bench_synthetic(count):
    ReminderRule.objects.update_or_create(
        kind=SYNTHETIC,
        offset_days=-7,
        defaults={
            "name": "Benchmark",
            "subject_template": "Rappel n° {{ n }}",
            "body_template": "Bonjour {{ recipient.name }},\n\nle rappel n° {{ n }} est dû.\n\n{{ site_url }}",
        },
    )
    only_rule(SYNTHETIC)
    runs = {}
    for size in sorted({1, reminders.BATCH_SIZE, 2 * reminders.BATCH_SIZE, count}):
        reset()
        SyntheticKind.dues = synthetic_dues(size)
        runs[size] = measure(SYNTHETIC, size)
        show(f"synthetic kind, {size}", runs[size])
    one_batch, two_batches = runs[reminders.BATCH_SIZE]["queries"], runs[2 * reminders.BATCH_SIZE]["queries"]
    per_batch = two_batches - one_batch
    batches = math.ceil(count / reminders.BATCH_SIZE)
    bound = one_batch + (batches - 1) * per_batch
    print(
        f"  queries for {count}: {runs[count]['queries']} <= {bound} "
        f"(one batch of {reminders.BATCH_SIZE}: {one_batch}, each further batch: {per_batch}, {batches} batches)"
    )
    assert runs[count]["queries"] <= bound, "the queries grow with the reminders, not with the batches"
    return runs[count]


def bench_agenda(count):
    """``count`` planned committees in six days at noon, one attendee each, their agenda due today."""
    from committees.models import Attendee, Committee
    from portfolio.models import Phase, Startup

    only_rule(AGENDA)
    owner = Organisation.objects.create(acronym="BENCH", name="Banc d'essai", type="autre")
    incubator = Incubator.objects.create(slug="banc", title="Banc d'essai", owner=owner, contact_email="banc@x.fr")
    when = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=6), datetime.time(12))
    )
    runs = {}
    made = 0
    for size in (1, count):
        startups = Startup.objects.bulk_create(
            Startup(slug=f"banc-{n}", name=f"Produit {n}", pitch="Banc.", incubator=incubator, phase=Phase.CONSTRUCTION)
            for n in range(made, size)
        )
        committees = Committee.objects.bulk_create(
            Committee(startup=startup, scheduled_at=when, place="Salle 1") for startup in startups
        )
        Attendee.objects.bulk_create(
            Attendee(committee=committee, name=f"Participant {committee.pk}", email=f"p{committee.pk}@example.gouv.fr")
            for committee in committees
        )
        made = size
        reset()
        runs[size] = measure(AGENDA, size)
        show(f"agenda kind (.ics), {size}", runs[size])
    return runs[count]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="due reminders to plan (default 10000)")
    parser.add_argument("--kind", choices=["all", "synthetic", "agenda"], default="all")
    options = parser.parse_args()

    tasks.dispatch_many = lambda message_ids: None  # write the rows, hand nothing to Celery
    if connection.vendor != "sqlite":  # SQLite: in memory; elsewhere not the test runner's test_<name>
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']}), batch size {reminders.BATCH_SIZE}")
        if options.kind in ("all", "synthetic"):
            bench_synthetic(options.count)
        if options.kind in ("all", "agenda"):
            bench_agenda(options.count)
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
