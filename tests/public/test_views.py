import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.public.models import Participation, Project, Report
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.public.factories import ProjectFactory, RecommendationFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def _sign_up(client: Client, n: int, **extra):
    data = {
        "username": f"citizen{n}",
        "email": f"citizen{n}@example.org",
        "password1": "a long pass phrase 42",
        "password2": "a long pass phrase 42",
        "website": "",
    }
    data.update(extra)
    return client.post("/site/account/sign-up/", data)


def test_a_citizen_signs_up_proposes_and_sees_the_project_waiting(lab_a):
    client = Client()
    response = _sign_up(client, 1)
    assert response.status_code == 302
    user = User.objects.get(username="citizen1")
    assert not user.memberships.exists()
    response = client.post(
        "/site/projects/new/",
        {
            "lab": lab_a.pk,
            "title": "Bike workshop",
            "summary": "Repair bikes together",
            "description": "Saturdays",
            "kind": "territorial",
            "pillars": ["intercultural", "economic"],
            "sdgs": ["11", "3"],
            "language": "pt",
        },
    )
    project = Project.objects.get()
    assert response["Location"] == f"/site/projects/{project.pk}/"
    assert project.owner == user and project.status == "pending"
    assert project.sdgs == [3, 11]
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for moderation" in page
    assert Client().get(response["Location"]).status_code == 404


def test_proposing_needs_a_citizen_account_and_the_site_sign_in():
    response = Client().get("/site/projects/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/site/account/sign-in/?next=")


def test_the_honeypot_refuses_a_robot_sign_up():
    response = _sign_up(Client(), 2, website="http://spam.example")
    assert response.status_code == 200
    assert "This form could not be sent." in response.content.decode()
    assert not User.objects.filter(username="citizen2").exists()


def test_sign_ups_are_throttled_by_address_with_a_429_page():
    client = Client()
    for n in range(10):
        assert _sign_up(client, 100 + n).status_code == 302
        client.logout()
    response = _sign_up(client, 200)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert not User.objects.filter(username="citizen200").exists()
    # Reading stays open.
    assert client.get("/site/account/sign-up/").status_code == 200


def test_reports_from_readers_are_throttled(lab_a):
    project = ProjectFactory(lab=lab_a)
    client = Client()
    url = f"/site/projects/{project.pk}/report/"
    for _n in range(10):
        assert client.post(url, {"reason": "Spam", "website": ""}).status_code == 302
    response = client.post(url, {"reason": "Spam", "website": ""})
    assert response.status_code == 429
    assert Report.objects.count() == 10


def test_an_anonymous_reader_reports_a_project_and_the_lab_sees_it(lab_a, coordinator):
    project = ProjectFactory(lab=lab_a, title="Fake charity")
    response = Client().post(
        f"/site/projects/{project.pk}/report/",
        {"reason": "Asks for money", "website": ""},
    )
    assert response.status_code == 302
    queue = client_for(coordinator).get("/moderation/").content.decode()
    assert "Asks for money" in queue


def test_moderators_approve_and_reject_with_a_reason_from_the_queue(lab_a, coordinator):
    staff = client_for(coordinator)
    waiting = ProjectFactory(lab=lab_a, status="pending", title="Garden")
    other = ProjectFactory(lab=lab_a, status="pending", title="Ads")
    assert "Garden" in staff.get("/moderation/").content.decode()
    response = staff.post(
        f"/moderation/projects/{other.pk}/", {"decision": "reject", "reason": ""}
    )
    assert response.status_code == 422
    other.refresh_from_db()
    assert other.status == "pending"
    staff.post(
        f"/moderation/projects/{other.pk}/",
        {"decision": "reject", "reason": "Advertising"},
    )
    staff.post(f"/moderation/projects/{waiting.pk}/", {"decision": "approve"})
    assert Project.objects.get(pk=waiting.pk).status == "published"
    assert Project.objects.get(pk=other.pk).status == "rejected"
    assert AuditEntry.objects.filter(object_type="citizen_project").count() == 2
    assert Client().get(f"/site/projects/{waiting.pk}/").status_code == 200


def test_a_blocked_citizen_can_no_longer_sign_in(lab_a, coordinator):
    citizen = UserFactory(username="spammer")
    citizen.set_password("a long pass phrase 42")
    citizen.save()
    project = ProjectFactory(lab=lab_a, owner=citizen)
    client_for(coordinator).post(f"/moderation/projects/{project.pk}/block/")
    response = Client().post(
        "/site/account/sign-in/",
        {"username": "spammer", "password": "a long pass phrase 42"},
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in response.client.session


@pytest.mark.parametrize("role_fixture", ["analyst", "partner_staff", "mentor"])
def test_roles_without_moderation_get_no_queue(request, role_fixture, lab_a):
    user = request.getfixturevalue(role_fixture)
    project = ProjectFactory(lab=lab_a, status="pending")
    client = client_for(user)
    assert client.get("/moderation/").status_code == 404
    response = client.post(
        f"/moderation/projects/{project.pk}/", {"decision": "approve"}
    )
    assert response.status_code == 404
    assert Project.objects.get(pk=project.pk).status == "pending"


def test_support_and_join_show_counts_and_chosen_names(lab_a):
    project = ProjectFactory(lab=lab_a)
    url = f"/site/projects/{project.pk}/take-part/"
    for n, group in enumerate(["newcomer", "national", "organisation"]):
        client = Client()
        client.force_login(UserFactory())
        response = client.post(
            url, {"kind": "support", "group": group, "display_name": f"Hidden{n}"}
        )
        assert response.status_code == 302
    named = Client()
    named.force_login(UserFactory())
    named.post(
        url,
        {
            "kind": "join",
            "group": "newcomer",
            "show_name": "on",
            "display_name": "Yusuf",
        },
    )
    page = Client().get(f"/site/projects/{project.pk}/").content.decode()
    assert "3 supporters" in page
    assert "1 member" in page
    assert "Yusuf" in page
    assert "Hidden0" not in page
    assert Participation.objects.count() == 4


def test_the_owner_posts_an_update_others_cannot(lab_a):
    project = ProjectFactory(lab=lab_a)
    url = f"/site/projects/{project.pk}/posts/"
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.post(url, {"kind": "update", "body": "x"}).status_code == 403
    owner = Client()
    owner.force_login(project.owner)
    response = owner.post(url, {"kind": "result", "body": "**40** trees planted"})
    assert response.status_code == 302
    page = Client().get(f"/site/projects/{project.pk}/").content.decode()
    assert "<strong>40</strong> trees planted" in page


def test_a_project_in_another_language_says_where_it_is_available(lab_a):
    project = ProjectFactory(lab=lab_a, language="pt", title="Horta comunitária")
    client = Client()
    client.cookies["django_language"] = "de"
    page = client.get(f"/site/projects/{project.pk}/").content.decode()
    assert "Dieses Projekt ist nur auf Português verfügbar." in page
    assert 'lang="pt"' in page
    client.cookies["django_language"] = "pt"
    page = client.get(f"/site/projects/{project.pk}/").content.decode()
    assert "só está disponível" not in page


@pytest.mark.parametrize(
    ("lang", "direction", "text"),
    [
        ("fa", "rtl", "پروژه‌ها"),
        ("ar", "rtl", "المشاريع"),
        ("uk", "ltr", "Проєкти"),
        ("tr", "ltr", "Projeler"),
        ("es", "ltr", "Proyectos"),
    ],
)
def test_public_pages_speak_ten_languages_with_lang_and_dir(lang, direction, text):
    client = Client()
    client.cookies["django_language"] = lang
    page = client.get("/site/").content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert text in page
    # The switcher offers the ten languages.
    assert page.count('<option value="') >= 10


def test_staff_pages_stay_in_english_french_or_arabic(coordinator):
    client = client_for(coordinator)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr"' in page
    # The staff switcher offers the three staff languages only.
    assert 'value="fa"' not in page
    assert 'value="ar"' in page


def test_the_language_switch_keeps_the_choice_for_the_public_site():
    client = Client()
    response = client.post(
        "/language/",
        {"language": "fa", "next": "/site/projects/"},
    )
    assert response.status_code == 302
    page = client.get("/site/projects/").content.decode()
    assert '<html lang="fa" dir="rtl">' in page


def test_recommendations_page_shows_status_history_and_evidence(lab_a, coordinator):
    recommendation = RecommendationFactory(lab=lab_a, title="Libraries on Sundays")
    staff = client_for(coordinator)
    staff.post(
        f"/recommendations/{recommendation.pk}/status/",
        {
            "to_status": "adopted",
            "on": timezone.localdate().isoformat(),
            "note": "Voted",
        },
    )
    staff.post(
        f"/recommendations/{recommendation.pk}/evidence/",
        {"kind": "practice", "url": "https://example.org/gp", "label": "Ghent"},
    )
    page = Client().get(f"/site/recommendations/{recommendation.pk}/").content
    text = page.decode()
    assert "Adopted" in text and "Voted" in text
    assert 'href="https://example.org/gp"' in text
    listing = Client().get("/site/recommendations/?status=adopted").content.decode()
    assert "Libraries on Sundays" in listing
    listing = Client().get("/site/recommendations/?status=proposed").content.decode()
    assert "Libraries on Sundays" not in listing


def test_bad_input_on_public_pages_never_gives_a_500(lab_a):
    client = Client()
    for url in (
        "/site/projects/?kind=%00&pillar=x&q=%00%00&page=-1",
        "/site/recommendations/?status=%00&page=abc",
    ):
        assert client.get(url).status_code == 200
    client.force_login(UserFactory())
    response = client.post("/site/projects/new/", {"lab": "x", "sdgs": ["99"]})
    assert response.status_code == 200
    assert not Project.objects.exists()
