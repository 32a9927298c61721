"""allauth's adapters: the nonce check and the ProConnect session's end at logout."""

import hmac
import logging
import secrets

import requests
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings
from django.core.cache import cache
from django.utils.http import urlencode

from . import ID_TOKEN_SESSION_KEY, PROVIDER_ID
from .provider import ProConnectProvider

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        """The ID token must carry the nonce sent with this login's authorization request."""
        provider = sociallogin.provider
        if isinstance(provider, ProConnectProvider):
            expected = sociallogin.state.get("nonce") or ""
            received = (sociallogin.account.extra_data.get("id_token") or {}).get("nonce") or ""
            if not expected or not hmac.compare_digest(str(expected), str(received)):
                logger.warning("OpenID Connect login refused: the ID token's nonce does not match")
                raise ImmediateHttpResponse(
                    render_authentication_error(
                        request, provider, error=AuthError.DENIED, exception=OAuth2Error("nonce mismatch")
                    )
                )
            # Kept with the login (serialized with it through the second-factor step) for the logout.
            sociallogin.state["id_token"] = getattr(sociallogin, "raw_id_token", "")
        super().pre_social_login(request, sociallogin)


class AccountAdapter(DefaultAccountAdapter):
    def post_login(self, request, user, *, signal_kwargs=None, **kwargs):
        response = super().post_login(request, user, signal_kwargs=signal_kwargs, **kwargs)
        sociallogin = (signal_kwargs or {}).get("sociallogin")
        id_token = sociallogin.state.get("id_token") if sociallogin is not None else None
        if id_token and sociallogin.account.provider == PROVIDER_ID:
            request.session[ID_TOKEN_SESSION_KEY] = id_token
        return response

    def get_logout_redirect_url(self, request):
        """Signed in through ProConnect: its end-session endpoint, back here afterwards (the
        provider ends its own session, so the next login asks again)."""
        id_token = request.session.get(ID_TOKEN_SESSION_KEY)
        if not (id_token and request.user.is_authenticated):
            return super().get_logout_redirect_url(request)
        endpoint = end_session_endpoint()
        if not endpoint:
            return super().get_logout_redirect_url(request)
        back = request.build_absolute_uri(super().get_logout_redirect_url(request))
        query = {"id_token_hint": id_token, "state": secrets.token_urlsafe(16), "post_logout_redirect_uri": back}
        return f"{endpoint}?{urlencode(query)}"


def end_session_endpoint():
    """ProConnect's ``end_session_endpoint`` (its discovery document, cached an hour); "" if unknown."""
    url = settings.PROCONNECT_SERVER_URL
    if not url:
        return ""
    key = f"proconnect:end_session:{url}"
    endpoint = cache.get(key)
    if endpoint is None:
        if "/.well-known/" not in url:
            url += "/.well-known/openid-configuration"
        try:
            with DefaultSocialAccountAdapter().get_requests_session() as session:
                response = session.get(url)
                response.raise_for_status()
                endpoint = response.json().get("end_session_endpoint", "")
        except (requests.RequestException, ValueError):
            logger.warning("ProConnect discovery unreachable: logout ends the portal's session only")
            return ""
        cache.set(key, endpoint, DISCOVERY_CACHE_SECONDS)
    return endpoint
