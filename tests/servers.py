"""Helpers for tests that start real servers of their own (gunicorn, nginx,
Varnish, a throwaway Redis)."""

import socket


def free_port():
    """A port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
