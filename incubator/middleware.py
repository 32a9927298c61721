"""The core's security middleware: response headers, session bounds, anonymous POST and public API rate limits."""

import functools
import ipaddress
import logging
import math
import time

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from . import registry
from .security import LOGIN_AT, PRIVILEGED, SEEN_AT, client_ip, is_privileged, session_bounds

logger = logging.getLogger(__name__)

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
    # Pages that anyone holding their address may read and that are personal all the same (a
    # calendar feed carries its secret token in the path): the apps register them.
    match = getattr(request, "resolver_match", None)
    return match is not None and registry.is_personal_view(match.view_name)


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


def public_api(view):
    """Mark a view as a public API endpoint: ``PublicAPIRateLimitMiddleware`` limits it per client."""
    view.public_api = True
    return view


@functools.cache
def parse_rate(rate):
    """``"60/m"`` -> (60, 60.0): requests per period; ``""`` -> None (no limit). Periods: s, m,
    h, d, with an optional count (``"100/5m"``)."""
    if not rate:
        return None
    try:
        amount, period = rate.split("/")
        count, unit = period[:-1] or "1", {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[-1:]]
        return int(amount), float(count) * unit
    except (KeyError, ValueError) as error:
        raise ImproperlyConfigured(f"OPEN_DATA_RATE_LIMIT: {rate!r} is not like '60/m'.") from error


def client_key(request):
    """The client's address; an IPv6 client is its /64 (one machine may hold the whole prefix)."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return address


class PublicAPIRateLimitMiddleware:
    """At most OPEN_DATA_RATE_LIMIT requests per client address (``client_ip``) to the views
    marked ``@public_api`` (the open data), signed in or not; past it a JSON 429 with
    ``Retry-After``. A fixed window counted in the cache (Redis in production): an ``incr`` per
    request (an ``add`` for the window's first), no database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        rate = parse_rate(settings.OPEN_DATA_RATE_LIMIT)
        if rate is None or not getattr(view_func, "public_api", False):
            return None
        limit, period = rate
        now = time.time()
        window = int(now // period)
        key = f"ratelimit:public_api:{client_key(request)}:{window}"
        try:
            count = cache.incr(key)
        except ValueError:  # the window's first request (add: another may have come first)
            count = 1 if cache.add(key, 1, timeout=math.ceil(period) + 1) else cache.incr(key)
        if count <= limit:
            return None
        retry_after = max(1, math.ceil((window + 1) * period - now))
        if count == limit + 1:  # once per client and window
            logger.warning("Public API rate limit reached by %s on %s", client_ip(request), request.path)
        response = JsonResponse(
            {
                "error": "rate_limited",
                "detail": _("Too many requests: try again later (in retry_after seconds)."),
                "retry_after": retry_after,
            },
            status=429,
        )
        response["Retry-After"] = str(retry_after)
        return response


class MFARequiredMiddleware:
    """A network admin or manager without a second factor (``incubator.mfa``) reaches only the
    enrolment pages, the way out and the language switch; anything else, the admin included,
    redirects to the authenticator app's activation with a message. Decided at login and kept in
    the session: no query per request once enrolled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from .mfa import ENROLMENT_VIEWS, MFA_PENDING, must_enrol

        if not request.user.is_authenticated:
            return None
        # Noted at login; while pending (or for a session older than this check), asked again
        # at each request, so an enrolment done here or elsewhere lifts it at once.
        if request.session.get(MFA_PENDING, True):
            request.session[MFA_PENDING] = must_enrol(request.user)
        if not request.session[MFA_PENDING] or request.resolver_match.url_name in ENROLMENT_VIEWS:
            return None
        messages.warning(
            request,
            _(
                "Your role requires two-factor authentication: activate an authenticator app "
                "(or add a security key) to continue."
            ),
        )
        return redirect("mfa_activate_totp")


class AuditDenialMiddleware:
    """One audit row (``incubator.audit``) per object route refused to a signed-in user: a 403 or
    a 404 on a URL that names an object (a pk or a slug). The apps scope their querysets per user
    and answer an outsider with a 404, as if the object did not exist: this one place sees them
    all, whatever the view. The object is the route's name and its argument."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if response.status_code in (403, 404) and match is not None and match.kwargs and user and user.is_authenticated:
            from . import audit

            key = next((name for name in ("pk", "slug") if name in match.kwargs), next(iter(match.kwargs)))
            audit.record(
                audit.Action.ACCESS_DENIED, actor=user, object_type=match.view_name, object_id=match.kwargs[key]
            )
        return response
