"""uploads.services.attach_uploads, the one way a feature keeps finished uploads as rows,
seen through the meeting's files and a story's pictures."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import Cast
from meetings.models import MeetingFile, MeetingKind, MeetingStory, StoryFile
from meetings.tests.factories import held_meeting
from uploads.models import Upload
from uploads.services import attach_uploads, upload_create
from uploads.tests.helpers import (
    finished_upload,
    media_root_fixture,  # noqa: F401 (a fixture)
    sha256,
)


def _attach(user: Any, ids: list[str], meeting: Any, **extra: Any) -> list[MeetingFile]:
    options: dict[str, Any] = {
        "limit": 3,
        "existing": meeting.files.count(),
        "too_many": "每次会议最多 3 个附件。",
        **extra,
    }
    return attach_uploads(
        user=user,
        upload_ids=ids,
        model=MeetingFile,
        folder="meetings",
        meeting=meeting,
        **options,
    )


def test_attach_keeps_each_upload_once_in_order_with_its_facts(
    cast: Cast, media_root: Path
) -> None:
    user = cast.users["branch_secretary"]
    meeting = held_meeting(cast.branch_a1)
    photo = finished_upload(user, "签到表.png", b"\x89PNG sign-in")
    minutes = finished_upload(user, "会议记录.pdf", b"%PDF minutes")

    rows = _attach(user, [str(photo.pk), "", str(minutes.pk), str(photo.pk)], meeting)

    assert [r.original_name for r in rows] == ["签到表.png", "会议记录.pdf"]
    assert [r.content_type for r in rows] == ["image/png", "application/pdf"]
    assert rows[0].size == len(b"\x89PNG sign-in")
    assert rows[0].sha256 == sha256(b"\x89PNG sign-in")
    assert rows[0].uploaded_by == user and rows[0].meeting == meeting
    assert rows[0].is_image and not rows[1].is_image
    month = f"{timezone.localdate():%Y/%m}"
    assert rows[0].file.name == f"meetings/{month}/签到表.png"
    assert (media_root / str(rows[1].file.name)).read_bytes() == b"%PDF minutes"
    assert (
        Upload.objects.filter(pk__in=[photo.pk, minutes.pk], claimed_at__isnull=False).count() == 2
    )


def test_attach_nothing_given_makes_nothing(cast: Cast, media_root: Path) -> None:
    meeting = held_meeting(cast.branch_a1)

    assert _attach(cast.users["branch_secretary"], ["", ""], meeting) == []
    assert not MeetingFile.objects.exists()


def test_attach_refuses_someone_elses_upload_and_moves_nothing(
    cast: Cast, media_root: Path
) -> None:
    user = cast.users["branch_secretary"]
    meeting = held_meeting(cast.branch_a1)
    mine = finished_upload(user, "签到表.png")
    theirs = finished_upload(cast.users["member_b"], "别人的.png")

    with pytest.raises(ValidationError, match="找不到上传的文件"):
        _attach(user, [str(mine.pk), str(theirs.pk)], meeting)

    assert not MeetingFile.objects.exists()
    mine.refresh_from_db()
    assert mine.claimed_at is None
    assert not (media_root / "meetings").exists()


def test_attach_refuses_an_unfinished_upload(cast: Cast, media_root: Path) -> None:
    user = cast.users["branch_secretary"]
    meeting = held_meeting(cast.branch_a1)
    half = upload_create(user=user, size=10, metadata={"filename": "半截.png"})

    with pytest.raises(ValidationError, match=re.escape("「半截.png」尚未上传完成")):
        _attach(user, [str(half.pk)], meeting)
    assert not MeetingFile.objects.exists()


def test_attach_counts_the_files_already_there_against_the_limit(
    cast: Cast, media_root: Path
) -> None:
    user = cast.users["branch_secretary"]
    meeting = held_meeting(cast.branch_a1)
    _attach(user, [str(finished_upload(user, f"{n}.png").pk) for n in range(2)], meeting)
    two_more = [str(finished_upload(user, f"再{n}.png").pk) for n in range(2)]

    with pytest.raises(ValidationError, match="每次会议最多 3 个附件。"):
        _attach(user, two_more, meeting)

    assert meeting.files.count() == 2
    assert Upload.objects.filter(pk__in=two_more, claimed_at__isnull=True).count() == 2
    # One more still fits.
    assert len(_attach(user, two_more[:1], meeting)) == 1


def test_attach_with_media_refuses_another_type_before_any_file_moves(
    cast: Cast, media_root: Path
) -> None:
    user = cast.users["branch_secretary"]
    meeting = held_meeting(cast.branch_a1, kind=MeetingKind.ORG_LIFE)
    story = MeetingStory.objects.create(
        meeting=meeting, member=cast.member_a, title="抗疫", text="……", created_by=user
    )
    picture = finished_upload(user, "照片.jpg")
    sheet = finished_upload(user, "名单.xlsx")

    with pytest.raises(ValidationError, match=re.escape("「名单.xlsx」不是图片或视频。")):
        attach_uploads(
            user=user,
            upload_ids=[str(picture.pk), str(sheet.pk)],
            model=StoryFile,
            folder="meetings/stories",
            limit=9,
            existing=0,
            too_many="每个故事最多 9 个图片或视频。",
            media=("image/", "video/"),
            not_media="「{name}」不是图片或视频。",
            story=story,
        )

    assert not StoryFile.objects.exists()
    picture.refresh_from_db()
    assert picture.claimed_at is None
    assert not (media_root / "meetings").exists()


def test_attach_generic_media_message_names_the_file(cast: Cast, media_root: Path) -> None:
    user = cast.users["branch_secretary"]
    meeting = held_meeting(cast.branch_a1)
    sheet = finished_upload(user, "名单.xlsx")

    with pytest.raises(ValidationError, match=re.escape("「名单.xlsx」的文件类型不符合要求。")):
        _attach(user, [str(sheet.pk)], meeting, media=("image/",))
