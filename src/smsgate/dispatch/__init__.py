"""Moves queued messages to connectors: claims, pacing, windows, results."""
