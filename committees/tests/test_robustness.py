"""Committee reminders and decisions when things go wrong: two planners at once, a worker killed
with SIGKILL in the middle of a run, Redis stopped while a manager records a decision.

Real PostgreSQL, Redis, Celery worker processes and a loopback SMTP server (aiosmtpd). Skipped
with the reason without PostgreSQL or Redis; fails instead under REQUIRE_SERVICES=1. A test that
stops Redis starts its own redis-server on a free port and stops that one, never the shared one.
Run with ``-s`` to see the figures each test prints.
"""

import asyncio
import collections
import contextlib
import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import redis
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from committees.models import Committee, Decision
from committees.tests.factories import AttendeeFactory, CommitteeFactory, paris
from incubator import outbox
from incubator.models import OutboxMessage, ReminderDelivery, ReminderRule
from incubator.reminders import plan
from incubator.templatetags.portal_dates import long_date
from incubator.tests.mailserver import (
    LoopbackController,
    ScriptedHandler,
    WorkerProcess,
    database_url,
    publishing_to,
    purge_queue,
    running_smtp_server,
    wait_until,
)
from incubator.tests.services import require, require_postgres, require_redis
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory
from tests.reminder_rules import seed_reminder_rules

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

AGENDA = "committees.agenda"
DECK_MISSING = "committees.deck_missing"


def only_rules(*kinds):
    """The seeded rules (a transactional test's flush may have removed them), with only ``kinds``
    active and sent at 00:00, so that a D-7 reminder is due whatever the time of the run."""
    seed_reminder_rules()
    ReminderRule.objects.exclude(kind__in=kinds).update(is_active=False)
    ReminderRule.objects.filter(kind__in=kinds).update(is_active=True, send_at=datetime.time(0, 0))


def committees_in_six_days(count, *, attendees, team=False):
    """``count`` planned committees of as many products, six days ahead at noon (their D-7 is
    within the planner's catch-up window all day, even across midnight)."""
    day = timezone.localdate() + datetime.timedelta(days=6)
    for _index in range(count):
        startup = StartupFactory(phase=Phase.CONSTRUCTION)
        if team:
            TeamMembershipFactory(startup=startup)
        committee = CommitteeFactory(startup=startup, scheduled_at=paris(day, 12))
        AttendeeFactory.create_batch(attendees, committee=committee)


def outbox_ids(messages):
    return collections.Counter(int(message["X-Outbox-Id"]) for message in messages)


def service_env(**extra):
    """The environment of a process of the portal against this test's database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "incubator.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


# (a) Two planners at once ------------------------------------------------------------------------

# ``manage.py send_reminders``, started at the same instant: each process sets Django up, says it
# is ready, and runs the command when the test says go.
PLANNER = """
import os, sys, time
import django

django.setup()
from django.core.management import call_command

ready, go = sys.argv[1:3]
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.001)
call_command("send_reminders")
"""


def test_two_send_reminders_processes_at_once_queue_each_reminder_once(tmp_path):
    require_postgres()
    only_rules(AGENDA, DECK_MISSING)
    committees_in_six_days(40, attendees=4, team=True)
    expected = 40 * 4 + 40  # the agenda to each attendee, the missing deck to each team

    with running_smtp_server() as smtp:
        # Tasks run in the planner processes (no REDIS_URL) and deliver to the loopback server.
        env = service_env(REDIS_URL="", EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
        processes = []
        for index in range(2):
            out = open(tmp_path / f"planner-{index}.log", "wb")  # noqa: SIM115  (closed below)
            command = [sys.executable, "-c", PLANNER, str(tmp_path / f"ready-{index}"), str(tmp_path / "go")]
            processes.append((subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=out), out))
        wait_until(lambda: all((tmp_path / f"ready-{index}").exists() for index in range(2)), what="both planners")
        started = time.monotonic()
        (tmp_path / "go").touch()
        for process, out in processes:
            process.wait(timeout=60)
            out.close()
        duration = time.monotonic() - started
        logs = [(tmp_path / f"planner-{index}.log").read_text() for index in range(2)]
        received = outbox_ids(smtp.handler.messages)

    assert [process.returncode for process, _out in processes] == [0, 0], logs
    queued = [int(re.search(r"(\d+) reminders queued", log).group(1)) for log in logs]
    print(f"\nTwo planners at once: queued {queued} (total {sum(queued)}, expected {expected}) in {duration:.2f} s")
    assert sum(queued) == expected
    assert ReminderDelivery.objects.count() == expected
    assert OutboxMessage.objects.count() == expected
    assert ReminderDelivery.objects.filter(message__isnull=False).values("message").distinct().count() == expected
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == expected
    assert sorted(received) == sorted(OutboxMessage.objects.values_list("pk", flat=True))
    assert set(received.values()) == {1}  # each email reached the SMTP server once


# (b) A worker killed twice with SIGKILL -------------------------------------------------------------

CONCURRENCY = 2
SMTP_DELAY = 0.04  # seconds per message at the SMTP server, so that the run lasts a few seconds


class SlowHandler(ScriptedHandler):
    """Accepts everything after a short delay per message (a real server is not instantaneous).

    ``crashes[n]`` is called when the n-th message has been taken, before its sender hears the
    250: a worker killed then has sent the email without being able to mark it, the worst moment.
    """

    def __init__(self):
        super().__init__()
        self.crashes = {}

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(SMTP_DELAY)
        reply = await super().handle_DATA(server, session, envelope)
        crash = self.crashes.pop(len(self.messages), None)
        if crash is not None:
            crash()
        return reply


class PreforkWorker(WorkerProcess):
    """A prefork worker (two processes) in its own process group, so that the whole group can be killed."""

    def start(self):
        command = [
            sys.executable, "-m", "celery", "-A", "incubator", "worker",
            "--pool=prefork", f"--concurrency={CONCURRENCY}", "--queues", self.queue,
            "--hostname", f"{self.queue}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def signal_group(self, signum):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def kill(self):
        """SIGKILL to the main process and its pool: no warm shutdown, nothing acknowledged."""
        self.signal_group(signal.SIGKILL)

    def stop(self):
        if self.process is None:
            return
        self.signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)


def count(status):
    return OutboxMessage.objects.filter(status=status).count()


def test_worker_killed_twice_loses_no_reminder_and_duplicates_are_bounded(tmp_path, settings):
    require_postgres()
    redis_url = require_redis()
    settings.OUTBOX_STUCK_AFTER_SECONDS = 3  # what the beat's requeue considers forgotten (15 min in production)
    only_rules(AGENDA)
    committees_in_six_days(100, attendees=3)
    total, kills, in_flight, workers = 300, [], [], []
    queue = f"outbox-crash-{uuid.uuid4().hex[:12]}"
    smtp = LoopbackController(SlowHandler())
    smtp.start()
    env = service_env(
        REDIS_URL=redis_url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        OUTBOX_STUCK_AFTER_SECONDS="3",
        OUTBOX_RETRY_BASE_SECONDS="1",
    )

    def start_worker():
        worker = PreforkWorker(queue=queue, env=env, log_path=tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        worker.start()
        worker.wait_ready(timeout=60)
        return worker

    def drive(until_sent, timeout=60):
        """What beat does, faster: requeue forgotten rows every half second until ``until_sent`` are sent."""
        deadline = time.monotonic() + timeout
        while count(OutboxMessage.Status.SENT) < until_sent:
            assert time.monotonic() < deadline, f"only {count(OutboxMessage.Status.SENT)} of {until_sent} sent"
            outbox.requeue_stuck()
            time.sleep(0.5)

    def killed(worker):
        worker.process.wait(timeout=10)
        kills.append(count(OutboxMessage.Status.SENT))
        in_flight.append(count(OutboxMessage.Status.SENDING))  # claimed by the dead worker, never marked

    try:
        with publishing_to(redis_url, queue):
            worker = start_worker()
            # Kill 1: by the SMTP server when it has taken the 100th email, before the worker hears 250.
            smtp.handler.crashes[100] = workers[-1].kill
            started = time.monotonic()
            assert plan().created == total  # commits, then hands the 300 rows to Redis
            wait_until(lambda: worker.process.poll() is not None, timeout=60, what="the first kill")
            killed(worker)
            worker = start_worker()
            # Kill 2: whatever the worker is doing once 200 emails are marked sent.
            drive(until_sent=200)
            worker.kill()
            killed(worker)
            worker = start_worker()
            drive(until_sent=total, timeout=90)
            duration = time.monotonic() - started
            time.sleep(1)  # a late duplicate would show up here
    finally:
        for worker in workers:
            worker.stop()
        purge_queue(redis_url, queue)
        smtp.stop()
        for worker in workers:
            print(f"--- {worker.log_path.name} ---\n{worker.output()[-3000:]}")  # shown when the test fails

    received = outbox_ids(smtp.handler.messages)
    duplicates = sum(times - 1 for times in received.values())
    print(
        f"\nCrash safety: total {total}, received {len(received)} distinct ({sum(received.values())} emails), "
        f"duplicates {duplicates}, kills {len(kills)} (at {kills} sent, {in_flight} in flight), "
        f"concurrency {CONCURRENCY}, duration {duration:.1f} s"
    )
    assert all(sent < total for sent in kills)  # both kills happened during the run
    assert count(OutboxMessage.Status.SENT) == total
    assert set(received) == set(OutboxMessage.objects.values_list("pk", flat=True))  # none lost
    assert duplicates >= 1  # the 100th email, sent when its worker died, went out again
    assert duplicates <= sum(in_flight) <= 2 * len(kills) * CONCURRENCY
    assert ReminderDelivery.objects.count() == total


# (c) Redis stopped while a manager records a decision --------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A throwaway redis-server on ``port``: no persistence, stopped by this test only."""

    def __init__(self, port, log_path):
        self.port, self.log_path, self.process = port, log_path, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.ping, timeout=10, what=f"redis-server on port {self.port}")

    def ping(self):
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    require_postgres()
    require(shutil.which("redis-server"), "redis-server is not installed")
    server = OwnRedis(free_port(), tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


def test_redis_down_while_recording_a_decision_then_emails_go_out(
    tmp_path, own_redis, client, settings, caplog, incubator_a, member_a, team_member
):
    require_postgres()
    # As in production, the one Redis is both the broker and the cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": own_redis.url}}
    only_rules()  # no reminder of its own gets in the way of counting the decision's emails
    incubator_a.purchasing_email = "achats-a@example.gouv.fr"
    incubator_a.save(update_fields=["purchasing_email"])
    startup = StartupFactory(slug="produit-a", name="Produit A", incubator=incubator_a, phase=Phase.CONSTRUCTION)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    committee = CommitteeFactory(startup=startup, scheduled_at=paris(yesterday, 14))
    for email in (team_member.email, member_a.email, "sponsor@ministere.gouv.fr"):
        AttendeeFactory(committee=committee, email=email)
    client.force_login(member_a)

    with publishing_to(own_redis.url):  # this process publishes to our own Redis...
        own_redis.stop()  # ...which is down when the manager submits the decision
        started = time.monotonic()
        response = client.post(
            f"/comites/{committee.pk}/decision/",
            {
                "outcome": "continue",
                "decided_on": yesterday.isoformat(),
                "granted_amount": "120000",
                "granted_months": "6",
            },
        )
        latency = time.monotonic() - started
        page = client.get(response["Location"])  # where the manager lands, Redis still down

    print(f"\nRedis down: the decision request answered {response.status_code} in {latency * 1000:.0f} ms")
    assert response.status_code == 302
    assert response["Location"] == f"/comites/{committee.pk}/"
    assert page.status_code == 200
    assert [str(message) for message in page.context["messages"]] == [
        gettext("Continuation approved: %(name)s stays in %(phase)s; next committee due by %(due)s.")
        % {
            "name": "Produit A",
            "phase": Phase.CONSTRUCTION.label,
            "due": long_date(yesterday + relativedelta(months=6)),
        }
    ]
    decision = Decision.objects.get(committee=committee)
    assert (decision.outcome, decision.granted_months) == ("continue", 6)
    committee.refresh_from_db()
    startup.refresh_from_db()
    assert committee.status == Committee.Status.HELD
    assert startup.next_committee_due == yesterday + relativedelta(months=6)
    rows = OutboxMessage.objects.order_by("idempotency_key")
    expected_to = sorted(["achats-a@example.gouv.fr", member_a.email, "sponsor@ministere.gouv.fr", team_member.email])
    assert sorted(row.to[0] for row in rows) == expected_to
    assert {(row.status, row.attempts) for row in rows} == {(OutboxMessage.Status.QUEUED, 0)}
    assert latency < 1.5  # one failed publish, not one per email (Celery's retries alone took 0.6 s each)
    assert caplog.text.count("could not be handed to the broker; it stays queued") == 1
    assert caplog.text.count("stays queued: the broker was unreachable a moment ago") == 3

    own_redis.start()  # Redis is back, on the same port
    with running_smtp_server() as smtp:
        env = service_env(
            REDIS_URL=own_redis.url, EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", OUTBOX_STUCK_AFTER_SECONDS="0"
        )
        # Our own Redis: the worker consumes its default queue, where send_reminders publishes.
        worker = WorkerProcess(queue="celery", env=env, log_path=tmp_path / "worker.log")
        try:
            worker.start()
            worker.wait_ready(timeout=60)
            planner = subprocess.run(
                [sys.executable, "manage.py", "send_reminders"],
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert planner.returncode == 0, planner.stderr
            assert "0 reminders queued, 4 outbox messages handed over again." in planner.stdout
            wait_until(lambda: count(OutboxMessage.Status.SENT) == 4, timeout=30, what="the 4 decision emails")
        finally:
            worker.stop()
            print(f"--- worker log ---\n{worker.output()[-3000:]}")
        received = smtp.handler.messages

    assert sorted(message["To"] for message in received) == expected_to
    assert {message["X-Outbox-Id"] for message in received} == {str(row.pk) for row in rows}
