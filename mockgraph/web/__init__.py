"""The web layer: per-app state, dispatch, HTTP helpers, request hooks and the Entra endpoints (Flask lives here and above)."""
