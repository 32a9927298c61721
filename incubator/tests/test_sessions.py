"""Session bounds: network admins and managers at most 12 h, and 2 h without a request; a
session not remembered ends on the server too; a remembered one lives as before."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse

from incubator.models import Membership
from incubator.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from incubator.tests.mfa import TEST_TOTP_SECRET, totp_code

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
EXPIRED = "Votre session a expiré : reconnectez-vous pour continuer."
MY_SPACE = reverse("incubator:my_space")


def login(client, user, *, remember=False):
    data = {"login": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post(reverse("account_login"), data)
    assert response.status_code == 302
    if response.url == reverse("mfa_authenticate"):  # managers have a second factor
        response = client.post(response.url, {"code": totp_code(TEST_TOTP_SECRET)})
        assert response.status_code == 302
    return client


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def manager(db):
    return MembershipFactory(user=UserFactory(email="responsable@example.gouv.fr")).user


@pytest.fixture
def agent(db):
    """Signed in without a role: not privileged."""
    return UserFactory(email="agent@example.gouv.fr")


def test_a_manager_idle_for_more_than_2_hours_is_signed_out_with_a_french_message(client, manager):
    with time_machine.travel(START, tick=False) as traveller:
        login(client, manager, remember=True)
        traveller.shift(datetime.timedelta(hours=2, minutes=1))

        response = client.get(MY_SPACE)

        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={MY_SPACE}"
        assert not signed_in(client)
        assert EXPIRED in html.unescape(client.get(response.url).text)


def test_an_active_manager_is_signed_out_after_12_hours_all_the_same(client, manager):
    with time_machine.travel(START, tick=False) as traveller:
        login(client, manager, remember=True)
        for _hour in range(11):  # a request every 1 h 05: never idle for 2 hours
            traveller.shift(datetime.timedelta(hours=1, minutes=5))
            assert client.get(MY_SPACE).status_code == 200
        assert signed_in(client)  # 11 h 55 after the login

        traveller.shift(datetime.timedelta(minutes=6))
        response = client.get(MY_SPACE)

        assert response.status_code == 302
        assert not signed_in(client)


def test_a_network_admin_has_the_same_bounds(client, network_admin):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(network_admin)
        traveller.shift(datetime.timedelta(hours=1, minutes=59))
        assert client.get(MY_SPACE).status_code == 200
        traveller.shift(datetime.timedelta(hours=1, minutes=59))  # idle again, but less than 2 h
        assert client.get(MY_SPACE).status_code == 200
        traveller.shift(datetime.timedelta(hours=2, minutes=1))

        assert client.get(MY_SPACE).status_code == 302
        assert not signed_in(client)


def test_a_coach_is_not_privileged(client):
    coach = MembershipFactory(role=Membership.Role.COACH).user
    with time_machine.travel(START, tick=False) as traveller:
        login(client, coach, remember=True)
        traveller.shift(datetime.timedelta(hours=13))

        assert client.get(MY_SPACE).status_code == 200


def test_a_remembered_session_keeps_going_like_before(client, agent):
    with time_machine.travel(START, tick=False) as traveller:
        login(client, agent, remember=True)
        assert not client.session.get_expire_at_browser_close()
        traveller.shift(datetime.timedelta(hours=3))
        assert client.get(MY_SPACE).status_code == 200
        traveller.shift(datetime.timedelta(days=10))

        assert client.get(MY_SPACE).status_code == 200
        assert signed_in(client)


def test_a_session_not_remembered_ends_with_the_browser_and_on_the_server_after_24_hours(client, agent):
    with time_machine.travel(START, tick=False) as traveller:
        login(client, agent)
        session_cookie = client.cookies["sessionid"]
        assert session_cookie["expires"] == ""  # a browser-session cookie
        assert session_cookie["max-age"] == ""
        traveller.shift(datetime.timedelta(hours=23))
        assert client.get(MY_SPACE).status_code == 200
        traveller.shift(datetime.timedelta(hours=1, minutes=1))

        response = client.get(MY_SPACE)

        assert response.status_code == 302
        assert not signed_in(client)


def test_a_post_after_the_bound_goes_on_as_anonymous(client, manager):
    with time_machine.travel(START, tick=False) as traveller:
        login(client, manager)
        traveller.shift(datetime.timedelta(hours=3))

        response = client.post(reverse("committees:calendar_feed_renew"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
        assert not signed_in(client)


def test_a_session_signed_in_before_the_clock_gets_one_on_its_next_request(client, manager):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(manager)
        session = client.session
        for key in ("_portal_login_at", "_portal_seen_at", "_portal_privileged"):
            del session[key]
        session.save()

        assert client.get(MY_SPACE).status_code == 200
        assert client.session["_portal_privileged"] is True
        traveller.shift(datetime.timedelta(hours=2, minutes=1))
        assert client.get(MY_SPACE).status_code == 302
