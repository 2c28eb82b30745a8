"""微党课 checks on attach, with real tiny videos made at test time (lib.media_samples)."""

from pathlib import Path
from typing import Any

import pytest

from campaigns import services
from campaigns.models import SubmissionFile
from campaigns.tests.helpers import K, draft, four, media_root
from conftest import Cast
from lib.media_samples import make_srt, make_video, truncate_file

__all__ = ["four", "media_root"]


def _attach(cast: Cast, submission: Any, *paths: tuple[Path, str]) -> services.AttachResult:
    return services.submission_attach(
        actor=cast.users["unit_a_admin"],
        submission=submission,
        incoming=[services.incoming_from_path(p, name=n) for p, n in paths],
    )


def _stored(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()]


def test_a_small_h264_mp4_is_accepted_with_warnings(
    cast: Cast, four: dict[str, Any], media_root: Path, tmp_path: Path
) -> None:
    # given a 1-second 320×180 H.264 MP4 without subtitles
    video = make_video(tmp_path / "v.mp4")
    s = draft(cast, four[K.MICRO_LECTURE])
    # when it is attached
    result = _attach(cast, s, (video, "微党课.mp4"))
    # then it is kept, with the three 建议 as warnings
    assert result.refused == []
    (f,) = result.files
    text = " ".join(f.warnings)
    assert "1920×1080" in text and "15–20 分钟" in text and "字幕" in text
    assert f.media_info["video_codec"] == "h264"
    assert str(f.file.name).startswith(f"submissions/{s.uuid}/")
    assert len(_stored(media_root)) == 1


def test_a_full_hd_17_minute_video_with_a_subtitle_track_has_no_warnings(
    cast: Cast, four: dict[str, Any], tmp_path: Path
) -> None:
    video = make_video(
        tmp_path / "v.mp4",
        width=1920,
        height=1080,
        seconds=0.4,
        subtitle_text="字幕",
        duration_override_s=17 * 60,
    )
    s = draft(cast, four[K.MICRO_LECTURE])
    (f,) = _attach(cast, s, (video, "微党课.mp4")).files
    assert f.warnings == []


def test_a_sidecar_srt_uploaded_with_the_video_counts_as_subtitles(
    cast: Cast, four: dict[str, Any], tmp_path: Path
) -> None:
    video = make_video(tmp_path / "v.mp4", seconds=1.0)
    srt = make_srt(tmp_path / "v.srt", end_s=1.0)
    s = draft(cast, four[K.MICRO_LECTURE])
    result = _attach(cast, s, (video, "微党课.mp4"), (srt, "微党课.srt"))
    assert result.refused == []
    video_file = next(f for f in result.files if not f.is_subtitle)
    assert not any("未配字幕" in w for w in video_file.warnings)
    assert [f.is_subtitle for f in result.files].count(True) == 1


def test_a_sidecar_that_stops_early_warns(cast: Cast, four: dict[str, Any], tmp_path: Path) -> None:
    video = make_video(tmp_path / "v.mp4", seconds=0.4, duration_override_s=16 * 60)
    srt = make_srt(tmp_path / "v.srt", end_s=300)
    s = draft(cast, four[K.MICRO_LECTURE])
    result = _attach(cast, s, (video, "微党课.mp4"), (srt, "微党课.srt"))
    video_file = next(f for f in result.files if not f.is_subtitle)
    assert any("字幕只到" in w for w in video_file.warnings)


REFUSALS = [
    ("mkv", "不是 MP4"),
    ("mpeg4", "不是 H.264"),
    ("truncated", "不完整"),
    ("png_named_mp4", "与扩展名 .mp4 不符"),
    ("picture", "不接收图片类文件"),
    ("broken_srt", "字幕"),
]


def _bad_file(kind: str, tmp_path: Path) -> tuple[Path, str]:
    if kind == "mkv":
        return make_video(tmp_path / "v.mkv", container="matroska"), "微党课.mkv"
    if kind == "mpeg4":
        return make_video(tmp_path / "v.mp4", codec="mpeg4"), "微党课.mp4"
    if kind == "truncated":
        return truncate_file(make_video(tmp_path / "v.mp4", seconds=2.0), keep=0.5), "微党课.mp4"
    if kind == "png_named_mp4":
        from campaigns.demo import _png

        return _png(tmp_path / "x.png", (1, 2, 3)), "微党课.mp4"
    if kind == "picture":
        from campaigns.demo import _png

        return _png(tmp_path / "x.png", (1, 2, 3)), "海报.png"
    path = tmp_path / "bad.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\n\n", encoding="utf-8")
    return path, "微党课.srt"


@pytest.mark.parametrize(("kind", "reason"), REFUSALS)
def test_a_bad_file_is_refused_with_the_reason_and_nothing_is_kept(
    cast: Cast, four: dict[str, Any], media_root: Path, tmp_path: Path, kind: str, reason: str
) -> None:
    # given a file the 微党课 cannot take, arriving as an upload would (the source is removed)
    path, name = _bad_file(kind, tmp_path)
    s = draft(cast, four[K.MICRO_LECTURE])
    # when it is attached
    result = services.submission_attach(
        actor=cast.users["unit_a_admin"],
        submission=s,
        incoming=[services.incoming_from_path(path, name=name, keep_source=False)],
    )
    # then it is refused with the reason, and nothing of it remains
    assert result.files == []
    ((refused_name, message),) = result.refused
    assert refused_name == name
    assert reason in message
    assert not path.exists()
    assert _stored(media_root) == []
    assert not SubmissionFile.objects.filter(submission=s).exists()


def test_a_story_takes_pictures_but_refuses_a_mislabelled_file(
    cast: Cast, four: dict[str, Any], tmp_path: Path
) -> None:
    from campaigns.demo import _png

    picture = _png(tmp_path / "a.png", (200, 0, 0))
    s = draft(cast, four[K.STORY])
    result = _attach(cast, s, (picture, "合影.png"), (picture, "合影.jpg"))
    assert [f.material_type for f in result.files] == ["picture"]
    assert "不符" in result.refused[0][1]


def test_files_cannot_be_added_once_submitted(
    cast: Cast, four: dict[str, Any], tmp_path: Path
) -> None:
    d = four[K.RED_FIREWALL]
    s = draft(cast, d)
    services.submission_submit(actor=cast.users["unit_a_admin"], submission=s)
    note = tmp_path / "a.txt"
    note.write_text("事迹", encoding="utf-8")
    result = _attach(cast, s, (note, "事迹.txt"))
    assert result.files == [] and "只有草稿" in result.refused[0][1]
