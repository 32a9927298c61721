"""Who may do what in the community (django-rules). What exists for someone is each QuerySet's
``visible_to``: another incubator's request is a 404 before any rule is asked.

- A product's current team and its managers request resources for it; an incubator's managers for
  the incubator itself.
- A resource's handlers (and network admins) answer its requests.
- An event's organiser (and network admins) read its attendance list.
"""

import rules

from incubator.rules import is_network_admin, manages_incubator
from portfolio.rules import can_manage, in_startup_team


@rules.predicate
def handles_request(user, resource_request):
    if not user.is_authenticated or resource_request is None:
        return False
    return resource_request.resource.handlers.filter(pk=user.pk).exists()


@rules.predicate
def organises_event(user, event):
    return user.is_authenticated and event is not None and event.organiser_id == user.pk


# On a product (Startup) / an incubator.
rules.add_perm("community.request_for_startup", can_manage | in_startup_team)
rules.add_perm("community.request_for_incubator", is_network_admin | manages_incubator)

# On a request.
rules.add_perm("community.handle_request", is_network_admin | handles_request)

# On an event.
rules.add_perm("community.see_attendance", is_network_admin | organises_event)
