"""Small real media files made on demand, for the tests and the benchmarks. Free of Django.

`make_video` encodes a few frames with PyAV (libx264 by default) and can mux a `mov_text`
subtitle track; `duration_override_s` rewrites the durations in the container's headers so a
one-second file says it lasts 17 minutes (the probe reads headers only, so this is what it sees).
`make_large_sparse_mp4` builds a ~2 GB MP4 with `moov` at the end that occupies a few kilobytes
of disk: see its docstring for what is real in it.
"""

import os
import struct
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np


def make_video(
    path: str | os.PathLike[str],
    *,
    width: int = 320,
    height: int = 180,
    seconds: float = 1.0,
    fps: int = 5,
    codec: str = "h264",
    container: str = "mp4",
    subtitle_text: str | None = None,
    duration_override_s: float | None = None,
) -> Path:
    """Encode a tiny test video: a moving gradient, `codec` in `container`.

    codec: "h264" (libx264), "mpeg4", "mjpeg" …; container: "mp4", "matroska", "mov" …
    subtitle_text: one cue over the whole video in a mov_text (MP4/MOV) or srt (others) track.
    """
    path = Path(path)
    frames = max(1, round(seconds * fps))
    encoder = "libx264" if codec == "h264" else codec
    with av.open(str(path), mode="w", format=container) as out:
        stream: Any = out.add_stream(encoder, rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
        if encoder == "libx264":
            stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        text_stream: Any = None
        if subtitle_text is not None:
            text_codec = "mov_text" if container in ("mp4", "mov") else "srt"
            text_stream = out.add_stream(text_codec)
            text_stream.time_base = Fraction(1, 1000)
            # The text encoders want an ASS header to open, even for plain text.
            text_stream.codec_context.subtitle_header = _ASS_HEADER
        x = np.linspace(0, 255, width, dtype=np.uint8)
        for i in range(frames):
            image = np.empty((height, width, 3), dtype=np.uint8)
            image[:, :, 0] = np.roll(x, i * 7)[None, :]
            image[:, :, 1] = (i * 20) % 256
            image[:, :, 2] = 128
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
        if text_stream is not None and subtitle_text is not None:
            _mux_cue(out, text_stream, subtitle_text, end_ms=round(seconds * 1000))
    if duration_override_s is not None:
        set_mp4_duration(path, duration_override_s)
    return path


_ASS_HEADER = (
    b"[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n"
    b"[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, "
    b"OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, "
    b"Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
    b"Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0"
    b"\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, "
    b"Text\n"
)


def _mux_cue(
    out: av.container.OutputContainer, stream: av.stream.Stream, text: str, *, end_ms: int
) -> None:
    data = text.encode("utf-8")
    if stream.codec_context.name == "mov_text":
        data = struct.pack(">H", len(data)) + data  # a tx3g sample: length, then UTF-8 text
    packet = av.Packet(data)
    packet.stream = stream
    packet.pts = packet.dts = 0
    packet.duration = end_ms
    packet.time_base = Fraction(1, 1000)
    out.mux(packet)


def make_srt(path: str | os.PathLike[str], end_s: float, *, cues: int = 3) -> Path:
    """A .srt whose last cue ends at `end_s` seconds."""
    path = Path(path)
    step = end_s / cues
    lines = []
    for i in range(cues):
        start, end = i * step, (i + 1) * step
        lines += [str(i + 1), f"{_srt_time(start)} --> {_srt_time(end)}", f"第 {i + 1} 句字幕", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _srt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


# --- rewriting ISO-BMFF headers ---------------------------------------------------------------

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"udta"}


def _boxes(data: bytes | bytearray, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    """(kind, offset, header size, size) of the boxes in data[start:end]."""
    found = []
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
            header = 16
        elif size == 0:
            size = end - offset
        if size < header:
            break
        found.append((kind, offset, header, size))
        offset += size
    return found


def _walk(data: bytearray, start: int, end: int, visit: Callable[[bytes, int, int], None]) -> None:
    for kind, offset, header, size in _boxes(data, start, end):
        visit(kind, offset + header, offset + size)
        if kind in _CONTAINERS:
            _walk(data, offset + header, offset + size, visit)


def _patch_moov(moov: bytearray, seconds: float) -> None:
    """Set the duration in mvhd, every tkhd and mdhd, stretch every track's sample durations
    (stts) to match, and drop edit lists; in place."""
    movie_scale = 1000
    track_scale = 1000

    def visit(kind: bytes, body: int, end: int) -> None:
        nonlocal movie_scale, track_scale
        version = moov[body]
        if kind == b"mvhd":
            if version == 1:
                movie_scale = struct.unpack(">I", moov[body + 20 : body + 24])[0]
                struct.pack_into(">Q", moov, body + 24, round(seconds * movie_scale))
            else:
                movie_scale = struct.unpack(">I", moov[body + 12 : body + 16])[0]
                struct.pack_into(">I", moov, body + 16, round(seconds * movie_scale))
        elif kind == b"tkhd":
            if version == 1:
                struct.pack_into(">Q", moov, body + 28, round(seconds * movie_scale))
            else:
                struct.pack_into(">I", moov, body + 20, round(seconds * movie_scale))
        elif kind == b"mdhd":
            if version == 1:
                track_scale = struct.unpack(">I", moov[body + 20 : body + 24])[0]
                struct.pack_into(">Q", moov, body + 24, round(seconds * track_scale))
            else:
                track_scale = struct.unpack(">I", moov[body + 12 : body + 16])[0]
                struct.pack_into(">I", moov, body + 16, round(seconds * track_scale))
        elif kind == b"stts":  # libavformat caps a track's duration at the sum of its samples
            entries = struct.unpack(">I", moov[body + 4 : body + 8])[0]
            counts = [
                struct.unpack(">I", moov[body + 8 + 8 * i : body + 12 + 8 * i])[0]
                for i in range(entries)
            ]
            delta = max(1, round(seconds * track_scale / max(1, sum(counts))))
            for i in range(entries):
                struct.pack_into(">I", moov, body + 12 + 8 * i, delta)
        elif kind == b"edts":
            moov[body - 4 : body] = b"free"  # an edit list would cap the duration again

    _walk(moov, 0, len(moov), visit)


def set_mp4_duration(path: str | os.PathLike[str], seconds: float) -> None:
    """Rewrite the declared duration of an MP4's movie and tracks (headers only)."""
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        for kind, offset, header, size in _boxes(data, 0, len(data)):
            if kind == b"moov":
                moov = bytearray(data[offset + header : offset + size])
                _patch_moov(moov, seconds)
                f.seek(offset + header)
                f.write(moov)


def make_large_sparse_mp4(
    path: str | os.PathLike[str],
    size_bytes: int = 2 * 1024**3 - 1024 * 1024,
    *,
    width: int = 1920,
    height: int = 1080,
    duration_s: float = 17 * 60,
) -> Path:
    """A ~`size_bytes` MP4 (ftyp, one 64-bit mdat, moov at the end) that costs ~100 KB of disk.

    What is real: a short libx264 stream at `width`×`height` with a mov_text track; its samples
    sit at the start of the mdat and the moov's sample tables point at them, so libavformat
    reads real H.264 parameter sets. What is not: the rest of the mdat is a hole (the file is
    sparse, reading it gives zeros) that no sample refers to, and the durations in the headers
    say `duration_s`. A probe that reads headers only sees exactly what a real 2 GB lecture
    with moov at the end would show it; one that read the whole mdat would take seconds.
    """
    path = Path(path)
    small = path.with_suffix(".small.mp4")
    make_video(small, width=width, height=height, seconds=1.0, fps=5, subtitle_text="字幕")
    data = bytearray(small.read_bytes())
    small.unlink()
    boxes = {
        kind: (offset, header, size) for kind, offset, header, size in _boxes(data, 0, len(data))
    }
    # FFmpeg writes "free" (8 bytes) right before "mdat" to leave room for a 64-bit size:
    # turning the pair into one 16-byte mdat header keeps every sample offset valid.
    free_off, _, free_size = boxes[b"free"]
    mdat_off, mdat_header, mdat_size = boxes[b"mdat"]
    moov_off, _, moov_size = boxes[b"moov"]
    if free_size != 8 or free_off + 8 != mdat_off or moov_off < mdat_off:
        raise RuntimeError("unexpected layout from the MP4 muxer")
    payload = bytes(data[mdat_off + mdat_header : mdat_off + mdat_size])
    moov = bytearray(data[moov_off : moov_off + moov_size])
    _patch_moov(moov, duration_s)  # patches inside the box (header included: offsets shift)
    head = bytes(data[:free_off])
    mdat_total = size_bytes - len(head) - len(moov)
    if mdat_total < 16 + len(payload):
        raise ValueError("size_bytes too small")
    with open(path, "wb") as f:
        f.write(head)
        f.write(struct.pack(">I4sQ", 1, b"mdat", mdat_total))
        f.write(payload)
        f.seek(len(head) + mdat_total)  # leave a hole
        f.write(moov)
    return path


# --- damaged files ----------------------------------------------------------------------------


def truncate_file(path: str | os.PathLike[str], *, keep: float = 0.5) -> Path:
    """Cut a file to `keep` of its length (0 < keep < 1), as an interrupted copy would."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(max(1, int(size * keep)))
    return path


def truncate_bytes(path: str | os.PathLike[str], *, drop: int) -> Path:
    """Cut the last `drop` bytes off a file."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(max(0, size - drop))
    return path


def faststart(path: str | os.PathLike[str], out: str | os.PathLike[str]) -> Path:
    """Remux with moov before mdat (what "-movflags +faststart" does)."""
    out = Path(out)
    with (
        av.open(str(path)) as src,
        av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"}) as dst,
    ):
        mapping = {s.index: dst.add_stream_from_template(s) for s in src.streams}
        for packet in src.demux():
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            dst.mux(packet)
    return out
