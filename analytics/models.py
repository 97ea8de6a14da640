"""What shoppers searched for and which results they opened, one row each (written in batches
by analytics.services.records_flush, never by a request)."""

from django.db import models

# search.text.MAX_QUERY_LENGTH: the longest query a search accepts (and records).
MAX_QUERY_LENGTH = 256


class SearchRecord(models.Model):
    query = models.CharField(max_length=MAX_QUERY_LENGTH, help_text="Lower case, single spaces.")
    hits = models.PositiveIntegerField()
    filters = models.JSONField(default=dict, blank=True, help_text="The filters other than the defaults.")
    latency_ms = models.FloatField()
    searched_at = models.DateTimeField()

    class Meta:
        verbose_name = "search"
        verbose_name_plural = "searches"
        indexes = [
            models.Index(fields=["searched_at"], name="search_record_at_idx"),
            models.Index(fields=["query", "searched_at"], name="search_record_query_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.query!r}: {self.hits} hit(s)"


class SearchClick(models.Model):
    """A product opened from the results of a search (`?ref=<query>` on the product)."""

    query = models.CharField(max_length=MAX_QUERY_LENGTH)
    product_id = models.BigIntegerField()
    clicked_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["clicked_at"], name="search_click_at_idx"),
            models.Index(fields=["query", "clicked_at"], name="search_click_query_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.query!r} -> product {self.product_id}"
