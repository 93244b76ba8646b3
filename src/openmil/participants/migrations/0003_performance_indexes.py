"""Indexes for the pages every facilitator opens, measured with bench/run.

PostgreSQL only (partial and covering indexes), like the trigram index of
0002; they are not declared on the models, so SQLite and the migration
autodetector are unaffected.

- participant_visible_lab: counting a lab's visible participants (the
  paginator's COUNT) and the "lab's visible participants" semi-join, read
  from the index alone.
- participant_caseload: a caseworker's participants in name order (the
  home page) and their count, without sorting or reading the table.
- need_open_due / need_open_owner / need_open_participant: open needs by
  due date (overdue lists), by owner (the overdue count on the home page)
  and per participant (open-need counts).
"""

from django.db import migrations

OPEN = "status IN ('identified', 'in_progress')"

INDEXES = {
    "participant_visible_lab": (
        "participants_participant (lab_id, id) WHERE NOT processing_restricted"
    ),
    "participant_caseload": (
        "participants_participant (caseworker_id, family_name, given_name, id) "
        "INCLUDE (lab_id, processing_restricted)"
    ),
    "need_open_due": (
        f"participants_need (due_date, id) INCLUDE (participant_id, owner_id) "
        f"WHERE {OPEN}"
    ),
    "need_open_owner": (
        f"participants_need (owner_id, due_date) INCLUDE (participant_id) WHERE {OPEN}"
    ),
    "need_open_participant": (
        f"participants_need (participant_id) INCLUDE (due_date, owner_id) WHERE {OPEN}"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("participants", "0002_builtin_needs_and_search")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]
