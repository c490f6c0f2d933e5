"""The core: errors, configuration types, contracts, certificates, OData names and the operation types (no Flask)."""
