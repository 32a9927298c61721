"""Requests for the network's offer: the form, the one transition map, the emails, the queue, "Mes
demandes", the CSV; access tables with personas; a forged status changes nothing.

Personas: anonymous, team_member (of product A, the requester), other_team_member (another product
of incubator A), coach_a, member_a (manager of incubator A), member_b (manager of incubator B),
handler (answers the resource's requests), network_admin.
"""

import csv
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from community import services
from community.models import RequestComment, Resource, ResourceRequest
from community.tests.factories import ResourceFactory, ResourceRequestFactory
from incubator.models import OutboxMessage
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db
S = ResourceRequest.Status
LOGIN = "/compte/login/"


def assert_status(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)
    else:
        assert response.status_code == expected, response.content[:300]


def emails_to(address):
    return [message for message in OutboxMessage.objects.order_by("pk") if address in message.to]


# The request form ---------------------------------------------------------------------------------


def test_a_team_member_requests_a_resource_for_their_product_and_the_handler_is_emailed(
    sign_in, team_member, resource, startup_a, handler
):
    url = reverse("community:request_create", args=[resource.slug])

    response = sign_in(team_member).post(url, {"target": "produit:produit-a", "message": "Une revue du parcours."})

    created = ResourceRequest.objects.get()
    assert response.status_code == 302
    assert response.url == created.get_absolute_url()
    assert (created.status, created.startup, created.incubator, created.requester) == (
        S.SUBMITTED,
        startup_a,
        startup_a.incubator,
        team_member,
    )
    assert created.message == "Une revue du parcours."
    [message] = emails_to(handler.email)
    assert "Appui design" in message.subject
    assert "Produit A" in message.subject
    assert str(team_member) in message.body_text  # who
    assert "Une revue du parcours." in message.body_text  # what
    assert f"/communaute/demandes/{created.pk}/" in message.body_text  # where to click
    assert created.history.count() == 1


def test_a_forged_status_in_the_request_form_is_ignored(sign_in, team_member, resource):
    sign_in(team_member).post(
        reverse("community:request_create", args=[resource.slug]),
        {"target": "produit:produit-a", "message": "Vite.", "status": "granted"},
    )

    assert ResourceRequest.objects.get().status == S.SUBMITTED


@pytest.mark.parametrize("mode", [Resource.AccessMode.OPEN, Resource.AccessMode.CALL, Resource.AccessMode.CONTRACT])
def test_a_resource_not_on_request_is_refused_with_the_reason(sign_in, team_member, mode):
    resource = ResourceFactory(slug="ouverte", access_mode=mode, link="https://beta.gouv.fr/")
    url = reverse("community:request_create", args=[resource.slug])

    page = sign_in(team_member).get(url)
    posted = sign_in(team_member).post(url, {"target": "produit:produit-a", "message": "Svp."})

    expected = escape(str(services.NOT_ON_REQUEST[mode]))
    for response in (page, posted):
        assert response.status_code == 400
        assert expected in response.content.decode()
    assert ResourceRequest.objects.count() == 0


def test_a_product_outside_the_eligible_phases_is_refused_and_its_message_kept(sign_in, team_member, startup_a):
    resource = ResourceFactory(slug="domaine", phases=[Phase.INVESTIGATION])

    response = sign_in(team_member).post(
        reverse("community:request_create", args=[resource.slug]),
        {"target": "produit:produit-a", "message": "Mon message tapé."},
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("target", code="ineligible")
    assert "Mon message tapé." in response.content.decode()  # nothing lost
    assert ResourceRequest.objects.count() == 0


def test_a_second_open_request_for_the_same_product_is_refused(sign_in, request_a, team_member):
    response = sign_in(team_member).post(
        reverse("community:request_create", args=[request_a.resource.slug]),
        {"target": "produit:produit-a", "message": "Encore."},
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("target", code="duplicate")
    assert ResourceRequest.objects.count() == 1


def test_a_person_may_request_only_for_their_products_and_incubators(sign_in, member_b, resource, startup_a):
    response = sign_in(member_b).post(
        reverse("community:request_create", args=[resource.slug]),
        {"target": "produit:produit-a", "message": "Pour un produit d'un autre incubateur."},
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("target")
    assert ResourceRequest.objects.count() == 0


def test_a_manager_requests_for_the_incubator_itself(sign_in, member_a, resource, incubator_a):
    sign_in(member_a).post(
        reverse("community:request_create", args=[resource.slug]),
        {"target": f"incubateur:{incubator_a.slug}", "message": "Pour l'incubateur."},
    )

    created = ResourceRequest.objects.get()
    assert (created.incubator, created.startup) == (incubator_a, None)


# The transition map -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        (S.SUBMITTED, S.IN_PROGRESS, True),
        (S.SUBMITTED, S.GRANTED, True),
        (S.SUBMITTED, S.REFUSED, True),
        (S.IN_PROGRESS, S.GRANTED, True),
        (S.IN_PROGRESS, S.SUBMITTED, False),
        (S.GRANTED, S.REFUSED, False),
        (S.GRANTED, S.IN_PROGRESS, False),
        (S.REFUSED, S.GRANTED, False),
    ],
)
def test_transitions_follow_the_one_map(handler, request_a, start, to, allowed):
    ResourceRequest.objects.filter(pk=request_a.pk).update(status=start)

    if allowed:
        services.transition_request(request_a, to, actor=handler, comment="Motif.")
    else:
        with pytest.raises(ValidationError) as error:
            services.transition_request(request_a, to, actor=handler, comment="Motif.")
        assert error.value.code == "transition"

    assert ResourceRequest.objects.get(pk=request_a.pk).status == (to if allowed else start)


def test_each_step_is_emailed_to_the_requester_side_and_kept_in_the_history(handler, request_a, team_member):
    services.transition_request(request_a, S.IN_PROGRESS, actor=handler, comment="Nous regardons.")
    services.transition_request(request_a, S.GRANTED, actor=handler, comment="Accordé pour juin.")

    subjects = [message.subject for message in emails_to(team_member.email)]
    assert len(subjects) == 2
    granted = emails_to(team_member.email)[-1]
    assert "Accordé pour juin." in granted.body_text
    assert str(handler) in granted.body_text
    assert f"/communaute/demandes/{request_a.pk}/" in granted.body_text
    assert list(request_a.comments.values_list("status", "body")) == [
        ("in_progress", "Nous regardons."),
        ("granted", "Accordé pour juin."),
    ]
    assert [record.status for record in request_a.history.order_by("history_date")] == [
        "submitted",
        "in_progress",
        "granted",
    ]
    assert request_a.history.latest().history_user == handler


def test_a_refusal_needs_a_comment(handler, request_a):
    with pytest.raises(ValidationError) as error:
        services.transition_request(request_a, S.REFUSED, actor=handler, comment="  ")

    assert error.value.code == "comment_required"
    assert ResourceRequest.objects.get(pk=request_a.pk).status == S.SUBMITTED


def test_the_handler_answers_on_the_page_with_a_comment(sign_in, handler, request_a):
    response = sign_in(handler).post(
        reverse("community:request_transition", args=[request_a.pk]), {"to": "granted", "comment": "Oui."}
    )

    assert response.status_code == 302
    request_a.refresh_from_db()
    assert request_a.status == S.GRANTED
    assert RequestComment.objects.get(request=request_a).body == "Oui."


@pytest.mark.parametrize("forged", ["granted", "submitted", "nimporte", ""])
def test_a_forged_status_changes_nothing(sign_in, handler, request_a, forged):
    """A granted request cannot move; an unknown status is refused; nothing is written."""
    services.transition_request(request_a, S.GRANTED, actor=handler)
    before = (RequestComment.objects.count(), request_a.history.count(), OutboxMessage.objects.count())

    response = sign_in(handler).post(
        reverse("community:request_transition", args=[request_a.pk]), {"to": forged, "comment": "x"}
    )

    assert response.status_code == 302
    assert ResourceRequest.objects.get(pk=request_a.pk).status == S.GRANTED
    assert (RequestComment.objects.count(), request_a.history.count(), OutboxMessage.objects.count()) == before


def test_the_requester_cannot_grant_their_own_request(sign_in, team_member, request_a):
    response = sign_in(team_member).post(
        reverse("community:request_transition", args=[request_a.pk]), {"to": "granted", "comment": ""}
    )

    assert response.status_code == 403
    assert ResourceRequest.objects.get(pk=request_a.pk).status == S.SUBMITTED


def test_a_comment_of_the_requester_is_emailed_to_the_handler(sign_in, team_member, request_a, handler):
    sign_in(team_member).post(reverse("community:request_comment", args=[request_a.pk]), {"body": "Une précision."})

    assert RequestComment.objects.get().body == "Une précision."
    [message] = [m for m in emails_to(handler.email) if "comment" in m.idempotency_key]
    assert "Une précision." in message.body_text


# Access tables ------------------------------------------------------------------------------------

# (persona, request page, transition POST, comment POST)
ACCESS = [
    ("anonymous", "login", "login", "login"),
    ("team_member", 200, 403, 302),
    ("other_team_member", 404, 404, 404),
    ("coach_a", 404, 404, 404),
    ("member_a", 200, 403, 302),
    ("member_b", 404, 404, 404),
    ("handler", 200, 302, 302),
    ("network_admin", 200, 302, 302),
]


@pytest.mark.parametrize(("persona", "page", "move", "comment"), ACCESS)
def test_request_access_by_persona(as_community_persona, request_a, persona, page, move, comment):
    client = as_community_persona(persona)

    assert_status(client.get(request_a.get_absolute_url()), page)
    assert_status(client.post(reverse("community:request_comment", args=[request_a.pk]), {"body": "Bonjour"}), comment)
    assert_status(
        client.post(reverse("community:request_transition", args=[request_a.pk]), {"to": "in_progress"}), move
    )

    expected = S.IN_PROGRESS if move == 302 else S.SUBMITTED
    assert ResourceRequest.objects.get(pk=request_a.pk).status == expected
    assert RequestComment.objects.filter(body="Bonjour").count() == (1 if comment == 302 else 0)


# (persona, queue, export, sees request_a in "Mes demandes")
LISTS = [
    ("anonymous", "login", "login", None),
    ("team_member", 403, 403, True),
    ("other_team_member", 403, 403, False),
    ("coach_a", 403, 403, False),
    ("member_a", 403, 403, True),
    ("member_b", 403, 403, False),
    ("handler", 200, 200, False),
    ("network_admin", 200, 200, False),
]


@pytest.mark.parametrize(("persona", "queue", "export", "mine"), LISTS)
def test_the_queue_and_my_requests_by_persona(as_community_persona, request_a, persona, queue, export, mine):
    client = as_community_persona(persona)

    queue_response = client.get(reverse("community:queue"))
    assert_status(queue_response, queue)
    assert_status(client.get(reverse("community:queue_export")), export)
    if queue == 200:
        assert list(queue_response.context["requests"]) == [request_a]
    mine_response = client.get(reverse("community:my_requests"))
    if mine is None:
        assert_status(mine_response, "login")
    else:
        assert mine_response.status_code == 200
        assert (request_a in mine_response.context["requests"]) is mine


def test_another_incubators_request_is_a_404_even_to_its_own_incubator_manager_elsewhere(sign_in, member_b, resource):
    other = ResourceRequestFactory(resource=resource, startup=StartupFactory(slug="produit-b"))

    assert sign_in(member_b).get(other.get_absolute_url()).status_code == 404


# The queue ----------------------------------------------------------------------------------------


def test_the_queue_lists_the_open_requests_oldest_first_with_their_age(sign_in, handler, resource):
    with time_machine.travel("2026-03-02 10:00 +01:00"):
        old = ResourceRequestFactory(resource=resource)
    with time_machine.travel("2026-03-20 10:00 +01:00"):
        recent = ResourceRequestFactory(resource=resource)
        done = ResourceRequestFactory(resource=resource)
        services.transition_request(done, S.GRANTED, actor=handler)

    with time_machine.travel("2026-03-22 10:00 +01:00"):
        response = sign_in(handler).get(reverse("community:queue"))
        everything = sign_in(handler).get(reverse("community:queue"), {"status": ""})

    assert list(response.context["requests"]) == [old, recent]
    assert "20 jours" in response.content.decode() or "20 days" in response.content.decode()
    assert set(everything.context["requests"]) == {old, recent, done}


@pytest.mark.parametrize(
    ("query", "found"),
    [("produit a", True), ("PRODUIT", True), ("fabrique a", True), ("produit personne", False), ("", True)],
)
def test_the_queue_search_needs_each_word_somewhere(sign_in, handler, request_a, query, found):
    response = sign_in(handler).get(reverse("community:queue"), {"q": query})

    assert list(response.context["requests"]) == ([request_a] if found else [])


def test_the_queue_export_is_a_csv_of_the_filtered_requests(sign_in, handler, request_a):
    response = sign_in(handler).get(reverse("community:queue_export"))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == gettext("Resource")
    assert rows[1][:3] == ["Appui design", "Produit A", "Fabrique A"]
    assert rows[1][5] == S.SUBMITTED.label
    assert len(rows) == 2


def test_an_invalid_filter_of_the_queue_answers_400(sign_in, handler, request_a):
    response = sign_in(handler).get(reverse("community:queue"), {"status": "nimporte"})

    assert response.status_code == 400
