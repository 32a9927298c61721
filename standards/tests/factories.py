import factory
from factory.django import DjangoModelFactory

from portfolio.tests.factories import StartupFactory
from standards.models import ProductStandard, Standard, StandardsVersion, Status


class StandardsVersionFactory(DjangoModelFactory):
    class Meta:
        model = StandardsVersion

    name = factory.Sequence(lambda n: f"Standards v{n}")
    published_on = factory.Faker("date_between", start_date="-2y", end_date="today")
    is_current = False


class StandardFactory(DjangoModelFactory):
    class Meta:
        model = Standard

    version = factory.SubFactory(StandardsVersionFactory)
    key = factory.Sequence(lambda n: f"critere-{n}")
    label = factory.Sequence(lambda n: f"Critère {n}")
    order = factory.Sequence(int)


class ProductStandardFactory(DjangoModelFactory):
    class Meta:
        model = ProductStandard

    startup = factory.SubFactory(StartupFactory)
    standard = factory.SubFactory(StandardFactory)
    status = Status.IN_PROGRESS
