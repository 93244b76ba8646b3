"""Batch runs, merges and undoing them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.dedup import selectors, services
from openmil.dedup.models import DedupRun, DuplicateCandidate, LinkageModel, Merge
from openmil.participants.models import Consent, FollowUp, Need, Participant
from tests.dedup.factories import load_generated
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    LabFactory,
    NeedFactory,
    ParticipantFactory,
    member,
    need_type,
)


def twin(lab, **changes):
    data = {
        "lab": lab,
        "given_name": "Youssef",
        "family_name": "Haddad",
        "birth_date": dt.date(1990, 4, 7),
        "country_of_origin": "SY",
        "phone": "+351 912 345 678",
    }
    data.update(changes)
    return ParticipantFactory(**data)


def run_for(user, callbacks, **scope):
    with callbacks(execute=True):
        run = services.dedup_run_request(actor=user, **scope)
    run.refresh_from_db()
    return run


def test_a_lab_run_trains_the_model_and_finds_the_planted_duplicates(
    coordinator, lab_a, django_capture_on_commit_callbacks
):
    data, ids = load_generated(lab_a, 1200)
    run = run_for(coordinator, django_capture_on_commit_callbacks, lab=lab_a)
    assert run.status == DedupRun.Status.DONE, run.message
    assert run.record_count == len(data.records)
    assert LinkageModel.objects.get(network=lab_a.network).params["trained"]
    truth = {(min(ids[a], ids[b]), max(ids[a], ids[b])) for a, b in data.true_pairs}
    found = set(
        DuplicateCandidate.objects.filter(run=run).values_list("left_id", "right_id")
    )
    hits = len(found & truth)
    assert hits / len(found) >= 0.98
    assert hits / len(truth) >= 0.95


def test_a_run_reads_only_what_its_requester_may_see(
    coordinator, lab_a, lab_b, django_capture_on_commit_callbacks
):
    twin(lab_a)
    twin(lab_a, given_name="Yusuf", phone="")
    twin(lab_b)
    restricted = twin(lab_a, given_name="Youssef", family_name="Hadad")
    restricted.processing_restricted = True
    restricted.save()
    facilitator = member(lab_a, Role.FACILITATOR)
    # A facilitator may not run a search at all.
    with pytest.raises(PermissionDenied):
        services.dedup_run_request(actor=facilitator, lab=lab_a)
    run = run_for(coordinator, django_capture_on_commit_callbacks, lab=lab_a)
    assert run.status == DedupRun.Status.DONE
    pairs = DuplicateCandidate.objects.filter(run=run)
    assert pairs.exists()
    lab_ids = {p.left.lab_id for p in pairs} | {p.right.lab_id for p in pairs}
    assert lab_ids == {lab_a.pk}


def test_network_runs_flag_pairs_only_to_users_who_see_both_records(
    lab_a, django_capture_on_commit_callbacks
):
    lab_c = LabFactory(network=lab_a.network)
    both = member(lab_a, Role.COORDINATOR)
    member(lab_c, Role.COORDINATOR, user=both)
    only_c = member(lab_c, Role.COORDINATOR)
    left, right = twin(lab_a), twin(lab_c, given_name="Yusuf")
    run = run_for(both, django_capture_on_commit_callbacks, network=lab_a.network)
    assert run.status == DedupRun.Status.DONE
    pair = DuplicateCandidate.objects.get(run=run)
    assert {pair.left_id, pair.right_id} == {left.pk, right.pk}
    assert list(selectors.candidates_for(user=both)) == [pair]
    assert not selectors.candidates_for(user=only_c).exists()


def test_dismissing_a_pair_is_audited(
    coordinator, lab_a, django_capture_on_commit_callbacks
):
    twin(lab_a)
    twin(lab_a, given_name="Yusuf")
    run_for(coordinator, django_capture_on_commit_callbacks, lab=lab_a)
    pair = selectors.candidates_for(user=coordinator).get()
    services.candidate_dismiss(actor=coordinator, candidate=pair)
    assert not selectors.candidates_for(user=coordinator).exists()
    assert AuditEntry.objects.filter(object_type="duplicate_candidate").exists()


@pytest.fixture
def pair(lab_a, coordinator):
    kept = twin(lab_a, reference="K-1", email="", address="Rua A")
    removed = twin(
        lab_a, reference="R-1", given_name="Yusuf", email="yusuf@example.org"
    )
    NeedFactory(participant=kept, need_type=need_type("housing"))
    NeedFactory(participant=removed, need_type=need_type("housing"))  # clashes
    NeedFactory(participant=removed, need_type=need_type("health"))
    ConsentFactory(participant=removed, purpose=Consent.Purpose.FOLLOW_UP)
    FollowUpFactory(participant=removed)
    return kept, removed


def test_merge_moves_related_rows_and_takes_the_chosen_fields(pair, coordinator):
    kept, removed = pair
    merge = services.participant_merge(
        actor=coordinator, kept=kept, removed=removed, take_from_removed=["email"]
    )
    kept.refresh_from_db()
    assert kept.email == "yusuf@example.org" and kept.given_name == "Youssef"
    assert not Participant.objects.filter(pk=removed.pk).exists()
    assert set(kept.needs.values_list("need_type__code", flat=True)) == {
        "housing",
        "health",
    }
    assert kept.consents.count() == 1 and kept.follow_ups.count() == 1
    assert merge.moved
    assert AuditEntry.objects.filter(
        action="delete", participant_id=removed.pk, detail__startswith="merged"
    ).exists()
    assert AuditEntry.objects.filter(
        action="update", participant_id=kept.pk, detail__startswith="merged"
    ).exists()


def test_undo_restores_both_records_and_moves_the_rows_back(pair, coordinator):
    kept, removed = pair
    before = {
        "kept": Participant.objects.filter(pk=kept.pk).values().get(),
        "removed": Participant.objects.filter(pk=removed.pk).values().get(),
        "needs": sorted(Need.objects.values_list("pk", "participant_id")),
        "consents": sorted(Consent.objects.values_list("pk", "participant_id")),
        "follow_ups": sorted(FollowUp.objects.values_list("pk", "participant_id")),
    }
    merge = services.participant_merge(
        actor=coordinator,
        kept=kept,
        removed=removed,
        take_from_removed=["email", "reference"],
    )
    assert Participant.objects.get(pk=kept.pk).reference == "R-1"
    services.merge_undo(actor=coordinator, merge=merge)
    after = {
        "kept": Participant.objects.filter(pk=kept.pk).values().get(),
        "removed": Participant.objects.filter(pk=removed.pk).values().get(),
        "needs": sorted(Need.objects.values_list("pk", "participant_id")),
        "consents": sorted(Consent.objects.values_list("pk", "participant_id")),
        "follow_ups": sorted(FollowUp.objects.values_list("pk", "participant_id")),
    }
    for key in before:
        if key in ("kept", "removed"):
            for record in (before[key], after[key]):
                record.pop("updated_at")
        assert after[key] == before[key], key
    merge.refresh_from_db()
    assert merge.undone_at is not None
    with pytest.raises(ValidationError):
        services.merge_undo(actor=coordinator, merge=merge)


def test_merge_refuses_other_labs_itself_and_other_roles(pair, coordinator, lab_b):
    kept, removed = pair
    with pytest.raises(ValidationError):
        services.participant_merge(
            actor=coordinator, kept=kept, removed=kept, take_from_removed=[]
        )
    with pytest.raises(ValidationError):
        services.participant_merge(
            actor=coordinator,
            kept=kept,
            removed=twin(lab_b),
            take_from_removed=[],
        )
    with pytest.raises(PermissionDenied):
        services.participant_merge(
            actor=member(kept.lab, Role.FACILITATOR),
            kept=kept,
            removed=removed,
            take_from_removed=[],
        )
    assert not Merge.objects.exists()
