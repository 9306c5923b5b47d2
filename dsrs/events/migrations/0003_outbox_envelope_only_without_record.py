from django.db import migrations, models


class Migration(migrations.Migration):
    """The envelope column stays (rows that have it keep it) but may now be empty: a row with its record
    (value and headers) no longer stores the envelope as well."""

    dependencies = [
        ('events', '0002_outbox_record'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outboxevent',
            name='envelope',
            field=models.JSONField(blank=True, db_column='envelope', null=True,
                                   help_text='the whole envelope, for a row whose value and headers cannot hold it'),
        ),
        migrations.RenameField(model_name='outboxevent', old_name='envelope', new_name='stored_envelope'),
    ]
