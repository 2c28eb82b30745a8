"""The tus 1.0.0 endpoints (core, creation, termination) and the 上传测试 page.

    OPTIONS /uploads/          what the server supports
    POST    /uploads/          create: Upload-Length, Upload-Metadata -> 201 Location
    HEAD    /uploads/<id>/     Upload-Offset, Upload-Length
    PATCH   /uploads/<id>/     append at Upload-Offset (application/offset+octet-stream)
    DELETE  /uploads/<id>/     give up; the partial file is removed

Session login and CSRF (X-CSRFToken) as for any page; an upload is visible only to its owner
(anyone else gets 404). The body of a PATCH is read from the WSGI input 1 MB at a time.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from access.http import AuthedRequest
from lib import media
from uploads import services
from uploads.models import Upload

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination"


def _tus(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _text(status: int, message: str) -> HttpResponse:
    return _tus(HttpResponse(message, status=status, content_type="text/plain; charset=utf-8"))


def _tus_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in users only (403, not a redirect: the client is a script), the Tus-Resumable
    header on every request but OPTIONS (412 otherwise)."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "OPTIONS":
            if not request.user.is_authenticated:
                return _text(403, "请先登录。")
            if request.headers.get("Tus-Resumable") != TUS_VERSION:
                response = _text(412, "不支持的上传协议版本。")
                response["Tus-Version"] = TUS_VERSION
                return response
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _options() -> HttpResponse:
    response = _tus(HttpResponse(status=204))
    response["Tus-Version"] = TUS_VERSION
    response["Tus-Extension"] = TUS_EXTENSIONS
    response["Tus-Max-Size"] = str(services.MAX_SIZE)
    return response


@_tus_view
def upload_collection(request: HttpRequest) -> HttpResponse:
    """OPTIONS and POST (creation) on /uploads/."""
    if request.method == "OPTIONS":
        return _options()
    if request.method != "POST":
        response = _text(405, "不支持的请求方法。")
        response["Allow"] = "OPTIONS, POST"
        return response
    if "Upload-Defer-Length" in request.headers:
        return _text(400, "必须事先声明文件大小。")
    try:
        size = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        return _text(400, "缺少或无效的 Upload-Length。")
    try:
        metadata = services.parse_metadata(request.headers.get("Upload-Metadata", ""))
    except ValueError:
        return _text(400, "Upload-Metadata 格式无效。")
    try:
        upload = services.upload_create(user=request.user, size=size, metadata=metadata)
    except services.UploadTooLarge as e:
        response = _text(413, str(e))
        response["Tus-Max-Size"] = str(services.MAX_SIZE)
        return response
    except ValidationError as e:
        return _text(400 if size < 0 else 429, " ".join(e.messages))
    response = _tus(HttpResponse(status=201))
    response["Location"] = request.build_absolute_uri(reverse("upload_detail", args=[upload.id]))
    response["Upload-Offset"] = str(upload.offset)
    return response


def _offset_headers(response: HttpResponse, upload: Upload) -> HttpResponse:
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.size)
    return _tus(response)


@_tus_view
def upload_detail(request: HttpRequest, upload_id: Any) -> HttpResponse:
    """HEAD, PATCH, DELETE (and OPTIONS) on /uploads/<id>/."""
    if request.method == "OPTIONS":
        return _options()
    upload = services.upload_get_for_user(user=request.user, upload_id=upload_id)
    if upload is None or upload.claimed_at is not None:
        return _text(404, "找不到该上传。")
    if request.method in ("HEAD", "GET"):
        upload = services.upload_offset_verified(upload)
        return _offset_headers(HttpResponse(status=200), upload)
    if request.method == "PATCH":
        return _patch(request, upload)
    if request.method == "DELETE":
        services.upload_discard(upload)
        return _tus(HttpResponse(status=204))
    response = _text(405, "不支持的请求方法。")
    response["Allow"] = "HEAD, PATCH, DELETE, OPTIONS"
    return response


def _patch(request: HttpRequest, upload: Upload) -> HttpResponse:
    if request.content_type != "application/offset+octet-stream":
        return _text(415, "上传数据的类型应为 application/offset+octet-stream。")
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return _text(400, "缺少或无效的 Upload-Offset。")
    raw_length = request.META.get("CONTENT_LENGTH")
    if not raw_length:
        return _text(411, "缺少 Content-Length。")
    try:
        length = int(raw_length)
    except ValueError:
        return _text(400, "无效的 Content-Length。")
    if offset != upload.offset:
        return _offset_headers(
            _text(409, f"上传位置不一致：服务器已接收 {upload.offset} 字节。"), upload
        )
    try:
        # request.read() reads the WSGI input incrementally (Django's LimitedStream);
        # request.body would load it all.
        services.upload_write(upload=upload, offset=offset, stream=request, length=length)
    except services.UploadConflict as e:
        upload.refresh_from_db()
        return _offset_headers(_text(409, str(e)), upload)
    except services.UploadLocked:
        return _text(423, "该文件正在另一个连接中上传，请稍后再试。")
    except services.UploadTooLarge as e:
        return _text(413, str(e))
    return _offset_headers(HttpResponse(status=204), upload)


@require_http_methods(["GET", "POST"])
@login_required
def upload_try(request: AuthedRequest) -> HttpResponse:
    """上传测试: try the resumable uploader and see the checks a finished upload gets.
    The files are checked, then discarded."""
    results: list[dict[str, Any]] = []
    if request.method == "POST":
        ids = request.POST.getlist("upload_ids")[:20]
        uploads: list[Upload] = []
        for upload_id in ids:
            try:
                uploads.append(services.upload_claim(user=request.user, upload_id=upload_id))
            except ValidationError as e:
                results.append({"filename": upload_id, "size": 0, "errors": e.messages})
        try:
            results += check_files(uploads)
        finally:
            for upload in uploads:
                services.upload_discard(upload)
    return render(request, "uploads/try.html", {"results": results})


def check_files(uploads: list[Upload]) -> list[dict[str, Any]]:
    """What the campaign checks would say of these files (videos against the 微党课 rules,
    with the subtitle sidecars among them)."""
    sidecar: media.SubtitleInfo | None = None
    rows: list[dict[str, Any]] = []
    videos: list[tuple[dict[str, Any], media.MediaProbe, str]] = []
    for upload in uploads:
        path = services.upload_path(upload)
        sniffed = media.sniff(path)
        row: dict[str, Any] = {
            "filename": upload.filename,
            "size": upload.size,
            "sha256": upload.sha256,
            "kind": media.describe_type(sniffed),
            "errors": [],
            "warnings": [],
        }
        rows.append(row)
        if not media.name_matches_content(upload.filename, sniffed):
            row["errors"].append(f"文件内容（{media.describe_type(sniffed)}）与扩展名不符。")
            continue
        try:
            if sniffed in media.SUBTITLE_TYPES:
                info = media.read_subtitles(path)
                sidecar = info
                row["facts"] = f"{info.count} 条字幕，结束于 {info.end_s:.0f} 秒"
            elif media.material_type_of(upload.filename, sniffed) == "video":
                probe = media.probe(path)
                row["facts"] = (
                    f"{probe.video_codec or '无视频'} · {probe.width}×{probe.height} · "
                    f"{(probe.duration_s or 0) / 60:.1f} 分钟"
                )
                videos.append((row, probe, upload.filename))
        except media.MediaError as e:
            row["errors"].append(str(e))
    for row, probe, filename in videos:
        verdict = media.check_lecture(probe, filename=filename, subtitles=sidecar)
        row["errors"] += verdict.errors
        row["warnings"] += verdict.warnings
    return rows
