"""A round from the platform's data: propose, explain, accept, reject."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openmil.core.models import AuditEntry
from openmil.partners.models import Referral
from openmil.placements import selectors, services
from openmil.placements.models import MatchingRound, Proposal
from tests.placements.conftest import sharing_consent


@pytest.fixture
def done(setup, facilitator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        round = services.round_create(
            actor=facilitator,
            lab=setup.lab,
            title="June",
            participants=[setup.cook, setup.porter, setup.beginner],
            opportunities=[setup.kitchen, setup.warehouse],
        )
    round.refresh_from_db()
    return round


def _chosen(round, person):
    return Proposal.objects.get(round=round, participant=person, chosen=True)


def test_round_runs_in_the_background_and_proposes_the_best_pairs(done, setup):
    assert done.status == MatchingRound.Status.DONE
    assert done.progress == 100
    assert done.result["status"] == "optimal"
    assert done.result["proposed"] == 2
    assert _chosen(done, setup.cook).opportunity == setup.kitchen
    assert _chosen(done, setup.porter).opportunity == setup.warehouse
    assert not Proposal.objects.filter(
        round=done, participant=setup.beginner, chosen=True
    ).exists()
    # Components are stored with each pair.
    pair = _chosen(done, setup.cook)
    names = [c["name"] for c in pair.components["components"]]
    assert names == ["occupation", "language", "place", "dates", "preference"]
    assert pair.components["components"][0]["value"] == 1.0
    assert done.outcome_model == {"used": False, "n": 0}


def test_explanations_say_why_not(done, setup, facilitator):
    review = {
        e["participant"].pk: e
        for e in selectors.round_review(user=facilitator, round=done)
    }
    beginner = {
        p["proposal"].opportunity_id: p["why"]
        for p in review[setup.beginner.pk]["pairs"]
    }
    assert "Requirement unmet" in beginner[setup.kitchen.pk]
    assert "A2 required" in beginner[setup.kitchen.pk]
    porter = {
        p["proposal"].opportunity_id: p["why"] for p in review[setup.porter.pk]["pairs"]
    }
    assert porter[setup.warehouse.pk].startswith("Proposed")
    kitchen_for_porter = Proposal.objects.get(
        round=done, participant=setup.porter, opportunity=setup.kitchen
    )
    chosen = _chosen(done, setup.porter)
    expected = (
        "Capacity full" if kitchen_for_porter.score > chosen.score else "Lower score"
    )
    assert porter[setup.kitchen.pk].startswith(expected)


def test_accept_creates_a_sent_referral_to_the_partner(done, setup, facilitator):
    sharing_consent(setup.cook)
    proposal = services.proposal_accept(
        actor=facilitator, proposal=_chosen(done, setup.cook)
    )
    assert proposal.decision == Proposal.Decision.ACCEPTED
    referral = proposal.referral
    assert referral is not None
    assert referral.organisation == setup.employer
    assert referral.participant == setup.cook
    assert referral.status == Referral.Status.SENT
    assert "Cook in a canteen" in referral.note
    assert AuditEntry.objects.filter(
        object_type="proposal", object_id=str(proposal.pk), detail="accepted"
    ).exists()
    with pytest.raises(ValidationError):
        services.proposal_accept(actor=facilitator, proposal=proposal)


def test_accept_without_consent_is_refused_and_changes_nothing(
    done, setup, facilitator, coordinator
):
    proposal = _chosen(done, setup.cook)
    with pytest.raises(ValidationError, match="consent"):
        services.proposal_accept(actor=facilitator, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.decision == Proposal.Decision.PENDING
    assert not Referral.objects.filter(participant=setup.cook).exists()
    # A facilitator may not override consent; a coordinator may, with a reason.
    with pytest.raises(PermissionDenied):
        services.proposal_accept(
            actor=facilitator, proposal=proposal, consent_override_reason="urgent"
        )
    proposal = services.proposal_accept(
        actor=coordinator, proposal=proposal, consent_override_reason="urgent"
    )
    assert proposal.referral.consent_override_reason == "urgent"


def test_reject_needs_a_reason_and_is_logged(done, setup, facilitator):
    proposal = _chosen(done, setup.porter)
    with pytest.raises(ValidationError):
        services.proposal_reject(actor=facilitator, proposal=proposal, reason=" ")
    services.proposal_reject(
        actor=facilitator, proposal=proposal, reason="Starts a course instead"
    )
    proposal.refresh_from_db()
    assert proposal.decision == Proposal.Decision.REJECTED
    assert proposal.reason == "Starts a course instead"
    assert AuditEntry.objects.filter(
        object_type="proposal", detail="rejected (override)"
    ).exists()


def test_accepting_an_alternative_is_an_override_with_a_reason(
    done, setup, facilitator
):
    sharing_consent(setup.porter)
    alternative = Proposal.objects.get(
        round=done, participant=setup.porter, opportunity=setup.kitchen
    )
    with pytest.raises(ValidationError, match="did not propose"):
        services.proposal_accept(actor=facilitator, proposal=alternative)
    services.proposal_accept(
        actor=facilitator, proposal=alternative, reason="Trained as a cook since"
    )
    assert AuditEntry.objects.filter(detail="accepted (override)").exists()
    unmet = Proposal.objects.get(
        round=done, participant=setup.beginner, opportunity=setup.kitchen
    )
    with pytest.raises(ValidationError, match="requirement"):
        services.proposal_accept(actor=facilitator, proposal=unmet, reason="try")


def test_preferences_change_the_score_and_are_shown(setup, facilitator):
    services.preference_update(
        actor=facilitator,
        participant=setup.beginner,
        data={"kinds": ["training"], "places": ["porto"], "occupations": ["5120"]},
    )
    facts = selectors.person_facts([setup.beginner])[setup.beginner.pk]
    assert facts.kinds == ("training",)
    assert facts.wanted_occupations == ("5120",)
    assert facts.cefr == {"pt": 0}


def test_latest_cefr_takes_the_lowest_of_the_latest_per_skill(setup):
    from tests.placements.conftest import cefr

    cefr(setup.porter, 4)  # newer, same date: the latest row wins
    assert selectors.latest_cefr([setup.porter.pk])[setup.porter.pk]["pt"] == 4


def test_round_refuses_other_labs_and_roles(
    setup, outsider, analyst, coordinator, lab_b
):
    from tests.factories import ParticipantFactory

    for actor in (outsider, analyst):
        with pytest.raises(PermissionDenied):
            services.round_create(
                actor=actor,
                lab=setup.lab,
                title="x",
                participants=[setup.cook],
                opportunities=[setup.kitchen],
            )
    with pytest.raises(ValidationError):
        services.round_create(
            actor=coordinator,
            lab=setup.lab,
            title="x",
            participants=[ParticipantFactory(lab=lab_b)],
            opportunities=[setup.kitchen],
        )


def test_outcome_history_from_closed_referrals(done, setup, facilitator):
    """Closed referrals of accepted proposals become the lab's history."""
    sharing_consent(setup.cook)
    services.proposal_accept(actor=facilitator, proposal=_chosen(done, setup.cook))
    proposal = _chosen(done, setup.cook)
    Referral.objects.filter(pk=proposal.referral_id).update(status="completed")
    x, y = selectors.outcome_history(lab_id=setup.lab.pk)
    assert y == [1] and x[0][0] == 1.0  # the cook's occupation component
    Referral.objects.filter(pk=proposal.referral_id).update(status="not_completed")
    assert selectors.outcome_history(lab_id=setup.lab.pk)[1] == [0]


def test_a_lab_with_outcome_history_gets_predicted_outcomes(
    setup, facilitator, django_capture_on_commit_callbacks
):
    """40 past placements: good when the occupation matched. The model learns
    it, its calibration is stored, and each pair shows its prediction."""
    from tests.factories import ParticipantFactory

    past = MatchingRound.objects.create(lab=setup.lab, title="Past", status="done")
    for i in range(40):
        person = ParticipantFactory(lab=setup.lab)
        match = i % 2 == 0
        referral = Referral.objects.create(
            lab=setup.lab,
            participant=person,
            service=setup.service,
            organisation=setup.employer,
            status="completed" if match else "not_completed",
        )
        Proposal.objects.create(
            round=past,
            participant=person,
            opportunity=setup.kitchen,
            score=0.5,
            chosen=True,
            decision="accepted",
            referral=referral,
            components={
                "components": [
                    {"name": "occupation", "value": 1.0 if match else 0.0},
                    {"name": "language", "value": 1.0},
                ]
            },
        )
    with django_capture_on_commit_callbacks(execute=True):
        round = services.round_create(
            actor=facilitator,
            lab=setup.lab,
            title="With history",
            participants=[setup.cook, setup.porter],
            opportunities=[setup.kitchen, setup.warehouse],
        )
    round.refresh_from_db()
    model = round.outcome_model
    assert model["used"] is True and model["n"] == 40 and model["positives"] == 20
    assert model["brier"] < model["brier_baseline"]
    assert len(model["bins"]) == 5
    cook = Proposal.objects.get(
        round=round, participant=setup.cook, opportunity=setup.kitchen
    )
    porter = Proposal.objects.get(
        round=round, participant=setup.porter, opportunity=setup.kitchen
    )
    assert cook.components["outcome"] > 0.8 > 0.2 > porter.components["outcome"]
