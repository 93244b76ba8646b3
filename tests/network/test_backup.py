"""tools/backup.sh and tools/restore.sh, end to end: an installation is
backed up, restored into a new database and data folder, and the restored
installation reads its encrypted files and keeps its network key.

With DATABASE_URL on PostgreSQL the round trip uses pg_dump/pg_restore
between two databases named after it (`<name>_hub` and `<name>_lab`);
otherwise SQLite files.
"""

import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]

WRITE = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from openmil.core.models import Lab, Network
lab = Lab.objects.create(network=Network.objects.create(name="N", slug="n"),
    name="Lab Backup", slug="lab-backup", country="PT", territory="Braga")
name = default_storage.save("backup/check.txt", ContentFile(b"kept secret"))
print("FILE", name)
"""

READ = """
from django.core.files.storage import default_storage
from openmil.core.models import Lab
print("LAB", Lab.objects.get(slug="lab-backup").name)
with default_storage.open("STORED") as handle:
    print("TEXT", handle.read().decode())
"""


def _postgres_urls() -> tuple[str, str] | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    name = dj_database_url.parse(url)["NAME"]
    base = url.rsplit("/", 1)[0]
    return f"{base}/{name}_hub", f"{base}/{name}_lab"


def _recreate(url: str) -> None:
    import psycopg

    config = dj_database_url.parse(url)
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def _env(data: Path, database_url: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data),
        "OPENMIL_DATA_DIR": str(data),
        "DATABASE_URL": database_url,
        "OPENMIL_PYTHON": sys.executable,
        "LOG_LEVEL": "WARNING",
    }


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        args, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _openmil(*args: str, env: dict[str, str]) -> str:
    return _run([sys.executable, "-m", "openmil.cli", *args], env)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_backup_restores_into_a_new_database_and_data_folder(tmp_path, engine):
    if engine == "postgresql":
        urls = _postgres_urls()
        if urls is None:
            pytest.skip("set DATABASE_URL to a PostgreSQL database to run this")
        source_url, target_url = urls
        _recreate(source_url)
        _recreate(target_url)
    else:
        source_url = f"sqlite:///{tmp_path / 'source' / 'openmil.sqlite3'}"
        target_url = f"sqlite:///{tmp_path / 'target' / 'openmil.sqlite3'}"
    source = _env(tmp_path / "source", source_url)
    target = _env(tmp_path / "target", target_url)
    (tmp_path / "source").mkdir()

    _openmil("migrate", "-v0", env=source)
    stored = _openmil("shell", "-c", WRITE, env=source).split("FILE ")[1].split()[0]
    keys = _openmil("network", "keys", env=source)
    # On disk the file is encrypted.
    assert b"kept secret" not in (tmp_path / "source" / "media" / stored).read_bytes()

    _run([str(ROOT / "tools" / "backup.sh"), str(tmp_path / "backup")], source)
    _run([str(ROOT / "tools" / "restore.sh"), str(tmp_path / "backup")], target)

    read = _openmil("shell", "-c", READ.replace("STORED", stored), env=target)
    assert "LAB Lab Backup" in read
    assert "TEXT kept secret" in read
    restored_keys = _openmil("network", "keys", env=target)
    assert restored_keys.split("public key:")[1] == keys.split("public key:")[1]
