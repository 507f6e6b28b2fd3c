"""Operational state that /healthz reports."""

from django.db import models


class TaskHeartbeat(models.Model):
    """One row per task cluster, touched by a scheduled task every minute."""

    cluster = models.CharField(max_length=100, unique=True)
    beat_at = models.DateTimeField()

    class Meta:
        db_table = "website_taskheartbeat"

    def __str__(self):
        return f"{self.cluster} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
