"""lib.media: what a file really is, probing headers, and the 微党课 rules."""

import shutil
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from lib import media
from lib.media import (
    LECTURE_MAX_BYTES,
    LECTURE_TOPICS,
    MediaError,
    MediaProbe,
    SubtitleInfo,
    check_lecture,
    material_type_of,
    name_matches_content,
    probe,
    read_subtitles,
    sniff,
)
from lib.media_samples import (
    faststart,
    make_large_sparse_mp4,
    make_srt,
    make_video,
    truncate_bytes,
    truncate_file,
)

GOOD = MediaProbe(
    container="mp4",
    format_names=["mov", "mp4", "m4a", "3gp", "3g2", "mj2"],
    video_codec="h264",
    width=1920,
    height=1080,
    duration_s=17 * 60.0,
    has_subtitle_track=True,
    subtitle_codecs=["mov_text"],
    audio_codec="aac",
    size_bytes=800 * 1024**2,
    moov_at_end=False,
)


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny real files, made once for the module."""
    d = tmp_path_factory.mktemp("media")
    files = {
        "h264": make_video(d / "h264.mp4"),
        "h264_subs": make_video(d / "subs.mp4", subtitle_text="同志们好", seconds=2.0),
        "lecture": make_video(
            d / "lecture.mp4", width=1920, height=1080, seconds=0.4, duration_override_s=1000.0
        ),
        "mpeg4": make_video(d / "mpeg4.mp4", codec="mpeg4"),
        "mjpeg": make_video(d / "mjpeg.mp4", codec="mjpeg"),
        "mkv": make_video(d / "h264.mkv", container="matroska"),
        "mov": make_video(d / "h264.mov", container="mov"),
    }
    files["faststart"] = faststart(files["h264"], d / "faststart.mp4")
    png = d / "picture.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200))
    files["png"] = png
    return files


# --- sniff and names ------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "jpeg"),
        ("a.png", b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        ("a.gif", b"GIF89a\x01\x00\x01\x00", "gif"),
        ("a.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
        ("a.wav", b"RIFF\x10\x00\x00\x00WAVEfmt ", "wav"),
        ("a.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00", "mp3"),
        ("b.mp3", b"\xff\xfb\x90\x64" + bytes(20), "mp3"),
        ("a.ogg", b"OggS\x00\x02" + bytes(20), "ogg"),
        ("a.pdf", b"%PDF-1.7\n%\xe2\xe3", "pdf"),
        ("a.m4a", b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "m4a"),
        ("a.mov", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "mov"),
        ("a.mp4", b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "mp4"),
        ("a.mkv", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "mkv"),
        ("a.txt", "党员名单\n张三\n".encode(), "txt"),
        ("a.srt", "1\n00:00:01,000 --> 00:00:02,500\n你好\n".encode(), "srt"),
        ("a.vtt", "\ufeffWEBVTT\n\n00:01.000 --> 00:02.000\n你好\n".encode(), "vtt"),
        ("a.ass", b"[Script Info]\nScriptType: v4.00+\n", "ass"),
        ("a.bin", b"\x00\x01\x02\x03\x04", None),
        ("empty.txt", b"", None),
    ],
)
def test_sniff_reads_magic_bytes(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    assert sniff(_write(tmp_path / name, data)) == expected


def _zip(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for n in names:
            z.writestr(n, "<x/>")
    return path


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["[Content_Types].xml", "word/document.xml"], "docx"),
        (["[Content_Types].xml", "xl/workbook.xml"], "xlsx"),
        (["photos/1.jpg"], "zip"),
    ],
)
def test_sniff_tells_office_files_from_zips(
    tmp_path: Path, names: list[str], expected: str
) -> None:
    assert sniff(_zip(tmp_path / "f.zip", names)) == expected


def test_sniff_sees_real_videos(videos: dict[str, Path]) -> None:
    assert sniff(videos["h264"]) == "mp4"
    assert sniff(videos["mkv"]) == "mkv"
    assert sniff(videos["mov"]) == "mov"


@pytest.mark.parametrize(
    ("filename", "sniffed", "matches"),
    [
        ("微党课.mp4", "mp4", True),
        ("微党课.MP4", "mp4", True),
        ("微党课.mp4", "png", False),  # a picture renamed to .mp4
        ("照片.jpg", "png", False),
        ("照片.jpeg", "jpeg", True),
        ("讲稿.docx", "docx", True),
        ("讲稿.docx", "zip", False),
        ("字幕.srt", "srt", True),
        ("字幕.srt", "txt", False),
        ("说明.txt", "txt", True),
        ("无扩展名", "mp4", False),
        ("未知.exe", None, False),
        ("微党课.mp4", None, False),
    ],
)
def test_name_matches_content(filename: str, sniffed: str | None, matches: bool) -> None:
    assert name_matches_content(filename, sniffed) is matches


@pytest.mark.parametrize(
    ("filename", "sniffed", "expected"),
    [
        ("微党课.mp4", "mp4", "video"),
        ("合影.jpg", "jpeg", "picture"),
        ("合影.png", "png", "picture"),
        ("朗诵.mp3", "mp3", "audio"),
        ("朗诵.m4a", "m4a", "audio"),
        ("事迹材料.docx", "docx", "text"),
        ("事迹材料.pdf", "pdf", "text"),
        ("防控工作案例.docx", "docx", "case"),
        ("字幕.srt", "srt", None),
        ("伪装.mp4", "png", None),
    ],
)
def test_material_type_of(filename: str, sniffed: str, expected: str | None) -> None:
    assert material_type_of(filename, sniffed) == expected


# --- probe on real files ---------------------------------------------------------------------


def test_probe_reads_a_tiny_h264_mp4(videos: dict[str, Path]) -> None:
    result = probe(videos["h264"])
    assert (result.container, result.video_codec) == ("mp4", "h264")
    assert (result.width, result.height) == (320, 180)
    assert result.duration_s == pytest.approx(1.0, abs=0.25)
    assert not result.has_subtitle_track
    assert result.size_bytes == videos["h264"].stat().st_size
    assert result.moov_at_end is True
    assert "mp4" in result.format_names


def test_probe_sees_moov_at_the_start_after_faststart(videos: dict[str, Path]) -> None:
    assert probe(videos["faststart"]).moov_at_end is False


def test_probe_finds_a_mov_text_subtitle_track(videos: dict[str, Path]) -> None:
    result = probe(videos["h264_subs"])
    assert result.has_subtitle_track
    assert result.subtitle_codecs == ["mov_text"]


def test_probe_reads_the_declared_duration(videos: dict[str, Path]) -> None:
    result = probe(videos["lecture"])
    assert result.duration_s == pytest.approx(1000.0, abs=1)
    assert (result.width, result.height) == (1920, 1080)


@pytest.mark.parametrize(("key", "codec"), [("mpeg4", "mpeg4"), ("mjpeg", "mjpeg")])
def test_probe_names_other_codecs(videos: dict[str, Path], key: str, codec: str) -> None:
    assert probe(videos[key]).video_codec == codec


def test_probe_of_mkv_reports_matroska(videos: dict[str, Path]) -> None:
    result = probe(videos["mkv"])
    assert result.container == "mkv"
    assert result.video_codec == "h264"
    assert result.moov_at_end is None


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_probe_refuses_a_truncated_mp4_with_moov_at_the_end(
    videos: dict[str, Path], tmp_path: Path, keep: float
) -> None:
    cut = truncate_file(shutil.copy(videos["h264"], tmp_path / "cut.mp4"), keep=keep)
    with pytest.raises(MediaError, match=r"不完整|无法读取"):
        probe(cut)


def test_probe_refuses_an_mp4_whose_mdat_is_cut_short(
    videos: dict[str, Path], tmp_path: Path
) -> None:
    # given moov first, so the header is all there and only the media data is missing
    cut = truncate_bytes(shutil.copy(videos["faststart"], tmp_path / "cut.mp4"), drop=500)
    # then the declared mdat size gives it away
    with pytest.raises(MediaError, match="不完整"):
        probe(cut)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x00\x00\x20ftypisom", b"\x00" * 100, b"hello world", bytes(range(256)) * 10],
)
def test_probe_refuses_garbage(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(MediaError):
        probe(_write(tmp_path / "x.mp4", data))


def test_probe_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError):
        probe(tmp_path / "nothing.mp4")


def test_a_png_named_mp4_is_refused_by_name_and_by_the_lecture_rules(
    videos: dict[str, Path], tmp_path: Path
) -> None:
    # given a picture renamed to .mp4
    fake = shutil.copy(videos["png"], tmp_path / "微党课.mp4")
    sniffed = sniff(fake)
    # then the name check refuses it
    assert sniffed == "png"
    assert not name_matches_content("微党课.mp4", sniffed)


@pytest.mark.serial
def test_probe_of_a_2gb_sparse_mp4_is_fast_and_reads_headers_only(tmp_path: Path) -> None:
    big = make_large_sparse_mp4(tmp_path / "big.mp4", 2 * 1024**3 - 4096)
    started = time.perf_counter()
    result = probe(big)
    elapsed = time.perf_counter() - started
    assert result.size_bytes == 2 * 1024**3 - 4096
    assert result.moov_at_end is True
    assert (result.video_codec, result.width, result.height) == ("h264", 1920, 1080)
    assert result.duration_s == pytest.approx(17 * 60, abs=1)
    assert elapsed < 0.5  # the benchmark measures the real figure (target 100 ms)
    assert check_lecture(result, filename="微党课.mp4", subtitles=None).errors == []


# --- real files through check_lecture ---------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "filename", "error"),
    [
        ("mpeg4", "微党课.mp4", "不是 H.264"),
        ("mjpeg", "微党课.mp4", "不是 H.264"),
        ("mkv", "微党课.mkv", "不是 MP4"),
        ("mov", "微党课.mov", "不是 MP4"),
    ],
)
def test_real_files_that_are_refused(
    videos: dict[str, Path], key: str, filename: str, error: str
) -> None:
    verdict = check_lecture(probe(videos[key]), filename=filename, subtitles=None)
    assert any(error in e for e in verdict.errors), verdict.errors


def test_a_tiny_h264_mp4_passes_with_warnings(videos: dict[str, Path]) -> None:
    verdict = check_lecture(probe(videos["h264"]), filename="微党课.mp4", subtitles=None)
    assert verdict.ok
    assert [w[:4] for w in verdict.warnings] == ["分辨率为", "视频时长", "未配字幕"]


def test_a_subtitle_track_counts_as_subtitles(videos: dict[str, Path]) -> None:
    verdict = check_lecture(probe(videos["h264_subs"]), filename="微党课.mp4", subtitles=None)
    assert not any("字幕" in w for w in verdict.warnings)


@pytest.mark.parametrize(
    ("end_s", "warned"),
    [(1000.0, False), (945.0, False), (939.0, True), (600.0, True)],
)
def test_a_sidecar_srt_must_cover_the_video_to_within_a_minute(
    videos: dict[str, Path], tmp_path: Path, end_s: float, warned: bool
) -> None:
    # given a 1000 s lecture and a .srt ending at end_s
    subtitles = read_subtitles(make_srt(tmp_path / "字幕.srt", end_s))
    # when
    verdict = check_lecture(probe(videos["lecture"]), filename="微党课.mp4", subtitles=subtitles)
    # then
    assert any("字幕只到" in w for w in verdict.warnings) is warned
    assert not any("未配字幕" in w for w in verdict.warnings)


# --- subtitles --------------------------------------------------------------------------------


def test_read_subtitles_counts_cues_and_finds_the_end(tmp_path: Path) -> None:
    info = read_subtitles(make_srt(tmp_path / "a.srt", 930.5, cues=4))
    assert info == SubtitleInfo(count=4, end_s=930.5)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:15:30.000\n同志们好\n"),
        (
            "a.ass",
            "[Script Info]\nScriptType: v4.00+\n\n[Events]\n"
            "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
            "Dialogue: 0,0:00:01.00,0:15:30.00,Default,,0,0,0,,同志们好\n",
        ),
    ],
)
def test_read_subtitles_reads_vtt_and_ass(tmp_path: Path, name: str, text: str) -> None:
    info = read_subtitles(_write(tmp_path / name, text.encode()))
    assert info == SubtitleInfo(count=1, end_s=930.0)


def test_read_subtitles_reads_gbk(tmp_path: Path) -> None:
    text = "1\n00:00:01,000 --> 00:00:05,000\n同志们好\n"
    assert read_subtitles(_write(tmp_path / "a.srt", text.encode("gbk"))).count == 1


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.srt", "这不是字幕文件\n只是几行字\n".encode()),
        ("empty.srt", b""),
        ("binary.srt", bytes(range(256)) * 4),
    ],
)
def test_read_subtitles_refuses_what_does_not_parse(tmp_path: Path, name: str, data: bytes) -> None:
    with pytest.raises(MediaError):
        read_subtitles(_write(tmp_path / name, data))


# --- check_lecture as a table on probe values ---------------------------------------------------

SIDECAR_FULL = SubtitleInfo(count=300, end_s=17 * 60 - 30)
SIDECAR_SHORT = SubtitleInfo(count=100, end_s=10 * 60)


@pytest.mark.parametrize(
    ("changes", "filename", "subtitles", "errors", "warnings"),
    [
        ({}, "微党课.mp4", None, [], []),
        # refuse
        ({"container": "mkv"}, "微党课.mp4", None, ["不是 MP4"], []),
        ({"container": "mov"}, "微党课.mp4", None, ["不是 MP4"], []),
        ({"video_codec": "hevc"}, "微党课.mp4", None, ["HEVC，不是 H.264"], []),
        ({"video_codec": "mpeg4"}, "微党课.mp4", None, ["MPEG4，不是 H.264"], []),
        ({"video_codec": None, "width": None, "height": None}, "a.mp4", None, ["没有视频"], []),
        ({"size_bytes": LECTURE_MAX_BYTES + 1}, "微党课.mp4", None, ["超过 2 GB"], []),
        ({}, "微党课.mov", None, ["扩展名不是 .mp4"], []),
        # exactly 2 GB is allowed
        ({"size_bytes": LECTURE_MAX_BYTES}, "微党课.mp4", None, [], []),
        # warn: resolution
        ({"width": 1280, "height": 720}, "微党课.mp4", None, [], ["分辨率为 1280×720"]),
        ({"width": 1080, "height": 1920}, "微党课.mp4", None, [], ["分辨率为 1080×1920"]),
        # warn: duration (15–20 minutes inclusive)
        ({"duration_s": 14 * 60 + 59.0}, "微党课.mp4", None, [], ["14 分 59 秒"]),
        ({"duration_s": 15 * 60.0}, "微党课.mp4", None, [], []),
        ({"duration_s": 20 * 60.0}, "微党课.mp4", None, [], []),
        ({"duration_s": 20 * 60 + 1.0}, "微党课.mp4", None, [], ["20 分 1 秒"]),
        ({"duration_s": 45 * 60.0}, "微党课.mp4", None, [], ["45 分钟"]),
        ({"duration_s": None}, "微党课.mp4", None, [], ["无法读取视频时长"]),
        # warn: subtitles
        ({"has_subtitle_track": False}, "微党课.mp4", None, [], ["未配字幕"]),
        ({"has_subtitle_track": False}, "微党课.mp4", SIDECAR_FULL, [], []),
        ({"has_subtitle_track": False}, "微党课.mp4", SIDECAR_SHORT, [], ["相差 7 分钟"]),
        ({}, "微党课.mp4", SIDECAR_SHORT, [], []),  # the track is enough
        # several at once
        (
            {"video_codec": "hevc", "width": 1280, "height": 720, "has_subtitle_track": False},
            "微党课.mp4",
            None,
            ["不是 H.264"],
            ["分辨率", "未配字幕"],
        ),
    ],
)
def test_check_lecture(
    changes: dict[str, object],
    filename: str,
    subtitles: SubtitleInfo | None,
    errors: list[str],
    warnings: list[str],
) -> None:
    verdict = check_lecture(replace(GOOD, **changes), filename=filename, subtitles=subtitles)  # type: ignore[arg-type]
    assert len(verdict.errors) == len(errors), verdict.errors
    assert len(verdict.warnings) == len(warnings), verdict.warnings
    for expected, actual in zip(errors, verdict.errors, strict=True):
        assert expected in actual
    for expected, actual in zip(warnings, verdict.warnings, strict=True):
        assert expected in actual
    assert verdict.ok is (not errors)


def test_short_sidecar_warning_says_how_far_it_falls_short() -> None:
    short = SubtitleInfo(count=10, end_s=15 * 60 + 30)
    verdict = check_lecture(
        replace(GOOD, has_subtitle_track=False, duration_s=18 * 60.0),
        filename="a.mp4",
        subtitles=short,
    )
    assert verdict.warnings == [
        "字幕只到 15:30，视频时长 18:00，相差 2 分 30 秒，字幕应覆盖全片（相差不超过 1 分钟）。"
    ]


def test_probe_results_are_json_ready() -> None:
    assert GOOD.as_dict()["video_codec"] == "h264"


def test_lecture_topics_are_the_five_of_the_notice_and_other() -> None:
    assert len(LECTURE_TOPICS) == 6
    assert LECTURE_TOPICS[0] == "让党旗在防控疫情斗争第一线高高飘扬"
    assert LECTURE_TOPICS[-1] == "其他"
    assert media.LECTURE_MAX_BYTES == 2 * 1024**3


@pytest.mark.parametrize("offset", [0, 1, 2])
def test_sniff_reads_a_long_chinese_text_cut_inside_a_character(
    tmp_path: Path, offset: int
) -> None:
    # given a UTF-8 text longer than the sniffed block, whose block ends inside a character
    path = tmp_path / "材料.txt"
    path.write_text("a" * offset + "党建工作平台的文字材料。" * 4000, encoding="utf-8")
    # then it is still text
    assert media.sniff(path) == "txt"
