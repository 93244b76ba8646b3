"""Sign-in, second factor, lockout, language and personal API token pages."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from openmil.core.models import ApiToken, UserProfile
from openmil.core.services import api_token_create
from tests.conftest import client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"


@pytest.fixture(autouse=True)
def _back_to_english():
    """A request may leave another language active in this thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def sign_in(client, user, password=PASSWORD):
    """Post the sign-in form; django-axes needs this real request."""
    return client.post(LOGIN, {"username": user.username, "password": password})


def signed_in(user):
    client = Client()
    assert sign_in(client, user).status_code == 302
    return client


def code(device, drift=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=drift):06d}"


# Sign-in


def test_login_page_renders(db):
    response = Client().get(LOGIN)

    assertContains(response, "Sign in")
    assertContains(response, 'name="password"')


def test_sign_in_with_the_right_password_reaches_home(facilitator):
    client = Client()
    response = sign_in(client, facilitator)

    assertRedirects(response, "/")
    assertContains(client.get("/"), "Welcome")


def test_sign_in_returns_to_the_page_asked_for(facilitator, participant):
    client = Client()
    target = f"/participants/{participant.pk}/"
    assertRedirects(client.get(target), f"{LOGIN}?next={target}")

    response = client.post(
        LOGIN,
        {"username": facilitator.username, "password": PASSWORD, "next": target},
    )

    assertRedirects(response, target)


def test_sign_in_with_a_wrong_password_says_so(facilitator):
    client = Client()
    response = sign_in(client, facilitator, password="wrong")

    assert response.status_code == 200
    assertContains(response, "Please enter a correct username and password.")
    assertRedirects(client.get("/"), f"{LOGIN}?next=/")


def test_sign_in_refuses_a_deactivated_account(facilitator):
    facilitator.is_active = False
    facilitator.save()

    client = Client()
    response = sign_in(client, facilitator)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(facilitator):
    client = signed_in(facilitator)

    assertRedirects(client.post("/account/logout/"), LOGIN)
    assertRedirects(client.get("/"), f"{LOGIN}?next=/")


# Lockout after repeated failures (django-axes)


def test_repeated_failures_lock_the_account_out(facilitator):
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        response = sign_in(client, facilitator, password="wrong")
        assertContains(response, "Please enter a correct username and password.")

    locked = sign_in(client, facilitator, password="wrong")
    even_right = sign_in(client, facilitator)

    for response in (locked, even_right):
        assert response.status_code == 429
        assertContains(response, "Too many failed sign-in attempts", status_code=429)
    assertRedirects(client.get("/"), f"{LOGIN}?next=/")


def test_lockout_of_one_account_leaves_others_alone(facilitator, coordinator):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), facilitator, password="wrong")

    response = sign_in(Client(), coordinator)

    assertRedirects(response, "/", fetch_redirect_response=False)


def test_a_success_before_the_limit_resets_the_count(facilitator):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(Client(), facilitator, password="wrong")
    sign_in(Client(), facilitator)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(Client(), facilitator, password="wrong")

    response = sign_in(Client(), facilitator)

    assertRedirects(response, "/", fetch_redirect_response=False)


# Second factor (TOTP)


@pytest.fixture
def second_factor(settings):
    settings.OPENMIL_REQUIRE_2FA = True


def test_coordinator_enrols_an_authenticator_then_reaches_pages(
    second_factor, coordinator
):
    client = signed_in(coordinator)

    assertRedirects(
        client.get("/"), "/account/2fa/?next=/", fetch_redirect_response=False
    )
    assertRedirects(
        client.get("/account/2fa/?next=/"),
        "/account/2fa/setup/?next=/",
        fetch_redirect_response=False,
    )
    setup = client.get("/account/2fa/setup/?next=/")
    assertContains(setup, "Set up your authenticator")
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assertContains(setup, "data:image/svg+xml;base64,")

    response = client.post(
        "/account/2fa/setup/", {"otp_token": code(device), "next": "/"}
    )

    assertRedirects(response, "/", fetch_redirect_response=False)
    device.refresh_from_db()
    assert device.confirmed
    home = client.get("/")
    assert home.status_code == 200
    assertContains(home, "Welcome")


def test_setup_page_shows_the_same_secret_until_confirmed(second_factor, coordinator):
    client = signed_in(coordinator)

    first = client.get("/account/2fa/setup/")
    again = client.get("/account/2fa/setup/")

    secret = re.search(r"<code>([A-Z2-7=]+)</code>", first.content.decode())[1]
    assertContains(again, secret)
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_setup_with_a_wrong_code_says_so_and_keeps_the_block(
    second_factor, coordinator
):
    client = signed_in(coordinator)
    client.get("/account/2fa/setup/")
    device = TOTPDevice.objects.get(user=coordinator)
    near = {code(device, drift) for drift in range(-2, 3)}
    wrong = next(c for c in ("123456", "654321", "111111") if c not in near)

    response = client.post("/account/2fa/setup/", {"otp_token": wrong})

    assertContains(response, "This code is not valid. Try the newest one.")
    device.refresh_from_db()
    assert not device.confirmed
    assertRedirects(
        client.get("/participants/"),
        "/account/2fa/?next=/participants/",
        fetch_redirect_response=False,
    )


def test_setup_code_must_be_six_digits(second_factor, coordinator):
    client = signed_in(coordinator)
    client.get("/account/2fa/setup/")

    response = client.post("/account/2fa/setup/", {"otp_token": "12ab56"})

    assertContains(response, "Enter the six digits shown in your app.")


def test_enrolled_coordinator_verifies_at_each_sign_in(second_factor, coordinator):
    first = signed_in(coordinator)
    first.get("/account/2fa/setup/")
    device = TOTPDevice.objects.get(user=coordinator)
    first.post("/account/2fa/setup/", {"otp_token": code(device)})

    client = signed_in(coordinator)
    assertRedirects(
        client.get("/participants/"),
        "/account/2fa/?next=/participants/",
        fetch_redirect_response=False,
    )
    verify = client.get("/account/2fa/?next=/participants/")
    assertContains(verify, "Enter your code")

    response = client.post(
        "/account/2fa/", {"otp_token": code(device, drift=1), "next": "/participants/"}
    )

    assertRedirects(response, "/participants/", fetch_redirect_response=False)
    assert client.get("/participants/").status_code == 200


def test_second_factor_setup_refuses_a_redirect_to_another_site(
    second_factor, coordinator
):
    client = signed_in(coordinator)
    client.get("/account/2fa/setup/")
    device = TOTPDevice.objects.get(user=coordinator)

    response = client.post(
        "/account/2fa/setup/",
        {"otp_token": code(device), "next": "https://evil.example.com/"},
    )

    assertRedirects(response, "/", fetch_redirect_response=False)


def test_facilitator_is_not_forced_to_use_a_second_factor(second_factor, facilitator):
    client = signed_in(facilitator)

    assert client.get("/").status_code == 200
    assert client.get("/participants/").status_code == 200


def test_second_factor_can_be_switched_off(coordinator):
    client = signed_in(coordinator)

    assert client.get("/participants/").status_code == 200


# Language


def translated(text, language):
    """The shipped translation of `text`, which must differ from the English."""
    with translation.override(language):
        result = translation.gettext(text)
    assert result != text
    return result


def test_language_switch_saves_the_preference_and_renders_in_it(facilitator):
    client = client_for(facilitator)

    response = client.post("/language/", {"language": "fr", "next": "/"})

    assertRedirects(response, "/", fetch_redirect_response=False)
    assert UserProfile.objects.get(user=facilitator).language == "fr"
    home = client.get("/")
    assertContains(home, '<html lang="fr" dir="ltr">')
    assertContains(home, f">{escape(translated('Home', 'fr'))}</a>")
    assertNotContains(home, ">Home</a>")


def test_saved_language_follows_the_user_to_a_new_session(facilitator):
    client_for(facilitator).post("/language/", {"language": "ar", "next": "/"})

    home = client_for(facilitator).get("/")

    assertContains(home, '<html lang="ar" dir="rtl">')
    assertContains(home, f">{escape(translated('Home', 'ar'))}</a>")


def test_unknown_language_is_not_saved(facilitator):
    client_for(facilitator).post("/language/", {"language": "xx", "next": "/"})

    assert not UserProfile.objects.filter(user=facilitator).exists()


def test_visitor_can_switch_the_sign_in_page_to_arabic(db):
    client = Client()

    client.post("/language/", {"language": "ar", "next": LOGIN})
    page = client.get(LOGIN)

    assertContains(page, '<html lang="ar" dir="rtl">')
    assertContains(page, f"<h1>{escape(translated('Sign in', 'ar'))}</h1>")


# Personal API tokens


def test_token_page_shows_the_new_token_once(coordinator):
    client = client_for(coordinator)

    created = client.post("/account/tokens/", {"name": "reports", "days": 30})

    assertContains(created, "Copy this token now. It will not be shown again.")
    html = created.content.decode()
    raw = re.search(r'data-testid="new-token">([^<]+)</code>', html)[1]
    token = ApiToken.objects.get(user=coordinator)
    assert token.digest == ApiToken.digest_of(raw)
    later = client.get("/account/tokens/")
    assertNotContains(later, raw)
    assertContains(later, "reports")
    assertContains(later, token.hint)
    api = Client().get("/api/v1/labs", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200


def test_token_page_lists_only_my_tokens(coordinator, facilitator):
    api_token_create(user=facilitator, name="someone else's")

    page = client_for(coordinator).get("/account/tokens/")

    assertContains(page, "No tokens yet.")
    assertNotContains(page, "someone else")


def test_token_page_refuses_an_invalid_validity(coordinator):
    response = client_for(coordinator).post(
        "/account/tokens/", {"name": "reports", "days": 0}
    )

    assertContains(response, "Ensure this value is greater than or equal to 1.")
    assertNotContains(response, "Copy this token now.")
    assert not ApiToken.objects.exists()


def test_revoking_a_token_on_the_page_stops_it_at_once(coordinator):
    token, raw = api_token_create(user=coordinator, name="reports")
    client = client_for(coordinator)

    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)

    assertRedirects(response, "/account/tokens/")
    assertContains(response, "The token is revoked.")
    assertContains(response, "inactive")
    api = Client().get("/api/v1/labs", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 401


def test_revoking_someone_elses_token_is_not_found(coordinator, facilitator):
    token, raw = api_token_create(user=facilitator, name="theirs")

    response = client_for(coordinator).post(f"/account/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_token_pages_need_a_signed_in_user(db):
    response = Client().get("/account/tokens/")

    assertRedirects(response, f"{LOGIN}?next=/account/tokens/")
