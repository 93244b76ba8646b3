"""The demo's partner data: services, referrals in every state, opportunities."""

import io

from django.core.management import call_command

from openmil.partners.models import Opportunity, Referral, ReferralEvent, Service
from openmil.partners.selectors import overdue_q


def test_demo_has_services_referrals_in_every_state_and_opportunities(db):
    call_command("demo_data", labs=1, participants=60, seed=3, stdout=io.StringIO())
    assert Service.objects.count() >= 10
    assert Opportunity.objects.filter(is_open=True).exists()
    states = set(Referral.objects.values_list("status", flat=True))
    assert states == set(Referral.Status.values)
    assert Referral.objects.filter(overdue_q()).exists()
    # Every referral has its history, oldest first, ending in its state.
    for r in Referral.objects.all():
        events = list(ReferralEvent.objects.filter(referral=r).order_by("at", "id"))
        assert events[0].to_status == "draft"
        assert events[-1].to_status == r.status
        assert [e.at for e in events] == sorted(e.at for e in events)
    # Partner staff of the demo have a queue.
    assert Referral.objects.filter(
        organisation__staff__user__username__startswith="partner.",
        status="sent",
    ).exists()
