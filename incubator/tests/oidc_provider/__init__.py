"""A real OpenID Connect provider for the ProConnect tests, run in its own process on loopback.

It is django-oauth-toolkit (a maintained OAuth 2 / OpenID Connect server, from PyPI) with its
own settings and SQLite database, configured as ProConnect is: authorization code with PKCE
required, RS256 ID tokens, the scopes ``openid email given_name usual_name``, a userinfo answer
signed as a JWT, and RP-initiated logout. Nothing of it is mocked: the portal's allauth provider
talks to it over HTTP (discovery, token, keys, userinfo), the test drives the browser's part.

``serve.py`` starts it: ``python -m incubator.tests.oidc_provider.serve`` with the environment
described there; ``incubator/tests/test_proconnect.py`` does so in a fixture.
"""
