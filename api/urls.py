"""/api/: thin django-ninja endpoints over the same selectors and scope as the pages.

Errors always carry a Chinese `detail`; a 404 never says whether the object exists.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api import errors as errors_cn
from api.assess import care_router, honours_router, ledger_router, ratings_router
from api.auth import api_auth
from api.campaigns import router as campaigns_router
from api.dashboard import router as dashboard_router
from api.development import router as development_router
from api.duty import router as duty_router
from api.escalations import router as escalations_router
from api.gates import router as gates_router
from api.meetings import router as meetings_router
from api.members import router as members_router
from api.notices import router as notices_router
from api.orgs import router as orgs_router
from api.reports import router as reports_router
from api.rosters import router as rosters_router
from api.study import router as study_router
from api.talks import router as talks_router

api = NinjaAPI(
    title="党建工作平台 API",
    version="1.0",
    description=(
        "范围与网页一致：看不到的对象一律返回 404。"
        "认证方式：浏览器会话（写操作需 CSRF 令牌），或 `Authorization: Bearer <令牌>`。"
    ),
    auth=api_auth,
    urls_namespace="api",
)

api.add_router("/orgs", orgs_router)
api.add_router("/members", members_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/rosters", rosters_router)
api.add_router("/duty", duty_router)
api.add_router("/meetings", meetings_router)
api.add_router("/talks", talks_router)
api.add_router("/escalations", escalations_router)
api.add_router("/reports", reports_router)
api.add_router("/notices", notices_router)
api.add_router("/gates", gates_router)
api.add_router("/care", care_router)
api.add_router("/honours", honours_router)
api.add_router("/ledger", ledger_router)
api.add_router("/ratings", ratings_router)
api.add_router("/development", development_router)
api.add_router("/study", study_router)
api.add_router("/dashboard", dashboard_router)

NOT_FOUND = "未找到，或不在您的权限范围内。"
FORBIDDEN = "您没有执行此操作的权限。"
UNAUTHORIZED = "请先登录，或在 Authorization 头中提供有效的 API 令牌。"
CSRF_FAILED = "CSRF 校验失败，请刷新页面后重试。"
INVALID = "请求参数有误。"
BAD_BODY = "请求体不是有效的 JSON。"


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": UNAUTHORIZED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own messages are English; ours are already Chinese.
    detail = str(exc)
    if detail == "CSRF check Failed":
        detail = CSRF_FAILED
    elif detail.startswith("Cannot parse request body"):
        detail = BAD_BODY
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": NOT_FOUND}, status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": FORBIDDEN}, status=403)


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed input is a 400 naming each bad field."""
    errors: list[dict[str, Any]] = [
        {"field": errors_cn.field_name(e), "message": errors_cn.message(e)} for e in exc.errors
    ]
    fields = "、".join(e["field"] for e in errors if e["field"])
    detail = f"{INVALID}（{fields}）" if fields else INVALID
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)
