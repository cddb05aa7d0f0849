"""The web pages: server-rendered templates with HTMX, and the static files they use."""
