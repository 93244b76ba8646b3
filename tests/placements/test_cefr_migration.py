"""Opportunities' text CEFR levels become the one scale of core.codes."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from openmil.core.codes import CEFR_CODES, CefrLevel
from openmil.partners.models import Opportunity
from openmil.pathways.models import CefrLevel as PathwaysCefrLevel

BEFORE = [("partners", "0002_encrypted_notes")]
AFTER = [("partners", "0003_cefr_level_scale")]


def test_one_scale_for_pathways_and_partners():
    assert PathwaysCefrLevel is CefrLevel
    field = Opportunity._meta.get_field("min_cefr")
    assert field.choices == CefrLevel.choices
    assert [CefrLevel.from_code(c) for c in CEFR_CODES] == list(CefrLevel)
    assert CefrLevel.B1.code == "b1"
    with pytest.raises(ValueError):
        CefrLevel.from_code("d1")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_db")
def test_text_levels_are_migrated_to_numbers_and_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Network = apps.get_model("core", "Network")
    Lab = apps.get_model("core", "Lab")
    Organisation = apps.get_model("core", "Organisation")
    Old = apps.get_model("partners", "Opportunity")
    network = Network.objects.create(name="Old network", slug="old-network")
    lab = Lab.objects.create(
        network=network, name="Old lab", slug="old-lab", country="PT"
    )
    org = Organisation.objects.create(lab=lab, name="Employer", kind="employer")
    for code in ("pre_a1", "b1", "c2", ""):
        Old.objects.create(
            organisation=org,
            kind="vacancy",
            title=code or "none",
            language="pt" if code else "",
            min_cefr=code,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    New = apps.get_model("partners", "Opportunity")
    levels = dict(New.objects.values_list("title", "min_cefr"))
    assert levels == {"pre_a1": 0, "b1": 3, "c2": 6, "none": None}
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Old = apps.get_model("partners", "Opportunity")
    assert dict(Old.objects.values_list("title", "min_cefr")) == {
        "pre_a1": "pre_a1",
        "b1": "b1",
        "c2": "c2",
        "none": "",
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
