"""The read model's tables for the embedded default (no MongoDB). Production keeps it in MongoDB.

The same documents as MongoDB's two collections: `State` (one per aggregate, its merged state) and
`Cell` (one counter per measure, place level, program, cycle and day). `generation` names the copy a
rebuild writes beside the live one; `LiveGeneration` says which copy the API reads and the consumer
writes.
"""

from django.db import models

CODE = {"max_length": 10, "blank": True, "default": ""}


class Cell(models.Model):
    generation = models.CharField(max_length=40, blank=True, default="")
    key = models.CharField(max_length=255)
    measure = models.CharField(max_length=40)
    level = models.CharField(max_length=20)
    region_code = models.CharField(**CODE)
    province_code = models.CharField(**CODE)
    municipality_code = models.CharField(**CODE)
    barangay_code = models.CharField(**CODE)
    program_code = models.CharField(max_length=32, blank=True, default="")
    cycle = models.CharField(max_length=64, blank=True, default="")
    day = models.CharField(max_length=10)
    n = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["generation", "key"], name="one_cell_per_key")]
        indexes = [models.Index(fields=["generation", "level", field, "day"], name=f"cell_{field[:4]}_day")
                   for field in ("region_code", "province_code", "municipality_code", "barangay_code")]
        permissions = [("view_summary", "Can view the analytics summary")]


class State(models.Model):
    generation = models.CharField(max_length=40, blank=True, default="")
    key = models.CharField(max_length=120)
    doc = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["generation", "key"], name="one_state_per_key")]


class LiveGeneration(models.Model):
    """One row at most: the generation the API reads and the consumer writes (none: the first, '')."""

    name = models.CharField(max_length=40, blank=True, default="")
