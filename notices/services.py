"""Telling people things. `notify` is the one entry point for every capability.

A notice is stored for each recipient (the site's notice centre); the channels beyond the site
get a `Delivery` row each, written in the same transaction, and the delivery task is queued
when it commits (`notices.delivery` sends; `notices.tasks` runs it in the background).
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from access.models import Grant
from audit.services import audit_record
from members.models import Member
from notices.models import (
    Channel,
    Delivery,
    DeliveryState,
    Notice,
    NoticePreference,
    RobotKind,
    RobotPost,
    RobotWebhook,
)
from orgs.models import Org


@transaction.atomic
def notify(
    *,
    user_ids: Iterable[int],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    org: Org | None = None,
    urgent: bool = False,
    email: bool = False,
    key: str = "",
) -> list[Notice]:
    """Store one notice per distinct user (in one INSERT) and return them; queue their
    e-mails (for users who chose e-mail, or everyone with an address when `email`) and robot
    messages (robots of the orgs above each recipient, and of `org` and above). With `key`,
    users who had a notice with that key already get none. A fixed number of queries."""
    now = timezone.now()
    rows = [
        Notice(
            recipient_id=uid,
            kind=kind,
            title=title[:200],
            body=body,
            url=url,
            org=org,
            urgent=urgent,
            key=key,
            created_at=now,
        )
        for uid in dict.fromkeys(user_ids)
    ]
    if key:
        rows = _not_told(rows, key)
        try:
            with transaction.atomic():  # a savepoint: a sender racing us told some first
                notices = Notice.objects.bulk_create(rows)
        except IntegrityError:
            notices = Notice.objects.bulk_create(_not_told(rows, key))
    else:
        notices = Notice.objects.bulk_create(rows)
    if notices:
        deliveries = _email_deliveries(notices, urgent, email)
        deliveries += _robot_deliveries(notices, org, urgent)
        if deliveries:
            Delivery.objects.bulk_create(deliveries)
            transaction.on_commit(_queue_delivery)
    return notices


def _not_told(rows: list[Notice], key: str) -> list[Notice]:
    told = set(
        Notice.objects.filter(key=key, recipient_id__in=[n.recipient_id for n in rows]).values_list(
            "recipient_id", flat=True
        )
    )
    return [n for n in rows if n.recipient_id not in told]


def _queue_delivery() -> None:
    from notices.tasks import deliver_soon  # the task module imports this one

    deliver_soon()


def _email_deliveries(notices: list[Notice], urgent: bool, everyone: bool) -> list[Delivery]:
    wants = ~Q(email="") if everyone else Q(notice_preference__email=True) & ~Q(email="")
    if not urgent and not everyone:
        wants &= Q(notice_preference__email_urgent_only=False)
    users = set(
        get_user_model()
        .objects.filter(wants, pk__in=[n.recipient_id for n in notices])
        .values_list("pk", flat=True)
    )
    return [
        Delivery(notice=n, channel=Channel.EMAIL, next_at=n.created_at)
        for n in notices
        if n.recipient_id in users
    ]


def _robot_deliveries(notices: list[Notice], org: Org | None, urgent: bool) -> list[Delivery]:
    hooks = list(
        RobotWebhook.objects.filter(active=True).values_list("pk", "org__path", "urgent_only")
    )
    hooks = [h for h in hooks if urgent or not h[2]]
    if not hooks:
        return []
    ids = [n.recipient_id for n in notices]
    paths: dict[int, set[str]] = {}
    for uid, path in Member.objects.filter(user_id__in=ids).values_list("user_id", "branch__path"):
        paths.setdefault(uid, set()).add(path)
    for uid, path in Grant.objects.filter(user_id__in=ids).values_list("user_id", "org__path"):
        paths.setdefault(uid, set()).add(path)
    out = []
    for n in notices:
        mine = paths.get(n.recipient_id, set()) | ({org.path} if org is not None else set())
        for pk, root, _ in hooks:
            if any(p.startswith(root) for p in mine):
                out.append(
                    Delivery(notice=n, channel=Channel.ROBOT, webhook_id=pk, next_at=n.created_at)
                )
    return out


def unread_count(user_id: int) -> int:
    return Notice.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def mark_read(*, user_id: int, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them when `notice_ids` is None); return how many."""
    unread = Notice.objects.filter(recipient_id=user_id, read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(id__in=list(notice_ids))
    return unread.update(read_at=timezone.now())


# --- preferences -------------------------------------------------------------------------------


@transaction.atomic
def preference_set(*, user: Any, email: bool, email_urgent_only: bool) -> NoticePreference:
    """The user's own choice of e-mail; e-mail needs an address on the account."""
    if email and not user.email:
        raise ValidationError("账号未填写邮箱，无法接收邮件通知。")
    pref, _ = NoticePreference.objects.update_or_create(
        user=user, defaults={"email": email, "email_urgent_only": email_urgent_only}
    )
    audit_record(
        actor=user,
        action="notice.preference",
        target=pref,
        label="通知设置",
        changes={"email": email, "email_urgent_only": email_urgent_only},
    )
    return pref


# --- robots --------------------------------------------------------------------------------------


def _check_robot(kind: str, url: str, secret: str) -> None:
    from notices.robots import robot_token

    if robot_token(kind, url) is None:
        example = (
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
            if kind == RobotKind.WECOM
            else "https://oapi.dingtalk.com/robot/send?access_token=…"
        )
        raise ValidationError(f"Webhook 地址格式不正确，应形如 {example}")
    if secret and kind != RobotKind.DINGTALK:
        raise ValidationError("只有钉钉机器人使用加签密钥。")
    if secret and not (secret.isascii() and secret.isalnum()):
        raise ValidationError(
            "加签密钥只能包含字母和数字（钉钉机器人设置中「加签」一栏，以 SEC 开头）。"
        )


@transaction.atomic
def webhook_create(
    *,
    actor: Any,
    org: Org,
    kind: str,
    name: str,
    url: str,
    secret: str = "",
    urgent_only: bool = False,
) -> RobotWebhook:
    _check_robot(kind, url, secret)
    hook = RobotWebhook.objects.create(
        org=org,
        kind=kind,
        name=name,
        url=url,
        secret=secret,
        urgent_only=urgent_only,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="notice.robot_create",
        target=hook,
        label=f"{org.name} · {name}",
        changes={"kind": hook.get_kind_display(), "urgent_only": urgent_only},
    )
    return hook


@transaction.atomic
def webhook_update(
    *,
    actor: Any,
    webhook: RobotWebhook,
    name: str,
    url: str,
    secret: str | None,
    urgent_only: bool,
    active: bool,
) -> RobotWebhook:
    """Change a robot; `secret=None` keeps the stored secret (the form never shows it)."""
    new_secret = webhook.secret if secret is None else secret
    _check_robot(webhook.kind, url, new_secret)
    changes: dict[str, Any] = {}
    for field, value in [("name", name), ("urgent_only", urgent_only), ("active", active)]:
        if getattr(webhook, field) != value:
            changes[field] = value
            setattr(webhook, field, value)
    if webhook.url != url:
        changes["url"] = "（已更换）"
        webhook.url = url
    if webhook.secret != new_secret:
        changes["secret"] = "（已更换）"
        webhook.secret = new_secret
    webhook.save()
    if not active:
        # Switched off: what was waiting for it will not be sent; the log says so.
        webhook.deliveries.filter(state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED, last_error="机器人已停用，未发送"
        )
    audit_record(
        actor=actor,
        action="notice.robot_update",
        target=webhook,
        label=f"{webhook.org.name} · {webhook.name}",
        changes=changes,
    )
    return webhook


def webhook_test(*, actor: Any, webhook: RobotWebhook) -> RobotPost:
    """Post a test message to the robot now, within its minute; the result is in its log."""
    from notices.delivery import RATE_PER_MINUTE, WINDOW
    from notices.robots import robot_post

    with transaction.atomic():
        hook = RobotWebhook.objects.select_for_update().get(pk=webhook.pk)
        now = timezone.now()
        if RobotPost.objects.filter(webhook=hook, at__gt=now - WINDOW).count() >= RATE_PER_MINUTE:
            raise ValidationError("此机器人一分钟内的消息已达上限（20 条），请稍后再试。")
        result = robot_post(
            kind=hook.kind,
            url=hook.url,
            secret=hook.secret,
            title=f"{settings.SITE_NAME}测试消息",
            text=f"- 这是一条测试消息，由 {actor.get_full_name() or actor.username} 发送。",
        )
        post = RobotPost.objects.create(
            webhook=hook, at=timezone.now(), ok=result.ok, error=result.error
        )
        audit_record(
            actor=actor,
            action="notice.robot_test",
            target=hook,
            label=f"{hook.org.name} · {hook.name}",
            changes={"ok": result.ok, "error": result.error},
        )
    return post


@transaction.atomic
def webhook_retry(*, actor: Any, webhook: RobotWebhook) -> int:
    """Send again what was given up on (after the robot was fixed); returns how many."""
    if not webhook.active:
        raise ValidationError("机器人已停用，请先启用再重新发送。")
    n = webhook.deliveries.filter(state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, attempts=0, next_at=timezone.now(), last_error=""
    )
    audit_record(
        actor=actor,
        action="notice.robot_retry",
        target=webhook,
        label=f"{webhook.org.name} · {webhook.name}",
        changes={"count": n},
    )
    if n:
        transaction.on_commit(_queue_delivery)
    return n
