"""An active session is renewed at most once a minute; an idle one expires."""

from django.contrib.sessions.models import Session

from openmil.core import middleware
from tests.conftest import client_for


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_activity_renews_the_session_once_a_minute(facilitator, monkeypatch):
    client = client_for(facilitator)
    clock = [1_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client.get("/account/tokens/")
    first = _expiry(client)
    assert client.session[middleware.SessionRenewalMiddleware.KEY] == 1_000_000

    clock[0] += 30
    client.get("/account/tokens/")
    assert _expiry(client) == first, "no write within the minute"

    clock[0] += 31
    client.get("/account/tokens/")
    assert _expiry(client) > first
    assert client.session[middleware.SessionRenewalMiddleware.KEY] == 1_000_061


def test_an_idle_session_is_signed_out(facilitator, settings):
    client = client_for(facilitator)
    Session.objects.update(expire_date="2000-01-01T00:00:00Z")
    response = client.get("/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]
