"""The stand-in's fixed-amount payments give way to cycles, entitlements and the payment lifecycle.

Its rows are not carried over: they were the stand-in's own bookkeeping (a fixed amount per
approval, marked completed by a timer), with no entitlement, batch or provider behind them; their
events stay in the log (payment.payment.scheduled|completed contracts are kept for replay).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("payment", "0002_levels_below_region")]

    operations = [migrations.DeleteModel(name="Payment")]
