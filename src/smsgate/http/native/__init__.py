"""The native REST API, /v1."""
