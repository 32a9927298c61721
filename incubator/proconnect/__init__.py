"""ProConnect, the State's identity federation, through django-allauth's OpenID Connect provider.

allauth's provider does the authorization-code flow with PKCE (``OAUTH_PKCE_ENABLED``) and the
``state`` check; this package adds what ProConnect needs and allauth 65 lacks:

- a ``nonce`` in every authorization request, kept in allauth's state and checked against the ID
  token's (``adapters.SocialAccountAdapter.pre_social_login``): a replayed or injected token is
  refused;
- the userinfo answer as a signed JWT (ProConnect's), verified with the provider's keys;
- ProConnect's claims: ``given_name`` and ``usual_name`` (the last name), an email address that
  the federated identity providers have verified (the account is linked by it);
- logout at ProConnect too: the raw ID token is kept in the session at login, and the portal's
  logout redirects to the provider's ``end_session_endpoint`` with ``id_token_hint``, ``state``
  and ``post_logout_redirect_uri`` (``adapters.AccountAdapter.get_logout_redirect_url``).

The provider class replaces allauth's ``openid_connect`` one through
``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]`` (settings); its URLs are
allauth's, served by the views of this package.
"""

PROVIDER_ID = "proconnect"
ID_TOKEN_SESSION_KEY = "_proconnect_id_token"
