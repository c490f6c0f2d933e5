"""Storage: the Store protocol, the in-memory store and the SQLite state file (no Flask)."""
