"""Campaigns, submissions and real small media files for the outputs' tests (library, 案例集,
upward package). Files are made at test time with PyAV and stored through the FileField."""

import hashlib
from pathlib import Path
from typing import Any

import av
import factory
import numpy as np
from django.core.files.base import ContentFile
from django.utils import timezone

from campaigns.models import (
    DeliverableKind,
    MaterialType,
    Submission,
    SubmissionAuthor,
    SubmissionFile,
    SubmissionState,
)
from campaigns.tests import factories
from campaigns.tests.factories import CampaignFactory as CampaignFactory  # re-exported
from lib.media_samples import make_video

# A JFIF APP0 segment: libavcodec's JPEG has none, and Word (and python-docx) want one.
JFIF_APP0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


class DeliverableFactory(factories.DeliverableFactory):
    """An education-material deliverable taking every material type."""

    kind = DeliverableKind.MATERIAL
    name = "教育素材库"
    material_types = factory.LazyFunction(lambda: [t.value for t in MaterialType])


class SubmissionFactory(factories.SubmissionFactory):
    """A selected submission of material, as the outputs collect them."""

    deliverable = factory.SubFactory(DeliverableFactory)
    title = factory.Sequence(lambda n: f"战疫素材{n}")
    summary = "党员师生坚守一线的故事。"
    state = SubmissionState.SELECTED
    submitted_at = factory.LazyFunction(timezone.now)


def add_author(submission: Submission, name: str, order: int = 0) -> SubmissionAuthor:
    return SubmissionAuthor.objects.create(submission=submission, name=name, order=order)


def add_file(
    submission: Submission,
    data: bytes,
    name: str,
    material_type: str,
    content_type: str = "",
) -> SubmissionFile:
    """Store `data` as one of the submission's files, with its size and checksum."""
    record = SubmissionFile(
        submission=submission,
        material_type=material_type,
        original_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=content_type,
    )
    record.file.save(name, ContentFile(data), save=False)
    record.save()
    return record


def _encode_image(path: Path, codec: str, pix_fmt: str, width: int, height: int) -> bytes:
    with av.open(str(path), "w", format="image2") as out:
        stream: Any = out.add_stream(codec, rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        image = np.zeros((height, width, 3), dtype=np.uint8)
        image[:, :, 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
        image[:, :, 2] = 160
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = 0
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path.read_bytes()


def jpeg_bytes(tmp: Path, *, width: int = 64, height: int = 48, jfif: bool = True) -> bytes:
    """A real JPEG; libavcodec writes no JFIF marker, so one is added unless jfif=False."""
    data = _encode_image(tmp / f"pic-{width}x{height}.jpg", "mjpeg", "yuvj420p", width, height)
    return data[:2] + JFIF_APP0 + data[2:] if jfif else data


def png_bytes(tmp: Path, *, width: int = 64, height: int = 48) -> bytes:
    return _encode_image(tmp / f"pic-{width}x{height}.png", "png", "rgb24", width, height)


def mp4_bytes(tmp: Path, **options: Any) -> bytes:
    path = make_video(tmp / "clip.mp4", **{"seconds": 1.0, **options})
    return path.read_bytes()
