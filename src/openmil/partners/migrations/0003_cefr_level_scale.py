"""Opportunity.min_cefr moves from text codes to the CEFR scale of core.codes.

"pre_a1" … "c2" become 0 … 6, "" becomes null, as pathways already stores
assessments and readiness criteria.
"""

from django.db import migrations, models

CODES = ("pre_a1", "a1", "a2", "b1", "b2", "c1", "c2")


def codes_to_levels(apps, schema_editor):
    Opportunity = apps.get_model("partners", "Opportunity")
    for index, code in enumerate(CODES):
        Opportunity.objects.filter(min_cefr=code).update(min_cefr_level=index)


def levels_to_codes(apps, schema_editor):
    Opportunity = apps.get_model("partners", "Opportunity")
    for index, code in enumerate(CODES):
        Opportunity.objects.filter(min_cefr_level=index).update(min_cefr=code)


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0002_encrypted_notes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="opportunity",
            name="opportunity_level_has_language",
        ),
        migrations.AddField(
            model_name="opportunity",
            name="min_cefr_level",
            field=models.PositiveSmallIntegerField(null=True, blank=True),
        ),
        migrations.RunPython(codes_to_levels, levels_to_codes),
        migrations.RemoveField(
            model_name="opportunity",
            name="min_cefr",
        ),
        migrations.RenameField(
            model_name="opportunity",
            old_name="min_cefr_level",
            new_name="min_cefr",
        ),
        migrations.AlterField(
            model_name="opportunity",
            name="min_cefr",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[
                    (0, "Pre-A1"),
                    (1, "A1"),
                    (2, "A2"),
                    (3, "B1"),
                    (4, "B2"),
                    (5, "C1"),
                    (6, "C2"),
                ],
                null=True,
                verbose_name="minimum level (CEFR)",
            ),
        ),
        migrations.AddConstraint(
            model_name="opportunity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("min_cefr__isnull", True),
                    models.Q(("language", ""), _negated=True),
                    _connector="OR",
                ),
                name="opportunity_level_has_language",
            ),
        ),
    ]
