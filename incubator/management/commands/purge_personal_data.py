"""Apply the retention periods (``incubator.personal_data.purge_all``; ``docs/architecture.md``,
personal data): what the daily beat task does, for a deployment without Celery beat. A dry run
unless ``--apply``."""

from django.core.management.base import BaseCommand

from incubator import personal_data


class Command(BaseCommand):
    help = (
        "Erase or anonymise the personal data past its retention period (what the daily beat task does). "
        "A dry run unless --apply is given: it says what would be done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Do it (without it: only count).")
        parser.add_argument("--dry-run", action="store_true", help="Only count (the default).")

    def handle(self, *args, apply=False, dry_run=False, **options):
        dry_run = dry_run or not apply
        report = personal_data.purge_all(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        for provider, counts in report.items():
            for what, count in counts.items():
                self.stdout.write(f"{provider}.{what}: {count} {verb} purged")
        if dry_run:
            self.stdout.write("Dry run: nothing changed (--apply to do it).")
