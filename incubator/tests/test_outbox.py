"""The mail outbox in-process: SQLite or PostgreSQL, tasks eager, a real SMTP server
(``docs/decisions/0001-outbox-is-the-email-backend.md``).

The end-to-end run through a real Celery worker is in ``test_outbox_worker.py``.
"""

import socket
from datetime import UTC, datetime, timedelta
from email.mime.text import MIMEText

import pytest
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, EmailMultiAlternatives, send_mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incubator import mail, outbox, tasks
from incubator.models import OutboxMessage
from incubator.tasks import Delivery, deliver, requeue_outbox, send_outbox_message
from incubator.tests.conftest import publishing_to
from incubator.tests.factories import UserFactory

TO = ["agente@example.gouv.fr"]
CHANGELIST = "/admin/incubator/outboxmessage/"

EMAIL_TEMPLATES = {
    "emails/outbox_test_subject.txt": "Dossier {{ name }}\n  reçu\n",
    "emails/outbox_test_body.txt": "Bonjour {{ person }},\nvotre dossier « {{ name }} » est bien reçu.\n",
    "emails/outbox_test_body.html": (
        '{% extends "emails/base.html" %}{% block body %}'
        "<p>Bonjour <strong>{{ person }}</strong>, votre dossier « {{ name }} » est bien reçu.</p>"
        "{% endblock body %}"
    ),
}


@pytest.fixture
def email_templates(settings):
    """The ``outbox_test`` email in memory, in front of the project's real templates."""
    engine = {**settings.TEMPLATES[0], "APP_DIRS": False}
    engine["OPTIONS"] = {
        **engine["OPTIONS"],
        "loaders": [
            ("django.template.loaders.locmem.Loader", EMAIL_TEMPLATES),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    }
    settings.TEMPLATES = [engine]


def queue_email(subject="Relance", body="Votre dossier attend.", *, key=None, to=TO):
    """Queue one message through the outbox; in a test transaction nothing is dispatched."""
    row, _created = outbox.enqueue(EmailMessage(subject, body, to=to), key=key)
    return row


def failed_email(subject="Convocation au comité"):
    row = queue_email(subject)
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxMessage.Status.FAILED, attempts=6, last_error="SMTPDataError: (421, b'try later')"
    )
    return row


def claim(row):
    """What a worker does before talking to the SMTP server (it may die right after)."""
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxMessage.Status.SENDING, claimed_at=timezone.now(), attempts=1
    )


def closed_port():
    """A loopback port where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Writing to the outbox --------------------------------------------------------------------


def test_enqueue_writes_in_the_callers_transaction_and_sends_after_commit(transactional_db, mailoutbox):
    with transaction.atomic():
        send_mail("Bienvenue", "Votre compte est prêt.", None, TO)
        row = OutboxMessage.objects.get()
        assert (row.status, row.subject, row.to) == (OutboxMessage.Status.QUEUED, "Bienvenue", TO)
        assert mailoutbox == []

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxMessage.Status.SENT, 1, "")
    assert row.sent_at is not None
    assert [(sent.subject, sent.to) for sent in mailoutbox] == [("Bienvenue", TO)]


def test_enqueue_rolled_back_leaves_no_row_and_sends_nothing(transactional_db, mailoutbox):
    def fail_after_queuing():
        with transaction.atomic():
            send_mail("Bienvenue", "Votre compte est prêt.", None, TO)
            raise RuntimeError("the caller fails after queuing its email")

    with pytest.raises(RuntimeError):
        fail_after_queuing()

    assert not OutboxMessage.objects.exists()
    assert mailoutbox == []


def test_enqueue_same_key_twice_gives_one_row_and_one_email(transactional_db, mailoutbox):
    for _ in range(2):
        EmailMessage("Rappel", "Le comité approche.", to=TO, headers={outbox.KEY_HEADER: "committee-7-reminder"}).send()

    row = OutboxMessage.objects.get()
    assert (row.idempotency_key, row.status, row.headers) == ("committee-7-reminder", OutboxMessage.Status.SENT, {})
    assert [sent.subject for sent in mailoutbox] == ["Rappel"]
    assert outbox.KEY_HEADER not in mailoutbox[0].extra_headers


def test_enqueue_a_key_too_long_for_its_column_is_hashed_and_stays_unique(transactional_db, mailoutbox):
    """An invitation's key names the attendee's address (up to 254 characters): on PostgreSQL a key
    over the column's 255 characters failed the insert, and the planning with it."""
    address = f"{'a' * 64}@{'b' * 180}.gouv.fr"
    key = f"committee:7:invitation:0:{address}"
    for _ in range(2):
        EmailMessage("Invitation", "Le comité.", to=[address], headers={outbox.KEY_HEADER: key}).send()
    EmailMessage("Invitation", "Le comité.", to=TO, headers={outbox.KEY_HEADER: f"{key}x"}).send()

    keys = list(OutboxMessage.objects.order_by("pk").values_list("idempotency_key", flat=True))
    assert len(key) > 255
    assert len(keys) == 2
    assert all(k.startswith("committee:sha256:") and len(k) <= 255 for k in keys)
    assert len(mailoutbox) == 2


def test_send_templated_renders_subject_text_and_html(
    db, email_templates, mailoutbox, django_capture_on_commit_callbacks
):
    context = {"person": "Anne L'Hôte <anne@example.gouv.fr>", "name": "Alpha & Oméga"}

    with django_capture_on_commit_callbacks(execute=True):
        row = mail.send_templated(to=TO, template="outbox_test", context=context, key="application-1-received")
        assert mail.send_templated(to=TO, template="outbox_test", context=context, key="application-1-received") == row

    row.refresh_from_db()
    assert row.subject == "Dossier Alpha & Oméga reçu"
    assert (
        row.body_text == "Bonjour Anne L'Hôte <anne@example.gouv.fr>,\nvotre dossier « Alpha & Oméga » est bien reçu.\n"
    )
    assert "<title>Dossier Alpha &amp; Oméga reçu</title>" in row.body_html
    assert "<strong>Anne L&#x27;Hôte &lt;anne@example.gouv.fr&gt;</strong>" in row.body_html
    assert "Portail des incubateurs" in row.body_html  # the layout of emails/base.html
    [sent] = mailoutbox
    assert (sent.subject, sent.body, sent.to) == (row.subject, row.body_text, TO)
    assert sent.alternatives == [(row.body_html, "text/html")]


def test_send_mail_becomes_a_row_with_the_html_layout(db, mailoutbox, django_capture_on_commit_callbacks):
    text = "Bonjour L'équipe & co,\nVoir https://example.org/a?b=1&c=2"

    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Votre compte", text, None, TO)

    row = OutboxMessage.objects.get()
    assert (row.subject, row.body_text, row.from_email) == (
        "Votre compte",
        text,
        "Portail des incubateurs <ne-pas-repondre@incubateurs.example>",
    )
    assert "<title>Votre compte</title>" in row.body_html
    assert (
        "<p>Bonjour L&#x27;équipe &amp; co,<br>Voir "
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow">https://example.org/a?b=1&amp;c=2</a></p>'
    ) in row.body_html
    [sent] = mailoutbox
    assert sent.body == text
    assert sent.alternatives == [(row.body_html, "text/html")]
    assert sent.extra_headers == {"X-Outbox-Id": str(row.pk)}


def test_html_only_message_keeps_its_html_and_gets_a_text_part(db, mailoutbox, django_capture_on_commit_callbacks):
    message = EmailMessage("Rapport", "<p>Le <strong>rapport</strong> R&amp;D est prêt.</p>", to=TO)
    message.content_subtype = "html"

    with django_capture_on_commit_callbacks(execute=True):
        message.send()

    row = OutboxMessage.objects.get()
    assert row.body_text == "Le rapport R&D est prêt."
    assert row.body_html == "<p>Le <strong>rapport</strong> R&amp;D est prêt.</p>"
    [sent] = mailoutbox
    assert (sent.body, sent.alternatives) == (row.body_text, [(row.body_html, "text/html")])


def test_attachments_survive_the_outbox(db, mailoutbox, django_capture_on_commit_callbacks):
    message = EmailMultiAlternatives("Dossier", "Ci-joint.", to=TO)
    message.attach("budget.csv", "poste;montant\nséjour;1200\n", "text/csv")
    message.attach("logo.png", b"\x89PNG\r\n\x1a\n-binary-", "image/png")
    notes = MIMEText("notes du comité", "plain", "utf-8")
    notes.add_header("Content-Disposition", "attachment", filename="notes.txt")
    message.attach(notes)

    with django_capture_on_commit_callbacks(execute=True):
        message.send()

    [sent] = mailoutbox
    assert [(name, content, mimetype) for name, content, mimetype in sent.attachments] == [
        ("budget.csv", "poste;montant\nséjour;1200\n", "text/csv"),
        ("logo.png", b"\x89PNG\r\n\x1a\n-binary-", "image/png"),
        ("notes.txt", "notes du comité", "text/plain"),
    ]


def test_enqueue_refuses_bcc_instead_of_dropping_it(db):
    with pytest.raises(ValueError, match="Bcc"):
        EmailMessage("Relance", "Corps", to=TO, bcc=["cachee@example.gouv.fr"]).send()

    assert not OutboxMessage.objects.exists()


def test_dispatch_with_the_broker_down_keeps_the_row_queued(db, caplog, django_capture_on_commit_callbacks):
    with publishing_to(f"redis://127.0.0.1:{closed_port()}/0"), django_capture_on_commit_callbacks(execute=True):
        send_mail("Bienvenue", "Votre compte est prêt.", None, TO)  # must not raise after the commit

    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == (OutboxMessage.Status.QUEUED, 0)
    assert f"Outbox message {row.pk} could not be handed to the broker" in caplog.text


# --- Delivering: what the SMTP server answers decides ---------------------------------------------


def test_deliver_smtp_250_marks_the_row_sent(db, smtp_delivery):
    row = queue_email("Bienvenue")

    assert deliver(row.pk) is Delivery.SENT

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxMessage.Status.SENT, 1, "")
    assert row.sent_at is not None
    [received] = smtp_delivery.messages
    assert (received["Subject"], received["To"], received["X-Outbox-Id"]) == ("Bienvenue", TO[0], str(row.pk))
    assert received.get_body(("plain",)).get_content().strip() == "Votre dossier attend."
    assert "Votre dossier attend." in received.get_body(("html",)).get_content()


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_deliver_smtp_421_puts_the_row_back_in_the_queue(db, smtp_delivery, stage):
    smtp_delivery.script(421, stage=stage)
    row = queue_email()

    assert deliver(row.pk) is Delivery.RETRY

    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (OutboxMessage.Status.QUEUED, 1, None)
    assert "421" in row.last_error
    assert "try again later" in row.last_error
    assert smtp_delivery.messages == []


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_deliver_smtp_550_fails_the_row_and_keeps_the_error(db, smtp_delivery, stage):
    smtp_delivery.script(550, stage=stage)
    row = queue_email()

    assert deliver(row.pk) is Delivery.FAILED
    assert deliver(row.pk) is Delivery.SKIPPED  # a stray task does not try again

    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (OutboxMessage.Status.FAILED, 1, None)
    assert "550" in row.last_error
    assert "No such user here" in row.last_error
    assert len(smtp_delivery.attempts) == 1


def test_deliver_fails_the_row_when_attempts_are_exhausted(db, smtp_delivery, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_delivery.script(421, 450, 421)
    row = queue_email()

    outcomes = [deliver(row.pk) for _ in range(4)]

    assert outcomes == [Delivery.RETRY, Delivery.RETRY, Delivery.FAILED, Delivery.SKIPPED]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.FAILED, 3)
    assert "421" in row.last_error
    assert len(smtp_delivery.attempts) == 3


def test_deliver_unreachable_server_is_transient(db, settings):
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 5
    row = queue_email()

    assert deliver(row.pk) is Delivery.RETRY

    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.QUEUED, 1)
    assert row.last_error.startswith("ConnectionRefusedError")


def test_deliver_a_message_without_recipient_fails_instead_of_passing_for_sent(db, smtp_delivery):
    row = queue_email(to=[])

    assert deliver(row.pk) is Delivery.FAILED

    row.refresh_from_db()
    assert (row.status, row.last_error) == (OutboxMessage.Status.FAILED, "ValueError: the message has no recipient")
    assert smtp_delivery.attempts == []


def test_send_task_in_process_leaves_a_transient_failure_queued_without_raising(
    db, smtp_delivery, django_capture_on_commit_callbacks
):
    smtp_delivery.script(421, 250)

    with django_capture_on_commit_callbacks(execute=True):
        row = queue_email("Relance")  # the task runs in-process; a Retry must not reach the caller

    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.QUEUED, 1)
    assert send_outbox_message.delay(row.pk).get() == "sent"  # the next run (requeue_outbox) delivers
    assert send_outbox_message.delay(row.pk).get() == "skipped"  # and a sent row is never sent again
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxMessage.Status.SENT, 2, "")
    assert [received["Subject"] for received in smtp_delivery.messages] == ["Relance"]


def test_retry_delay_doubles_from_the_base(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60

    assert [outbox.retry_delay(attempts) for attempts in range(1, 6)] == [60, 120, 240, 480, 960]


# --- The state machine: one map, one writer ------------------------------------------------------


START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def test_transition_map_names_every_status():
    assert set(outbox.TRANSITIONS) == set(OutboxMessage.Status)
    assert all(targets <= set(OutboxMessage.Status) for targets in outbox.TRANSITIONS.values())


def test_transition_refuses_a_move_outside_the_map(db):
    row = queue_email()
    OutboxMessage.objects.filter(pk=row.pk).update(status=OutboxMessage.Status.SENT)

    with pytest.raises(ValueError, match="cannot go from sent to queued"):
        outbox.transition([row.pk], OutboxMessage.Status.QUEUED, sources=[OutboxMessage.Status.SENT])

    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT


def test_transition_moves_only_the_rows_found_in_a_source_status(db):
    queued, held = queue_email("En file"), queue_email("Retenu")
    OutboxMessage.objects.filter(pk=held.pk).update(status=OutboxMessage.Status.HELD)

    moved = outbox.transition([queued.pk, held.pk], OutboxMessage.Status.QUEUED, sources=[OutboxMessage.Status.HELD])

    assert moved == 1
    assert dict(OutboxMessage.objects.values_list("subject", "status")) == {
        "En file": OutboxMessage.Status.QUEUED,
        "Retenu": OutboxMessage.Status.QUEUED,
    }


def test_claim_twice_gives_the_row_once(db):
    row = queue_email()

    first, second = outbox.claim(row.pk), outbox.claim(row.pk)

    assert (first.pk, first.status, first.attempts, second) == (row.pk, OutboxMessage.Status.SENDING, 1, None)


def test_finish_after_requeue_took_the_claim_back_still_records_the_outcome(
    db, settings, time_machine, django_capture_on_commit_callbacks
):
    """A worker slower than OUTBOX_STUCK_AFTER_SECONDS: its outcome stands while nobody else has
    claimed the row, so the task requeue_stuck dispatched meanwhile finds it sent and skips it."""
    settings.OUTBOX_STUCK_AFTER_SECONDS = 600
    time_machine.move_to(START, tick=False)
    claimed = outbox.claim(queue_email().pk)
    time_machine.move_to(START + timedelta(seconds=601), tick=False)
    with django_capture_on_commit_callbacks():
        assert outbox.requeue_stuck() == 1

    assert outbox.finish(claimed, OutboxMessage.Status.SENT, sent_at=timezone.now()) is True

    assert deliver(claimed.pk) is Delivery.SKIPPED
    claimed.refresh_from_db()
    assert (claimed.status, claimed.attempts) == (OutboxMessage.Status.SENT, 1)


def test_finish_by_a_worker_whose_claim_was_taken_over_leaves_the_new_claim_alone(
    db, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.OUTBOX_STUCK_AFTER_SECONDS = 600
    time_machine.move_to(START, tick=False)
    first = outbox.claim(queue_email().pk)
    time_machine.move_to(START + timedelta(seconds=601), tick=False)
    with django_capture_on_commit_callbacks():
        outbox.requeue_stuck()
    second = outbox.claim(first.pk)  # the requeued task's worker

    assert outbox.finish(first, OutboxMessage.Status.FAILED, last_error="late") is False

    second.refresh_from_db()
    assert (second.status, second.attempts, second.last_error) == (OutboxMessage.Status.SENDING, 2, "")
    assert second.claimed_at == START + timedelta(seconds=601)


def test_release_queues_held_rows_and_hands_them_over_after_commit(db, mailoutbox, django_capture_on_commit_callbacks):
    held, _created = outbox.enqueue(EmailMessage("Résultats", "Vous êtes lauréate.", to=TO), hold=True)
    other = queue_email("Déjà en file")

    with django_capture_on_commit_callbacks(execute=True):
        released = outbox.release(OutboxMessage.objects.filter(pk__in=[held.pk, other.pk]))

    held.refresh_from_db()
    assert (released, held.status) == (1, OutboxMessage.Status.SENT)
    assert [message.subject for message in mailoutbox] == ["Résultats"]


def test_hand_over_without_a_transport_leaves_the_rows_queued_and_says_so(db, caplog):
    row = queue_email()
    uid = "incubator.tasks.dispatch_queued"
    assert outbox.messages_queued.disconnect(dispatch_uid=uid)
    try:
        outbox.hand_over([row.pk])
    finally:
        outbox.messages_queued.connect(tasks._dispatch_queued, dispatch_uid=uid)

    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.QUEUED
    assert f"Outbox messages [{row.pk}] stay queued: no transport listens" in caplog.text


# --- Stuck and forgotten rows -------------------------------------------------------------------


def test_requeue_stuck_requeues_an_old_sending_row_and_leaves_a_recent_one(
    db, settings, time_machine, mailoutbox, django_capture_on_commit_callbacks
):
    settings.OUTBOX_STUCK_AFTER_SECONDS = 600
    time_machine.move_to(START, tick=False)
    old = queue_email("Ancien")
    claim(old)  # ... and the worker died
    time_machine.move_to(START + timedelta(seconds=300), tick=False)
    recent = queue_email("Récent")
    claim(recent)  # a worker is still talking to the SMTP server

    time_machine.move_to(START + timedelta(seconds=601), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_outbox.delay().get() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.attempts) == (OutboxMessage.Status.SENT, 2)
    assert (recent.status, recent.claimed_at) == (OutboxMessage.Status.SENDING, START + timedelta(seconds=300))
    assert [sent.subject for sent in mailoutbox] == ["Ancien"]


def test_requeue_stuck_redispatches_forgotten_rows_but_not_one_waiting_for_its_retry(
    db, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.OUTBOX_STUCK_AFTER_SECONDS = 600
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    time_machine.move_to(START, tick=False)
    forgotten = queue_email("Jamais parti")  # its task was lost with the broker
    waiting = queue_email("En attente")
    OutboxMessage.objects.filter(pk=waiting.pk).update(attempts=5)  # next retry in 960 s

    time_machine.move_to(START + timedelta(seconds=601), tick=False)
    with django_capture_on_commit_callbacks() as dispatched:
        assert outbox.requeue_stuck() == 1
        assert outbox.requeue_stuck() == 0  # a row just handed over is left alone for a while

    assert len(dispatched) == 1
    forgotten.refresh_from_db()
    assert forgotten.updated_at == START + timedelta(seconds=601)
    time_machine.move_to(START + timedelta(seconds=600 + 960 + 1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.requeue_stuck() == 2  # the retry is overdue now; the forgotten row again

    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == (OutboxMessage.Status.SENT, 6)


# --- The admin -----------------------------------------------------------------------------------


def outbox_viewer():
    """A staff member allowed to view the outbox, and nothing else."""
    user = UserFactory(email="support@example.gouv.fr", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    return user


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("member_a", 302),
        ("staff_without_permission", 403),
        ("outbox_viewer", 200),
        ("network_admin", 200),
    ],
)
def test_admin_outbox_list_access(client, personas, persona, status):
    users = {
        **personas,
        "staff_without_permission": UserFactory(email="staff@example.gouv.fr", is_staff=True),
        "outbox_viewer": outbox_viewer(),
    }
    queue_email("Convocation au comité")
    if users[persona] is not None:
        client.force_login(users[persona])

    response = client.get(CHANGELIST)

    assert response.status_code == status
    assert ("Convocation au comité" in response.text) is (status == 200)


def test_admin_outbox_list_shows_rows_and_finds_a_recipient(client, network_admin):
    failed = failed_email("Convocation au comité")
    queue_email("Bienvenue", to=["autre@example.gouv.fr"])
    client.force_login(network_admin)

    listing = client.get(CHANGELIST, {"status__exact": "failed"})
    search = client.get(CHANGELIST, {"q": "autre@example"})
    detail = client.get(reverse("admin:incubator_outboxmessage_change", args=[failed.pk]))

    assert [row.pk for row in listing.context["cl"].result_list] == [failed.pk]
    assert "agente@example.gouv.fr" in listing.text
    assert [row.subject for row in search.context["cl"].result_list] == ["Bienvenue"]
    assert detail.status_code == 200
    assert "SMTPDataError: (421, b&#x27;try later&#x27;)" in detail.text
    assert list(listing.context["action_form"].fields["action"].choices)[1:] == [
        ("resend", "Renvoyer les messages en échec sélectionnés")
    ]  # read-only: no delete, the rows and their idempotency keys stay
    assert client.post(reverse("admin:incubator_outboxmessage_delete", args=[failed.pk])).status_code == 403


def test_admin_outbox_list_query_count_does_not_grow_with_rows(client, network_admin):
    client.force_login(network_admin)
    queue_email("Message 1")
    client.get(CHANGELIST)  # warm up: session, content types, permissions
    with CaptureQueriesContext(connection) as one_row:
        client.get(CHANGELIST)
    queue_email("Message 2")
    queue_email("Message 3")

    with CaptureQueriesContext(connection) as three_rows:
        response = client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 3
    assert len(three_rows) == len(one_row)


def test_admin_resend_requeues_a_failed_row_and_delivers_it(
    client, network_admin, mailoutbox, django_capture_on_commit_callbacks
):
    failed = failed_email("Convocation au comité")
    sent = queue_email("Déjà envoyé")
    OutboxMessage.objects.filter(pk=sent.pk).update(status=OutboxMessage.Status.SENT, attempts=1)
    client.force_login(network_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
            headers={"accept-language": "en"},
            follow=True,
        )

    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (OutboxMessage.Status.SENT, 1, "")
    assert (sent.status, sent.attempts) == (OutboxMessage.Status.SENT, 1)
    assert [message.subject for message in mailoutbox] == ["Convocation au comité"]
    assert [str(message) for message in response.context["messages"]] == ["1 message queued again."]


def test_admin_resend_by_an_outbox_viewer(db, client, mailoutbox, django_capture_on_commit_callbacks):
    failed = failed_email()
    client.force_login(outbox_viewer())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "resend", "_selected_action": [failed.pk]})

    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.SENT
    assert len(mailoutbox) == 1
