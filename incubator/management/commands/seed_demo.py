from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from incubator import demo, versions


def demo_modules():
    """Each installed app of the project may ship a ``demo`` module with a ``seed(sample)`` function.

    The core does not import the other apps by name: it asks every app, in INSTALLED_APPS order.
    """
    for config in apps.get_app_configs():
        if config.path.startswith(str(settings.BASE_DIR)) and find_spec(f"{config.name}.demo"):
            yield import_module(f"{config.name}.demo")


class Command(BaseCommand):
    help = "Load the demo data (the real network sample and one account per role). Idempotent."

    def handle(self, *args, **options):
        sample = demo.load_sample()
        # The history the services write (reasons of phase moves) is in the portal's language.
        with demo.quiet_dispatch(), transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            for module in demo_modules():
                for line in module.seed(sample):
                    self.stdout.write(line)
        versions.bump_all()  # bulk writes and quiet signals: whatever was kept is rebuilt
        password = demo.demo_password()
        if password and settings.DEBUG:
            self.stdout.write(self.style.SUCCESS(f"Demo password (development only): {password}"))
        elif not password:
            self.stdout.write("Demo accounts have no usable password (set DEMO_PASSWORD to give them one).")
