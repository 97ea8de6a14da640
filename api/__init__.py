"""The HTTP edge: the resources whose URLs serve both commands (catalog.api) and queries
(search.api), and what every endpoint shares: error mapping, rendering, throttling, probes."""
