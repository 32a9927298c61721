from django.conf import settings
from django.core.management.base import BaseCommand

from incubator import demo


class Command(BaseCommand):
    help = "Load the demo data (real incubators and organisations, one account per role). Idempotent."

    def handle(self, *args, **options):
        result = demo.seed()
        self.stdout.write(
            self.style.SUCCESS(f"{result['organisations']} organisations, {result['incubators']} incubators loaded.")
        )
        password = demo.demo_password()
        for email, role in result["accounts"]:
            self.stdout.write(f"  {email:<40} {role or ('network admin' if email.startswith('admin@') else 'no role')}")
        if password and settings.DEBUG:
            self.stdout.write(f"Demo password (development only): {password}")
        elif not password:
            self.stdout.write("Demo accounts have no usable password (set DEMO_PASSWORD to give them one).")
