"""Who may answer a product's scorecard (django-rules): its managers and its current team, as for
the product sheet (``portfolio.rules``). Visibility itself is ``Startup.objects.visible_to``: an
outsider gets a 404 (``docs/architecture.md``, "Permissions")."""

import rules

from portfolio.rules import can_manage, in_startup_team

can_answer = can_manage | in_startup_team
rules.add_perm("standards.change_scorecard", can_answer)
