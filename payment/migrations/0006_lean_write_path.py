"""The payment write path at 100,000 households a cycle: no index on a column a transition changes,
free room in the pages of the tables whose rows are updated (so that each transition is a HOT update,
which writes no index entry), and no database foreign key where the row is written, in the same
transaction, from the row it refers to (docs/payment.md, "Benchmarks")."""

import django.db.models.deletion
from django.db import migrations, models

# Payments are updated three times (approve, export, settle), a disbursement line once (settled), each
# step in its own transactions: half of each page free holds the next version of every row on it, and
# the one before is pruned by then. Applies to pages written from now on (existing rows keep theirs).
FILLFACTOR = {"payment_payment": 50, "payment_disbursementline": 50}


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, percent in FILLFACTOR.items():
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {percent})")


def no_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in FILLFACTOR:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('payment', '0005_seed_4ps'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='payment',
            name='payment_batch_status_idx',
        ),
        migrations.RemoveIndex(
            model_name='payment',
            name='payment_household_status_idx',
        ),
        migrations.AlterField(
            model_name='disbursementline',
            name='file',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='payment.disbursementfile'),
        ),
        migrations.AlterField(
            model_name='disbursementline',
            name='payment',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='payment.payment'),
        ),
        migrations.AlterField(
            model_name='disbursementline',
            name='reference',
            field=models.CharField(help_text="the payment's reference for this attempt", max_length=64),
        ),
        migrations.AlterField(
            model_name='entitlement',
            name='region_code',
            field=models.CharField(max_length=10),
        ),
        migrations.AlterField(
            model_name='payment',
            name='batch',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='payment.batch'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='cycle',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='payment.cycle'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='entitlement',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='payment', to='payment.entitlement'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='region_code',
            field=models.CharField(max_length=10),
        ),
        migrations.AlterField(
            model_name='paymentchange',
            name='payment',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='payment.payment'),
        ),
        migrations.AlterField(
            model_name='settlementline',
            name='file',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='payment.settlementfile'),
        ),
        migrations.AlterField(
            model_name='settlementline',
            name='reference',
            field=models.CharField(max_length=64),
        ),
        migrations.AddIndex(
            model_name='entitlement',
            index=models.Index(fields=['region_code'], name='entitlement_region_idx'),
        ),
        migrations.AddIndex(
            model_name='payment',
            index=models.Index(fields=['region_code'], name='payment_region_idx'),
        ),
        migrations.AddConstraint(
            model_name='disbursementline',
            constraint=models.UniqueConstraint(fields=('reference',), name='one_disbursement_line_per_reference'),
        ),
        migrations.RunPython(fillfactor, no_fillfactor),
    ]
