import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from incubator import views
from incubator.models import Incubator
from incubator.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_incubators_visible_to_each_persona(personas, incubator_a, incubator_b):
    visible = {name: set(Incubator.objects.visible_to(user or AnonymousUser())) for name, user in personas.items()}

    assert visible == {
        "anonymous": set(),
        "member_a": {incubator_a},
        "member_b": {incubator_b},
        "network_admin": {incubator_a, incubator_b},
    }


def test_a_network_coordinator_sees_every_incubator_and_changes_none(incubator_a, incubator_b):
    coordinator = UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True)

    assert set(Incubator.objects.visible_to(coordinator)) == {incubator_a, incubator_b}
    assert not Incubator.objects.managed_by(coordinator).exists()
    assert coordinator.has_perm("incubator.change_incubator", incubator_a) is False
    assert (coordinator.reads_network, coordinator.is_network_admin) == (True, False)


@pytest.mark.parametrize(
    ("persona", "change_a"),
    [("member_a", True), ("member_b", False), ("network_admin", True)],
)
def test_incubator_rules_per_persona(personas, incubator_a, persona, change_a):
    user = personas[persona]

    assert user.has_perm("incubator.change_incubator", incubator_a) is change_a


def test_anonymous_has_no_incubator_rule(incubator_a):
    assert AnonymousUser().has_perm("incubator.change_incubator", incubator_a) is False


@pytest.mark.parametrize(
    ("handler", "status", "title"), [(views.error_403, 403, "Accès refusé"), (views.error_404, 404, "Page non trouvée")]
)
def test_error_pages_use_the_layout(rf: RequestFactory, handler, status, title):
    request = rf.get("/quelque-part/")
    request.user = AnonymousUser()

    response = handler(request, exception=None)

    assert response.status_code == status
    assert response.content.decode().count("<h1") == 1
    assert 'class="fr-footer"' in response.content.decode()


def test_server_error_page_renders_without_the_database(rf: RequestFactory, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = views.error_500(rf.get("/"))

    assert response.status_code == 500
    assert 'class="fr-header"' in response.content.decode()
