"""The admin API under ``/_mockgraph``, seed and snapshot, and the served OpenAPI."""
