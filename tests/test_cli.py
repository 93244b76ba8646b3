"""The `openmil` command: demo data, tokens, name mapping and deploy checks."""

import io
import os
import secrets
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from openmil import cli
from openmil.core.models import ApiToken, AuditEntry, Lab, Membership, Network
from openmil.core.roles import Role
from openmil.core.services import api_token_authenticate
from openmil.demo.generator import DEMO_PASSWORD, NETWORK_SLUG
from openmil.participants.models import Consent, FollowUp, Need, Participant
from openmil.public.models import Project, Recommendation
from tests.factories import UserFactory


def demo_data(**options):
    out = io.StringIO()
    call_command("demo_data", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Network,
            Lab,
            Membership,
            get_user_model(),
            Participant,
            Need,
            Consent,
            FollowUp,
        )
    }


# demo_data


@pytest.mark.django_db
def test_demo_data_creates_labs_staff_and_participants():
    output = demo_data(labs=2, participants=20, seed=3)

    network = Network.objects.get(slug=NETWORK_SLUG)
    labs = list(network.labs.all())
    assert len(labs) == 2
    assert Participant.objects.filter(lab__in=labs).count() == 40
    assert "Created 40 participants in 2 labs." in output
    for lab in labs:
        roles = set(lab.memberships.values_list("role", flat=True))
        assert roles == {role.value for role in Role}
        assert lab.participants.count() == 20
    assert set(Need.objects.values_list("status", flat=True)) == set(Need.Status.values)
    assert set(Participant.objects.values_list("profile", flat=True)) == set(
        Participant.Profile.values
    )
    assert Consent.objects.filter(purpose=Consent.Purpose.CASE_MANAGEMENT).count() == 40


@pytest.mark.django_db
def test_demo_data_prints_logins_that_work():
    output = demo_data(labs=1, participants=5, seed=3)

    coordinator = Membership.objects.get(role=Role.COORDINATOR).user
    assert coordinator.username in output
    assert DEMO_PASSWORD in output
    response = Client().post(
        "/account/login/",
        {"username": coordinator.username, "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.django_db
def test_demo_data_twice_changes_nothing():
    demo_data(labs=2, participants=20, seed=3)
    before = counts()

    output = demo_data(labs=2, participants=20, seed=3)

    assert counts() == before
    assert "nothing changed" in output
    assert "40 participants" in output


@pytest.mark.django_db
def test_demo_data_with_the_same_seed_gives_the_same_people():
    def people():
        return list(
            Participant.objects.order_by("reference").values_list(
                "reference", "given_name", "family_name", "birth_date", "profile"
            )
        )

    demo_data(labs=1, participants=10, seed=3)
    first = people()
    Participant.objects.all().delete()
    # Citizens' projects and recommendations keep their lab (PROTECT): a lab
    # is not deleted under them by accident, so they go first here.
    Project.objects.all().delete()
    Recommendation.objects.all().delete()
    Lab.objects.all().delete()
    Network.objects.all().delete()

    demo_data(labs=1, participants=10, seed=3)

    assert people() == first
    assert len(first) == 10


@pytest.mark.django_db
def test_demo_data_is_audited_from_the_command_line():
    demo_data(labs=1, participants=3, seed=3)

    entry = AuditEntry.objects.get(object_type="demo_data")
    assert entry.channel == "cli"
    assert entry.detail == "3 demo participants generated"


@pytest.mark.django_db
def test_demo_data_refuses_zero_labs():
    err = io.StringIO()

    with pytest.raises(SystemExit) as exit_:
        call_command("demo_data", labs=0, stdout=io.StringIO(), stderr=err)

    assert exit_.value.code == 2
    assert "--labs must be at least 1" in err.getvalue()
    assert not Network.objects.exists()


# token


@pytest.mark.django_db
def test_token_command_prints_a_working_token():
    user = UserFactory(username="carla")
    out = io.StringIO()

    call_command("token", "create", "--user", "carla", "--name", "sync", stdout=out)

    raw = out.getvalue().strip()
    assert api_token_authenticate(raw) == user
    token = ApiToken.objects.get(user=user)
    assert token.name == "sync"
    assert token.expires_at is not None
    response = Client().get("/api/v1/labs", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert AuditEntry.objects.get(object_type="api_token").channel == "cli"


@pytest.mark.django_db
def test_token_command_with_zero_days_never_expires():
    UserFactory(username="carla")

    call_command(
        "token", "create", "--user", "carla", "--days", "0", stdout=io.StringIO()
    )

    assert ApiToken.objects.get().expires_at is None


@pytest.mark.django_db
def test_token_command_for_an_unknown_user_fails_clearly():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("token", "create", "--user", "nobody", stdout=io.StringIO())


# cli.main


def test_cli_help_accepts_the_dashed_command_name(capsys):
    cli.main(["openmil", "help", "demo-data"])

    out = capsys.readouterr().out
    assert "usage: openmil demo_data" in out
    assert "--participants" in out
    assert "--seed" in out


def test_cli_accepts_the_dashed_name_as_the_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["openmil", "demo-data", "--help"])

    assert exit_.value.code == 0
    assert "usage: openmil demo_data" in capsys.readouterr().out


def test_cli_lists_openmil_commands(capsys):
    cli.main(["openmil", "help"])

    out = capsys.readouterr().out
    for command in ("demo", "demo_data", "token"):
        assert f"    {command}\n" in out


# check --deploy under production-like settings


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "openmil.example.org",
        "OPENMIL_DATA_DIR": str(tmp_path),
    }

    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "openmil.cli",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
