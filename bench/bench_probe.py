"""Benchmark: probe a 2 GB MP4 with moov at the end and reach the 微党课 verdict.

The file is made once under bench/data/ (git-ignored) by lib.media_samples.make_large_sparse_mp4:
a real 1920×1080 H.264 stream and mov_text track at the start of a 64-bit mdat, a ~2 GB hole
(sparse: it costs a few KB of disk), then the moov. The probe walks the top-level boxes (a seek
per box), lets libavformat read ftyp, skip the mdat and parse the moov, and never decodes a
picture; the figure is the median wall time of probe() + check_lecture() over the runs. The
file's header pages are in the page cache after the first run, as they would be right after an
upload.
"""

import time
from pathlib import Path

from bench import Figure, median

DATA = Path(__file__).resolve().parent / "data"
SIZE = 2 * 1024**3 - 1024 * 1024  # just under the 2 GB limit


def lecture_file() -> Path:
    from lib.media_samples import make_large_sparse_mp4

    DATA.mkdir(exist_ok=True)
    path = DATA / "lecture_2gb_moov_at_end.mp4"
    if not path.exists() or path.stat().st_size != SIZE:
        make_large_sparse_mp4(path, SIZE)
    return path


def run(*, repeat: int | None = None) -> list[Figure]:
    from lib.media import check_lecture, probe

    path = lecture_file()
    runs = max(20, repeat or 50)
    times: list[float] = []
    verdict = None
    for _ in range(runs):
        started = time.perf_counter()
        result = probe(path)
        verdict = check_lecture(result, filename="微党课.mp4", subtitles=None)
        times.append((time.perf_counter() - started) * 1000)
    assert verdict is not None and verdict.ok, verdict
    assert result.moov_at_end and result.size_bytes == SIZE
    print(
        f"probe of {SIZE / 1024**3:.2f} GB (moov at end, {path.stat().st_blocks * 512 // 1024} KB "
        f"on disk): {result.video_codec} {result.width}×{result.height}, "
        f"{result.duration_s:.0f} s; {runs} runs, median {median(times):.2f} ms, "
        f"max {max(times):.2f} ms; warnings: {verdict.warnings}"
    )
    return [Figure("probe_2gb_ms", median(times), "ms", "≤ 100")]
