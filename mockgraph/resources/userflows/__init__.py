"""B2X and B2C user flows (``/identity/b2xUserFlows``, ``/identity/b2cUserFlows``)."""
