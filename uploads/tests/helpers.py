"""Speaking tus to the test client; finished uploads for the features' tests."""

import base64
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from uploads.models import Upload
from uploads.services import upload_create, upload_write

TUS = {"Tus-Resumable": "1.0.0"}


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def create(client: Client, size: int, filename: str = "微党课.mp4") -> Any:
    return client.post(
        reverse("upload_collection"),
        headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": metadata(filename=filename)},
    )


def upload_url(response: Any) -> str:
    return response["Location"].removeprefix("http://testserver")


def patch(client: Client, url: str, data: bytes, offset: int, **headers: str) -> Any:
    return client.patch(
        url,
        data=data,
        content_type="application/offset+octet-stream",
        headers={**TUS, "Upload-Offset": str(offset), **headers},
    )


def head(client: Client, url: str) -> Any:
    return client.head(url, headers=TUS)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- for features' tests: files that arrive through a finished upload ------------------------


@pytest.fixture(name="media_root")
def media_root_fixture(settings: Any, tmp_path: Path) -> Path:
    """`media_root`: the test's own MEDIA_ROOT (import media_root_fixture into a test module
    that uploads files)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def finished_upload(user: Any, filename: str, data: bytes = b"\x89PNG image") -> Upload:
    """A complete upload of `data` by `user`, ready for a feature to claim."""
    upload = upload_create(user=user, size=len(data), metadata={"filename": filename})
    return upload_write(upload=upload, offset=0, stream=io.BytesIO(data), length=len(data))
