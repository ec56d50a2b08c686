"""Fixtures of the fault tests."""

import pytest


@pytest.fixture
def stop_at_end():
    """Collects the servers a test starts and stops them afterwards, whatever happened."""
    started = []
    yield started.append
    for server in reversed(started):
        server.stop()
