"""The notice centre and the robots' pages: thin views over notices.scope and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import Perm, orgs_for_user
from audit.once import submit_once, submit_token_replay
from notices import services
from notices.forms import NoticeFilterForm, PreferenceForm, RobotEditForm, RobotForm
from notices.kinds import kind_label
from notices.models import Channel, Delivery, DeliveryState, NoticePreference, RobotPost
from notices.scope import (
    get_notice_for_user,
    get_webhook_for_user,
    notices_for_user,
    require_robots,
    webhooks_for_user,
)
from notices.selectors import unread_first

PER_PAGE = 30


# --- the notice centre ---------------------------------------------------------------------


@login_required
def notice_list(request: AuthedRequest) -> HttpResponse:
    """The user's notices, unread first, filtered by kind and state, paged (three queries)."""
    mine = notices_for_user(request.user)
    kinds = [
        (k, kind_label(k)) for k in mine.order_by("kind").values_list("kind", flat=True).distinct()
    ]
    form = NoticeFilterForm(request.GET or None, kinds=kinds)
    rows = mine
    if form.is_valid():
        if kind := form.cleaned_data["kind"]:
            rows = rows.filter(kind=kind)
        if state := form.cleaned_data["state"]:
            rows = rows.filter(read_at__isnull=state == "unread")
    page = Paginator(unread_first(rows), PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    template = "notices/notice_list.html#rows" if request.htmx else "notices/notice_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "querystring_nopage": urlencode(params)},
    )


def _back(request: AuthedRequest) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("notice_list")


@login_required
@require_POST
def notice_read(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one notice read; `open` also goes to where it points."""
    notice = get_notice_for_user(request.user, pk)
    services.mark_read(user_id=request.user.pk, notice_ids=[notice.pk])
    if request.POST.get("open") and notice.url.startswith("/"):
        return redirect(notice.url)
    if request.htmx:
        notice.refresh_from_db()
        # the row, and the navigation bar's count in place (out of band)
        return render(request, "notices/_read_row.html", {"n": notice})
    return redirect(_back(request))


@login_required
@require_POST
def notice_read_all(request: AuthedRequest) -> HttpResponse:
    n = services.mark_read(user_id=request.user.pk)
    messages.success(request, f"已将 {n} 条通知标为已读。" if n else "没有未读通知。")
    return redirect(_back(request))


@login_required
def notice_settings(request: AuthedRequest) -> HttpResponse:
    user = request.user
    pref = NoticePreference.objects.filter(user=user).first()
    initial = {"email": pref.email, "email_urgent_only": pref.email_urgent_only} if pref else {}
    form = PreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_set(
                user=user,
                email=form.cleaned_data["email"],
                email_urgent_only=form.cleaned_data["email_urgent_only"],
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "通知设置已保存。")
            return redirect("notice_settings")
    mails = list(
        Delivery.objects.filter(notice__recipient=user, channel=Channel.EMAIL)
        .select_related("notice")
        .order_by("-created_at", "-id")[:10]
    )
    return render(
        request, "notices/settings.html", {"form": form, "email": user.email, "mails": mails}
    )


# --- robots ----------------------------------------------------------------------------------


@login_required
def robot_list(request: AuthedRequest) -> HttpResponse:
    """The robots of the user's subtree, each with its pending and given-up counts (one query)."""
    require_robots(request.user)
    hooks = (
        webhooks_for_user(request.user)
        .select_related("org")
        .annotate(
            pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
            failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
            sent=Count("deliveries", filter=Q(deliveries__state=DeliveryState.SENT)),
        )
    )
    return render(request, "notices/robot_list.html", {"hooks": hooks})


@login_required
def robot_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_robots(user)
    if replay := submit_token_replay(request):
        return replay
    form = RobotForm(request.POST or None, orgs=orgs_for_user(user, Perm.ORG_EDIT).order_by("path"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> str:
            hook = services.webhook_create(
                actor=user,
                org=data["org"],
                kind=data["kind"],
                name=data["name"],
                url=data["url"].strip(),
                secret=data["secret"].strip(),
                urgent_only=data["urgent_only"],
            )
            messages.success(request, f"已添加群机器人「{hook.name}」。")
            return reverse("robot_detail", args=[hook.pk])

        if done := submit_once(request, form, create):
            return done
    return render(request, "notices/robot_form.html", {"form": form, "hook": None})


@login_required
def robot_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A robot: its settings (the secret never shown in full) and its delivery log."""
    user = request.user
    hook = get_webhook_for_user(user, pk)
    form = RobotEditForm(request.POST or None, webhook=hook)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secret: str | None = "" if data["clear_secret"] else (data["secret"].strip() or None)
        try:
            services.webhook_update(
                actor=user,
                webhook=hook,
                name=data["name"],
                url=data["url"].strip() or hook.url,
                secret=secret,
                urgent_only=data["urgent_only"],
                active=data["active"],
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "已保存。")
            return redirect("robot_detail", pk=hook.pk)
    posts = list(RobotPost.objects.filter(webhook=hook)[:20])
    trouble = list(
        hook.deliveries.exclude(state=DeliveryState.SENT)
        .select_related("notice")
        .order_by("-next_at", "-id")[:20]
    )
    counts = dict(hook.deliveries.values_list("state").annotate(n=Count("id")).order_by())
    return render(
        request,
        "notices/robot_form.html",
        {"form": form, "hook": hook, "posts": posts, "trouble": trouble, "counts": counts},
    )


@login_required
@require_POST
def robot_test(request: AuthedRequest, pk: int) -> HttpResponse:
    """Post a test message now and say how it went."""
    hook = get_webhook_for_user(request.user, pk)
    try:
        post = services.webhook_test(actor=request.user, webhook=hook)
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        if post.ok:
            messages.success(request, "测试消息已发送，请在群里查看。")
        else:
            messages.error(request, f"测试消息发送失败：{post.error}")
    return redirect("robot_detail", pk=hook.pk)


@login_required
@require_POST
def robot_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    hook = get_webhook_for_user(user, pk)
    back = reverse("robot_detail", args=[hook.pk])

    def retry() -> str:
        n = services.webhook_retry(actor=user, webhook=hook)
        messages.success(request, f"已将 {n} 条未送达的通知重新排队发送。")
        return back

    return submit_once(request, None, retry, refused_url=back) or redirect(back)
