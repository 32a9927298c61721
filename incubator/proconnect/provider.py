import secrets

from allauth.account.models import EmailAddress
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider, _pick_data

from .views import ProConnectOAuth2Adapter


class ProConnectProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider with a nonce and ProConnect's claims."""

    package = "incubator.proconnect"  # its urls module: allauth's URLs, this package's views
    oauth2_adapter_class = ProConnectOAuth2Adapter
    pkce_enabled_default = True

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        """The authorization request carries a fresh nonce; allauth's state keeps it (``nonce``)."""
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        kwargs["auth_params"] = {**auth_params, "nonce": nonce}
        return super().redirect(request, process, next_url, data, nonce=nonce, **kwargs)

    def extract_common_fields(self, data):
        fields = super().extract_common_fields(data)
        claims = _pick_data(data)
        fields["last_name"] = claims.get("usual_name") or claims.get("family_name")
        return fields

    def extract_email_addresses(self, data):
        """ProConnect sends no ``email_verified``: its identity providers verify the professional
        addresses they assert (the app's ``email_verified`` setting says so)."""
        claims = _pick_data(data)
        email = claims.get("email")
        if not email:
            return []
        if "email_verified" in claims:
            verified = parse_bool_safely(claims["email_verified"])
        else:
            verified = bool(self.app.settings.get("email_verified"))
        return [EmailAddress(email=email, verified=verified, primary=True)]


provider_classes = [ProConnectProvider]
