"""Script never gets through: every field of user content, on every page that
shows it, public and staff."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from openmil.core.markup import render_markdown
from openmil.public import services
from openmil.public.models import Evidence, Participation, Project, ProjectPost
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.public.factories import ProjectFactory, RecommendationFactory, ReportFactory

ATTACKS = [
    "<script>alert('x1')</script>",
    "[click me](javascript:alert('x2'))",
    "[click me](JaVaScRiPt:alert('x3'))",
    "<img src=x onerror=alert('x4')>",
    "![pic](javascript:alert('x5'))",
    "![pic\" onerror=\"alert('x6')](https://example.org/p.png)",
    "<a href=\"javascript:alert('x7')\">link</a>",
    "<svg onload=alert('x8')>",
    "<iframe src=\"javascript:alert('x9')\"></iframe>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<div style=\"background:url(javascript:alert('x10'))\">s</div>",
]
PAYLOAD = "\n\n".join(ATTACKS)


class Dangers(HTMLParser):
    """Whatever in a page could run a script."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower().replace("\x00", "")
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name == "style" and "javascript" in value:
                self.found.append(f"<{tag} style>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                value.startswith(("javascript:", "data:", "vbscript:"))
            ):
                self.found.append(f"<{tag} {name}={value[:30]}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.found.append("<script> without a static source")
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("an inline script body")


def dangers(html: str) -> list[str]:
    parser = Dangers()
    parser.feed(html)
    return parser.found


def test_the_detector_catches_what_it_should():
    assert dangers('<a href=" JavaScript:alert(1)">x</a>')
    assert dangers("<img src=x onerror=alert(1)>")
    assert dangers("<script>alert(1)</script>")
    assert not dangers('<a href="https://example.org">x</a><script src="/static/a.js">')


@pytest.mark.parametrize("attack", ATTACKS)
def test_markdown_rendering_drops_every_attack(attack):
    html = render_markdown(attack)
    assert not dangers(html), html
    assert "<script" not in html.lower()


def test_markdown_keeps_harmless_formatting_and_marks_links_nofollow():
    html = render_markdown("**bold** and [a link](https://example.org)")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "nofollow" in html


@pytest.fixture
def hostile(lab_a):
    """A project, its post, report and participants, and a recommendation,
    every user-content field holding the attacks."""
    owner = UserFactory()
    project = ProjectFactory(
        lab=lab_a,
        owner=owner,
        title=PAYLOAD[:160],
        summary=" ".join(ATTACKS)[:300],
        description=PAYLOAD,
        status=Project.Status.PUBLISHED,
    )
    ProjectPost.objects.create(project=project, kind="update", body=PAYLOAD)
    ReportFactory(project=project, reason=PAYLOAD)
    for attack in ATTACKS:
        Participation.objects.create(
            project=project,
            user=UserFactory(),
            kind=Participation.Kind.SUPPORT,
            group=Participation.Group.NATIONAL,
            show_name=True,
            display_name=attack[:120],
        )
    rejected = ProjectFactory(
        lab=lab_a,
        owner=owner,
        status=Project.Status.REJECTED,
        moderation_reason=PAYLOAD[:500],
        title="Rejected",
    )
    recommendation = RecommendationFactory(
        lab=lab_a,
        title=PAYLOAD[:200],
        body=PAYLOAD,
        addressed_to=ATTACKS[0],
    )
    recommendation.history.create(
        to_status="proposed", on=timezone.localdate(), note=PAYLOAD[:500]
    )
    Evidence.objects.create(
        recommendation=recommendation,
        kind=Evidence.Kind.PRACTICE,
        url="https://example.org/x",
        label=PAYLOAD[:200],
    )
    return {
        "owner": owner,
        "project": project,
        "rejected": rejected,
        "recommendation": recommendation,
    }


@pytest.mark.django_db
def test_no_page_lets_a_script_through(hostile, coordinator):
    project = hostile["project"]
    recommendation = hostile["recommendation"]
    anonymous = Client()
    public_pages = [
        "/site/",
        "/site/projects/",
        f"/site/projects/{project.pk}/",
        f"/site/projects/{project.pk}/report/",
        "/site/recommendations/",
        f"/site/recommendations/{recommendation.pk}/",
    ]
    for url in public_pages:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert not dangers(response.content.decode()), url
    owner = Client()
    owner.force_login(hostile["owner"])
    for url in ("/site/account/", f"/site/projects/{hostile['rejected'].pk}/"):
        response = owner.get(url)
        assert response.status_code == 200, url
        assert not dangers(response.content.decode()), url
    staff = client_for(coordinator)
    for url in (
        "/moderation/",
        f"/moderation/projects/{project.pk}/",
        "/recommendations/",
        f"/recommendations/{recommendation.pk}/",
    ):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert not dangers(response.content.decode()), url
    # The attack text is shown as text, escaped, not dropped silently.
    detail = anonymous.get(f"/site/projects/{project.pk}/").content.decode()
    assert "&lt;script&gt;" in detail


@pytest.mark.django_db
def test_api_returns_user_text_as_data_never_as_html(hostile):
    project = hostile["project"]
    body = Client().get(f"/api/v1/projects/{project.pk}").json()
    assert body["description"] == PAYLOAD  # JSON: the client escapes
    assert body["named_supporters"]


@pytest.mark.django_db
def test_evidence_links_refuse_scripts(coordinator, lab_a):
    recommendation = RecommendationFactory(lab=lab_a)
    for url in ("javascript:alert(1)", "data:text/html,x", " javascript:alert(1)"):
        with pytest.raises(Exception) as error:
            services.evidence_add(
                actor=coordinator,
                recommendation=recommendation,
                kind=Evidence.Kind.PRACTICE,
                url=url,
            )
        assert "url" in str(error.value)
    response = client_for(coordinator).post(
        f"/recommendations/{recommendation.pk}/evidence/",
        {"kind": "practice", "url": "javascript:alert(1)"},
        follow=True,
    )
    assert response.status_code == 200
    assert not recommendation.evidence.exists()
