"""The projection's own state: the outbox of committed product changes still to be indexed, and
the counters its workers share with the web process that serves /metrics."""

from django.db import models


class OutboxEntry(models.Model):
    """A committed product change the read side has still to receive (written in the same
    transaction as the change; a rollback leaves none)."""

    class State(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        DEAD = "dead"

    product_id = models.BigIntegerField(db_index=True)
    version = models.PositiveBigIntegerField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    committed_at = models.DateTimeField()
    available_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "outbox entries"
        indexes = [models.Index(fields=["state", "available_at"], name="outbox_state_available_idx")]

    def __str__(self) -> str:
        return f"product {self.product_id} v{self.version} ({self.state})"


class ProjectionStat(models.Model):
    """Counters and gauges of the projection, shared by every worker and web process (so the
    web process can serve them at /metrics): lag histogram buckets, bulk requests, drift."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
