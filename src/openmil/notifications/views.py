"""The user's own notifications: list, mark read, e-mail preference."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openmil.notifications import selectors, services
from openmil.notifications.models import Notification, NotificationPreference


class PreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label=gettext_lazy("E-mail me"),
        choices=NotificationPreference.Email.choices,
        widget=forms.RadioSelect,
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.notification_list(user=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and follow its link."""
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    user: Any = request.user
    note = Notification.objects.filter(user=user, pk=notification_id).first()
    target = note.url if note else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("Every notification is marked read."))
    return redirect("notifications:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferenceForm(
        request.POST or None,
        initial={"email": services.email_choice(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        services.preference_set(user=request.user, email=form.cleaned_data["email"])
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
