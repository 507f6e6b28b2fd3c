"""Redis servers for the outage tests: a closed port, a port that never answers, and a
redis-server of the test's own that it stops and starts again."""

import shutil
import socket
import subprocess
import threading
import time

import pytest
import redis

needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs the redis-server program"
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port_url(db=3, password=""):
    """A Redis URL where nothing listens: every connection is refused."""
    credentials = f":{password}@" if password else ""
    return f"redis://{credentials}127.0.0.1:{free_port()}/{db}"


class SilentServer:
    """Accepts connections and never answers, as a Redis that hangs or a dropped network."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/3"
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.connections:
            connection.close()


class KillableRedis:
    """A redis-server on a free port that the test kills and starts again. It keeps its data
    across a restart (append-only file in `directory`), as a production Redis does, or as a
    network outage would."""

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.process = None

    def url(self, db=3):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait()
        self.process = None
