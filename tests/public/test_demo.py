"""The demo shows the public site: published projects with supporters, one
waiting for moderation, recommendations along the political agenda."""

import io

from django.core.management import call_command
from django.test import Client

from openmil.public.models import Project, Recommendation


def test_demo_has_projects_to_read_and_to_moderate_and_recommendations(db):
    call_command("demo_data", labs=1, participants=20, seed=3, stdout=io.StringIO())
    assert Project.objects.filter(status="published").count() == 3
    assert Project.objects.filter(status="pending").count() == 1
    adopted = Recommendation.objects.get(status="adopted")
    assert [s.to_status for s in adopted.history.all()] == [
        "proposed",
        "discussed",
        "adopted",
    ]
    assert adopted.evidence.count() == 2
    page = Client().get("/site/").content.decode()
    assert "Community garden by the river" in page
