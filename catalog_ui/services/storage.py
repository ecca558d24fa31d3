"""Where report files live: the S3 bucket (AWS, MinIO or a test endpoint) and local files.

S3 counts as configured when S3_ENDPOINT_URL is set or AWS credentials are found without asking an EC2
instance's metadata service (environment variables, the shared credentials and config files, SSO, a
container role); otherwise uploads from the browser are kept under DATA_DIR/uploads.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from botocore.exceptions import ClientError

from catalog_ui.settings import get_settings

UPLOADS_FOLDER = "uploads"
S3_ATTEMPTS = 3  # tries of one S3 call (the first included), each bounded by S3_TIMEOUT_S


@dataclass(frozen=True)
class StoredObject:
    """One object in the bucket."""

    key: str
    size: int
    etag: str
    last_modified: datetime


@lru_cache(maxsize=4)
def _client(endpoint_url: str | None, region: str, timeout_s: float) -> Any:
    import boto3  # imported lazily: the UI process rarely needs it
    from botocore.config import Config

    # boto3's defaults (60 s to read, 5 tries) kept a scan of a bucket that stopped answering for three
    # minutes; a stalled download is not retried by botocore, the ingestion retries the report instead.
    config = Config(
        connect_timeout=timeout_s,
        read_timeout=timeout_s,
        retries={"mode": "standard", "total_max_attempts": S3_ATTEMPTS},
    )
    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)


def reset_clients() -> None:
    """Forget the cached S3 clients (after the settings or credentials changed)."""
    _client.cache_clear()


def s3_client() -> Any:
    """A boto3 S3 client for the configured endpoint and region (credentials from the usual AWS chain)."""
    settings = get_settings()
    return _client(settings.s3_endpoint_url, settings.aws_region, settings.s3_timeout_s)


def s3_configured() -> bool:
    """True when reports can be stored in S3: an endpoint is set, or AWS credentials are at hand."""
    if get_settings().s3_endpoint_url:
        return True
    import botocore.credentials
    import botocore.session

    resolver = botocore.credentials.create_credential_resolver(botocore.session.get_session())
    resolver.remove("iam-role")  # asking the metadata service off EC2 costs seconds
    return resolver.load_credentials() is not None


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


def head_object(bucket: str, key: str) -> StoredObject:
    """What S3 knows of `bucket/key` (size, ETag, time)."""
    head = s3_client().head_object(Bucket=bucket, Key=key)
    return StoredObject(
        key=key,
        size=int(head["ContentLength"]),
        etag=head["ETag"].strip('"'),
        last_modified=head["LastModified"],
    )


def put_object(bucket: str, key: str, stream: BinaryIO) -> StoredObject:
    """Upload `stream` to `bucket/key` (multipart for large files) and return what S3 stored."""
    s3_client().upload_fileobj(stream, bucket, key)
    return head_object(bucket, key)


def unavailable(exc: BaseException) -> bool:
    """True when `exc`, or an exception it was raised from, says S3 is not answering for now: a connection
    refused, dropped or timed out, a read that timed out or ended early, or a 5xx answer (S3 busy or
    failing)."""
    from botocore.exceptions import ConnectionError as ConnectFailed
    from botocore.exceptions import HTTPClientError, IncompleteReadError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectFailed | HTTPClientError | IncompleteReadError):
            return True
        if isinstance(current, ClientError):
            status = current.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            if status >= 500 or current.response.get("Error", {}).get("Code") in (
                "SlowDown",
                "RequestTimeout",
            ):
                return True
        current = current.__cause__ or current.__context__
    return False


class ObjectChanged(Exception):
    """The object at a key is no longer the version a report registered (its ETag differs)."""


def open_object(bucket: str, key: str, etag: str | None = None) -> BinaryIO:
    """A streaming body for `bucket/key` (read in chunks, never whole); with `etag`, of that version only:
    ObjectChanged when the key holds another one now (a new version is a report of its own)."""
    extra = {"IfMatch": f'"{etag}"'} if etag else {}
    try:
        return s3_client().get_object(Bucket=bucket, Key=key, **extra)["Body"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in ("PreconditionFailed", "412"):
            raise ObjectChanged(
                f"s3://{bucket}/{key} was replaced since this report was registered; the scan registers "
                "the new version as a report of its own."
            ) from None
        if code in ("NoSuchKey", "404", "NotFound"):
            raise FileGone(f"s3://{bucket}/{key} is no longer in the bucket: {GONE}") from None
        if code == "NoSuchBucket":
            raise FileGone(f"the bucket {bucket} does not exist (any more): check S3_BUCKET.") from None
        raise


class FileGone(Exception):
    """A report's file is not where it was registered (deleted or moved): a message for the user."""


# What to do about a report whose file was deleted or moved: the end of its error message.
GONE = "it was deleted or moved. Put it back, or upload it again, then retry the report."


def open_path(path: str) -> BinaryIO:
    """Open a local report file for binary reading; FileGone when it is not there any more."""
    try:
        return Path(path).open("rb")
    except FileNotFoundError:
        raise FileGone(f"{path} is no longer on this server: {GONE}") from None


def store_local(name: str, stream: BinaryIO) -> Path:
    """Copy `stream` into DATA_DIR/uploads/`name` (chunk by chunk) and return the file's absolute path.

    `name` is a relative path made by the caller (never the browser's file name as is).
    """
    path = (get_settings().data_dir / UPLOADS_FOLDER).resolve() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    return path


def ensure_bucket(bucket: str) -> None:
    """Create `bucket` when it does not exist (demo and tests; production buckets are made by ops)."""
    client = s3_client()
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
