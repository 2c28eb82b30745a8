"""Speaking tus to the test client."""

import base64
import hashlib
from typing import Any

from django.test import Client
from django.urls import reverse

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
