"""Import jobs are visible only to those who may import in their lab."""

import uuid

import pytest
from django.http import Http404

from openmil.imports import selectors
from openmil.imports.models import ImportJob


@pytest.fixture
def job(lab_a, coordinator):
    return ImportJob.objects.create(
        lab=lab_a,
        kind="participants",
        created_by=coordinator,
        file_name="a.csv",
        file_format="csv",
        stored_path="a.csv",
    )


def test_the_labs_coordinator_finds_the_job(job, coordinator):
    assert selectors.import_job_get(user=coordinator, job_id=job.uuid) == job


@pytest.mark.parametrize("role", ["facilitator", "analyst", "outsider"])
def test_others_get_not_found(request, job, role):
    user = request.getfixturevalue(role)
    with pytest.raises(Http404):
        selectors.import_job_get(user=user, job_id=job.uuid)
    assert not selectors.import_jobs(user=user).exists()


def test_unknown_or_malformed_ids_are_not_found(job, coordinator):
    for job_id in (uuid.uuid4(), "nope", None):
        with pytest.raises(Http404):
            selectors.import_job_get(user=coordinator, job_id=job_id)
