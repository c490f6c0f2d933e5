"""Custom authentication extensions: ``/identity/customAuthenticationExtensions`` and its two actions."""
