"""The Graph resources: one package per resource, each with its operation table."""
