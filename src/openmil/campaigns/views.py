"""Staff pages of awareness campaigns: thin wrappers over selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.campaigns import charts, reach_csv, selectors, services
from openmil.campaigns.forms import (
    CampaignForm,
    FactCardForm,
    FactSourceForm,
    KpiForm,
    KpiReportForm,
    MessageForm,
    ReachUploadForm,
    TranslationForm,
)
from openmil.campaigns.models import LANGUAGE_CODES, Campaign, Kpi
from openmil.core import access
from openmil.core.forms import attach_errors, flash_form_errors
from openmil.core.roles import Perm


def _manage(request: HttpRequest, lab_id: int) -> None:
    """Seeing a campaign but not managing it: 403 (the campaign is not hidden)."""
    if not access.can(request.user, Perm.MANAGE_CAMPAIGNS, lab_id):
        raise PermissionDenied


def _public_url(request: HttpRequest, campaign: Campaign) -> str:
    return request.build_absolute_uri(
        reverse("campaigns_public:campaign", kwargs={"slug": campaign.slug})
    )


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    lab, labs = access.lab_choice(
        request.user,
        Perm.VIEW_CAMPAIGNS,
        request.GET.get("lab") or request.POST.get("lab"),
    )
    return render(
        request,
        "campaigns/list.html",
        {
            "lab": lab,
            "labs": labs,
            "campaigns": selectors.campaign_list(user=request.user, lab_id=lab.pk),
            "cards": selectors.fact_card_list(user=request.user, lab_id=lab.pk)[:50],
            "can_manage": access.can(request.user, Perm.MANAGE_CAMPAIGNS, lab.pk),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    lab, labs = access.lab_choice(
        request.user,
        Perm.MANAGE_CAMPAIGNS,
        request.GET.get("lab") or request.POST.get("lab"),
    )
    form = CampaignForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=request.user, lab=lab, data=form.service_data()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The campaign is recorded."))
            return redirect("campaigns:detail", campaign_id=campaign.pk)
    return render(
        request, "campaigns/form.html", {"form": form, "lab": lab, "labs": labs}
    )


@login_required
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    _manage(request, campaign.lab_id)
    form = CampaignForm(
        request.POST if request.method == "POST" else None,
        instance=Campaign.objects.get(pk=campaign.pk),
    )
    if form.is_bound and form.is_valid():
        try:
            services.campaign_update(
                actor=request.user, campaign=campaign, data=form.service_data()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect("campaigns:detail", campaign_id=campaign.pk)
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "lab": campaign.lab, "campaign": campaign},
    )


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    can_manage = access.can(request.user, Perm.MANAGE_CAMPAIGNS, campaign.lab_id)
    progress = selectors.kpi_progress(campaign=campaign)
    rtl = get_language_bidi()
    chart = charts.bar_chart(
        [
            charts.Bar(
                label=str(p.kpi.get_metric_display()),
                value=p.actual,
                target=p.kpi.target,
                caption=f"{p.actual:,} / {p.kpi.target:,} ({p.percent} %)",
            )
            for p in progress
        ],
        title=_("KPIs against their targets"),
        rtl=rtl,
    )
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "can_manage": can_manage,
            "progress": progress,
            "kpi_chart": chart,
            "grid": selectors.message_grid(campaign=campaign),
            "summary": selectors.translation_summary(campaign=campaign),
            "links": selectors.share_links(
                campaign=campaign, base_url=_public_url(request, campaign)
            ),
            "cards": campaign.fact_cards.all(),
            "kpi_form": KpiForm() if can_manage else None,
            "message_form": MessageForm() if can_manage else None,
            "public_url": _public_url(request, campaign),
        },
    )


@login_required
@require_POST
def kpi_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    _manage(request, campaign.lab_id)
    form = KpiForm(request.POST)
    if form.is_valid():
        try:
            services.kpi_add(
                actor=request.user, campaign=campaign, data=form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
    if form.errors:
        flash_form_errors(request, form)
    else:
        messages.success(request, _("The KPI is recorded."))
    return redirect("campaigns:detail", campaign_id=campaign.pk)


@login_required
@require_POST
def kpi_report(request: HttpRequest, kpi_id: int) -> HttpResponse:
    kpi = selectors.kpi_get(user=request.user, kpi_id=kpi_id)
    _manage(request, kpi.campaign.lab_id)
    form = KpiReportForm(request.POST)
    if form.is_valid() and kpi.metric == Kpi.Metric.ATTENDANCE:
        services.kpi_report(
            actor=request.user, kpi=kpi, value=form.cleaned_data["reported_value"]
        )
        messages.success(request, _("The value is recorded."))
    elif form.is_valid():
        messages.error(request, _("Only event attendance is reported by hand."))
    else:
        flash_form_errors(request, form)
    return redirect("campaigns:detail", campaign_id=kpi.campaign_id)


@login_required
@require_POST
def message_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    _manage(request, campaign.lab_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_create(
                actor=request.user, campaign=campaign, **form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
    if form.errors:
        flash_form_errors(request, form)
    else:
        messages.success(request, _("The message is recorded."))
    return redirect("campaigns:detail", campaign_id=campaign.pk)


@login_required
def translation_edit(
    request: HttpRequest, message_id: int, language: str
) -> HttpResponse:
    message = selectors.message_get(user=request.user, message_id=message_id)
    campaign = message.campaign
    if language not in LANGUAGE_CODES or language not in campaign.languages:
        raise Http404
    _manage(request, campaign.lab_id)
    current = message.translations.filter(language=language).first()
    initial = {"text": current.text, "status": current.status} if current else {}
    form = TranslationForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if form.is_bound and form.is_valid():
        try:
            services.message_translation_set(
                actor=request.user,
                message=message,
                language=language,
                **form.cleaned_data,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The translation is saved."))
            return redirect("campaigns:detail", campaign_id=campaign.pk)
    source = message.translations.filter(language="en").first()
    return render(
        request,
        "campaigns/translation.html",
        {
            "message": message,
            "campaign": campaign,
            "language": language,
            "source": source,
            "form": form,
        },
    )


@login_required
def reach(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    can_manage = access.can(request.user, Perm.MANAGE_CAMPAIGNS, campaign.lab_id)
    form = ReachUploadForm()
    errors: list[reach_csv.RowError] = []
    if request.method == "POST":
        _manage(request, campaign.lab_id)
        form = ReachUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.reach_import(
                    actor=request.user,
                    campaign=campaign,
                    stream=upload.file,
                    file_name=upload.name,
                )
            except reach_csv.ReachFileError as error:
                errors = error.errors
            else:
                messages.success(
                    request,
                    _("%(rows)d rows imported: %(new)d new, %(updated)d updated.")
                    % {"rows": job.rows, "new": job.created, "updated": job.updated},
                )
                return redirect("campaigns:reach", campaign_id=campaign.pk)
    totals = selectors.reach_totals(campaign=campaign)
    funnel = selectors.funnel(campaign=campaign)
    rtl = get_language_bidi()
    platform_chart = charts.bar_chart(
        [
            charts.Bar(label=p.name, value=p.impressions, caption=f"{p.impressions:,}")
            for p in totals.by_platform
        ],
        title=_("Impressions by platform"),
        rtl=rtl,
    )
    funnel_chart = charts.bar_chart(
        [
            charts.Bar(
                label=_("Link clicks"),
                value=funnel["link_clicks"],
                caption=f"{funnel['link_clicks']:,}",
            ),
            charts.Bar(
                label=_("Sign-ups"),
                value=funnel["signups"],
                caption=f"{funnel['signups']:,}",
            ),
            charts.Bar(
                label=_("Event registrations"),
                value=funnel["registrations"],
                caption=f"{funnel['registrations']:,}",
            ),
        ],
        title=_("From link clicks to sign-ups and registrations"),
        rtl=rtl,
    )
    return render(
        request,
        "campaigns/reach.html",
        {
            "campaign": campaign,
            "can_manage": can_manage,
            "form": form,
            "errors": errors,
            "totals": totals,
            "funnel": funnel,
            "platform_chart": platform_chart,
            "funnel_chart": funnel_chart,
            "imports": selectors.reach_imports(campaign=campaign),
        },
        status=400 if errors else 200,
    )


@login_required
def fact_card_create(request: HttpRequest) -> HttpResponse:
    lab, labs = access.lab_choice(
        request.user,
        Perm.MANAGE_CAMPAIGNS,
        request.GET.get("lab") or request.POST.get("lab"),
    )
    form = FactCardForm(request.POST if request.method == "POST" else None, lab=lab)
    if form.is_bound and form.is_valid():
        try:
            card = services.fact_card_create(
                actor=request.user, lab=lab, data=form.service_data()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The fact card is recorded."))
            return redirect("campaigns:fact_card", card_id=card.pk)
    return render(
        request, "campaigns/fact_form.html", {"form": form, "lab": lab, "labs": labs}
    )


@login_required
def fact_card(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.fact_card_get(user=request.user, card_id=card_id)
    can_manage = access.can(request.user, Perm.MANAGE_CAMPAIGNS, card.lab_id)
    form = FactCardForm(instance=card, lab=card.lab) if can_manage else None
    if request.method == "POST":
        _manage(request, card.lab_id)
        form = FactCardForm(request.POST, instance=card, lab=card.lab)
        if form.is_valid():
            try:
                services.fact_card_update(
                    actor=request.user, card=card, data=form.service_data()
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("The fact card is saved."))
                return redirect("campaigns:fact_card", card_id=card.pk)
        card.refresh_from_db()
    return render(
        request,
        "campaigns/fact_card.html",
        {
            "card": card,
            "form": form,
            "can_manage": can_manage,
            "source_form": FactSourceForm() if can_manage else None,
            "sources": card.sources.all(),
        },
    )


@login_required
@require_POST
def fact_source_add(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.fact_card_get(user=request.user, card_id=card_id)
    _manage(request, card.lab_id)
    form = FactSourceForm(request.POST)
    if form.is_valid():
        try:
            services.fact_source_add(
                actor=request.user, card=card, data=form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
    if form.errors:
        flash_form_errors(request, form)
    else:
        messages.success(request, _("The source is added."))
    return redirect("campaigns:fact_card", card_id=card.pk)


@login_required
@require_POST
def fact_card_publish(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.fact_card_get(user=request.user, card_id=card_id)
    _manage(request, card.lab_id)
    publish = request.POST.get("publish") != "0"
    try:
        services.fact_card_publish(actor=request.user, card=card, publish=publish)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The card is published.") if publish else _("The card is unpublished."),
        )
    return redirect("campaigns:fact_card", card_id=card.pk)
