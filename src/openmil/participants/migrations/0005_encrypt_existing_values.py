"""Encrypt the values stored before 0004 made these fields encrypted.

Rows written before are plain text in the database; this rewrites each one
under the current key of OPENMIL_ENCRYPTION_KEYS. Running it again (or
`openmil rotate-keys`) leaves values already under the current key alone.
Reversing it stores the values plain again, before 0004 is reversed.
"""

from django.db import migrations

from openmil.core.fields import decrypt_existing, encrypt_existing

FIELDS = {
    "Participant": ["address", "legal_status_detail", "health_notes", "case_notes"],
    "Need": ["notes"],
    "FollowUp": ["subject"],
}


class Migration(migrations.Migration):
    dependencies = [("participants", "0004_encrypted_fields")]
    operations = [
        migrations.RunPython(
            encrypt_existing("participants", FIELDS),
            decrypt_existing("participants", FIELDS),
        )
    ]
