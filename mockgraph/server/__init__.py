"""The standalone server: WSGI servers, TLS, settings and the request log."""
