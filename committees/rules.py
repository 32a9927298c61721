"""Who may do what with a committee (django-rules). Visibility itself is ``Committee.objects.visible_to``:
the product's managers, its current team, the committee's attendees, network admins and network
coordinators (who read, never change) see a committee, its decks and minutes; the incubator's
coaches, jurors and viewers do not (a 404).

Managers (manager or portfolio manager of the product's incubator) and network admins plan,
decide, mark the follow-ups and cancel; the product's team uploads its documents too.
"""

import rules

from portfolio.rules import can_manage, in_startup_team


@rules.predicate
def manages_committee(user, committee):
    return committee is not None and can_manage.test(user, committee.startup)


@rules.predicate
def in_committee_team(user, committee):
    return committee is not None and in_startup_team.test(user, committee.startup)


# On a product (Startup).
rules.add_perm("committees.plan_committee", can_manage)
rules.add_perm("committees.change_committee_due", can_manage)

# On a committee.
rules.add_perm("committees.manage_committee", manages_committee)
rules.add_perm("committees.record_decision", manages_committee)
rules.add_perm("committees.cancel_committee", manages_committee)
rules.add_perm("committees.add_document", manages_committee | in_committee_team)
