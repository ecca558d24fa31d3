"""Where report files live: the S3 bucket (AWS, MinIO or a test endpoint) and local paths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from catalog_ui.settings import get_settings


@dataclass(frozen=True)
class StoredObject:
    """One object in the bucket."""

    key: str
    size: int
    etag: str
    last_modified: datetime


@lru_cache(maxsize=4)
def _client(endpoint_url: str | None, region: str) -> Any:
    import boto3  # imported lazily: the UI process rarely needs it

    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region)


def s3_client() -> Any:
    """A boto3 S3 client for the configured endpoint and region (credentials from the usual AWS chain)."""
    settings = get_settings()
    return _client(settings.s3_endpoint_url, settings.aws_region)


def list_objects(bucket: str, prefix: str) -> Iterator[StoredObject]:
    """Every object under `prefix` in `bucket`, page by page."""
    paginator = s3_client().get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if item["Key"].endswith("/"):
                continue
            yield StoredObject(
                key=item["Key"],
                size=int(item["Size"]),
                etag=item["ETag"].strip('"'),
                last_modified=item["LastModified"],
            )


def put_object(bucket: str, key: str, stream: BinaryIO) -> StoredObject:
    """Upload `stream` to `bucket/key` (multipart for large files) and return what S3 stored."""
    client = s3_client()
    client.upload_fileobj(stream, bucket, key)
    head = client.head_object(Bucket=bucket, Key=key)
    return StoredObject(
        key=key,
        size=int(head["ContentLength"]),
        etag=head["ETag"].strip('"'),
        last_modified=head["LastModified"],
    )


def open_object(bucket: str, key: str) -> BinaryIO:
    """A streaming body for `bucket/key` (read in chunks, never whole)."""
    return s3_client().get_object(Bucket=bucket, Key=key)["Body"]


def open_path(path: str) -> BinaryIO:
    """Open a local report file for binary reading."""
    return Path(path).open("rb")


def ensure_bucket(bucket: str) -> None:
    """Create `bucket` when it does not exist (demo and tests; production buckets are made by ops)."""
    client = s3_client()
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
