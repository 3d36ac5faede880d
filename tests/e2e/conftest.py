"""Shared fixtures: the binary under test, free loopback ports, and servers started and stopped per test.

`portico_server` is a running `portico serve` (throwaway data, --no-fsync) with `.gateway_url` and
`.dynamodb_url`. Tests that need their own arguments (templates, a data folder to reopen, real
fsync for durability) use `portico_factory(...)`, which starts durable servers by default.
"""
import os
import pathlib
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
START_TIMEOUT = 30  # seconds; sanitizer builds start slowly on a busy machine
STOP_TIMEOUT = 30


def portico_bin():
    return os.environ.get("PORTICO_BIN", str(ROOT / "build" / "portico"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def portico():
    return portico_bin()


class PortTaken(RuntimeError):
    """The server could not bind a port it was given: another process took it after free_port()."""


class PorticoServer:
    """One `portico serve` process. Stop it with stop() (SIGTERM, then SIGKILL after a timeout) or
    kill() (SIGKILL, as a crash would)."""

    # free_port() gives a port back to the system before the server binds it, so another process on the
    # machine may take it in between: a start that fails on a taken port is tried again on new ports.
    START_ATTEMPTS = 5

    def __init__(self, args, data_dir, log_dir):
        self.data_dir = str(data_dir)
        self.stdout_path = os.path.join(log_dir, "stdout")
        self.stderr_path = os.path.join(log_dir, "stderr")
        for attempt in range(self.START_ATTEMPTS):
            self._launch(args)
            try:
                self._wait_ready()
                return
            except PortTaken:
                if attempt == self.START_ATTEMPTS - 1:
                    raise

    def _launch(self, args):
        self.gateway_port = free_port()
        self.dynamodb_port = free_port()
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.dynamodb_url = f"http://127.0.0.1:{self.dynamodb_port}"
        cmd = [
            portico_bin(),
            "serve",
            *args,
            "--data",
            self.data_dir,
            "--listen",
            f"127.0.0.1:{self.gateway_port}",
            "--dynamodb-listen",
            f"127.0.0.1:{self.dynamodb_port}",
        ]
        self.cmd = cmd
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        self.returncode = None

    def stdout(self):
        with open(self.stdout_path, "r", errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.stderr_path, "r", errors="replace") as f:
            return f.read()

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                message = f"portico exited with {self.proc.returncode} while starting:\n{self.stderr()}"
                if "Address already in use" in self.stderr():
                    raise PortTaken(message)
                raise RuntimeError(message)
            if "DynamoDB API on" in self.stdout():
                try:
                    with urllib.request.urlopen(self.dynamodb_url + "/", timeout=2) as r:
                        if r.status == 200:
                            return
                except OSError:
                    pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"portico did not answer within {START_TIMEOUT}s:\n{self.stderr()}")

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, wait; SIGKILL when it takes longer than `timeout`. Returns the exit status
        (negative: killed by that signal)."""
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
                self.returncode = "timeout"
                return self.returncode
        self.returncode = self.proc.returncode
        return self.returncode

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait()
        self.returncode = self.proc.returncode
        return self.returncode


@pytest.fixture
def portico_factory(tmp_path):
    """portico_factory(*templates, fsync=True, data_dir=None, threads=2, extra_args=()) starts a
    server; every server still running at the end of the test is stopped with SIGTERM and must exit
    with status 0 (no sanitizer report, no hang)."""
    started = []

    def start(*templates, fsync=True, data_dir=None, threads=2, extra_args=()):
        if data_dir is None:
            data_dir = tmp_path / f"data{len(started)}"
        log_dir = tempfile.mkdtemp(dir=tmp_path, prefix="log")
        args = [*map(str, templates), "--threads", str(threads), *extra_args]
        if not fsync:
            args.append("--no-fsync")
        server = PorticoServer(args, data_dir, log_dir)
        started.append(server)
        return server

    yield start

    failures = []
    for server in started:
        was_running = server.alive()
        status = server.stop()
        if was_running and status != 0:
            failures.append(f"portico (pid {server.pid}) exited with {status}:\n{server.stderr()[-4000:]}")
    if failures:
        pytest.fail("\n".join(failures))


@pytest.fixture
def portico_server(portico_factory):
    """A running server on throwaway data (--no-fsync: not for durability tests)."""
    return portico_factory(fsync=False)


def _boto3_kwargs(server):
    from botocore.config import Config

    return dict(
        endpoint_url=server.dynamodb_url,
        region_name="us-east-1",
        aws_access_key_id="AKIDPORTICOTEST",
        aws_secret_access_key="portico-test-secret",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


@pytest.fixture
def dynamodb_client(portico_server):
    """boto3 DynamoDB client pointed at portico_server's wire API."""
    import boto3

    return boto3.session.Session().client("dynamodb", **_boto3_kwargs(portico_server))


@pytest.fixture
def dynamodb_resource(portico_server):
    """boto3 DynamoDB resource pointed at portico_server's wire API."""
    import boto3

    return boto3.session.Session().resource("dynamodb", **_boto3_kwargs(portico_server))


def dynamodb_client_for(server):
    """A boto3 client for a server started with portico_factory."""
    import boto3

    return boto3.session.Session().client("dynamodb", **_boto3_kwargs(server))
