"""Search analytics: the searches and clicks the read side records, stored in MySQL in batches,
reported to staff in the admin (top queries, top zero-result queries, their trend) and purged
after ANALYTICS_RETENTION_DAYS."""
