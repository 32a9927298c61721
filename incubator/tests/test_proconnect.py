"""ProConnect end to end: a real authorization-code flow with PKCE, over HTTP on loopback.

The provider is django-oauth-toolkit in its own process (``incubator/tests/oidc_provider``). The
portal (Django's test client) and the provider talk for real: discovery, the token exchange, the
keys, the signed userinfo. The test plays the browser: the portal's redirects are followed by
hand into a ``requests`` session that signs in at the provider.
"""

import json
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from incubator.models import User
from incubator.proconnect import ID_TOKEN_SESSION_KEY
from incubator.tests.dsfr_html import attrs, elements, text
from incubator.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLIENT_ID = "portail-incubateurs"
CLIENT_SECRET = "secret-de-test-du-portail-0123456789"
LOGIN = reverse("openid_connect_login", kwargs={"provider_id": "proconnect"})
CALLBACK = reverse("openid_connect_callback", kwargs={"provider_id": "proconnect"})
PEOPLE = [
    {
        "username": "nouvelle",
        "password": "mot-de-passe-du-fi-1",
        "email": "nouvelle.agente@interieur.gouv.fr",
        "first_name": "Nadia",
        "last_name": "Nouvelle",
    },
    {
        "username": "camille",
        "password": "mot-de-passe-du-fi-2",
        "email": "camille.martin@finances.gouv.fr",
        "first_name": "Camille",
        "last_name": "Martin",
    },
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The provider's base URL; it runs for the module's tests, then stops."""
    env = {
        **os.environ,
        "OIDC_PROVIDER_DB": str(tmp_path_factory.mktemp("oidc") / "provider.sqlite3"),
        "OIDC_PROVIDER_CLIENT": json.dumps(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"http://testserver{CALLBACK}"],
                "post_logout_redirect_uris": ["http://testserver/"],
            }
        ),
        "OIDC_PROVIDER_USERS": json.dumps(PEOPLE),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "incubator.tests.oidc_provider.serve"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("READY "), f"the test provider did not start: {line!r}"
        yield f"http://127.0.0.1:{line.split()[1]}/o"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def proconnect(provider, settings, monkeypatch):
    """The portal configured for the test provider, as the environment would configure it."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    settings.PROCONNECT_SERVER_URL = provider
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    settings.PROCONNECT_ENABLED = True
    app = {
        **django_settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
        "APPS": [
            {
                "provider_id": "proconnect",
                "name": "ProConnect",
                "client_id": CLIENT_ID,
                "secret": CLIENT_SECRET,
                "settings": {
                    "server_url": provider,
                    "scope": ["openid", "email", "given_name", "usual_name"],
                    "token_auth_method": "client_secret_post",
                    "email_verified": True,
                },
            }
        ],
    }
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": app}
    return provider


class Browser:
    """The browser of the person: the portal's test client, and a session at the provider."""

    def __init__(self, client, person):
        self.client = client
        self.person = person
        self.at_provider = requests.Session()

    def start(self):
        """Click "S'identifier avec ProConnect": the authorization URL the portal redirects to."""
        response = self.client.post(LOGIN)
        assert response.status_code == 302
        return response.url

    def authorize(self, authorize_url):
        """At the provider: sign in if needed, and get the redirect back to the portal."""
        response = self.at_provider.get(authorize_url, allow_redirects=False)
        if urlsplit(response.headers["Location"]).path == "/login/":
            login_url = urljoin_provider(authorize_url, response.headers["Location"])
            page = self.at_provider.get(login_url)
            token = self.at_provider.cookies["csrftoken"]
            response = self.at_provider.post(
                login_url,
                data={
                    "csrfmiddlewaretoken": token,
                    "username": self.person["username"],
                    "password": self.person["password"],
                    "next": parse_qs(urlsplit(login_url).query)["next"][0],
                },
                headers={"Referer": page.url},
                allow_redirects=False,
            )
            assert response.status_code == 302, response.text
            response = self.at_provider.get(
                urljoin_provider(authorize_url, response.headers["Location"]), allow_redirects=False
            )
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def back_to_portal(self, callback_url):
        parts = urlsplit(callback_url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"http://testserver{CALLBACK}"
        return self.client.get(f"{parts.path}?{parts.query}")


@pytest.fixture
def browser(client, proconnect):
    """browser(person): a Browser for that person, its provider session closed at the end."""
    opened = []

    def open_browser(person):
        opened.append(Browser(client, person))
        return opened[-1]

    yield open_browser
    for each in opened:
        each.at_provider.close()


def urljoin_provider(base, location):
    if location.startswith("http"):
        return location
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}{location}"


def with_query(url, **changes):
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def query_of(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_authorization_request_has_pkce_a_nonce_and_proconnect_scopes(client, proconnect, browser):
    url = browser(PEOPLE[0]).start()

    query = query_of(url)
    assert url.startswith(f"{proconnect}/authorize/")
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert set(query["scope"].split()) == {"openid", "email", "given_name", "usual_name"}
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["nonce"]) >= 32
    assert query["state"]


def test_first_proconnect_login_creates_the_account(client, proconnect, browser):
    visitor = browser(PEOPLE[0])

    response = visitor.back_to_portal(visitor.authorize(visitor.start()))

    assert response.status_code == 302
    user = signed_in_user(client)
    assert user is not None
    assert (user.email, user.first_name, user.last_name) == ("nouvelle.agente@interieur.gouv.fr", "Nadia", "Nouvelle")
    assert user.emailaddress_set.get().verified
    assert not user.has_usable_password()
    [account] = SocialAccount.objects.filter(user=user)
    assert account.provider == "proconnect"
    assert account.extra_data["userinfo"]["usual_name"] == "Nouvelle"


def test_proconnect_login_links_the_existing_account_by_its_verified_email(client, proconnect, browser):
    existing = UserFactory(email="camille.martin@finances.gouv.fr", first_name="Camille", last_name="Martin")
    users_before = User.objects.count()
    visitor = browser(PEOPLE[1])

    response = visitor.back_to_portal(visitor.authorize(visitor.start()))

    assert response.status_code == 302
    assert signed_in_user(client) == existing
    assert User.objects.count() == users_before
    assert SocialAccount.objects.get(provider="proconnect").user == existing
    assert existing.emailaddress_set.count() == 1


def test_a_wrong_state_is_refused(client, proconnect, browser):
    visitor = browser(PEOPLE[0])
    callback = visitor.authorize(visitor.start())

    response = visitor.back_to_portal(with_query(callback, state="etat-forge"))

    assert response.status_code == 401
    assert response.templates[0].name == "socialaccount/authentication_error.html"
    assert signed_in_user(client) is None
    assert not User.objects.filter(email=PEOPLE[0]["email"]).exists()


def test_a_wrong_nonce_is_refused(client, proconnect, browser, caplog):
    visitor = browser(PEOPLE[0])
    authorize_url = visitor.start()
    # The ID token the provider signs carries another nonce than the one this login sent.
    callback = visitor.authorize(with_query(authorize_url, nonce="nonce-d-une-autre-connexion-0123456789"))

    response = visitor.back_to_portal(callback)

    assert response.status_code == 401
    assert "OpenID Connect login refused: the ID token's nonce does not match" in caplog.messages
    assert response.templates[0].name == "socialaccount/authentication_error.html"
    assert signed_in_user(client) is None
    assert not User.objects.filter(email=PEOPLE[0]["email"]).exists()


def test_the_provider_refuses_an_authorization_request_without_pkce(client, proconnect, browser):
    visitor = browser(PEOPLE[0])
    url = visitor.start()
    parts = urlsplit(url)
    query = {k: v for k, v in query_of(url).items() if not k.startswith("code_challenge")}

    callback = visitor.authorize(urlunsplit(parts._replace(query=urlencode(query))))

    assert query_of(callback)["error"] == "invalid_request"


def test_logout_ends_the_proconnect_session_too(client, proconnect, browser):
    visitor = browser(PEOPLE[0])
    visitor.back_to_portal(visitor.authorize(visitor.start()))
    id_token = client.session[ID_TOKEN_SESSION_KEY]

    response = client.post(reverse("account_logout"))

    assert signed_in_user(client) is None
    assert response.status_code == 302
    assert response.url.startswith(f"{proconnect}/logout/?")
    query = query_of(response.url)
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver/"
    assert query["state"]
    # The browser follows: the provider ends its session and sends it back to the portal.
    at_provider = visitor.at_provider.get(response.url, allow_redirects=False)
    assert at_provider.status_code == 302
    assert at_provider.headers["Location"].startswith("http://testserver/")
    again = visitor.at_provider.get(visitor.start(), allow_redirects=False)
    assert urlsplit(again.headers["Location"]).path == "/login/"  # signed out there too


def test_logout_of_a_password_session_stays_on_the_portal(client, proconnect, browser):
    client.force_login(UserFactory())

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response.url == reverse("incubator:home")


def test_login_page_shows_the_proconnect_button_only_when_configured(client, settings):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    without = client.get(reverse("account_login"))
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [{"provider_id": "proconnect", "name": "ProConnect", "client_id": "x", "secret": "y"}],
        }
    }

    with_it = client.get(reverse("account_login"))

    assert f'action="{LOGIN}' not in without.text
    page = elements(with_it.text)
    [form] = [e for e in page if e.name == "form" and attrs(e).get("action", "").startswith(LOGIN)]
    assert attrs(form)["method"] == "post"
    assert [text(e) for e in elements(form) if e.name == "button"] == ["Sign in with ProConnect"]
    translation.activate("fr")
