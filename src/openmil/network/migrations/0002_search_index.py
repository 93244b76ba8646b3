"""The full-text index of practice versions, one per database.

PostgreSQL: a GIN index on the weighted tsvector column. SQLite: an FTS5
table (the services keep it in step). Other databases: none.
"""

from django.db import migrations


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX network_practiceversion_search "
            "ON network_practiceversion USING gin (search_vector)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE network_practice_fts USING fts5("
            "title, summary, body, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS network_practiceversion_search")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS network_practice_fts")


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
