"""The one sanctioned change to the audit log: redacting an erased person.

Core migration 0002 makes the database refuse every UPDATE of an audit
entry. This migration narrows that refusal by exactly one case: an UPDATE
that changes nothing but `changes` and `detail`, of an entry whose
participant is anonymised (participants_participant.anonymised_at set) and
holds a redaction grant (privacy_auditredactiongrant), which the erasure
service inserts and deletes inside its own transaction. DELETE and TRUNCATE
stay refused.

`install` is idempotent: it replaces whichever update trigger is in place.
"""

from django.db import migrations

#: Columns that a redaction may not touch (everything but changes and detail).
FIXED_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "lab_id",
    "action",
    "object_type",
    "object_id",
    "participant_id",
    "channel",
)

_GRANTED = (
    "EXISTS (SELECT 1 FROM privacy_auditredactiongrant g"
    " JOIN participants_participant p ON p.id = g.participant_id"
    " WHERE g.participant_id = OLD.participant_id"
    " AND p.anonymised_at IS NOT NULL)"
)


def _sqlite() -> list[str]:
    same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in FIXED_COLUMNS)
    return [
        "DROP TRIGGER IF EXISTS audit_no_update",
        f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON core_auditentry
           WHEN NOT ({same} AND {_GRANTED})
           BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END;""",
    ]


def _postgres() -> list[str]:
    return [
        """CREATE OR REPLACE FUNCTION openmil_audit_redaction_guard()
           RETURNS trigger AS $$
           BEGIN
             IF (to_jsonb(NEW) - 'changes' - 'detail')
                  = (to_jsonb(OLD) - 'changes' - 'detail')
                AND """
        + _GRANTED
        + """ THEN
               RETURN NEW;
             END IF;
             RAISE EXCEPTION 'audit entries are immutable';
           END; $$ LANGUAGE plpgsql;""",
        "DROP TRIGGER IF EXISTS audit_no_update ON core_auditentry",
        "DROP TRIGGER IF EXISTS audit_no_delete ON core_auditentry",
        """CREATE TRIGGER audit_no_update BEFORE UPDATE ON core_auditentry
           FOR EACH ROW EXECUTE FUNCTION openmil_audit_redaction_guard();""",
        """CREATE TRIGGER audit_no_delete BEFORE DELETE ON core_auditentry
           FOR EACH ROW EXECUTE FUNCTION openmil_audit_immutable();""",
    ]


def statements(vendor: str) -> list[str]:
    return {"sqlite": _sqlite, "postgresql": _postgres}.get(vendor, list)()


def install(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    """Back to core migration 0002: every UPDATE refused."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update")
        schema_editor.execute(
            """CREATE TRIGGER audit_no_update BEFORE UPDATE ON core_auditentry
               BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END;"""
        )
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update ON core_auditentry")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_delete ON core_auditentry")
        schema_editor.execute(
            """CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON core_auditentry
               FOR EACH ROW EXECUTE FUNCTION openmil_audit_immutable();"""
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS openmil_audit_redaction_guard()")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_actor_kept"),
        ("participants", "0004_anonymised_at"),
        ("privacy", "0001_initial"),
    ]
    operations = [migrations.RunPython(install, remove)]
