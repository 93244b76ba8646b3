"""Pages of the public site under /site/: reading needs no account."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.campaigns.services import conversion_record
from openmil.core.forms import attach_errors
from openmil.core.pillars import Pillar
from openmil.public import selectors, services
from openmil.public.forms import (
    PILLAR_LABELS,
    ParticipationForm,
    PostForm,
    ProjectForm,
    ReportForm,
    SignUpForm,
    pillar_label,
)
from openmil.public.models import Participation, Project, ProjectKind, Recommendation
from openmil.public.throttle import throttle

SIGN_IN = reverse_lazy("public:sign_in")
citizen_required = login_required(login_url=SIGN_IN)


def _project_cards(projects: Any) -> list[dict[str, Any]]:
    return [
        {
            "project": p,
            "pillars": [pillar_label(code) for code in p.pillars],
            "language_note": selectors.language_note(content_language=p.language),
        }
        for p in projects
    ]


def home(request: HttpRequest) -> HttpResponse:
    projects = selectors.projects_published()[:6]
    recommendations = selectors.recommendations_public()[:4]
    return render(
        request,
        "public/home.html",
        {"cards": _project_cards(projects), "recommendations": recommendations},
    )


def project_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    pillar = request.GET.get("pillar", "")
    kind = kind if kind in ProjectKind.values else ""
    pillar = pillar if pillar in Pillar.values else ""
    query = request.GET.get("q", "")[:100].replace("\x00", "")
    projects = selectors.projects_published(kind=kind, pillar=pillar, query=query)
    page = Paginator(projects, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "public/project_list.html",
        {
            "page": page,
            "cards": _project_cards(page.object_list),
            "kinds": ProjectKind.choices,
            "pillars": list(PILLAR_LABELS.items()),
            "kind": kind,
            "pillar": pillar,
            "query": query,
        },
    )


def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_for_reader(user=request.user, project_id=project_id)
    return _project_page(request, project)


def _project_page(
    request: HttpRequest,
    project: Project,
    *,
    take_part_form: ParticipationForm | None = None,
    post_form: PostForm | None = None,
    status: int = 200,
) -> HttpResponse:
    mine = selectors.participation_of(user=request.user, project=project)
    return render(
        request,
        "public/project_detail.html",
        {
            "project": project,
            "pillars": [pillar_label(code) for code in project.pillars],
            "language_note": selectors.language_note(content_language=project.language),
            "participants": selectors.project_participants(project=project),
            "groups": Participation.Group.choices,
            "posts": project.posts.all(),
            "mine": mine,
            "is_owner": request.user.is_authenticated
            and project.owner_id == request.user.pk,
            "take_part_form": take_part_form or ParticipationForm(),
            "post_form": post_form or PostForm(),
        },
        status=status,
    )


@citizen_required
@throttle(key="user_or_ip", rate="10/h")
def project_create(request: HttpRequest) -> HttpResponse:
    labs = selectors.labs_for_projects()
    form = ProjectForm(
        request.POST or None,
        labs=labs,
        initial={"language": request.LANGUAGE_CODE},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_propose(
                actor=request.user,
                lab=data["lab"],
                title=data["title"],
                summary=data["summary"],
                description=data["description"],
                kind=data["kind"],
                pillars=data["pillars"],
                sdgs=data["sdgs"],
                language=data["language"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you. The lab will read your project before it is published."),
            )
            return redirect(project)
    return render(request, "public/project_form.html", {"form": form})


@citizen_required
@require_POST
@throttle(key="user_or_ip", rate="30/h")
def project_take_part(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_for_reader(user=request.user, project_id=project_id)
    form = ParticipationForm(request.POST)
    kind = request.POST.get("kind", "")
    if form.is_valid():
        try:
            services.project_participate(
                actor=request.user,
                project=project,
                kind=kind,
                group=form.cleaned_data["group"],
                show_name=form.cleaned_data["show_name"],
                display_name=form.cleaned_data["display_name"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if kind == Participation.Kind.JOIN:
                messages.success(request, _("You joined the project."))
            else:
                messages.success(request, _("You support the project."))
            return redirect(project)
    return _project_page(request, project, take_part_form=form, status=422)


@citizen_required
@require_POST
@throttle(key="user_or_ip", rate="30/h")
def project_post(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_for_reader(user=request.user, project_id=project_id)
    if project.owner_id != request.user.pk:
        raise PermissionDenied
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            services.project_post_add(
                actor=request.user,
                project=project,
                kind=form.cleaned_data["kind"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Your post is published."))
            return redirect(project)
    return _project_page(request, project, post_form=form, status=422)


@throttle(key="ip", rate="10/h")
def project_report(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_for_reader(user=None, project_id=project_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                actor=request.user, project=project, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Thank you. The lab will look at your report."))
            return redirect(project)
    return render(
        request, "public/report_form.html", {"form": form, "project": project}
    )


def recommendation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Recommendation.Status.values else ""
    recommendations = selectors.recommendations_public(status=status)
    page = Paginator(recommendations, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "public/recommendation_list.html",
        {
            "page": page,
            "statuses": Recommendation.Status.choices,
            "status": status,
        },
    )


def recommendation_detail(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = selectors.recommendation_public_get(
        recommendation_id=recommendation_id
    )
    return render(
        request,
        "public/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "evidence": selectors.evidence_rows(recommendation=recommendation),
            "language_note": selectors.language_note(
                content_language=recommendation.language
            ),
        },
    )


# ---------------------------------------------------------------------------
# Citizen accounts.


def _next_url(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


@throttle(key="ip", rate="10/h")
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.citizen_sign_up(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            conversion_record(request, "signup")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome. Your account is ready."))
            return redirect(_next_url(request, reverse("public:account")))
    return render(
        request,
        "public/sign_up.html",
        {"form": form, "next": _next_url(request, "")},
    )


@throttle(key="ip", rate="30/h")
def sign_in(request: HttpRequest) -> HttpResponse:
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        return redirect(_next_url(request, reverse("public:account")))
    return render(
        request,
        "public/sign_in.html",
        {"form": form, "next": _next_url(request, "")},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("public:home")


@citizen_required
def account(request: HttpRequest) -> HttpResponse:
    projects = selectors.projects_of_owner(user=request.user)
    return render(request, "public/account.html", {"projects": projects})
