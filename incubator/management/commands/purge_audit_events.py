from django.conf import settings
from django.core.management.base import BaseCommand

from incubator.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Delete the audit log's rows older than AUDIT_RETENTION_DAYS (what the daily beat task does). "
        "A dry run unless --apply is given: it says how many rows would go."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Delete them (without it: only count them).")

    def handle(self, *args, apply=False, **options):
        days = settings.AUDIT_RETENTION_DAYS
        if not apply:
            count = AuditEvent.objects.expired().count()
            self.stdout.write(
                f"Dry run: {count} audit events older than {days} days would be deleted (--apply to do it)."
            )
            return
        count = AuditEvent.purge()
        self.stdout.write(f"{count} audit events older than {days} days deleted.")
