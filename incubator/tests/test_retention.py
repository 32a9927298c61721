"""Retention (issue 14 item 5; ``incubator.retention``, ``personal_data.purge_all``): with time
moved, exactly what is past its period is erased or anonymised, a rerun changes nothing, the dry
run changes nothing and says what it would do, and the privacy page says the periods applied."""

import datetime
import io

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from calls.models import Application
from calls.tests.factories import ApplicationFactory, CallFactory
from incubator import personal_data, retention
from incubator.models import AuditEvent, OutboxMessage
from incubator.tasks import purge_expired_personal_data

pytestmark = pytest.mark.django_db

S = Application.Status
DAY = datetime.timedelta(days=1)


@pytest.fixture
def applications():
    """A call closing in 20 days with one application per status and a draft; a later call (closing
    in 60 days) with an application it did not keep."""
    call = CallFactory()
    later = CallFactory(closes_at=timezone.now() + 60 * DAY)
    made = {status: ApplicationFactory(call=call, status=status) for status in S.values}
    made["later"] = ApplicationFactory(call=later, status=S.NOT_SHORTLISTED)
    return call, made


def anonymised(application):
    application.refresh_from_db()
    return (application.administration, application.problem) == ("", "")


def test_exactly_the_applications_past_the_period_are_anonymised(applications):
    call, made = applications
    moment = call.closes_at + (retention.application_days() + 1) * DAY

    with time_machine.travel(moment, tick=False):
        report = personal_data.purge_all()["calls"]
        again = personal_data.purge_all()["calls"]

    kept_away = {S.NOT_SHORTLISTED, S.NOT_SELECTED, S.INELIGIBLE, S.WITHDRAWN}
    assert report == {"drafts_deleted": 1, "applications_anonymised": len(kept_away)}
    assert again == {"drafts_deleted": 0, "applications_anonymised": 0}
    assert not Application.objects.filter(pk=made[S.DRAFT].pk).exists()
    assert not Application.history.filter(id=made[S.DRAFT].pk).exists()
    for status in S.values:
        if status != S.DRAFT:
            assert anonymised(made[status]) == (status in kept_away), status
    assert not anonymised(made["later"])  # its call closed less than the period ago


def test_before_the_period_only_the_drafts_go(applications):
    call, made = applications

    with time_machine.travel(call.closes_at + (retention.application_days() - 1) * DAY, tick=False):
        report = personal_data.purge_all()["calls"]

    assert report["applications_anonymised"] == 0
    assert not anonymised(made[S.NOT_SHORTLISTED])


def test_a_draft_of_a_call_still_open_stays(applications):
    call, made = applications

    with time_machine.travel(call.closes_at - DAY, tick=False):
        assert personal_data.purge_all()["calls"] == {"drafts_deleted": 0, "applications_anonymised": 0}

    assert Application.objects.filter(pk=made[S.DRAFT].pk).exists()


def test_the_dry_run_changes_nothing_and_says_what_it_would_do(applications):
    call, made = applications
    out = io.StringIO()

    with time_machine.travel(call.closes_at + (retention.application_days() + 1) * DAY, tick=False):
        call_command("purge_personal_data", "--dry-run", stdout=out)

    assert "calls.applications_anonymised: 4 would be purged" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert Application.objects.filter(pk=made[S.DRAFT].pk).exists()
    assert not anonymised(made[S.WITHDRAWN])


def test_the_command_applies_with_apply(applications):
    call, made = applications
    out = io.StringIO()

    with time_machine.travel(call.closes_at + (retention.application_days() + 1) * DAY, tick=False):
        call_command("purge_personal_data", "--apply", stdout=out)

    assert "calls.applications_anonymised: 4 were purged" in out.getvalue()
    assert anonymised(made[S.WITHDRAWN])


def sent_email(**fields):
    return OutboxMessage.objects.create(
        from_email="portail@example.gouv.fr",
        to=["destinataire@example.gouv.fr"],
        subject="Votre comité",
        body_text="Bonjour Camille",
        status=fields.pop("status", OutboxMessage.Status.SENT),
        **fields,
    )


def test_old_sent_emails_lose_their_recipients_and_bodies_young_ones_and_pending_ones_stay():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = sent_email()
        pending = sent_email(status=OutboxMessage.Status.QUEUED)
    with time_machine.travel(start + 100 * DAY, tick=False):
        young = sent_email()

    with time_machine.travel(start + (retention.outbox_days() + 1) * DAY, tick=False):
        report = personal_data.purge_all()["incubator"]
        again = personal_data.purge_all()["incubator"]

    assert report["emails"] == 1
    assert again["emails"] == 0
    old.refresh_from_db()
    assert (old.to, old.subject, old.body_text, old.status) == ([], "", "", OutboxMessage.Status.SENT)
    for kept in (pending, young):
        kept.refresh_from_db()
        assert kept.to == ["destinataire@example.gouv.fr"]


def test_expired_sessions_and_old_audit_rows_go():
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - DAY)
    Session.objects.create(session_key="live", session_data="", expire_date=now + DAY)
    with time_machine.travel(now - (retention.audit_days() + 1) * DAY, tick=False):
        AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, actor_id=1)
    AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, actor_id=1)

    report = purge_expired_personal_data()["incubator"]

    assert (report["sessions"], report["audit_events"]) == (1, 1)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert AuditEvent.objects.count() == 1


def test_the_privacy_page_says_the_periods_the_purge_applies(client, settings, applications):
    settings.APPLICATION_RETENTION_DAYS = 30
    settings.OUTBOX_RETENTION_DAYS = 200
    call, _made = applications

    text = client.get(reverse("incubator:privacy")).content.decode()

    assert escape(str(retention.days_text(30))) in text
    assert escape(str(retention.days_text(200))) in text
    assert settings.PRIVACY_DPO_EMAIL in text
    with time_machine.travel(call.closes_at + 31 * DAY, tick=False):
        assert personal_data.purge_all(dry_run=True)["calls"]["applications_anonymised"] == 4


def test_the_privacy_page_lists_every_declared_category(client):
    text = client.get(reverse("incubator:privacy")).content.decode()

    for _provider, category in personal_data.categories():
        assert escape(str(category.label)) in text
        assert escape(str(category.retention)) in text


def test_beat_runs_the_purge_daily(settings):
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "incubator.purge_expired_personal_data"
    ]

    assert [entry["schedule"] for entry in entries] == [24 * 3600.0]
