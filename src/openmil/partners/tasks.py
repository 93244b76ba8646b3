"""Background work of the partners app (django-tasks)."""

from django_tasks import task

from openmil.partners.services import referrals_flag_overdue


@task()
def flag_overdue_referrals() -> int:
    """Daily: notify both sides of referrals past their deadline."""
    return referrals_flag_overdue()
