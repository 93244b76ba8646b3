"""Federation in one process: the lab's services talk to the hub's endpoint
through the test client (tests/network/test_two_installations.py does it
between two real servers)."""

import datetime as dt
import json
import os
import stat

import pytest
from django.test import Client
from django.utils import timezone

from openmil.indicators.registry import Period
from openmil.indicators.services import snapshot_compute
from openmil.network import federation, services
from openmil.network.models import (
    FederatedLab,
    FederatedPractice,
    FederatedSnapshot,
    HubLink,
    OutboxItem,
    ReceivedPayload,
)
from tests.factories import ParticipantFactory
from tests.network.factories import practice_make


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.OPENMIL_NETWORK_RETRY_BASE_SECONDS = 30
    return tmp_path


class Hub:
    """The hub's endpoint through the test client; can be switched off."""

    def __init__(self):
        self.up = True
        self.calls = 0

    def __call__(self, url, body):
        self.calls += 1
        if not self.up:
            raise ConnectionRefusedError("hub down")
        path = url.split("127.0.0.1:9", 1)[1]
        response = Client().post(
            path, json.dumps(body), content_type="application/json"
        )
        return response.status_code, response.json()


@pytest.fixture
def hub():
    return Hub()


@pytest.fixture
def joined(lab_a, hub):
    for _ in range(12):
        ParticipantFactory(lab=lab_a)
    snapshot_compute(lab=lab_a, period=Period.parse("2026"))
    practice_make(lab=lab_a, title="Cooking together")
    link, answer = services.hub_join(lab=lab_a, url="http://127.0.0.1:9", send=hub)
    assert answer["status"] == "pending"
    return link


def approve(lab_slug):
    services.federated_lab_approve(
        actor=None, federated_lab=FederatedLab.objects.get(slug=lab_slug)
    )


def test_the_private_key_is_kept_in_the_data_folder_for_the_owner_only(data_dir):
    key = federation.keys_generate()
    path = data_dir / "network" / "lab_ed25519.pem"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert federation.public_key_text(federation.keys_generate()) == (
        federation.public_key_text(key)
    )


def test_push_is_refused_until_the_hub_approves_the_key(joined, hub):
    services.outbox_fill(link=joined)
    result = services.outbox_deliver(link=joined, send=hub)
    assert result.sent == 0 and result.waiting == 2
    assert "403" in OutboxItem.objects.first().last_error
    assert not ReceivedPayload.objects.exists()


def test_an_approved_lab_delivers_its_figures_and_practices(joined, hub):
    approve(joined.lab.slug)
    assert services.outbox_fill(link=joined) == 2
    result = services.outbox_deliver(link=joined, send=hub)
    assert result.sent == 2
    snapshot = FederatedSnapshot.objects.get()
    # Aggregates only, disclosure-controlled: counts rounded to 5 or "<10".
    for cell in snapshot.figures.values():
        assert cell["n"] == "0" or cell["n"].startswith("<") or int(cell["n"]) % 5 == 0
    assert FederatedPractice.objects.get().versions["en"]["title"] == "Cooking together"
    # Nothing new: nothing queued, nothing sent.
    assert services.outbox_fill(link=joined) == 0


def test_hub_down_then_up_delivers_each_payload_exactly_once(joined, hub):
    approve(joined.lab.slug)
    services.outbox_fill(link=joined)
    hub.up = False
    now = timezone.now()
    assert services.outbox_deliver(link=joined, send=hub, now=now).waiting == 2
    item = OutboxItem.objects.first()
    assert item.attempts == 1
    assert item.next_attempt_at == now + dt.timedelta(seconds=30)
    # Before the backoff ends nothing is tried.
    calls = hub.calls
    services.outbox_deliver(link=joined, send=hub, now=now + dt.timedelta(seconds=5))
    assert hub.calls == calls
    services.outbox_deliver(link=joined, send=hub, now=now + dt.timedelta(seconds=31))
    assert OutboxItem.objects.first().next_attempt_at == now + dt.timedelta(
        seconds=31 + 60
    )
    hub.up = True
    later = now + dt.timedelta(hours=1)
    assert services.outbox_deliver(link=joined, send=hub, now=later).sent == 2
    assert services.outbox_deliver(link=joined, send=hub, now=later).sent == 0
    assert FederatedSnapshot.objects.count() == 1
    assert FederatedPractice.objects.count() == 1


def test_an_answer_lost_on_the_way_back_is_not_counted_twice(joined, hub):
    """The hub stored the payload but the lab never heard: the retry gets 409
    "duplicate", the lab marks it delivered, the hub keeps one copy."""
    approve(joined.lab.slug)
    services.outbox_fill(link=joined)

    def lose_answer(url, body):
        hub(url, body)
        raise TimeoutError("answer lost")

    services.outbox_deliver(link=joined, send=lose_answer)
    assert FederatedSnapshot.objects.count() == 1
    later = timezone.now() + dt.timedelta(hours=1)
    assert services.outbox_deliver(link=joined, send=hub, now=later).sent == 2
    assert not OutboxItem.objects.exclude(status="sent").exists()
    assert FederatedSnapshot.objects.count() == 1
    assert ReceivedPayload.objects.count() == 2


def _envelope(link, sequence=50, **changes):
    payload = federation.payload_make(
        lab=link.lab.slug,
        sequence=sequence,
        kind="snapshot",
        content={
            "period": "2026",
            "computed_at": timezone.now().isoformat(),
            "figures": {},
        },
    )
    payload.update(changes)
    return federation.sign(payload, federation.keys_load())


def _post(envelope):
    return Client().post(
        "/api/v1/network/push", json.dumps(envelope), content_type="application/json"
    )


def test_a_tampered_payload_is_rejected(joined):
    approve(joined.lab.slug)
    envelope = _envelope(joined)
    envelope["payload"]["content"]["figures"] = {"employment_rate": {"n": "500"}}
    response = _post(envelope)
    assert response.status_code == 401
    # Rehashing the content does not help: the signature covers the hash.
    envelope["payload"]["content_hash"] = federation.content_hash(
        envelope["payload"]["content"]
    )
    assert _post(envelope).status_code == 401
    assert not ReceivedPayload.objects.exists()


def test_a_replayed_payload_is_rejected(joined):
    approve(joined.lab.slug)
    envelope = _envelope(joined)
    assert _post(envelope).status_code == 201
    response = _post(envelope)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    # Same sequence, fresh nonce and signature: still the same payload.
    assert _post(_envelope(joined)).status_code == 409
    assert FederatedSnapshot.objects.count() == 1


def test_an_old_payload_is_rejected_even_with_a_new_sequence(joined):
    approve(joined.lab.slug)
    old = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = _post(_envelope(joined, sequence=77, timestamp=old))
    assert response.status_code == 400
    assert response.json()["code"] == "stale"


def test_an_unknown_lab_is_rejected(joined):
    envelope = _envelope(joined)  # the key is registered but not approved
    assert _post(envelope).status_code == 403
    envelope["payload"]["lab"] = "nobody"
    assert _post(envelope).status_code == 403


def test_a_key_of_another_lab_does_not_sign_for_this_one(joined, data_dir, settings):
    approve(joined.lab.slug)
    settings.DATA_DIR = data_dir / "other"
    federation.keys_generate()
    assert _post(_envelope(joined)).status_code == 401


def test_join_refuses_to_replace_a_registered_key(joined, settings, data_dir, hub):
    settings.DATA_DIR = data_dir / "other"
    with pytest.raises(Exception, match="another key"):
        services.hub_join(lab=joined.lab, url="http://127.0.0.1:9", send=hub)
    assert FederatedLab.objects.count() == 1


def test_garbage_bodies_get_a_reason_not_an_error(db):
    for body in ["", "[]", '{"payload": 1}', '{"payload": {}, "signature": "x"}']:
        response = Client().post(
            "/api/v1/network/push", body, content_type="application/json"
        )
        assert 400 <= response.status_code < 500
        assert response.json()["detail"]


def test_the_hub_url_must_be_https_except_on_loopback(lab_a, hub):
    with pytest.raises(Exception, match="HTTPS"):
        services.hub_join(lab=lab_a, url="http://hub.example.org", send=hub)
    assert not HubLink.objects.exists()
