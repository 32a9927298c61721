"""Anonymous POSTs are rate-limited per client (they may each write a session row), and expired
sessions are deleted periodically."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from incubator.celery import app as celery_app
from incubator.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db

LIMIT = 30  # ACCOUNT_RATE_LIMITS["anonymous_post"]: 30 a minute per client address


def set_language(client):
    return client.post(reverse("set_language"), {"language": "fr", "next": "/"})


def test_past_the_limit_anonymous_posts_get_a_french_429_page(client):
    statuses = [set_language(client).status_code for _post in range(LIMIT)]

    response = set_language(client)

    assert statuses == [302] * LIMIT
    assert response.status_code == 429
    assert response.text.count("<h1") == 1
    assert "Trop de requêtes" in response.text
    assert 'class="fr-footer"' in response.text


def test_signed_in_posts_are_not_counted(sign_in, member_a):
    client = sign_in(member_a)

    statuses = {set_language(client).status_code for _post in range(LIMIT + 5)}

    assert statuses == {302}


def test_anonymous_posts_sent_to_the_login_page_are_not_counted(client):
    # LoginRequiredMiddleware answers them before any view runs: they write nothing.
    refused = {client.post(reverse("incubator:my_space")).status_code for _post in range(LIMIT + 5)}

    assert refused == {302}
    assert set_language(client).status_code == 302


def test_anonymous_gets_are_not_counted(client):
    statuses = {client.get(reverse("account_login")).status_code for _get in range(LIMIT + 5)}

    assert statuses == {200}
    assert set_language(client).status_code == 302


def test_clear_expired_sessions_deletes_only_the_expired_ones():
    live = SessionStore()
    live["x"] = 1
    live.create()
    old = SessionStore()
    old["x"] = 1
    old.create()
    Session.objects.filter(session_key=old.session_key).update(expire_date=timezone.now() - datetime.timedelta(days=1))

    clear_expired_sessions.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_clearing_sessions_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["sessions-clear-expired"]

    assert entry["task"] == clear_expired_sessions.name == "incubator.clear_expired_sessions"
    assert entry["task"] in celery_app.tasks
