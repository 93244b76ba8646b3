from django.db import migrations

BUILTIN = [("housing", "Housing"), ("health", "Health care"),
           ("income", "Income or minimum allowance"), ("documents", "Documents and legal status")]


def builtin_needs(apps, schema_editor):
    NeedType = apps.get_model("participants", "NeedType")
    for position, (code, label) in enumerate(BUILTIN):
        NeedType.objects.get_or_create(lab=None, code=code,
                                       defaults={"label": label, "position": position})


def trigram_index(apps, schema_editor):
    # Substring search on names stays fast on PostgreSQL with a trigram index.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS participant_search_trgm ON "
            "participants_participant USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS participant_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]
    operations = [
        migrations.RunPython(builtin_needs, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
