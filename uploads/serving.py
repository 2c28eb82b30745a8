"""Downloads: attachment_response() for a file made on the fly (an export, a document), and
ranged_file_response() for a stored file, with HTTP range requests so a <video> or <audio>
element can seek. Every download is named in Chinese, as the user would name it.

    return ranged_file_response(request, submission_file.file, content_type="video/mp4",
                                filename=submission_file.original_name)

One range (`Range: bytes=a-b`, `a-`, `-n`) gets 206 with Content-Range; an unsatisfiable one
gets 416; several ranges, or a malformed header, get the whole file (200), as RFC 9110 allows.
The body is streamed 256 KB at a time; nothing is loaded whole. ETag and Last-Modified let the
browser revalidate (304) and make If-Range safe.
"""

import os
import re
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

BLOCK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# Characters no file name may hold on Windows, macOS or Linux, and control characters.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def download_name(*parts: object, ext: str) -> str:
    """A file name from its parts joined by "-", e.g. download_name("值班表", phase.name,
    ext="xlsx") → "值班表-第一阶段.xlsx"; characters no file system takes become "_"."""
    stem = "-".join(str(p).strip() for p in parts if str(p).strip())
    stem = _UNSAFE.sub("_", stem).strip(". ")[:120] or "下载"
    return f"{stem}.{ext}"


def attachment_response(
    content: bytes | str, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse:
    """`content` as a download called `filename` (Chinese kept: RFC 6266 filename*)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or ""
    return response


def _open(file: Any) -> tuple[BinaryIO, int, float | None]:
    """(binary file object, size, mtime) for a path, a FieldFile / File, or an open file."""
    if isinstance(file, str | os.PathLike):
        path = Path(file)
        stat = path.stat()
        return open(path, "rb"), stat.st_size, stat.st_mtime
    path_attr = None
    try:
        path_attr = getattr(file, "path", None)
    except NotImplementedError:  # storage without local paths
        path_attr = None
    if path_attr:
        return _open(path_attr)
    file.open("rb")
    return file, file.size, None


def _parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(first, last) byte of one satisfiable range; None to serve the whole file (no, several
    or malformed ranges); False when the range cannot be satisfied (416)."""
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            return False
        return max(0, size - n), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # syntactically invalid: ignore the header
    if start >= size:
        return False
    end = int(last) if last else size - 1
    return start, min(end, size - 1)


def _stream(f: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    try:
        f.seek(start)
        remaining = length
        while remaining > 0:
            chunk = f.read(min(BLOCK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        f.close()


def _etag(size: int, mtime: float | None) -> str | None:
    if mtime is None:
        return None
    return f'"{size:x}-{int(mtime * 1000):x}"'


def _not_modified(request: HttpRequest, etag: str | None, mtime: float | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag is not None and etag in [t.strip() for t in if_none_match.split(",")]
    since = request.headers.get("If-Modified-Since")
    if since and mtime is not None:
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False
    return False


def _if_range_holds(request: HttpRequest, etag: str | None, mtime: float | None) -> bool:
    if_range = request.headers.get("If-Range")
    if if_range is None:
        return True
    if if_range.startswith('"') or if_range.startswith("W/"):
        return etag is not None and if_range == etag
    try:
        return mtime is not None and int(mtime) == int(parsedate_to_datetime(if_range).timestamp())
    except (TypeError, ValueError):
        return False


def _handed_over(
    file: Any, *, content_type: str, disposition: str | None
) -> HttpResponseBase | None:
    """A stored file (FieldFile) sent by someone else once the view has checked access: on
    S3-compatible storage a redirect to a short-lived signed URL; on local disk, with
    SENDFILE_PREFIX set (deploy/nginx-dangjian.conf), nginx's X-Accel-Redirect. Else None."""
    storage, name = getattr(file, "storage", None), getattr(file, "name", None)
    if storage is None or not name:
        return None
    if hasattr(storage, "bucket_name"):
        parameters = {"ResponseContentType": content_type}
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
        return HttpResponseRedirect(storage.url(name, parameters=parameters, expire=300))
    prefix = getattr(settings, "SENDFILE_PREFIX", "")
    if not prefix:
        return None
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    if disposition:
        response["Content-Disposition"] = disposition
    return response


def ranged_file_response(
    request: HttpRequest,
    file: Any,
    *,
    content_type: str,
    filename: str,
    as_attachment: bool = False,
) -> HttpResponseBase:
    """The file as a (possibly partial) response. `file` is a path, a FieldFile or a File."""
    handed = _handed_over(
        file,
        content_type=content_type,
        disposition=content_disposition_header(as_attachment, filename),
    )
    if handed is not None:
        return handed
    f, size, mtime = _open(file)
    etag = _etag(size, mtime)
    common: dict[str, str] = {"Accept-Ranges": "bytes"}
    if etag:
        common["ETag"] = etag
    if mtime is not None:
        common["Last-Modified"] = formatdate(mtime, usegmt=True)
    disposition = content_disposition_header(as_attachment, filename)
    if disposition:
        common["Content-Disposition"] = disposition

    if request.method in ("GET", "HEAD") and _not_modified(request, etag, mtime):
        f.close()
        response = HttpResponse(status=304)
        for key, value in common.items():
            response[key] = value
        return response

    wanted = None
    header = request.headers.get("Range")
    if header and _if_range_holds(request, etag, mtime):
        wanted = _parse_range(header, size)
    if wanted is False:
        f.close()
        response = HttpResponse(status=416, content_type="text/plain; charset=utf-8")
        response.content = "请求的范围超出了文件大小。".encode()
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response

    if isinstance(wanted, tuple):
        start, end = wanted
        status = 206
    else:
        start, end = 0, size - 1
        status = 200
    length = max(0, end - start + 1)
    partial: HttpResponseBase
    if request.method == "HEAD":
        f.close()
        partial = HttpResponse(status=status, content_type=content_type)
    else:
        partial = StreamingHttpResponse(
            _stream(f, start, length), status=status, content_type=content_type
        )
    partial["Content-Length"] = str(length)
    if status == 206:
        partial["Content-Range"] = f"bytes {start}-{end}/{size}"
    for key, value in common.items():
        partial[key] = value
    return partial


def attached_file_response(request: HttpRequest, attached: Any) -> HttpResponseBase:
    """A file attached to a record (a model with `file`, `content_type` and `original_name`,
    e.g. a meeting's photo or a report's attachment), inline or, with ?download=1, as a
    download. The caller has checked that the user sees the record."""
    return ranged_file_response(
        request,
        attached.file,
        content_type=attached.content_type or "application/octet-stream",
        filename=attached.original_name,
        as_attachment=request.GET.get("download") == "1",
    )
