"""Volume data for the benchmarks (``python manage.py seed_volume --scale N``): the core's part.

Scale 1 is the network at its expected size (issue 15): 1,028 products (928 published), 2,000
committees, one call with 10,000 applications. Each app ships a ``volume`` module whose
``seed(plan)`` writes its share with ``bulk_create`` (no history records, no signals, no
emails) and returns the lines to print; the command calls them in INSTALLED_APPS order, the core
first, as ``seed_demo`` does with ``demo.seed()``. The upper apps find what the core made through
the helpers below (``incubators()``, ``manager()``...), never the reverse.

The rows are invented and deterministic (one random generator per app, seeded from
``Plan.seed``); dates are relative to today and stay inside the dates window (2000-2099).
"""

import datetime
import random
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import Incubator, Membership, Organisation, User

DOMAIN = "volume.incubateurs.example"
MANAGER_EMAIL = f"responsable@{DOMAIN}"
ADMIN_EMAIL = f"admin@{DOMAIN}"
INCUBATOR_PREFIX = "volume-fabrique-"
ORGANISATION_PREFIX = "VOL"
INCUBATORS = 10
ORGANISATIONS = 40
BATCH_SIZE = 2000

FIRST_NAMES = ["Camille", "Dominique", "Claude", "Alix", "Sacha", "Morgan", "Lou", "Noa", "Charlie", "Eden"]
LAST_NAMES = ["Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Garnier"]
MINISTRIES = ["justice", "territoires", "environnement", "solidarite-sante", "culture", "agriculture", "travail"]


@dataclass(frozen=True)
class Plan:
    """How much to write: ``count(n)`` is ``n`` (a scale-1 volume) at this scale, at least ``minimum``."""

    scale: float
    password: str | None = None  # of the volume admin and manager; None: unusable
    seed: int = 2026
    today: datetime.date = field(default_factory=timezone.localdate)

    def count(self, at_scale_one, minimum=1):
        return max(minimum, round(at_scale_one * self.scale))

    def rng(self, name):
        """A random generator of its own for each app: one app's rows do not shift another's."""
        return random.Random(f"{self.seed}-{name}")

    def instant(self, day, hour=10):
        """An aware date-time on ``day`` at ``hour``:00 in the portal's time zone."""
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def is_seeded():
    return Incubator.objects.filter(slug__startswith=INCUBATOR_PREFIX).exists()


def incubators():
    return list(Incubator.objects.filter(slug__startswith=INCUBATOR_PREFIX).order_by("slug"))


def organisations():
    return list(Organisation.objects.filter(acronym__startswith=ORGANISATION_PREFIX).order_by("acronym"))


def manager():
    return User.objects.get(email=MANAGER_EMAIL)


def network_admin():
    return User.objects.get(email=ADMIN_EMAIL)


def person_name(number):
    """A first and a last name, the same for the same number."""
    return FIRST_NAMES[number % 10], LAST_NAMES[(3 * number + number // 10) % 10]


def new_users(local_part, count, *, start=1):
    """``count`` unsaved accounts ``<local_part>-<n>@DOMAIN``, without a usable password."""
    users = []
    for number in range(start, start + count):
        first_name, last_name = person_name(number)
        users.append(
            User(
                email=f"{local_part}-{number:05d}@{DOMAIN}",
                first_name=first_name,
                last_name=last_name,
                password=make_password(None),
            )
        )
    return users


def seed(plan):
    """Organisations, incubators, the network admin and the manager (of every volume incubator).

    The two accounts have ``plan.password`` (None: an unusable one; the bench signs them in by
    creating their sessions).
    """
    rng = plan.rng("incubator")
    owners = Organisation.objects.bulk_create(
        Organisation(
            acronym=f"{ORGANISATION_PREFIX}{number:03d}",
            name=f"Direction de l'exemple n° {number}",
            type=Organisation.Type.CENTRAL if number % 3 else Organisation.Type.OPERATOR,
            ministerial_area=rng.choice(MINISTRIES),
        )
        for number in range(1, ORGANISATIONS + 1)
    )
    created = Incubator.objects.bulk_create(
        Incubator(
            slug=f"{INCUBATOR_PREFIX}{number:02d}",
            title=f"Fabrique numérique n° {number}",
            owner=owners[number - 1],
            contact_email=f"contact-{number}@{DOMAIN}",
            purchasing_email=f"achats-{number}@{DOMAIN}",
            short_description="Une fabrique de services numériques de l'exemple.",
        )
        for number in range(1, INCUBATORS + 1)
    )
    hashed = make_password(plan.password)
    admin, head = User.objects.bulk_create(
        [
            User(
                email=ADMIN_EMAIL,
                first_name="Adèle",
                last_name="Admin",
                is_staff=True,
                is_superuser=True,
                password=hashed,
            ),
            User(email=MANAGER_EMAIL, first_name="Marc", last_name="Responsable", password=hashed),
        ]
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in (admin, head)
    )
    Membership.objects.bulk_create(
        Membership(user=head, incubator=incubator, role=Membership.Role.MANAGER) for incubator in created
    )
    return [
        f"{len(owners)} organisations, {len(created)} incubators, "
        f"the network admin {ADMIN_EMAIL} and the manager of every volume incubator {MANAGER_EMAIL}."
    ]
