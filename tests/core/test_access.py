"""core/access.py: the lab a page acts in."""

from __future__ import annotations

import pytest
from django.http import Http404

from openmil.core import access
from openmil.core.roles import Perm, Role
from tests.factories import LabFactory, member


def test_lab_choice_takes_the_lab_asked_for_or_the_first(coordinator, lab_a):
    lab_c = LabFactory(name="Another lab", slug="another")
    coordinator.memberships.create(lab=lab_c, role=Role.COORDINATOR)
    access.forget_memberships(coordinator)
    lab, labs = access.lab_choice(coordinator, Perm.MANAGE_LAB, None)
    assert [x.name for x in labs] == ["Another lab", "Lab A"]
    assert lab == lab_c
    assert access.lab_choice(coordinator, Perm.MANAGE_LAB, str(lab_a.pk))[0] == lab_a


def test_lab_choice_never_swaps_a_lab_the_user_may_not_act_in(coordinator, lab_b):
    with pytest.raises(Http404):
        access.lab_choice(coordinator, Perm.MANAGE_LAB, str(lab_b.pk))
    with pytest.raises(Http404):
        access.lab_choice(coordinator, Perm.MANAGE_LAB, "not-a-number")


def test_lab_choice_without_the_permission_anywhere_is_not_found(lab_a):
    partner = member(lab_a, Role.PARTNER_STAFF)
    with pytest.raises(Http404):
        access.lab_choice(partner, Perm.MANAGE_LAB, None)
