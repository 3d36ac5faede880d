"""The harness's own start: a port taken between free_port() and the server's bind (by another process on the
machine) makes PorticoServer start again on new ports instead of failing the test."""
import socket

import conftest


def test_start_retries_when_a_port_is_taken(tmp_path, monkeypatch):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        busy = taken.getsockname()[1]
        handed = []
        real = conftest.free_port

        def first_busy():
            port = busy if not handed else real()
            handed.append(port)
            return port

        monkeypatch.setattr(conftest, "free_port", first_busy)
        server = conftest.PorticoServer(["--no-fsync"], tmp_path / "data", str(tmp_path))
        try:
            assert handed[0] == busy
            assert server.alive()
            assert busy not in (server.gateway_port, server.dynamodb_port)
            assert len(handed) == 4  # two ports for the failed start, two for the one that ran
        finally:
            assert server.stop() == 0
