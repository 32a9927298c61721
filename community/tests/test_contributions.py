"""What the community adds to others' pages: its "Mon espace" section, the product page's way to
"for my product"; and what it holds about a person (export, erasure)."""

import json

import pytest
from django.urls import reverse

from community.models import Registration, RequestComment, ResourceRequest
from community.tests.factories import EventFactory, RegistrationFactory, RequestCommentFactory
from incubator import personal_data
from incubator.models import OutboxMessage
from incubator.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_my_space_shows_my_open_requests_and_my_next_events(sign_in, team_member, request_a):
    RegistrationFactory(event=EventFactory(title="Forum de juin"), user=team_member)

    html = sign_in(team_member).get(reverse("incubator:my_space")).content.decode()

    assert reverse("community:my_requests") in html
    assert "Forum de juin" in html.split('id="my-events"')[1]
    assert reverse("community:queue") not in html


def test_my_space_of_a_handler_links_to_the_queue(sign_in, handler, resource):
    html = sign_in(handler).get(reverse("incubator:my_space")).content.decode()

    assert reverse("community:queue") in html


def test_the_product_page_leads_to_what_the_product_may_use(sign_in, member_a, request_a, startup_a):
    html = sign_in(member_a).get(startup_a.get_absolute_url()).content.decode()

    panel = html.split('id="community-offer"')[1]
    assert reverse("community:for_startup", args=[startup_a.slug]) in panel
    assert "1" in panel.split("</p>")[1]  # one open request


def test_the_export_holds_the_persons_requests_comments_and_registrations(team_member, request_a):
    RequestCommentFactory(request=request_a, author=team_member, body="Une précision.")
    RegistrationFactory(user=team_member)

    data = personal_data.get_provider("community").export(team_member)

    assert [row["request"] for row in data["requests"]] == [request_a.pk]
    assert [row["comment"] for row in data["comments"]] == ["Une précision."]
    assert [row["status"] for row in data["registrations"]] == ["confirmed"]
    json.dumps(data)


def test_erasure_frees_the_seat_for_the_waiting_list_and_keeps_the_requests_without_their_author(
    team_member, request_a, network_admin
):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, user=team_member)
    waiting = RegistrationFactory(event=event, user=UserFactory(), status="waitlisted", position=1)
    RequestCommentFactory(request=request_a, author=team_member)

    erased = personal_data.get_provider("community").erase(team_member, actor=network_admin)

    assert erased["seats_cancelled"] == 1
    assert not Registration.objects.filter(user=team_member).exists()
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    assert OutboxMessage.objects.filter(to=[waiting.user.email]).exists()
    assert ResourceRequest.objects.get(pk=request_a.pk).requester is None
    assert not RequestComment.objects.filter(author=team_member).exists()
