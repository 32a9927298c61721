"""Demo data from the real network sample (incubator/data/network-sample.json)."""

import contextlib
import contextvars
import datetime
import json
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from .models import Incubator, Membership, Organisation, OutboxMessage, User

SAMPLE = Path(__file__).parent / "data" / "network-sample.json"
DEMO_DOMAIN = "demo.incubateurs.example"
DEV_PASSWORD = "demo-incubateurs-2026"

# One demo account per role; the incubator they belong to is the DINUM's. "admin" is the network
# admin (staff), "coordination" the network coordinator (reads every incubator, changes nothing).
DEMO_ACCOUNTS = [
    ("admin", "Adèle", "Admin", None),
    ("coordination", "Corentin", "Coordination", None),
    ("responsable", "Marc", "Responsable", Membership.Role.MANAGER),
    ("portefeuille", "Paule", "Portefeuille", Membership.Role.PORTFOLIO_MANAGER),
    ("coach", "Camille", "Coach", Membership.Role.COACH),
    ("jury", "Jules", "Jury", Membership.Role.JURY),
    ("observateur", "Olivia", "Observatrice", Membership.Role.VIEWER),
    ("agent", "Anaïs", "Agente", None),
]
DEMO_INCUBATOR = "dinum"


def account_kind(user):
    """What a demo account without a role in the incubator is, as the seed prints it."""
    if user.is_staff:
        return "network admin"
    return "network coordinator" if user.is_network_coordinator else "no role"


def load_sample():
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def demo_password():
    """The demo accounts' password: DEMO_PASSWORD, or a fixed one in development, else none."""
    return settings.DEMO_PASSWORD or (DEV_PASSWORD if settings.DEBUG else None)


@transaction.atomic
def seed(sample):
    """Create or update the sample's organisations and incubators and the demo accounts.

    Returns the lines to print.
    """
    organisations = {}
    for row in sample["organisations"]:
        organisations[row["acronym"]], _created = Organisation.objects.update_or_create(
            acronym=row["acronym"],
            defaults={"name": row["name"], "type": row["type"], "ministerial_area": row.get("domaine_ministeriel", "")},
        )
    for row in sample["incubators"]:
        Incubator.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "title": row["title"],
                "owner": organisations[row["owner"]],
                "contact_email": row.get("contact", ""),
                "address": row.get("address", ""),
            },
        )
    password = demo_password()
    incubator = Incubator.objects.get(slug=DEMO_INCUBATOR)
    accounts = []
    for local_part, first_name, last_name, role in DEMO_ACCOUNTS:
        email = f"{local_part}@{DEMO_DOMAIN}"
        user, _created = User.objects.update_or_create(
            email=email,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "is_staff": local_part == "admin",
                "is_superuser": local_part == "admin",
                "is_network_coordinator": local_part == "coordination",
            },
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
        user.emailaddress_set.update_or_create(email=email, defaults={"verified": True, "primary": True})
        if role:
            Membership.objects.get_or_create(user=user, incubator=incubator, role=role)
        accounts.append(f"  {email:<40} {role.label if role else account_kind(user)}")
    return [f"{len(organisations)} organisations, {len(sample['incubators'])} incubators.", *accounts]


def at(day, hour=12, minute=0):
    """An aware date-time on ``day`` at ``hour``:``minute``, Paris time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# Demo history is dated when its events happened, not when the seed ran: inside ``dated_history``,
# every record django-simple-history writes (a service's saves included) carries that date.
_history_date = contextvars.ContextVar("demo_history_date", default=None)


@contextlib.contextmanager
def dated_history(when):
    """History records written inside are dated ``when`` (an aware date-time)."""
    token = _history_date.set(when)
    try:
        yield
    finally:
        _history_date.reset(token)


def _date_history_record(sender, history_instance, **kwargs):
    when = _history_date.get()
    if when is not None:
        history_instance.history_date = when


pre_create_historical_record.connect(_date_history_record, dispatch_uid="incubator.demo.dated_history")


@contextlib.contextmanager
def quiet_outbox():
    """Drop the emails that services queue inside, before they leave.

    The demo replays the past (decisions of last year, invitations already sent) through the same
    services as the pages, and those queue emails. Past news is not news: the rows are deleted in
    the same transaction, so the dispatch that would have followed the commit finds nothing.
    """
    with transaction.atomic():
        last = OutboxMessage.objects.aggregate(last=Max("pk"))["last"] or 0
        yield
        OutboxMessage.objects.filter(pk__gt=last).delete()


@contextlib.contextmanager
def quiet_dispatch():
    """Keep out of the seed's output the INFO lines of the dispatches that find their rows gone
    (two per dropped email, when tasks run in-process): wrap the transaction's commit in this."""
    loggers = [logging.getLogger(name) for name in ("celery.app.trace", "incubator.tasks")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _pdf_text(text):
    """A PDF string literal's content: WinAnsi bytes (the standard fonts' encoding), escaped."""
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def demo_pdf(title, pages):
    """A small valid PDF: one landscape page per ``(heading, lines)``, in Helvetica.

    Demo decks are real PDF files, so that they pass the upload checker (which reads the content)
    and open in a reader.
    """
    page_ids = [4 + 2 * index for index in range(len(pages))]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % i for i in page_ids), len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for number, (heading, lines) in enumerate(pages, start=1):
        commands = [b"BT", b"/F1 12 Tf", b"60 540 Td", b"(%s) Tj" % _pdf_text(f"{title} \u2014 {number}/{len(pages)}")]
        commands += [b"/F1 28 Tf", b"0 -60 Td", b"(%s) Tj" % _pdf_text(heading), b"/F1 16 Tf"]
        for line in lines:
            commands += [b"0 -32 Td", b"(%s) Tj" % _pdf_text(line)]
        content = b"\n".join([*commands, b"ET"])
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (page_ids[number - 1] + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)
