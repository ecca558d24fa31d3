"""A real S3 HTTP endpoint for tests: moto's threaded server on 127.0.0.1, on a free port.

`moto_endpoint()` runs the server for a block; `use_bucket()` points this process's settings at a fresh
bucket of it for a block (environment variables, then the settings and S3 client caches cleared);
`stalling_proxy()` puts a proxy in front of it that can stop answering, as a hung S3 does.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": REGION}
PREFIX = "reports/"


@dataclass(frozen=True)
class S3Endpoint:
    """A running S3-compatible endpoint."""

    url: str

    def environment(self, bucket: str, prefix: str = PREFIX) -> dict[str, str]:
        """The settings (environment variables) that point the app at `bucket` of this endpoint."""
        return {"S3_ENDPOINT_URL": self.url, "S3_BUCKET": bucket, "S3_PREFIX": prefix, **CREDENTIALS}

    def client(self) -> Any:
        """A boto3 S3 client of this endpoint (for arranging and checking objects in tests)."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def new_bucket(self) -> str:
        """Create a bucket with a unique name and return the name."""
        name = f"reports-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name


@contextmanager
def moto_endpoint() -> Iterator[S3Endpoint]:
    """Run moto's S3 server on 127.0.0.1 (a free port) for the block."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Endpoint(f"http://{host}:{port}")
    finally:
        server.stop()


def clear_storage_caches() -> None:
    """Forget cached settings and S3 clients, so the next use reads the environment again."""
    from catalog_ui.services import storage
    from catalog_ui.settings import get_settings

    get_settings.cache_clear()
    storage.reset_clients()


@contextmanager
def use_bucket(endpoint: S3Endpoint, bucket: str | None = None, prefix: str = PREFIX) -> Iterator[str]:
    """Point this process's settings at `bucket` (a new one by default) for the block; yields its name."""
    name = bucket or endpoint.new_bucket()
    saved = {key: os.environ.get(key) for key in endpoint.environment(name, prefix)}
    os.environ.update(endpoint.environment(name, prefix))
    clear_storage_caches()
    try:
        yield name
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        clear_storage_caches()


class StallingProxy:
    """A TCP proxy on 127.0.0.1 in front of an endpoint that can stop answering, as a hung S3 does: it still
    accepts connections and requests but sends nothing back.

    `stall()` holds every connection from then on (new and open ones); `stall_after(n)` lets each
    connection opened afterwards pass its first `n` bytes of answer, then holds it (a download stalled
    mid-way); `resume()` forwards again. `connections` counts the connections accepted.
    """

    def __init__(self, target_url: str) -> None:
        import socket
        from urllib.parse import urlsplit

        target = urlsplit(target_url)
        self._target = (target.hostname or "127.0.0.1", target.port or 80)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self.connections = 0
        self._limit: int | None = None  # bytes of answer a new connection may pass
        self._stalled = threading.Event()
        self._closed = threading.Event()
        self._sockets: list[Any] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self) -> None:
        """Answer nothing from now on, on open connections too."""
        self._stalled.set()

    def stall_after(self, answer_bytes: int) -> None:
        """Let each connection opened from now on pass `answer_bytes` of answer, then hold it."""
        self._limit = answer_bytes

    def resume(self) -> None:
        """Forward everything again (held connections stay held)."""
        self._limit = None
        self._stalled.clear()

    def close(self) -> None:
        """Stop accepting and drop every connection."""
        import socket

        self._closed.set()
        with suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._server.close()
        with self._lock:
            for sock in self._sockets:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked on it, which close() does not
                sock.close()

    def _accept(self) -> None:
        import socket

        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._sockets.append(client)
            if self._stalled.is_set():
                continue  # accepted, never answered
            upstream = socket.create_connection(self._target)
            with self._lock:
                self._sockets.append(upstream)
            threading.Thread(target=self._pump, args=(client, upstream, None), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, self._limit), daemon=True).start()

    def _pump(self, source: Any, sink: Any, limit: int | None) -> None:
        passed = 0
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if limit is not None and passed + len(data) > limit:
                    data = data[: limit - passed]
                    sink.sendall(data)
                    self._closed.wait()
                    return
                if self._stalled.is_set():
                    self._closed.wait()
                    return
                sink.sendall(data)
                passed += len(data)
        except OSError:
            pass
        with suppress(OSError):
            sink.shutdown(1)


@contextmanager
def stalling_proxy(endpoint: S3Endpoint) -> Iterator[StallingProxy]:
    """A `StallingProxy` in front of `endpoint` for the block."""
    proxy = StallingProxy(endpoint.url)
    try:
        yield proxy
    finally:
        proxy.close()
