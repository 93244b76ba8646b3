"""The bell, the list, marking read and the preference page."""

from django.urls import reverse

from openmil.notifications import services
from openmil.notifications.models import NotificationPreference
from tests.conftest import client_for


def _title() -> str:
    return "Referral 12 to Casa: accepted"


def test_the_bell_shows_the_unread_count(facilitator):
    services.notify(users=[facilitator], kind="referral_status", title=_title)
    body = client_for(facilitator).get(reverse("core:home")).content.decode()
    assert 'class="bell-count">1<' in body


def test_the_list_shows_the_users_notifications_and_opening_one_marks_it_read(
    facilitator, coordinator
):
    note = services.notify(
        users=[facilitator], kind="referral_status", title=_title, url="/partners/"
    )[0]
    services.notify(users=[coordinator], kind="referral_status", title=lambda: "Other")
    client = client_for(facilitator)
    body = client.get(reverse("notifications:list")).content.decode()
    assert "Referral 12 to Casa" in body
    assert "Other" not in body
    response = client.post(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == "/partners/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_someone_elses_notification_changes_nothing(facilitator, coordinator):
    theirs = services.notify(users=[coordinator], kind="referral_new", title=_title)[0]
    response = client_for(facilitator).post(
        reverse("notifications:open", args=[theirs.pk])
    )
    assert response["Location"] == reverse("notifications:list")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preference_page_saves_the_choice(facilitator):
    client = client_for(facilitator)
    response = client.post(reverse("notifications:preferences"), {"email": "digest"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=facilitator).email == "digest"
    response = client.post(reverse("notifications:preferences"), {"email": "bogus"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
