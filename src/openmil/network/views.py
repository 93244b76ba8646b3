"""Network pages: the good-practice library, benchmarking and MIPEX scores."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.forms import attach_errors, flash_form_errors
from openmil.core.markup import render_markdown
from openmil.core.roles import Perm
from openmil.network import selectors, services
from openmil.network.forms import (
    AdoptionForm,
    AnswerForm,
    MipexForm,
    MipexImportForm,
    PeriodForm,
    PracticeFilterForm,
    PracticeForm,
    QuestionForm,
)
from openmil.network.models import PracticeQuestion, PracticeVersion
from openmil.network.services import PRACTICE_FIELDS, VERSION_FIELDS


def _writing_labs(request: HttpRequest) -> Any:
    labs = access.labs_with(request.user, Perm.EXCHANGE_PRACTICE)
    if not labs.exists():
        raise Http404
    return labs


@login_required
def practice_list(request: HttpRequest) -> HttpResponse:
    form = PracticeFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "query": data["q"],
            "pillar": data["pillar"],
            "country": data["country"],
            "sdg": data["sdg"],
            "language": data["language"],
        }
    hits = selectors.practice_search(
        user=request.user, display_language=get_language() or "en", **filters
    )
    return render(
        request,
        "network/practice_list.html",
        {
            "form": form,
            "hits": hits,
            "federated": selectors.federated_practices(),
            "can_write": access.has_any(request.user, Perm.EXCHANGE_PRACTICE),
        },
    )


def _version_text(version: PracticeVersion | None) -> dict[str, str]:
    if version is None:
        return {}
    return {f: render_markdown(getattr(version, f)) for f in VERSION_FIELDS[1:]}


@login_required
def practice_detail(request: HttpRequest, practice_id: int) -> HttpResponse:
    practice = selectors.practice_get(user=request.user, practice_id=practice_id)
    language = request.GET.get("language") or get_language() or "en"
    version = selectors.version_for(practice, language)
    writer_labs = access.labs_with(request.user, Perm.EXCHANGE_PRACTICE)
    return render(
        request,
        "network/practice_detail.html",
        {
            "practice": practice,
            "version": version,
            "text": _version_text(version),
            "versions": practice.versions.all(),
            "questions": selectors.questions_of(practice),
            "adoptions": selectors.adoptions_of(practice),
            "can_edit": access.can(
                request.user, Perm.EXCHANGE_PRACTICE, practice.lab_id
            ),
            "question_form": QuestionForm(labs=writer_labs),
            "answer_form": AnswerForm(),
            "adoption_form": AdoptionForm(
                labs=writer_labs.exclude(pk=practice.lab_id),
                initial={"adopted_on": timezone.localdate()},
            ),
            "can_exchange": writer_labs.exists(),
        },
    )


@login_required
def practice_create(request: HttpRequest) -> HttpResponse:
    labs = _writing_labs(request)
    wanted = request.GET.get("lab") or request.POST.get("lab") or ""
    if wanted and not (wanted.isdigit() and labs.filter(pk=int(wanted)).exists()):
        # A lab the user may not write for is not found, never swapped.
        raise Http404
    lab = labs.get(pk=int(wanted)) if wanted else labs.first()
    data = request.POST if request.method == "POST" else None
    form = PracticeForm(
        data, labs=labs, initial={"lab": lab, "language": get_language()}
    )
    if data is not None and form.is_valid():
        clean = form.cleaned_data
        try:
            practice = services.practice_create(
                actor=request.user,
                lab=clean["lab"],
                language=clean["language"],
                data=clean,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The practice is saved as a draft."))
            return redirect("network:practice_detail", practice_id=practice.pk)
    return render(request, "network/practice_form.html", {"form": form})


@login_required
def practice_edit(request: HttpRequest, practice_id: int) -> HttpResponse:
    practice = selectors.practice_get_for_edit(
        user=request.user, practice_id=practice_id
    )
    language = request.GET.get("language") or get_language() or "en"
    version = practice.versions.filter(language=language).first()
    initial: dict[str, Any] = {f: getattr(practice, f) for f in PRACTICE_FIELDS}
    initial.update({"lab": practice.lab, "language": language})
    if version is not None:
        initial.update({f: getattr(version, f) for f in VERSION_FIELDS})
    labs = access.labs_with(request.user, Perm.EXCHANGE_PRACTICE).filter(
        pk=practice.lab_id
    )
    data = request.POST if request.method == "POST" else None
    form = PracticeForm(data, labs=labs, initial=initial)
    if data is not None and form.is_valid():
        clean = form.cleaned_data
        try:
            services.practice_update(
                actor=request.user,
                practice=practice,
                language=clean["language"],
                data=clean,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The practice is saved."))
            return redirect("network:practice_detail", practice_id=practice.pk)
    return render(
        request, "network/practice_form.html", {"form": form, "practice": practice}
    )


@login_required
@require_POST
def practice_publish(request: HttpRequest, practice_id: int) -> HttpResponse:
    practice = selectors.practice_get_for_edit(
        user=request.user, practice_id=practice_id
    )
    services.practice_publish(actor=request.user, practice=practice)
    messages.success(request, _("The practice is published to the network."))
    return redirect("network:practice_detail", practice_id=practice.pk)


@login_required
@require_POST
def question_ask(request: HttpRequest, practice_id: int) -> HttpResponse:
    practice = selectors.practice_get(user=request.user, practice_id=practice_id)
    form = QuestionForm(request.POST, labs=_writing_labs(request))
    if form.is_valid():
        try:
            services.question_ask(
                actor=request.user,
                practice=practice,
                lab=form.cleaned_data["lab"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The question is sent to the lab."))
    flash_form_errors(request, form)
    return redirect("network:practice_detail", practice_id=practice.pk)


@login_required
@require_POST
def answer_give(request: HttpRequest, question_id: int) -> HttpResponse:
    question = PracticeQuestion.objects.filter(pk=question_id).first()
    if question is None:
        raise Http404
    practice = selectors.practice_get_for_edit(
        user=request.user, practice_id=question.practice_id
    )
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_give(
                actor=request.user, question=question, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The answer is published."))
    flash_form_errors(request, form)
    return redirect("network:practice_detail", practice_id=practice.pk)


@login_required
@require_POST
def adoption_add(request: HttpRequest, practice_id: int) -> HttpResponse:
    practice = selectors.practice_get(user=request.user, practice_id=practice_id)
    form = AdoptionForm(request.POST, labs=_writing_labs(request))
    if form.is_valid():
        try:
            services.adoption_record(
                actor=request.user,
                practice=practice,
                lab=form.cleaned_data["lab"],
                adopted_on=form.cleaned_data["adopted_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The adoption is recorded."))
    flash_form_errors(request, form)
    return redirect("network:practice_detail", practice_id=practice.pk)


@login_required
def benchmark(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period = str(timezone.localdate().year)
    if form.is_valid() and form.cleaned_data["period"]:
        period = form.cleaned_data["period"]
    return render(
        request,
        "network/benchmark.html",
        {"form": form, "bench": selectors.benchmark(user=request.user, period=period)},
    )


@login_required
def mipex(request: HttpRequest) -> HttpResponse:
    if not access.has_any(request.user, Perm.VIEW_AGGREGATES):
        raise Http404
    can_manage = access.has_any(request.user, Perm.MANAGE_NETWORK)
    form = MipexForm()
    upload = MipexImportForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if "file" in request.FILES:
            upload = MipexImportForm(request.POST, request.FILES)
            if upload.is_valid():
                raw = upload.cleaned_data["file"].read(2_000_000)
                try:
                    count = services.mipex_import(
                        actor=request.user, text=raw.decode("utf-8-sig")
                    )
                except (ValidationError, UnicodeDecodeError) as error:
                    if isinstance(error, ValidationError):
                        attach_errors(upload, error)
                    else:
                        upload.add_error("file", _("The file is not UTF-8 text."))
                else:
                    messages.success(
                        request, _("%(n)s scores imported.") % {"n": count}
                    )
                    return redirect("network:mipex")
        else:
            form = MipexForm(request.POST)
            if form.is_valid():
                try:
                    services.mipex_save(actor=request.user, data=form.cleaned_data)
                except ValidationError as error:
                    attach_errors(form, error)
                else:
                    messages.success(request, _("The score is saved."))
                    return redirect("network:mipex")
    return render(
        request,
        "network/mipex.html",
        {
            "scores": selectors.mipex_scores(),
            "form": form,
            "upload": upload,
            "can_manage": can_manage,
        },
    )
