"""Shared fixtures: personas, the email setup, and the real services' switches."""

import pytest
from django.core.cache import cache
from django.db.models.signals import post_migrate
from django.utils import translation

from incubator.celery import app as celery_app
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from tests.reminder_rules import seed_migrated_rows, seed_reminder_rules


def _restore_migrated_rows(sender, **kwargs):
    """After a transactional test's flush (which sends post_migrate), the rows the data migrations
    seeded are back: every test starts from the migrated database, whichever ran before it in its
    process (``make test`` runs the files on two processes, in no fixed order)."""
    if sender.label == "incubator":  # once per flush (post_migrate is sent for every app)
        seed_migrated_rows()


post_migrate.connect(_restore_migrated_rows, dispatch_uid="tests.restore_migrated_rows")


@pytest.fixture(autouse=True)
def _outbox_email(settings):
    """Django's test runner swaps EMAIL_BACKEND for locmem; put the outbox back in front of it,
    so tests see both the outbox rows and ``mail.outbox`` (the delivered messages)."""
    settings.EMAIL_BACKEND = "incubator.mail.OutboxEmailBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A fast hasher: the real one costs ~0.3 s per password and personas create several users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test starts a real worker (see ``celery_worker``)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads made by tests go to a temporary folder, never to the repository's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _french():
    """Requests switch the active language (LocaleMiddleware): every test starts in French."""
    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache: start every test with an empty one."""
    cache.clear()


@pytest.fixture
def reminder_rules(db):
    """Seed the rules again: a transactional test empties every table when it ends, so a database
    kept by --reuse-db may have lost what the migrations seeded."""
    seed_reminder_rules()


@pytest.fixture
def incubator_a(db):
    return IncubatorFactory(slug="fabrique-a", title="Fabrique A")


@pytest.fixture
def incubator_b(db):
    return IncubatorFactory(slug="fabrique-b", title="Fabrique B")


@pytest.fixture
def member_a(incubator_a):
    """A manager of incubator A."""
    return MembershipFactory(incubator=incubator_a, user=UserFactory(email="manager-a@example.gouv.fr")).user


@pytest.fixture
def member_b(incubator_b):
    """A manager of incubator B."""
    return MembershipFactory(incubator=incubator_b, user=UserFactory(email="manager-b@example.gouv.fr")).user


@pytest.fixture
def network_admin(db):
    return UserFactory(email="admin@example.gouv.fr", is_staff=True, is_superuser=True)


@pytest.fixture
def personas(member_a, member_b, network_admin):
    """Persona name -> user (None for anonymous)."""
    return {"anonymous": None, "member_a": member_a, "member_b": member_b, "network_admin": network_admin}


@pytest.fixture
def sign_in(client):
    """sign_in(user) -> the test client signed in as ``user`` (anonymous for None)."""

    def signed_in(user):
        if user is not None:
            client.force_login(user)
        return client

    return signed_in


@pytest.fixture
def as_persona(sign_in, personas):
    """as_persona("member_a") -> a client signed in as that persona."""
    return lambda name: sign_in(personas[name])


@pytest.fixture
def manager(sign_in, member_a):
    """The test client signed in as the manager of incubator A."""
    return sign_in(member_a)
