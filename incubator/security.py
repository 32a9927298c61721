"""Who the client is and who holds a privileged account: shared by the middleware, the password
validators and allauth.

``client_ip`` is the one place that reads the client's address. It asks allauth's adapter, so the
rate limits of the accounts (allauth) and ours (``incubator.middleware``) key on the same address:
``X-Forwarded-For`` counted from the right by ``ALLAUTH_TRUSTED_PROXY_COUNT`` (the environment's
``TRUSTED_PROXY_COUNT``), ``REMOTE_ADDR`` when no proxy is trusted (the header is then ignored, so
it cannot be spoofed).
"""

import time

from allauth.account.adapter import get_adapter
from django.conf import settings

from .models import Membership

# Session keys of the session clock (see SessionTimeoutMiddleware).
LOGIN_AT = "_portal_login_at"
SEEN_AT = "_portal_seen_at"
PRIVILEGED = "_portal_privileged"


def client_ip(request):
    """The client's IP address, through the trusted proxies only."""
    return get_adapter().get_client_ip(request)


def is_privileged(user):
    """Network admins (staff), network coordinators (who read every incubator's committees and
    figures) and the managers of an incubator: shorter sessions, longer passwords, a second factor."""
    if user is None or not user.is_active:
        return False
    if user.is_staff or user.is_network_coordinator:
        return True
    return bool(user.pk) and Membership.objects.filter(user=user, role__in=Membership.MANAGER_ROLES).exists()


def start_session_clock(sender, request, user, **kwargs):
    """``user_logged_in``: note when the session started, and whether its bounds are the short ones."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[PRIVILEGED] = is_privileged(user)


def session_bounds(session):
    """(absolute lifetime, idle timeout) in seconds for this session; ``None`` for no bound."""
    if session.get(PRIVILEGED):
        return settings.SESSION_PRIVILEGED_MAX_AGE, settings.SESSION_PRIVILEGED_IDLE_TIMEOUT
    if session.get_expire_at_browser_close():
        # Not remembered: the cookie ends with the browser, the server ends it too.
        return settings.SESSION_BROWSER_MAX_AGE, None
    return None, None  # remembered: SESSION_COOKIE_AGE, enforced by the session store
