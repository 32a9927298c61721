import datetime

import factory
from factory.django import DjangoModelFactory

from incubator.tests.factories import IncubatorFactory, OrganisationFactory, UserFactory
from portfolio.models import (
    EventKind,
    Indicator,
    Measurement,
    Phase,
    PhasePeriod,
    ProductEvent,
    Startup,
    TeamMembership,
)


class StartupFactory(DjangoModelFactory):
    """A product with an open first period (``phase`` since ``phase_start``)."""

    class Meta:
        model = Startup
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"produit-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    pitch = "Un service numérique qui simplifie une démarche."
    incubator = factory.SubFactory(IncubatorFactory)
    phase = Phase.INVESTIGATION
    # Not a model field: ``_create`` takes it for the first period (a ``Params`` entry never reached it).
    phase_start = datetime.date(2025, 1, 6)

    @factory.post_generation
    def period(self, create, extracted, **kwargs):
        if create and not self.periods.exists():
            PhasePeriod.objects.create(startup=self, phase=self.phase, start=self._phase_start)

    @factory.post_generation
    def sponsors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sponsors.set(extracted)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        phase_start = kwargs.pop("phase_start", datetime.date(2025, 1, 6))
        startup = super()._create(model_class, *args, **kwargs)
        startup._phase_start = phase_start
        return startup


class TeamMembershipFactory(DjangoModelFactory):
    class Meta:
        model = TeamMembership

    startup = factory.SubFactory(StartupFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamMembership.Role.INTRAPRENEUR
    start = datetime.date(2025, 1, 6)


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    startup = factory.SubFactory(StartupFactory)
    kind = Indicator.Kind.USED
    name = factory.Sequence(lambda n: f"Usagers actifs {n}")
    unit = "usagers"
    target = 1000


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    date = datetime.date(2025, 6, 1)
    value = 120


class ProductEventFactory(DjangoModelFactory):
    """A dated event ("other" by default); a FAST needs ``fast_promotion``, a label ``label_year``."""

    class Meta:
        model = ProductEvent

    startup = factory.SubFactory(StartupFactory)
    kind = EventKind.OTHER
    date = datetime.date(2025, 6, 2)
    note = "Un fait marquant."


__all__ = ["OrganisationFactory"]
