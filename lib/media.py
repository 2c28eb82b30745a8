"""What an uploaded file really is, and whether a 微党课 video meets the campaign's rules.

Free of Django. `probe()` reads a media file's headers with PyAV (libavformat) and never
decodes a picture: the H.264 decoder is opened with `skip_frame=all`, so stream analysis
parses parameter sets only. Before PyAV sees an ISO-BMFF file (MP4 / MOV / M4A) the top-level
boxes are walked with a few seeks, so a file cut short (an `mdat` that declares more bytes than
the file holds, a missing `moov`) is refused cheaply, even at 2 GB with `moov` at the end.

`check_lecture()` is a pure function of the probe result: errors refuse the file, warnings are
shown to the submitter and the reviewer. Every message is a Chinese sentence for the user.
"""

import codecs
import os
import re
import struct
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import av
import pysubs2

LECTURE_MAX_BYTES = 2 * 1024**3
LECTURE_WIDTH, LECTURE_HEIGHT = 1920, 1080
LECTURE_MIN_S, LECTURE_MAX_S = 15 * 60, 20 * 60
SUBTITLE_SLACK_S = 60.0

# The five topics of the 「四个一」 notice (seed 000), and 其他.
LECTURE_TOPICS: tuple[str, ...] = (
    "让党旗在防控疫情斗争第一线高高飘扬",
    "让青春在党和人民最需要的地方绽放绚丽之花",
    "把人民群众生命安全和身体健康放在第一位",
    "抓紧抓实抓细常态化疫情防控工作",
    "有序推进学校复学复课",
    "其他",
)

UNREADABLE = "文件无法读取或已损坏，请检查后重新上传。"
TRUNCATED = "文件不完整（可能上传或导出时被截断），请重新导出后上传。"

# ISO-BMFF brands that mean QuickTime rather than MP4.
_QT_BRANDS = {b"qt  "}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
# Top-level boxes an ISO-BMFF file may start with when it has no ftyp (old QuickTime).
_LEADING_BOXES = {b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"}
_SNIFF_BYTES = 64 * 1024


class MediaError(Exception):
    """The file cannot be used; str(error) is a Chinese sentence for the user."""


@dataclass
class MediaProbe:
    container: str  # what sniff() found: "mp4", "mov", "mkv" …
    format_names: list[str]  # libavformat's names: ["mov", "mp4", "m4a", "3gp", "3g2", "mj2"]
    video_codec: str | None  # "h264", "hevc", "mpeg4" … or None without a video stream
    width: int | None
    height: int | None
    duration_s: float | None
    has_subtitle_track: bool
    subtitle_codecs: list[str] = field(default_factory=list)
    audio_codec: str | None = None
    size_bytes: int = 0
    moov_at_end: bool | None = None  # ISO-BMFF only

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe, for a JSONField (Submission file's media_info)."""
        return asdict(self)


@dataclass
class SubtitleInfo:
    count: int  # number of cues
    end_s: float  # when the last cue ends


@dataclass
class Verdict:
    errors: list[str] = field(default_factory=list)  # refuse the file
    warnings: list[str] = field(default_factory=list)  # accept, but say so

    @property
    def ok(self) -> bool:
        return not self.errors


# --- what a file really is -------------------------------------------------------------------


def sniff(path: str | os.PathLike[str]) -> str | None:
    """The file's real type from its first bytes ("mp4", "png", "srt" …), or None."""
    with open(path, "rb") as f:
        head = f.read(_SNIFF_BYTES)
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _QT_BRANDS:
            return "mov"
        if brand in _AUDIO_BRANDS:
            return "m4a"
        return "mp4"
    if len(head) >= 8 and head[4:8] in _LEADING_BOXES:
        return "mov"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WEBP": "webp", b"WAVE": "wav", b"AVI ": "avi"}.get(head[8:12])
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "mkv"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    return _sniff_text(head)


def _sniff_zip(path: str | os.PathLike[str]) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return "zip"
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.startswith("ppt/") for n in names):
            return "pptx"
    return "zip"


_SRT_TIME = re.compile(r"\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}")


def _sniff_text(head: bytes) -> str | None:
    if not head or b"\x00" in head:
        return None
    text = None
    for encoding in ("utf-8", "gb18030"):
        try:
            # A multi-byte character may be cut at the end of the sniffed block: an
            # incremental decoder holds back an incomplete one instead of failing.
            text = codecs.getincrementaldecoder(encoding)().decode(
                head, final=len(head) < _SNIFF_BYTES
            )
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        return None
    text = text.lstrip("\ufeff")
    if text.lstrip().startswith("WEBVTT"):
        return "vtt"
    if "[Script Info]" in text or "[V4+ Styles]" in text or "[V4 Styles]" in text:
        return "ass"
    if _SRT_TIME.search(text):
        return "srt"
    if sum(ch.isprintable() or ch in "\r\n\t" for ch in text) < 0.95 * len(text):
        return None
    return "txt"


# extension -> the sniffed types its content may be
_EXTENSIONS: dict[str, frozenset[str]] = {
    ".mp4": frozenset({"mp4", "mov"}),
    ".m4v": frozenset({"mp4", "mov"}),
    ".mov": frozenset({"mov", "mp4"}),
    ".mkv": frozenset({"mkv", "webm"}),
    ".webm": frozenset({"webm", "mkv"}),
    ".avi": frozenset({"avi"}),
    ".jpg": frozenset({"jpeg"}),
    ".jpeg": frozenset({"jpeg"}),
    ".png": frozenset({"png"}),
    ".gif": frozenset({"gif"}),
    ".webp": frozenset({"webp"}),
    ".mp3": frozenset({"mp3"}),
    ".m4a": frozenset({"m4a", "mp4"}),
    ".wav": frozenset({"wav"}),
    ".ogg": frozenset({"ogg"}),
    ".oga": frozenset({"ogg"}),
    ".flac": frozenset({"flac"}),
    ".pdf": frozenset({"pdf"}),
    ".docx": frozenset({"docx"}),
    ".xlsx": frozenset({"xlsx"}),
    ".pptx": frozenset({"pptx"}),
    ".zip": frozenset({"zip", "docx", "xlsx", "pptx"}),
    ".txt": frozenset({"txt", "srt", "vtt", "ass"}),
    ".srt": frozenset({"srt"}),
    ".vtt": frozenset({"vtt"}),
    ".ass": frozenset({"ass"}),
    ".ssa": frozenset({"ass"}),
}

_MATERIAL_TYPES: dict[str, str] = {
    **dict.fromkeys(("mp4", "mov", "mkv", "webm", "avi"), "video"),
    **dict.fromkeys(("jpeg", "png", "gif", "webp"), "picture"),
    **dict.fromkeys(("mp3", "m4a", "wav", "ogg", "flac"), "audio"),
    **dict.fromkeys(("pdf", "docx", "txt", "xlsx", "pptx"), "text"),
}
SUBTITLE_TYPES = frozenset({"srt", "vtt", "ass"})


def extension_of(filename: str) -> str:
    return Path(filename).suffix.lower()


def name_matches_content(filename: str, sniffed: str | None) -> bool:
    """Whether the content is what the file's name says (a .mp4 that is a PNG is not)."""
    allowed = _EXTENSIONS.get(extension_of(filename))
    return sniffed is not None and allowed is not None and sniffed in allowed


def material_type_of(filename: str, sniffed: str | None) -> str | None:
    """The material type ("text", "picture", "audio", "video", "case") a file counts as, or
    None (subtitles, archives, unknown). A document whose name says 案例 is a work case."""
    if not name_matches_content(filename, sniffed) or sniffed is None:
        return None
    kind = _MATERIAL_TYPES.get(sniffed)
    if kind == "text" and sniffed in ("pdf", "docx") and "案例" in Path(filename).stem:
        return "case"
    return kind


def describe_type(sniffed: str | None) -> str:
    """How to name a sniffed type to a user."""
    if sniffed is None:
        return "无法识别的格式"
    names = {"jpeg": "JPEG 图片", "png": "PNG 图片", "gif": "GIF 图片", "webp": "WebP 图片"}
    return names.get(sniffed, sniffed.upper())


# --- probing ---------------------------------------------------------------------------------


@dataclass
class _Box:
    kind: bytes
    offset: int
    size: int


def top_level_boxes(path: str | os.PathLike[str]) -> list[_Box]:
    """The top-level boxes of an ISO-BMFF file, read with one seek per box (no payload).
    Raises MediaError when a box declares more bytes than the file holds."""
    size = os.path.getsize(path)
    boxes: list[_Box] = []
    with open(path, "rb") as f:
        offset = 0
        while offset < size:
            if size - offset < 8:
                raise MediaError(TRUNCATED)
            f.seek(offset)
            header = f.read(16)
            box_size, kind = struct.unpack(">I4s", header[:8])
            if box_size == 1:
                if len(header) < 16:
                    raise MediaError(TRUNCATED)
                box_size = struct.unpack(">Q", header[8:16])[0]
                if box_size < 16:
                    raise MediaError(UNREADABLE)
            elif box_size == 0:  # "to the end of the file"
                box_size = size - offset
            elif box_size < 8:
                raise MediaError(UNREADABLE)
            if offset + box_size > size:
                raise MediaError(TRUNCATED)
            boxes.append(_Box(kind, offset, box_size))
            offset += box_size
            if len(boxes) > 10_000:  # not a real file
                raise MediaError(UNREADABLE)
    return boxes


# Opening the decoder this way lets libavformat's stream analysis read parameter sets
# without decoding a single picture.
_STREAM_OPTIONS = {"skip_frame": "all", "threads": "1"}
# Stream analysis reads no more than this from the first samples.
_FORMAT_OPTIONS = {"probesize": str(1024 * 1024), "analyzeduration": "1000000"}


def probe(path: str | os.PathLike[str]) -> MediaProbe:
    """Read a media file's headers. Raises MediaError for an unreadable or truncated file."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
    except OSError as e:
        raise MediaError(UNREADABLE) from e
    if size == 0:
        raise MediaError(UNREADABLE)
    sniffed = sniff(path)
    moov_at_end = None
    if sniffed in ("mp4", "mov", "m4a"):
        boxes = top_level_boxes(path)
        kinds = [b.kind for b in boxes]
        if b"moov" not in kinds:
            raise MediaError(TRUNCATED)
        moov_at_end = b"mdat" in kinds and kinds.index(b"moov") > kinds.index(b"mdat")
    try:
        with av.open(
            path, mode="r", options=_STREAM_OPTIONS, container_options=_FORMAT_OPTIONS, timeout=10
        ) as container:
            return _probe_from(container, sniffed, size, moov_at_end)
    except MediaError:
        raise
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as e:
        raise MediaError(UNREADABLE) from e


def _probe_from(
    container: Any, sniffed: str | None, size: int, moov_at_end: bool | None
) -> MediaProbe:
    video = container.streams.video[0] if container.streams.video else None
    audio = container.streams.audio[0] if container.streams.audio else None
    subtitles = list(container.streams.subtitles)
    duration_s: float | None = None
    if container.duration is not None and container.duration > 0:
        duration_s = container.duration / av.time_base
    elif video is not None and video.duration and video.time_base:
        duration_s = float(video.duration * video.time_base)
    width = height = None
    video_codec = None
    if video is not None:
        video_codec = video.codec_context.name
        width = video.codec_context.width or None
        height = video.codec_context.height or None
    return MediaProbe(
        container=sniffed or (container.format.name.split(",")[0]),
        format_names=container.format.name.split(","),
        video_codec=video_codec,
        width=width,
        height=height,
        duration_s=round(duration_s, 3) if duration_s is not None else None,
        has_subtitle_track=bool(subtitles),
        subtitle_codecs=[s.codec_context.name for s in subtitles if s.codec_context is not None],
        audio_codec=audio.codec_context.name if audio is not None else None,
        size_bytes=size,
        moov_at_end=moov_at_end,
    )


# --- subtitles -------------------------------------------------------------------------------


def read_subtitles(path: str | os.PathLike[str]) -> SubtitleInfo:
    """Parse a .srt / .vtt / .ass sidecar (the format is told by its content, so the path
    need not have an extension). Raises MediaError if it does not parse or is empty."""
    kind = sniff(path)
    if kind not in SUBTITLE_TYPES:
        raise MediaError("字幕文件无法解析，请使用标准的 SRT、VTT 或 ASS 格式。")
    subs = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            subs = pysubs2.load(os.fspath(path), encoding=encoding, format_=kind)
            break
        except UnicodeDecodeError:
            continue
        except Exception as e:  # pysubs2 raises many kinds for a file it cannot read
            raise MediaError("字幕文件无法解析，请使用标准的 SRT、VTT 或 ASS 格式。") from e
    if subs is None:
        raise MediaError("字幕文件的文字编码无法识别，请另存为 UTF-8 后重新上传。")
    events = [e for e in subs.events if not e.is_comment and e.plaintext.strip()]
    if not events:
        raise MediaError("字幕文件中没有字幕内容。")
    return SubtitleInfo(count=len(events), end_s=max(e.end for e in events) / 1000)


# --- the 微党课 rules ---------------------------------------------------------------------------


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _minutes(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    if m and s:
        return f"{m} 分 {s} 秒"
    return f"{m} 分钟" if m else f"{s} 秒"


def _gb(size: int) -> str:
    return f"{size / 1024**3:.2f} GB"


def check_lecture(probe: MediaProbe, *, filename: str, subtitles: SubtitleInfo | None) -> Verdict:
    """The 微党课 rules of the 「四个一」 notice, on a probe result and an optional sidecar."""
    verdict = Verdict()
    errors, warnings = verdict.errors, verdict.warnings

    if extension_of(filename) != ".mp4":
        errors.append(f"文件「{filename}」的扩展名不是 .mp4，微党课视频须为 MP4 格式。")
    if probe.container != "mp4":
        errors.append(
            f"视频容器格式为 {probe.container.upper()}，不是 MP4，请转换为 MP4（H.264）后重新上传。"
        )
    if probe.video_codec is None:
        errors.append("文件中没有视频画面。")
    elif probe.video_codec != "h264":
        errors.append(
            f"视频编码为 {probe.video_codec.upper()}，不是 H.264，请转码为 H.264 后重新上传。"
        )
    if probe.size_bytes > LECTURE_MAX_BYTES:
        errors.append(f"文件大小为 {_gb(probe.size_bytes)}，超过 2 GB 的上限。")

    if probe.video_codec is not None and (probe.width, probe.height) != (
        LECTURE_WIDTH,
        LECTURE_HEIGHT,
    ):
        warnings.append(
            f"分辨率为 {probe.width or '?'}×{probe.height or '?'}，建议使用 1920×1080。"
        )
    if probe.duration_s is None:
        warnings.append("无法读取视频时长，请确认时长在 15–20 分钟之间。")
    elif not LECTURE_MIN_S <= probe.duration_s <= LECTURE_MAX_S:
        warnings.append(f"视频时长为 {_minutes(probe.duration_s)}，建议时长为 15–20 分钟。")
    if not probe.has_subtitle_track:
        if subtitles is None:
            warnings.append(
                "未配字幕：视频中没有字幕轨，也没有随附字幕文件（.srt / .vtt / .ass）。"
            )
        elif probe.duration_s is not None and subtitles.end_s < probe.duration_s - SUBTITLE_SLACK_S:
            short = probe.duration_s - subtitles.end_s
            warnings.append(
                f"字幕只到 {_clock(subtitles.end_s)}，视频时长 {_clock(probe.duration_s)}，"
                f"相差 {_minutes(short)}，字幕应覆盖全片（相差不超过 1 分钟）。"
            )
    return verdict
