"""A local S3-compatible server for the tests: moto's standalone server on loopback."""

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

KEY = "testing"  # moto accepts any credentials


@dataclass(frozen=True)
class S3:
    endpoint: str
    bucket: str

    def env(self) -> dict[str, str]:
        """The settings (environment) of a node that keeps its files there."""
        return {
            "S3_BUCKET": self.bucket,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": KEY,
            "S3_SECRET_ACCESS_KEY": KEY,
        }

    def storages(self) -> dict[str, Any]:
        """The same as a STORAGES setting, for a test in this process."""
        return {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": self.bucket,
                    "endpoint_url": self.endpoint,
                    "region_name": "us-east-1",
                    "access_key": KEY,
                    "secret_key": KEY,
                    "file_overwrite": False,
                    "default_acl": None,
                },
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEY,
            aws_secret_access_key=KEY,
        )


@contextmanager
def moto_s3() -> Iterator[S3]:
    """moto keeps its buckets per process, so each server gets a bucket of its own."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        s3 = S3(endpoint=f"http://127.0.0.1:{port}", bucket=f"dangjian-{uuid.uuid4().hex[:12]}")
        s3.client().create_bucket(Bucket=s3.bucket)
        yield s3
    finally:
        server.stop()
