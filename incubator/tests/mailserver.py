"""A real SMTP server on loopback for the outbox tests, and a helper to wait for an outcome.

``ScriptedHandler`` answers each SMTP transaction (one ``MAIL FROM``) with the next reply of a
script, at ``RCPT`` or at the end of ``DATA``; with an empty script it accepts everything. It
records every transaction it saw (``attempts``) and every message it accepted (``messages``).
"""

import contextlib
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

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
