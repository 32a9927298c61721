from django.core.management.base import BaseCommand

from incubator import mail
from incubator.reminders import plan


class Command(BaseCommand):
    help = (
        "Record and queue the reminders that are due (what the beat task runs every 5 minutes), "
        "and hand forgotten outbox messages to the workers again. Safe to run at any time, as often as wanted."
    )

    def handle(self, *args, **options):
        result = plan()
        requeued = mail.requeue_stuck()
        self.stdout.write(f"{result.created} reminders queued, {requeued} outbox messages handed over again.")
        for kind in sorted(set(result.skipped_rules)):
            self.stderr.write(f"Rule of unknown kind {kind!r} skipped (is its app installed?).")
