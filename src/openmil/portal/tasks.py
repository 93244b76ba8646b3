"""E-mails of the participant space (django-tasks)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from openmil.core.models import UserProfile


@task()
def send_sign_in_link(
    *, account_id: int, minutes: int, invitation: bool = False
) -> bool:
    """Create a one-time sign-in link and e-mail it, in the person's language.

    The link's secret exists only here and in the e-mail.
    """
    from openmil.portal.models import ParticipantAccount
    from openmil.portal.services import sign_in_link_create

    account = (
        ParticipantAccount.objects.select_related("user", "participant__lab")
        .filter(pk=account_id, user__is_active=True)
        .first()
    )
    if account is None or not account.user.email:
        return False
    raw = sign_in_link_create(account=account, minutes=minutes)
    if raw is None:
        return False
    language = (
        UserProfile.objects.filter(user=account.user)
        .values_list("language", flat=True)
        .first()
    ) or settings.LANGUAGE_CODE
    protocol = "https" if settings.HTTPS else "http"
    path = reverse("portal:link_use", kwargs={"token": raw})
    context = {
        "name": account.participant.given_name,
        "lab": account.participant.lab.name,
        "url": f"{protocol}://{settings.OPENMIL_SITE_DOMAIN}{path}",
        "minutes": minutes,
        "hours": minutes // 60,
        "invitation": invitation,
    }
    with translation.override(language):
        subject = render_to_string("portal/email/sign_in_subject.txt", context)
        body = render_to_string("portal/email/sign_in.txt", context)
    send_mail(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [account.user.email],
    )
    return True
