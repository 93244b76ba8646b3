"""The public site's sign-up and event registration feed the campaign
funnel: a visit that arrived through a tagged share link counts once."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from openmil.campaigns.models import Conversion
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

TAGS = "utm_source=facebook&utm_medium=social&utm_campaign=bridges&utm_content=fr"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _sign_up(client: Client) -> None:
    response = client.post(
        "/site/account/sign-up/",
        {
            "username": "citizen7",
            "email": "citizen7@example.org",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
            "website": "",
        },
    )
    assert response.status_code == 302


def test_a_tagged_visit_that_signs_up_and_registers_counts_both(campaign, lab_a):
    event = EventFactory(lab=lab_a, capacity=5)
    client = Client()
    assert client.get(f"/site/?{TAGS}").status_code == 200
    _sign_up(client)
    response = client.post(
        reverse("site_events:detail", args=[event.pk]),
        {"name": "Ana Sousa", "email": "ana@example.net", "website": ""},
    )
    assert response.status_code == 302
    rows = Conversion.objects.filter(campaign=campaign)
    assert sorted(rows.values_list("kind", flat=True)) == [
        Conversion.Kind.REGISTRATION,
        Conversion.Kind.SIGNUP,
    ]
    assert set(rows.values_list("utm_source", "utm_content")) == {("facebook", "fr")}


def test_an_untagged_visit_counts_nothing(campaign):
    client = Client()
    client.get("/site/")
    _sign_up(client)
    assert not Conversion.objects.exists()
