"""Reads of a user's own notifications."""

from typing import Any

from django.db.models import QuerySet

from openmil.notifications.models import Notification


def notification_list(
    *, user: Any, unread_only: bool = False
) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
