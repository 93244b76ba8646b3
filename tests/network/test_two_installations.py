"""Two OpenMIL installations on loopback, each with its own data folder and
database: a lab installation joins a hub, pushes, and the hub verifies.

The servers are real `openmil runserver` processes; the test drives them
with the `openmil network` commands and plain HTTP.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from openmil.network import federation

LAB_SETUP = """
from django.utils import timezone
from openmil.core.models import Lab, Network
from openmil.indicators.registry import Period
from openmil.indicators.services import snapshot_compute
from openmil.network import search
from openmil.network.models import Practice, PracticeVersion
network = Network.objects.create(name="Porto network", slug="porto")
lab = Lab.objects.create(network=network, name="Lab Porto", slug="lab-porto",
    country="PT", territory="Porto", time_zone="Europe/Lisbon")
snapshot_compute(lab=lab, period=Period.parse("2026"))
practice = Practice.objects.create(lab=lab, pillar="economic",
    status="published", published_at=timezone.now())
search.index_version(PracticeVersion.objects.create(practice=practice,
    language="en", title="Cooking together", summary="A community kitchen."))
"""

NEW_SNAPSHOT = """
from openmil.core.models import Lab
from openmil.indicators.registry import Period
from openmil.indicators.services import snapshot_compute
snapshot_compute(lab=Lab.objects.get(slug="lab-porto"), period=Period.parse("2025"))
"""

HUB_COUNTS = """
import json
from openmil.network.models import FederatedPractice, FederatedSnapshot
print(json.dumps({
    "snapshots": sorted(FederatedSnapshot.objects.values_list("period", flat=True)),
    "practices": FederatedPractice.objects.count(),
}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Installation:
    def __init__(self, root: Path, name: str, template_db: Path):
        self.dir = root / name
        self.dir.mkdir()
        shutil.copy(template_db, self.dir / "openmil.sqlite3")
        self.port = _free_port()
        self.server: subprocess.Popen | None = None
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.dir),
            "OPENMIL_DATA_DIR": str(self.dir),
            "DATABASE_URL": f"sqlite:///{self.dir / 'openmil.sqlite3'}",
            "OPENMIL_HTTPS": "0",
            "OPENMIL_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            # Retries are due at once here; the backoff is tested elsewhere.
            "OPENMIL_NETWORK_RETRY_BASE_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "openmil.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def start(self) -> None:
        self.server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "openmil.cli",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        raise AssertionError("the server did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)
            self.server = None


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - loopback
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """One migrated SQLite database, copied for each installation."""
    root = tmp_path_factory.mktemp("template")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "OPENMIL_DATA_DIR": str(root),
        "DATABASE_URL": f"sqlite:///{root / 'openmil.sqlite3'}",
    }
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "openmil.cli", "migrate", "-v0"],
        env=env,
        check=True,
        timeout=300,
    )
    return root / "openmil.sqlite3"


@pytest.fixture
def installations(tmp_path, template_db):
    hub = Installation(tmp_path, "hub", template_db)
    lab = Installation(tmp_path, "lab", template_db)
    yield hub, lab
    hub.stop()
    lab.stop()


def hub_counts(hub: Installation) -> dict:
    return json.loads(hub.run("shell", "-c", HUB_COUNTS).stdout.splitlines()[-1])


def test_a_lab_installation_joins_a_hub_and_pushes_exactly_once(installations):
    hub, lab = installations
    lab.run("shell", "-c", LAB_SETUP)
    hub.start()

    # The lab's keys, in its own data folder.
    keys = lab.run("network", "keys").stdout
    fingerprint = keys.split("fingerprint: ")[1].split()[0]
    assert (lab.dir / "network" / "lab_ed25519.pem").stat().st_mode & 0o077 == 0

    # Join: the hub records the key, pending approval.
    joined = lab.run("network", "join", hub.url, "--lab", "lab-porto").stdout
    assert "pending" in joined and fingerprint in joined
    # Not yet approved: the hub refuses, the lab keeps its payloads waiting.
    pushed = lab.run("network", "push").stdout
    assert "sent 0, waiting 2" in pushed
    assert hub_counts(hub) == {"snapshots": [], "practices": 0}

    # The trust step on the hub, with the fingerprint given by another channel.
    assert (
        hub.run(
            "network", "approve", "lab-porto", "--fingerprint", "0000:1111", check=False
        ).returncode
        != 0
    )
    hub.run("network", "approve", "lab-porto", "--fingerprint", fingerprint)

    pushed = lab.run("network", "push").stdout
    assert "sent 2, waiting 0" in pushed
    assert hub_counts(hub) == {"snapshots": ["2026"], "practices": 1}

    # Tampered and replayed payloads, signed with the lab's real key.
    key = serialization.load_pem_private_key(
        (lab.dir / "network" / "lab_ed25519.pem").read_bytes(), password=None
    )
    content = {
        "period": "2026",
        "computed_at": "2026-11-01T00:00:00+00:00",
        "figures": {},
    }
    envelope = federation.sign(
        federation.payload_make(
            lab="lab-porto", sequence=900, kind="snapshot", content=content
        ),
        key,
    )
    tampered = json.loads(json.dumps(envelope))
    tampered["payload"]["content"]["figures"] = {"x": {"n": "1000", "value": 1}}
    status, answer = _post(hub.url + "/api/v1/network/push", tampered)
    assert status == 401, answer
    status, _answer = _post(hub.url + "/api/v1/network/push", envelope)
    assert status == 201
    status, answer = _post(hub.url + "/api/v1/network/push", envelope)
    assert (status, answer["code"]) == (409, "duplicate")
    assert hub_counts(hub)["snapshots"] == ["2026", "2026"]

    # The hub goes down; a new snapshot waits in the lab's outbox.
    hub.stop()
    lab.run("shell", "-c", NEW_SNAPSHOT)
    pushed = lab.run("network", "push").stdout
    assert "queued 1, sent 0, waiting 1" in pushed
    # Back up: delivered once, and pushing again sends nothing.
    hub.start()
    assert "queued 0, sent 1, waiting 0" in lab.run("network", "push").stdout
    assert "queued 0, sent 0, waiting 0" in lab.run("network", "push").stdout
    assert hub_counts(hub) == {"snapshots": ["2025", "2026", "2026"], "practices": 1}
