import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_lists_incubators(client, incubator_a):
    response = client.get(reverse("incubator:home"))
    assert response.status_code == 200
    assert "Fabrique A" in response.text
