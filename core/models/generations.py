"""How many times each area of the public site has changed (core/generations.py)."""

from django.db import models


class Generation(models.Model):
    """One row per area ("content", "prayer", "vigils" ...): a number that changes in the same
    transaction as any row of a watched table, written by a database trigger."""

    area = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField()

    class Meta:
        db_table = "core_generation"

    def __str__(self):
        return f"{self.area} {self.value}"
