"""The second step of a sign-in in a browser journey: managers and network admins have a second
factor (the factories enrol them with ``TEST_TOTP_SECRET``); the code page asks for its code."""

from urllib.parse import urlsplit

from django.urls import reverse

from incubator.tests.mfa import TEST_TOTP_SECRET, totp_code


def enter_code_if_asked(page, secret=TEST_TOTP_SECRET):
    """After the password: on the code page, type the authenticator app's code and sign in."""
    page.wait_for_url(lambda url: urlsplit(url).path != reverse("account_login"))
    if urlsplit(page.url).path == reverse("mfa_authenticate"):
        form = page.locator("form:has(input[name='code'])")
        form.locator("input[name='code']").fill(totp_code(secret))
        form.locator("button[type='submit']:not([form])").click()
