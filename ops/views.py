from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from ops.health import health

MESSAGES = {"database": "数据库", "storage": "文件存储", "worker": "后台任务进程"}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the file storage and a worker are all well, else 503. Open to
    the load balancer and monitoring (it names no data); says which part failed."""
    results = health()
    ok = all(results.values())
    failed = [MESSAGES[name] for name, good in results.items() if not good]
    return JsonResponse(
        {
            "status": "ok" if ok else "error",
            "checks": {name: "ok" if good else "error" for name, good in results.items()},
            "message": "运行正常" if ok else "异常：" + "、".join(failed),
        },
        status=200 if ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )


def _cas_view(name: str) -> Any:
    if not settings.CAS_ENABLED:
        raise Http404("未启用统一身份认证。")
    from django_cas_ng import views as cas_views

    return getattr(cas_views, name).as_view()


# The CAS server's single sign-out message arrives as a POST without a CSRF token (the CAS
# protocol's logoutRequest); django-cas-ng's view checks it against the session's ticket.
@csrf_exempt
def cas_login(request: HttpRequest) -> HttpResponse:
    """Off to the CAS server, back with a ticket, signed in (or a single sign-out POST)."""
    response: HttpResponse = _cas_view("LoginView")(request)
    return response


def cas_logout(request: HttpRequest) -> HttpResponse:
    """Sign out here and at the CAS server."""
    response: HttpResponse = _cas_view("LogoutView")(request)
    return response
