import pytest

from tests.public.factories import ProjectFactory, RecommendationFactory


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_pages_render(client, lang, coordinator, lab_a):
    project = ProjectFactory(lab=lab_a)
    rec = RecommendationFactory(lab=lab_a)
    client.cookies["django_language"] = lang
    for url in [
        "/site/",
        "/site/projects/",
        f"/site/projects/{project.pk}/",
        f"/site/projects/{project.pk}/report/",
        "/site/recommendations/",
        f"/site/recommendations/{rec.pk}/",
        "/site/account/sign-up/",
        "/site/account/sign-in/",
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
    client.force_login(coordinator)
    for url in [
        "/site/projects/new/",
        "/site/account/",
        "/moderation/",
        f"/moderation/projects/{project.pk}/",
        "/recommendations/",
        "/recommendations/new/",
        f"/recommendations/{rec.pk}/",
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
