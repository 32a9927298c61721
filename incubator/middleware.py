"""The core's security middleware: response headers, session bounds, anonymous POST rate limit."""

import logging
import time

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .security import LOGIN_AT, PRIVILEGED, SEEN_AT, client_ip, is_privileged, session_bounds

logger = logging.getLogger(__name__)

# Pages that anyone holding their address may read and that are personal all the same: never
# stored by a browser or a proxy cache (a calendar feed carries its secret token in the path).
PERSONAL_VIEWS = {"committees:calendar_feed"}

# A privileged session's "last seen" is written at most this often (a session write per request
# would be a database write per request); the idle timeout is exact to within this many seconds.
SEEN_AT_RESOLUTION = 60


def is_personal(request, response):
    """A response for one person: to a signed-in user, a download, or a personal feed."""
    user = getattr(request, "user", None)  # absent on the static files WhiteNoise answers
    if user is not None and user.is_authenticated:
        return True
    if response.has_header("Content-Disposition"):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in PERSONAL_VIEWS


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on every response; ``Cache-Control: no-store, private`` on the
    personal ones (public pages for anonymous visitors stay cacheable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if is_personal(request, response):
            patch_cache_control(response, no_store=True, private=True)
        return response


class SessionTimeoutMiddleware:
    """Ends a signed-in session past its bounds (``incubator.security.session_bounds``): network
    admins and managers after SESSION_PRIVILEGED_MAX_AGE, or SESSION_PRIVILEGED_IDLE_TIMEOUT without
    a request; a session not remembered after SESSION_BROWSER_MAX_AGE. The clock starts at login
    (``incubator.security.start_session_clock``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if "_auth_user_id" in session:
            now = int(time.time())
            if LOGIN_AT not in session:  # signed in before the clock existed: start it now
                session[LOGIN_AT] = session[SEEN_AT] = now
                session[PRIVILEGED] = is_privileged(request.user)
            if self.expired(session, now):
                logout(request)
                messages.info(request, _("Your session has expired: sign in again to continue."))
                if request.method in ("GET", "HEAD"):
                    return redirect_to_login(request.get_full_path())
                # Other methods go on as anonymous: the login-required views send them to the
                # login page, and the open ones keep what was posted (the application form).
            elif session.get(PRIVILEGED) and now - session.get(SEEN_AT, 0) >= SEEN_AT_RESOLUTION:
                session[SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def expired(session, now):
        max_age, idle_timeout = session_bounds(session)
        if max_age is not None and now - session[LOGIN_AT] > max_age:
            return True
        return idle_timeout is not None and now - session.get(SEEN_AT, session[LOGIN_AT]) > idle_timeout


class AnonymousPostRateLimitMiddleware:
    """At most ACCOUNT_RATE_LIMITS["anonymous_post"] POSTs by anonymous visitors per client
    address; past it a 429 page. Runs after the CSRF check and LoginRequiredMiddleware: only the
    POSTs that reach a view open to anonymous visitors (the ones that may write a session) count."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.user.is_authenticated:
            return None
        # Keyed on client_ip(request): allauth's rate limits ask the same adapter.
        if ratelimit.consume(request, action="anonymous_post"):
            return None
        logger.warning("Anonymous POST rate limit reached by %s on %s", client_ip(request), request.path)
        return ratelimit.respond_429(request)
