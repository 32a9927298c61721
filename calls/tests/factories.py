import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from calls.models import Application, Call, Question
from incubator.tests.factories import IncubatorFactory, UserFactory


def days_from_now(days):
    return timezone.now() + datetime.timedelta(days=days)


class CallFactory(DjangoModelFactory):
    """A published call, open since 10 days and closing in 20."""

    class Meta:
        model = Call
        django_get_or_create = ["slug"]

    incubator = factory.SubFactory(IncubatorFactory)
    title = factory.Sequence(lambda n: f"Appel à intrapreneurs n° {n}")
    slug = factory.Sequence(lambda n: f"appel-{n}")
    description = "Vous êtes agent public et vous avez repéré un problème ? Candidatez."
    opens_at = factory.LazyFunction(lambda: days_from_now(-10))
    closes_at = factory.LazyFunction(lambda: days_from_now(20))
    preselection_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    selection_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=45))
    investigation_starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    status = Call.Status.PUBLISHED


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    call = factory.SubFactory(CallFactory)
    label = factory.Sequence(lambda n: f"Question {n}")
    kind = Question.Kind.LONG_TEXT


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    applicant = factory.SubFactory(UserFactory)
    administration = "Ministère de l'Exemple"
    service = "Direction des usagers"
    role = "Cheffe de bureau"
    problem = "Les usagers attendent trois mois une réponse.\nCela concerne 40 000 dossiers par an."
    solution = "Un service en ligne de suivi."
    consent_guide = True
    consent_sharing = True
