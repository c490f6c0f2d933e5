"""Authentication event listeners (``/identity/authenticationEventListeners``)."""
