"""Demo data from the real network sample (incubator/data/network-sample.json)."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Incubator, Membership, Organisation, User

SAMPLE = Path(__file__).parent / "data" / "network-sample.json"
DEMO_DOMAIN = "demo.incubateurs.example"
DEV_PASSWORD = "demo-incubateurs-2026"

# One demo account per role; the incubator they belong to is the DINUM's.
DEMO_ACCOUNTS = [
    ("admin", "Adèle", "Admin", None),
    ("responsable", "Marc", "Responsable", Membership.Role.MANAGER),
    ("portefeuille", "Paule", "Portefeuille", Membership.Role.PORTFOLIO_MANAGER),
    ("coach", "Camille", "Coach", Membership.Role.COACH),
    ("jury", "Jules", "Jury", Membership.Role.JURY),
    ("observateur", "Olivia", "Observatrice", Membership.Role.VIEWER),
    ("agent", "Anaïs", "Agente", None),
]
DEMO_INCUBATOR = "dinum"


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
        accounts.append(f"  {email:<40} {role.label if role else ('network admin' if user.is_staff else 'no role')}")
    return [f"{len(organisations)} organisations, {len(sample['incubators'])} incubators.", *accounts]
