from django.db import migrations

from openmil.classifications.loader import load_classifications


def load(apps, schema_editor):
    load_classifications(apps.get_model("classifications", "IscoGroup"),
                         apps.get_model("classifications", "Occupation"))


class Migration(migrations.Migration):
    dependencies = [("classifications", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
