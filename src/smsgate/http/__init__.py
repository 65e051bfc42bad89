"""The HTTP doors: the native /v1 API now, the provider dialects and the panel next."""
