"""Creating notifications, reading them, and each user's preference.

Every app notifies through `notify()`: it writes the in-app rows now and
queues the e-mails once the transaction commits, so a rolled-back change
sends nothing.
"""

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from openmil.core.models import UserProfile
from openmil.notifications.models import Notification, NotificationPreference


def _language_of(user: Any) -> str:
    language = (
        UserProfile.objects.filter(user=user).values_list("language", flat=True).first()
    )
    return language or settings.LANGUAGE_CODE


def email_choice(user: Any) -> str:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref.email if pref else NotificationPreference.Email.IMMEDIATE


def notify(
    *, users: Iterable[Any], kind: str, title: Callable[[], str], url: str = ""
) -> list[Notification]:
    """Notify each user once.

    `title` is called in each recipient's language (it wraps a gettext call).
    Give it no personal data: a record number and an organisation's name.
    """
    created = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        with translation.override(_language_of(user)):
            text = str(title())[:200]
        note = Notification.objects.create(user=user, kind=kind, title=text, url=url)
        created.append(note)
        if user.email and email_choice(user) == NotificationPreference.Email.IMMEDIATE:
            transaction.on_commit(partial(_send_email, note.pk))
    return created


def _send_email(notification_id: int) -> None:
    from openmil.notifications.tasks import send_notification_email

    send_notification_email.enqueue(notification_id=notification_id)


def notification_mark_read(*, user: Any, notification_id: int) -> int:
    """Mark one of the user's own notifications read; 0 if it is not theirs."""
    return Notification.objects.filter(
        user=user, pk=notification_id, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_set(*, user: Any, email: str) -> NotificationPreference:
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email}
    )
    return pref
