"""`openmil notifications-daily`: the once-a-day work, for cron or a timer.

Queues the overdue-referral flags and then the daily digests (the digests
carry the overdue notifications of the same run).
"""

from typing import Any

from django.core.management.base import BaseCommand

from openmil.notifications.tasks import send_daily_digests
from openmil.partners.tasks import flag_overdue_referrals


class Command(BaseCommand):
    help = "Flag overdue referrals and send the daily digests (run once a day)."

    def handle(self, *args: Any, **options: Any) -> None:
        flag_overdue_referrals.enqueue()
        send_daily_digests.enqueue()
        self.stdout.write("Queued: overdue referrals, daily digests.")
