"""API connectors (``/identity/apiConnectors``)."""
