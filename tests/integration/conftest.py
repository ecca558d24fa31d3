"""Fixtures of the integration tests: a real S3 endpoint (moto's server) and a fresh bucket per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.s3 import S3Endpoint, moto_endpoint, use_bucket


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[S3Endpoint]:
    """moto's S3 server on 127.0.0.1 for the whole run."""
    with moto_endpoint() as endpoint:
        yield endpoint


@pytest.fixture
def s3_bucket(s3_endpoint: S3Endpoint) -> Iterator[str]:
    """A new bucket, with the settings (S3_ENDPOINT_URL, S3_BUCKET, credentials) pointing at it."""
    with use_bucket(s3_endpoint) as bucket:
        yield bucket
