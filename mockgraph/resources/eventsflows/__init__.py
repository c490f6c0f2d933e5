"""External ID user flows (``/identity/authenticationEventsFlows``)."""
