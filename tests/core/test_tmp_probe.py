import json
import pytest
from django.test import Client
from openmil.core.services import api_token_create
pytestmark = pytest.mark.django_db
@pytest.mark.parametrize("url", [
  "/api/v1/participants?q=a%00b",
  "/api/v1/participants?profile=a%00b",
  "/participants/?q=a%00b",
  "/participants/occupations/?q=a%00b",
  "/audit/?actor=a%00b",
])
def test_probe(url, coordinator, participant):
    _t, raw = api_token_create(user=coordinator, name="x")
    c = Client(); c.force_login(coordinator)
    r = c.get(url, headers={"Authorization": f"Bearer {raw}"})
    print(url, r.status_code, r.content[:150])
    assert r.status_code < 500
def test_probe_write(coordinator, participant):
    _t, raw = api_token_create(user=coordinator, name="x")
    r = Client().post(f"/api/v1/participants/{participant.pk}/needs", json.dumps({"need_type": "a\u0000b"}), content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
    print(r.status_code, r.content[:200])
    assert r.status_code == 422
