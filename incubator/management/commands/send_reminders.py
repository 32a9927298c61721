from django.core.management.base import BaseCommand, CommandError

from incubator import outbox
from incubator.reminders import PlanningInterrupted, plan


class Command(BaseCommand):
    help = (
        "Record and queue the reminders that are due (what the beat task runs every 5 minutes), "
        "and hand forgotten outbox messages to the workers again. Safe to run at any time, as often as wanted."
    )

    def handle(self, *args, **options):
        try:
            result = plan()
        except PlanningInterrupted as interrupted:
            # One line on stderr and exit status 1 (Django prints a CommandError without a traceback).
            raise CommandError(
                f"Reminders interrupted: {interrupted}. {interrupted.result.created} reminders were queued "
                "before it; the next run sends the rest."
            ) from None
        requeued = outbox.requeue_stuck()
        self.stdout.write(f"{result.created} reminders queued, {requeued} outbox messages handed over again.")
        for kind in sorted(set(result.skipped_rules)):
            self.stderr.write(f"Rule of unknown kind {kind!r} skipped (is its app installed?).")
