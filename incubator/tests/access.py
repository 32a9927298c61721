"""The access tables' one check: a persona gets the status expected, or ``"login"`` (anonymous:
sent to the login page)."""

from django.urls import reverse


def assert_status(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, response.content[:300]
