"""E-mails of notifications: one at a time, or a daily digest."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from openmil.notifications.models import Notification, NotificationPreference
from openmil.notifications.services import _language_of


def _context(**extra: object) -> dict[str, object]:
    return {
        "domain": settings.OPENMIL_SITE_DOMAIN,
        "protocol": "https" if settings.HTTPS else "http",
        **extra,
    }


@task()
def send_notification_email(*, notification_id: int) -> bool:
    """E-mail one notification unless it went out already."""
    note = (
        Notification.objects.select_related("user")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if note is None or not note.user.email or not note.user.is_active:
        return False
    with translation.override(_language_of(note.user)):
        body = render_to_string(
            "notifications/email/one.txt", _context(notifications=[note])
        )
        subject = "OpenMIL: " + note.title
    send_mail(subject[:150], body, settings.DEFAULT_FROM_EMAIL, [note.user.email])
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    return True


@task()
def send_daily_digests() -> int:
    """One e-mail per digest user with the past day's unsent notifications."""
    since = timezone.now() - dt.timedelta(days=1)
    sent = 0
    users = get_user_model().objects.filter(
        is_active=True,
        notification_preference__email=NotificationPreference.Email.DIGEST,
    )
    for user in users:
        notes = list(
            Notification.objects.filter(
                user=user, emailed_at__isnull=True, created_at__gte=since
            ).order_by("created_at")
        )
        if not notes or not user.email:
            continue
        with translation.override(_language_of(user)):
            body = render_to_string(
                "notifications/email/digest.txt", _context(notifications=notes)
            )
            subject = str(translation.gettext("OpenMIL: your daily digest"))
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(
            emailed_at=timezone.now()
        )
        sent += 1
    return sent
