"""Core services: personal API tokens, the second factor and the user's language."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone
from django_otp.oath import totp

from openmil.core import services
from openmil.core.models import ApiToken, AuditEntry, UserProfile
from openmil.core.roles import Role
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


# API tokens


def test_token_create_stores_only_the_digest_of_the_secret(coordinator):
    token, raw = services.api_token_create(user=coordinator, name="reporting")

    assert raw.startswith(ApiToken.PREFIX)
    assert len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.hint == raw[: len(ApiToken.PREFIX) + 4]
    assert all(
        raw not in str(value)
        for value in ApiToken.objects.filter(pk=token.pk).values().get().values()
    )


def test_token_create_expires_after_the_days_asked(coordinator):
    before = timezone.now()

    token, _raw = services.api_token_create(user=coordinator, name="x", days=30)

    assert before + dt.timedelta(days=30) <= token.expires_at
    assert token.expires_at <= timezone.now() + dt.timedelta(days=30)


def test_token_create_without_days_never_expires(coordinator):
    token, _raw = services.api_token_create(user=coordinator, name="x", days=None)

    assert token.expires_at is None
    assert token.is_active


def test_token_create_is_audited_without_the_secret(coordinator):
    token, raw = services.api_token_create(user=coordinator, name="reporting")

    entry = AuditEntry.objects.get(object_type="api_token")
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.object_id == str(token.pk)
    assert entry.detail == "reporting"
    assert raw not in str(entry.changes) + entry.detail


def test_each_token_is_different(coordinator):
    _t1, first = services.api_token_create(user=coordinator, name="a")
    _t2, second = services.api_token_create(user=coordinator, name="b")

    assert first != second


def test_token_authenticates_its_user_and_records_the_use(coordinator):
    token, raw = services.api_token_create(user=coordinator, name="x")

    assert services.api_token_authenticate(raw) == coordinator
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "raw",
    ["", "omil_wrong", "Bearer omil_wrong", "no-prefix-at-all", "omil_" + "a" * 300],
)
def test_token_authenticate_refuses_unknown_secrets(coordinator, raw):
    services.api_token_create(user=coordinator, name="x")

    assert services.api_token_authenticate(raw) is None


def test_token_authenticate_refuses_the_digest_itself(coordinator):
    token, _raw = services.api_token_create(user=coordinator, name="x")

    assert services.api_token_authenticate(token.digest) is None
    assert services.api_token_authenticate(ApiToken.PREFIX + token.digest) is None


def test_revoked_token_no_longer_authenticates(coordinator):
    token, raw = services.api_token_create(user=coordinator, name="x")

    services.api_token_revoke(user=coordinator, token=token)

    assert services.api_token_authenticate(raw) is None
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.is_active


def test_revoking_twice_keeps_the_first_date_and_one_audit_entry(coordinator):
    token, _raw = services.api_token_create(user=coordinator, name="x")
    services.api_token_revoke(user=coordinator, token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at

    services.api_token_revoke(user=coordinator, token=token)

    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert AuditEntry.objects.filter(detail="revoked").count() == 1


def test_expired_token_no_longer_authenticates(coordinator):
    token, raw = services.api_token_create(user=coordinator, name="x", days=1)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    assert services.api_token_authenticate(raw) is None


def test_token_of_a_deactivated_user_no_longer_authenticates(coordinator):
    _token, raw = services.api_token_create(user=coordinator, name="x")
    coordinator.is_active = False
    coordinator.save()

    assert services.api_token_authenticate(raw) is None


# Second factor


def wrong_code(device):
    """A six-digit code that no time step near now accepts."""
    near = {totp(device.bin_key, drift=d) for d in range(-2, 3)}
    return f"{next(n for n in range(10**6) if n not in near):06d}"


@pytest.mark.parametrize(
    ("role", "required"),
    [
        (Role.COORDINATOR, True),
        (Role.NETWORK_ADMIN, True),
        (Role.FACILITATOR, False),
        (Role.ANALYST, False),
        (Role.MENTOR, False),
    ],
)
def test_second_factor_is_required_for_coordinators_and_network_admins(
    lab_a, role, required
):
    assert services.second_factor_required(member(lab_a, role)) is required


def test_second_factor_is_required_for_superusers():
    assert services.second_factor_required(UserFactory(is_superuser=True))


def test_totp_device_is_not_confirmed_with_a_wrong_code(coordinator):
    device = services.totp_device_start(user=coordinator)

    assert not services.totp_device_confirm(
        user=coordinator, device=device, token=wrong_code(device)
    )
    assert services.totp_device_for(coordinator) is None
    assert not AuditEntry.objects.filter(detail="second factor enrolled").exists()


def test_totp_device_is_confirmed_with_the_current_code(coordinator):
    device = services.totp_device_start(user=coordinator)

    assert services.totp_device_confirm(
        user=coordinator, device=device, token=f"{totp(device.bin_key):06d}"
    )
    assert services.totp_device_for(coordinator) == device
    assert AuditEntry.objects.filter(detail="second factor enrolled").count() == 1


def test_starting_enrolment_again_replaces_the_unconfirmed_device(coordinator):
    first = services.totp_device_start(user=coordinator)

    second = services.totp_device_start(user=coordinator)

    assert first.pk != second.pk
    assert list(coordinator.totpdevice_set.all()) == [second]


def test_confirming_a_new_device_replaces_the_old_one(coordinator):
    old = services.totp_device_start(user=coordinator)
    services.totp_device_confirm(
        user=coordinator, device=old, token=f"{totp(old.bin_key):06d}"
    )
    new = services.totp_device_start(user=coordinator)

    services.totp_device_confirm(
        user=coordinator, device=new, token=f"{totp(new.bin_key):06d}"
    )

    assert list(coordinator.totpdevice_set.all()) == [new]


# Language


def test_user_language_is_saved_and_can_change(facilitator):
    services.user_language_set(user=facilitator, language="ar")
    services.user_language_set(user=facilitator, language="fr")

    assert UserProfile.objects.get(user=facilitator).language == "fr"
