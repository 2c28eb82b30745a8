"""Pages for members' logins: make them in bulk for a filtered list, and reset, stop or
restart one member's login."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import get_member_for_user, orgs_for_user, require_anywhere
from audit.once import submit_token_claim, submit_token_done, submit_token_replay
from lib.xlsx import XLSX_CONTENT_TYPE
from members import accounts, selectors
from members.models import Category, PoliticalStatus
from members.views import FILTER_KEYS, filters_from
from uploads.serving import attachment_response, download_name

XLSX = XLSX_CONTENT_TYPE


def _querystring(params: Any) -> str:
    return urlencode({k: params[k] for k in FILTER_KEYS if params.get(k)})


@login_required
def account_list(request: AuthedRequest) -> HttpResponse:
    """The filtered members with their login state, and the one-step creation."""
    user = request.user
    require_anywhere(user, accounts.ACCOUNT_MANAGE)
    filters = filters_from(request.GET)
    members = selectors.member_list(user=user, filters=filters, perm=accounts.ACCOUNT_MANAGE)
    counts = members.aggregate(
        total=Count("id"),
        with_login=Count("id", filter=Q(user__isnull=False)),
        pending=Count(
            "id",
            filter=Q(user__temporary_password__isnull=False, user__last_login__isnull=True),
        ),
        inactive=Count("id", filter=Q(user__is_active=False)),
    )
    counts["without_login"] = counts["total"] - counts["with_login"]
    page = Paginator(members.select_related("user", "user__temporary_password"), 50).get_page(
        request.GET.get("page")
    )
    orgs = orgs_for_user(user, accounts.ACCOUNT_MANAGE)
    query = _querystring(request.GET)
    return render(
        request,
        "members/account_list.html",
        {
            "page": page,
            "counts": counts,
            "filters": filters,
            "hidden_filters": [(k, request.GET[k]) for k in FILTER_KEYS if request.GET.get(k)],
            "units": orgs.filter(depth=2).order_by("path").values_list("pk", "name"),
            "branches": orgs.branches().order_by("path").values_list("pk", "name"),
            "statuses": PoliticalStatus.choices,
            "categories": Category.choices,
            "querystring": query,
            "querystring_nopage": query,
            "max_at_once": accounts.MAX_ACCOUNTS_AT_ONCE,
        },
    )


def _sheet_response(request: AuthedRequest, result: accounts.AccountsResult) -> HttpResponse:
    data = accounts.initial_passwords_xlsx(
        result, login_url=request.build_absolute_uri(reverse("login"))
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = attachment_response(data, download_name("初始密码", stamp, ext="xlsx"), XLSX)
    response["Cache-Control"] = "no-store"
    return response


def _bulk(request: AuthedRequest, service: Any, done: str) -> HttpResponse:
    """Run a bulk service once per form (a repeated form goes back to the list) and answer
    with the sheet of passwords it issued: the only copy there will ever be."""
    user = request.user
    require_anywhere(user, accounts.ACCOUNT_MANAGE)
    back = reverse("account_list") + "?" + _querystring(request.POST)
    if replay := submit_token_replay(request):
        return replay
    filters = filters_from(request.POST)
    try:
        with transaction.atomic():
            claim = submit_token_claim(request)
            if isinstance(claim, HttpResponse):
                return claim
            result = service(actor=user, filters=filters)
            submit_token_done(claim, back)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        return HttpResponseRedirect(back)
    messages.success(request, done.format(result=result, n=len(result.issued)))
    return _sheet_response(request, result)


@login_required
@require_POST
def account_create(request: AuthedRequest) -> HttpResponse:
    return _bulk(
        request,
        accounts.accounts_create,
        "已创建 {n} 个登录账号，初始密码表已下载；已有账号的 {result.skipped_existing} 人未改动。",
    )


@login_required
@require_POST
def account_reissue(request: AuthedRequest) -> HttpResponse:
    return _bulk(
        request,
        accounts.accounts_reissue,
        "已为 {n} 个尚未登录过的账号重新生成初始密码，之前下载的密码表作废。",
    )


# --- one member's login ---------------------------------------------------------------


@login_required
def member_account(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    member = get_member_for_user(user, pk, accounts.ACCOUNT_MANAGE)
    login = member.user
    return render(
        request,
        "members/member_account.html",
        {
            "member": member,
            "login": login,
            "pending": login is not None and hasattr(login, "temporary_password"),
            "may_manage": accounts.may_manage_account(user, member),
            "link_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
    )


@login_required
@require_POST
def member_account_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    """The new temporary password is in this answer only. A repeated click resets again,
    and the page shows the latest password, the only one that works."""
    user = request.user
    member = get_member_for_user(user, pk, accounts.ACCOUNT_MANAGE)
    try:
        password = accounts.account_password_reset(actor=user, member=member)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("member_account", pk=member.pk)
    response = render(
        request, "members/member_account_reset.html", {"member": member, "password": password}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def member_account_link(request: AuthedRequest, pk: int) -> HttpResponse:
    """A one-time link to set one's own password, shown in this answer only."""
    user = request.user
    member = get_member_for_user(user, pk, accounts.ACCOUNT_MANAGE)
    try:
        uidb64, token = accounts.account_link(actor=user, member=member)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("member_account", pk=member.pk)
    link = request.build_absolute_uri(reverse("password_set", args=[uidb64, token]))
    response = render(request, "members/member_account_link.html", {"member": member, "link": link})
    response["Cache-Control"] = "no-store"
    return response


def _switch(request: AuthedRequest, pk: int, service: Any, done: str) -> HttpResponse:
    user = request.user
    member = get_member_for_user(user, pk, accounts.ACCOUNT_MANAGE)
    try:
        service(actor=user, member=member)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, done)
    return redirect("member_account", pk=member.pk)


@login_required
@require_POST
def member_account_deactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    return _switch(
        request,
        pk,
        accounts.account_deactivate,
        "账号已停用：该党员已被登出，API 令牌已作废，日历订阅停止。",
    )


@login_required
@require_POST
def member_account_activate(request: AuthedRequest, pk: int) -> HttpResponse:
    return _switch(request, pk, accounts.account_activate, "账号已重新启用。")
