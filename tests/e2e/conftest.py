"""Shared fixtures: the binary under test, free loopback ports, and servers started and stopped per test."""
import os
import pathlib
import socket

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def portico_bin():
    return os.environ.get("PORTICO_BIN", str(ROOT / "build" / "portico"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def portico():
    return portico_bin()
