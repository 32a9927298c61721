"""Real services for the outbox tests: an SMTP server on loopback, a Celery worker process.

``ScriptedHandler`` answers each SMTP transaction (one ``MAIL FROM``) with the next reply of a
script, at ``RCPT`` or at the end of ``DATA``; with an empty script it accepts everything. It
records every transaction it saw (``attempts``) and every message it accepted (``messages``).

``WorkerProcess`` runs ``celery -A incubator worker`` on one queue; ``publishing_to`` makes this
process publish tasks to the real broker; ``purge_queue`` removes a test queue from Redis;
``wait_until`` polls for an outcome with a timeout.
"""

import contextlib
import email
import email.policy
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from kombu.transport.redis import Channel as RedisChannel

from incubator.celery import app as celery_app

OUTBOX_TASK = "incubator.send_outbox_message"

REPLIES = {
    250: "250 2.0.0 OK: queued",
    421: "421 4.3.2 Service not available, try again later",
    450: "450 4.2.1 Mailbox busy, try again later",
    550: "550 5.1.1 No such user here",
    554: "554 5.7.1 Message refused",
}


@dataclass
class Attempt:
    """One SMTP transaction: who it was for, and what the server answered."""

    mail_from: str
    rcpt_tos: list = field(default_factory=list)
    reply: str = ""


class ScriptedHandler:
    """aiosmtpd handler: ``script(421, 421, 250)`` answers the next three transactions."""

    def __init__(self):
        self._lock = threading.Lock()
        self._script = []
        self.stage = "DATA"
        self.attempts = []
        self.messages = []

    def script(self, *codes, stage="DATA"):
        """Answer the next transactions with these SMTP codes, at ``RCPT`` or ``DATA``."""
        assert stage in {"RCPT", "DATA"}
        with self._lock:
            self._script = [REPLIES[code] for code in codes]
            self.stage = stage

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self._lock:
            reply = self._script.pop(0) if self._script else REPLIES[250]
            envelope.attempt = Attempt(mail_from=address, reply=reply)
            self.attempts.append(envelope.attempt)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.attempt.rcpt_tos.append(address)
        if self.stage == "RCPT" and not envelope.attempt.reply.startswith("250"):
            return envelope.attempt.reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stage == "DATA" and not envelope.attempt.reply.startswith("250"):
            return envelope.attempt.reply
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return REPLIES[250]


class LoopbackController(Controller):
    """aiosmtpd's threaded server on 127.0.0.1, on a free port the kernel picks (``port``)."""

    def __init__(self, handler):
        super().__init__(handler, hostname="127.0.0.1", port=0)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextlib.contextmanager
def running_smtp_server():
    """Yield a started LoopbackController (``.handler`` is a ScriptedHandler, ``.port`` its port)."""
    controller = LoopbackController(ScriptedHandler())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def wait_until(predicate, *, timeout=30.0, interval=0.1, what="the condition"):
    """Poll ``predicate`` until it returns something truthy (returned); fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)


@contextlib.contextmanager
def publishing_to(broker_url, queue=None):
    """Publish tasks to a real broker (``queue`` for the outbox task) instead of running them here.

    Undoes itself on exit; the autouse ``_eager_celery`` fixture then makes tasks eager again.
    """
    conf = celery_app.conf
    previous = conf.task_always_eager, conf.broker_url, conf.task_routes
    conf.task_always_eager = False
    _configure_broker(broker_url, {OUTBOX_TASK: {"queue": queue}} if queue else None)
    try:
        yield
    finally:
        conf.task_always_eager = previous[0]
        _configure_broker(previous[1], previous[2])


def _configure_broker(broker_url, routes):
    conf = celery_app.conf
    if conf.broker_url != broker_url:
        conf.broker_url = broker_url
        # The app keeps its connection and producer pools: drop them so they follow the new URL.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
    conf.task_routes = routes
    celery_app.amqp.flush_routes()
    celery_app.amqp.router = celery_app.amqp.Router()


def database_url(settings_dict):
    """The DATABASE_URL of the database this test process uses (the test database)."""
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


class WorkerProcess:
    """``celery -A incubator worker`` in a subprocess, consuming one queue, its log in a file."""

    def __init__(self, *, queue, env, log_path):
        self.queue = queue
        self.env = env
        self.log_path = log_path
        self.process = None

    def start(self):
        command = [
            sys.executable, "-m", "celery", "-A", "incubator", "worker",
            "--pool=solo", "--queues", self.queue, "--hostname", f"{self.queue}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def output(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, timeout=30.0):
        wait_until(
            lambda: self.process.poll() is not None or " ready." in self.output(),
            timeout=timeout,
            what=f"the Celery worker to be ready; its log:\n{self.output()}",
        )
        if self.process.poll() is not None:
            raise AssertionError(f"The Celery worker exited with {self.process.returncode}:\n{self.output()}")

    def wait_for_tasks(self, count, timeout=30.0):
        """Wait until the worker has finished ``count`` outbox tasks (succeeded, retried or failed)."""
        finished = (" succeeded in ", " retry: ", " raised unexpected")

        def done():
            lines = self.output().splitlines()
            return sum(1 for line in lines if OUTBOX_TASK in line and any(word in line for word in finished)) >= count

        wait_until(
            done,
            timeout=timeout,
            what=f"{count} finished outbox tasks; the worker's log:\n{self.output()}",
        )

    def stop(self):
        """Warm shutdown (tasks it holds go back to the broker), then kill if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def purge_queue(redis_url, queue):
    """Remove a test queue from Redis: its messages, its binding, and unacknowledged deliveries."""
    client = redis.Redis.from_url(redis_url)
    with contextlib.closing(client):
        for tag, raw in client.hgetall(RedisChannel.unacked_key).items():
            if json.loads(raw)[-1] == queue:  # kombu stores [message, exchange, routing_key]
                client.hdel(RedisChannel.unacked_key, tag)
                client.zrem(RedisChannel.unacked_index_key, tag)
        bindings = [
            prefix % queue for prefix in (RedisChannel.keyprefix_queue, RedisChannel.keyprefix_binding_permanent)
        ]
        client.delete(*bindings, *client.scan_iter(match=f"{queue}*"))
