from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from incubator import versions, volume


def volume_modules():
    """Each installed app of the project may ship a ``volume`` module with a ``seed(plan)`` function.

    The core does not import the other apps by name: it asks every app, in INSTALLED_APPS order
    (the core first), as ``seed_demo`` does with the ``demo`` modules.
    """
    for config in apps.get_app_configs():
        if config.path.startswith(str(settings.BASE_DIR)) and find_spec(f"{config.name}.volume"):
            yield import_module(f"{config.name}.volume")


class Command(BaseCommand):
    help = (
        "Load invented volume data for the benchmarks (bench/pages.py): at scale 1, 1,028 products "
        "(928 published), 2,000 committees and a call with 10,000 applications. Once per database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = the network's expected size (default).")
        parser.add_argument(
            "--password", default=None, help="Password of the volume admin and manager (default: unusable)."
        )

    def handle(self, *args, scale, password, **options):
        if not 0 < scale <= 100:
            raise CommandError("--scale must be above 0 and at most 100.")
        if volume.is_seeded():
            raise CommandError("The volume data is already in this database: load it into an empty one.")
        plan = volume.Plan(scale=scale, password=password)
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            for module in volume_modules():
                for line in module.seed(plan):
                    self.stdout.write(line)
        versions.bump_all()  # bulk writes and quiet signals: whatever was kept is rebuilt
        self.stdout.write(self.style.SUCCESS(f"Volume data loaded at scale {scale:g}."))
