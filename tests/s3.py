"""A real S3 HTTP endpoint for tests: moto's threaded server on 127.0.0.1, on a free port.

`moto_endpoint()` runs the server for a block; `use_bucket()` points this process's settings at a fresh
bucket of it for a block (environment variables, then the settings and S3 client caches cleared).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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
