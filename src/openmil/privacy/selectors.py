"""Reads for the privacy dashboard, erasure requests and retention."""

import datetime as dt
import statistics
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from openmil.core import access
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm
from openmil.participants.models import Consent, Participant
from openmil.privacy.models import ErasureRequest, LabPrivacySettings, RetentionRun

#: Days of the audit log read for access anomalies and exports.
ANOMALY_DAYS = 30
EXPORT_DAYS = 90
#: A day with fewer records opened than this is never unusual.
ANOMALY_FLOOR = 10


def privacy_settings_for(*, lab: Lab) -> LabPrivacySettings:
    """The lab's settings; the defaults (unsaved) when never set."""
    found = LabPrivacySettings.objects.filter(lab=lab).first()
    return found if found is not None else LabPrivacySettings(lab=lab)


def _privacy_lab_ids(user: Any) -> set[int]:
    return access.lab_ids_with(user, Perm.VIEW_PRIVACY) | access.lab_ids_with(
        user, Perm.APPROVE_ERASURE
    )


def erasure_requests(
    *, user: Any, lab_id: int | None = None, status: str = ""
) -> QuerySet[ErasureRequest]:
    """Requests of the labs whose privacy the user oversees."""
    lab_ids = _privacy_lab_ids(user)
    if lab_id is not None:
        lab_ids &= {lab_id}
    qs = ErasureRequest.objects.filter(lab_id__in=lab_ids)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related(
        "participant", "requested_by", "decided_by", "lab"
    ).order_by("-requested_at", "-id")


def erasure_request_get(*, user: Any, request_id: int) -> ErasureRequest:
    try:
        return erasure_requests(user=user).get(pk=request_id)
    except (ErasureRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def privacy_lab_get(*, user: Any, lab_id: int, permission: str) -> Lab:
    return access.lab_get(user, lab_id=lab_id, permission=permission)


def consent_counts(*, lab_id: int) -> dict[str, dict[str, int]]:
    """{purpose: {"active": n, "withdrawn": n}} for the lab's people."""
    rows = (
        Consent.objects.filter(participant__lab_id=lab_id)
        .values("purpose")
        .annotate(
            active=Count("id", filter=Q(withdrawn_at__isnull=True)),
            withdrawn=Count("id", filter=Q(withdrawn_at__isnull=False)),
        )
    )
    counts = {
        purpose: {"active": 0, "withdrawn": 0} for purpose in Consent.Purpose.values
    }
    for row in rows:
        counts[row["purpose"]] = {
            "active": row["active"],
            "withdrawn": row["withdrawn"],
        }
    return counts


def retention_runs(*, lab_id: int, limit: int = 20) -> list[RetentionRun]:
    return list(
        RetentionRun.objects.filter(lab_id=lab_id).select_related("triggered_by")[
            :limit
        ]
    )


def exports(*, lab_id: int, days: int = EXPORT_DAYS) -> QuerySet[AuditEntry]:
    """Audit entries of exports: every action whose name ends in "export"."""
    since = timezone.now() - dt.timedelta(days=days)
    return AuditEntry.objects.filter(
        lab_id=lab_id, action__endswith="export", at__gte=since
    ).order_by("-at", "-id")


def exports_by_user(*, lab_id: int, days: int = EXPORT_DAYS) -> list[dict[str, Any]]:
    rows = (
        exports(lab_id=lab_id, days=days)
        .order_by()
        .values("actor_name")
        .annotate(n=Count("id"))
        .order_by("-n", "actor_name")
    )
    return [{"actor_name": r["actor_name"], "n": r["n"]} for r in rows]


@dataclass(frozen=True)
class Anomaly:
    """A day on which a user opened unusually many participant records."""

    actor_id: int | None
    actor_name: str
    day: dt.date
    count: int
    median: float
    over_threshold: bool
    over_median: bool

    @property
    def ratio(self) -> float:
        return self.count / self.median if self.median else float(self.count)


def access_anomalies(
    *,
    lab_id: int,
    today: dt.date | None = None,
    days: int = ANOMALY_DAYS,
    limit: int = 10,
) -> list[Anomaly]:
    """Users' days of record views far above their own median or the lab's limit.

    Counts audit entries with action `view` that name a participant (a
    record opened), per user and per day in the lab's time zone, over the
    last `days` days. A day is unusual when it reaches the lab's daily
    threshold, or when it is at least `median_factor` times the user's
    median day (and at least ANOMALY_FLOOR records). The top `limit` by
    count are returned.
    """
    lab = Lab.objects.get(pk=lab_id)
    rules = privacy_settings_for(lab=lab)
    tz = zoneinfo.ZoneInfo(lab.time_zone)
    today = today or timezone.localtime(timezone.now(), tz).date()
    start = dt.datetime.combine(
        today - dt.timedelta(days=days - 1), dt.time.min, tzinfo=tz
    )
    rows = (
        AuditEntry.objects.filter(
            lab_id=lab_id,
            action=AuditEntry.Action.VIEW,
            participant_id__isnull=False,
            at__gte=start,
        )
        .annotate(day=TruncDate("at", tzinfo=tz))
        .order_by()
        .values("actor_id", "actor_name", "day")
        .annotate(n=Count("id"))
    )
    per_user: dict[tuple[Any, str], list[tuple[dt.date, int]]] = {}
    for row in rows:
        per_user.setdefault((row["actor_id"], row["actor_name"]), []).append(
            (row["day"], row["n"])
        )
    found = []
    for (actor_id, name), counts in per_user.items():
        median = statistics.median(n for _day, n in counts)
        for day, n in counts:
            over_threshold = n >= rules.daily_view_threshold
            over_median = n >= ANOMALY_FLOOR and n >= rules.median_factor * median
            if over_threshold or over_median:
                found.append(
                    Anomaly(actor_id, name, day, n, median, over_threshold, over_median)
                )
    found.sort(key=lambda a: (-a.count, -a.ratio, a.actor_name, a.day))
    return found[:limit]


@dataclass(frozen=True)
class Dashboard:
    lab: Lab
    settings: LabPrivacySettings
    consents: dict[str, dict[str, int]]
    pending: list[ErasureRequest]
    decided: list[ErasureRequest]
    runs: list[RetentionRun]
    exports: list[AuditEntry]
    exports_by_user: list[dict[str, Any]]
    anomalies: list[Anomaly]
    anonymised: int


def privacy_dashboard(
    *, user: Any, lab_id: int, today: dt.date | None = None
) -> Dashboard:
    """Every figure of the lab's privacy dashboard, or Http404."""
    lab = access.lab_get(user, lab_id=lab_id, permission=Perm.VIEW_PRIVACY)
    requests = erasure_requests(user=user, lab_id=lab.pk)
    return Dashboard(
        lab=lab,
        settings=privacy_settings_for(lab=lab),
        consents=consent_counts(lab_id=lab.pk),
        pending=list(requests.filter(status=ErasureRequest.Status.PENDING)),
        decided=list(requests.exclude(status=ErasureRequest.Status.PENDING)[:20]),
        runs=retention_runs(lab_id=lab.pk),
        exports=list(exports(lab_id=lab.pk)[:50]),
        exports_by_user=exports_by_user(lab_id=lab.pk),
        anomalies=access_anomalies(lab_id=lab.pk, today=today),
        anonymised=Participant.objects.filter(
            lab=lab, anonymised_at__isnull=False
        ).count(),
    )
