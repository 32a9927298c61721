import factory
from factory.django import DjangoModelFactory

from incubator.models import Incubator, Membership, Organisation, User
from incubator.tests.mfa import enrol_totp

TEST_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.gouv.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])
            self.emailaddress_set.get_or_create(email=self.email, defaults={"verified": True, "primary": True})

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """Network admins and coordinators have a second factor, as the portal requires
        (``mfa=False``: not yet)."""
        if create and ((self.is_staff or self.is_network_coordinator) if extracted is None else extracted):
            enrol_totp(self)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["acronym"]

    acronym = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.LazyAttribute(lambda o: f"Ministère {o.acronym}")
    type = Organisation.Type.CENTRAL


class IncubatorFactory(DjangoModelFactory):
    class Meta:
        model = Incubator
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"incubateur-{n}")
    title = factory.LazyAttribute(lambda o: f"Fabrique {o.slug}")
    owner = factory.SubFactory(OrganisationFactory)
    contact_email = factory.LazyAttribute(lambda o: f"contact@{o.slug}.gouv.fr")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    incubator = factory.SubFactory(IncubatorFactory)
    role = Membership.Role.MANAGER

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """Managers have a second factor, as the portal requires (``mfa=False``: not yet)."""
        if create and self.role in Membership.MANAGER_ROLES and extracted is not False:
            enrol_totp(self.user)
