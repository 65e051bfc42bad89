"""Loopback ports for processes the tests start (servers that cannot listen on port 0 and
tell which one they got)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
