"""The projection: carries every committed product change from MySQL into Elasticsearch."""
