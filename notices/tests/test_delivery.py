"""Delivery beyond the site: e-mail, and robots posted to a real HTTP receiver on loopback."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from access.models import Grant
from conftest import Cast
from members.tests.factories import MemberFactory, UserFactory
from notices import delivery
from notices.models import (
    Channel,
    Delivery,
    DeliveryState,
    NoticePreference,
    RobotKind,
    RobotPost,
    RobotWebhook,
)
from notices.services import notify
from notices.tasks import deliver_task, sweep
from notices.tests.receiver import Receiver

pytestmark = pytest.mark.django_db

SECRET = "SEC0a1b2c3d4e5f"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(secret=SECRET) as r:
        yield r


def dingtalk(org: Any, receiver: Receiver, **kw: Any) -> RobotWebhook:
    return RobotWebhook.objects.create(
        org=org,
        kind=RobotKind.DINGTALK,
        name="钉钉群",
        url=receiver.dingtalk_url(),
        secret=kw.pop("secret", SECRET),
        **kw,
    )


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_robots_get_the_notices_of_their_subtree_and_of_orgs_named(
    cast: Cast, receiver: Receiver
) -> None:
    unit_a = dingtalk(cast.unit_a, receiver)
    unit_b = dingtalk(cast.unit_b, receiver)
    urgent_only = dingtalk(cast.school, receiver, urgent_only=True)
    # a member of branch A1 and the admin of unit B
    notify(user_ids=[cast.users["member_a"].pk], kind="test.kind", title="甲")
    notify(user_ids=[cast.users["unit_b_admin"].pk], kind="test.kind", title="乙")
    # about unit A, told to 组织部
    notify(user_ids=[cast.users["school_admin"].pk], kind="test.kind", title="丙", org=cast.unit_a)
    notify(user_ids=[cast.users["duty_office"].pk], kind="test.kind", title="丁", urgent=True)
    got = {
        h.pk: sorted(Delivery.objects.filter(webhook=h).values_list("notice__title", flat=True))
        for h in (unit_a, unit_b, urgent_only)
    }
    assert got == {unit_a.pk: ["丙", "甲"], unit_b.pk: ["乙"], urgent_only.pk: ["丁"]}


def test_a_digest_reaches_the_dingtalk_receiver_signed(cast: Cast, receiver: Receiver) -> None:
    hook = dingtalk(cast.unit_a, receiver)
    notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title="体温异常", body="37.8 ℃")
    notify(user_ids=[cast.users["branch_secretary"].pk], kind="t.b", title="请及时确认", url="/x/")
    out = delivery.deliver_due()
    assert (out.sent, out.posts, out.errors) == (2, 1, [])
    [message] = receiver.received
    assert message.path == "/robot/send" and message.query["access_token"] == "abc123"
    assert "timestamp" in message.query and "sign" in message.query
    assert "- 体温异常\n" in message.text and "- 请及时确认 /x/" in message.text
    assert "37.8" not in message.text  # the body stays behind the site's login
    assert set(Delivery.objects.filter(webhook=hook).values_list("state", flat=True)) == {"sent"}
    assert RobotPost.objects.get(webhook=hook).notices == 2


def test_a_wrong_secret_is_refused_by_the_receiver_and_kept_for_retry(
    cast: Cast, receiver: Receiver
) -> None:
    hook = dingtalk(cast.unit_a, receiver, secret="SECwrong0000")
    notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title="甲")
    out = delivery.deliver_due()
    assert out.sent == 0 and receiver.received == [] and len(receiver.refused) == 1
    d = Delivery.objects.get(webhook=hook)
    assert (d.state, d.attempts) == (DeliveryState.PENDING, 1)
    assert d.last_error == "机器人接口返回错误（HTTP 400）"
    assert out.next_at == d.next_at


def test_wecom_robots_get_their_digest(cast: Cast, receiver: Receiver) -> None:
    RobotWebhook.objects.create(
        org=cast.unit_b, kind=RobotKind.WECOM, name="企业微信群", url=receiver.wecom_url()
    )
    notify(user_ids=[cast.users["member_b"].pk], kind="t.a", title="会议提醒")
    assert delivery.deliver_due().sent == 1
    [message] = receiver.received
    assert message.path == "/cgi-bin/webhook/send" and message.payload["msgtype"] == "text"
    assert "会议提醒" in message.text


def test_failures_are_retried_with_backoff_until_the_robot_is_back(
    cast: Cast, receiver: Receiver
) -> None:
    hook = dingtalk(cast.unit_a, receiver)
    notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title="甲")
    receiver.fail_next = 2
    delivery.deliver_due()
    d = Delivery.objects.get(webhook=hook)
    assert (d.attempts, d.last_error) == (1, "机器人接口返回错误（HTTP 500）")
    assert delivery.deliver_due().posts == 0  # not due again for a minute
    first_wait = d.next_at
    delivery.deliver_due(now=later(61))
    d.refresh_from_db()
    assert d.attempts == 2 and d.state == DeliveryState.PENDING
    assert d.next_at - first_wait >= dt.timedelta(seconds=100)  # then two minutes
    delivery.deliver_due(now=later(200))
    d.refresh_from_db()
    assert (d.state, d.attempts, d.last_error) == (DeliveryState.SENT, 3, "")
    assert len(receiver.received) == 1


def test_a_robot_that_never_answers_is_given_up_after_max_attempts(cast: Cast) -> None:
    hook = RobotWebhook.objects.create(
        org=cast.unit_a,
        kind=RobotKind.WECOM,
        name="坏地址",
        url="http://127.0.0.1:9/cgi-bin/webhook/send?key=abc",
    )
    notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title="甲")
    Delivery.objects.filter(webhook=hook).update(attempts=delivery.MAX_ATTEMPTS - 1)
    delivery.deliver_due()
    d = Delivery.objects.get(webhook=hook)
    assert d.state == DeliveryState.FAILED
    assert d.last_error == "无法连接机器人接口（网络不通或地址错误）"


def test_a_robot_gets_at_most_twenty_messages_a_minute(
    cast: Cast, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given 25 notices that each fill a message
    monkeypatch.setitem(delivery.MAX_BYTES, RobotKind.DINGTALK, 10)
    hook = dingtalk(cast.unit_a, receiver)
    for i in range(25):
        notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title=f"第{i}条")
    # when delivery runs now
    out = delivery.deliver_due()
    # then 20 go out, the rest wait for the minute to move on
    assert (out.posts, len(receiver.received)) == (20, 20)
    first = RobotPost.objects.filter(webhook=hook).order_by("at").first()
    assert first is not None and out.next_at == first.at + delivery.WINDOW
    assert Delivery.objects.filter(webhook=hook, state=DeliveryState.PENDING).count() == 5
    assert delivery.deliver_due().posts == 0
    # and a minute later the last five
    assert delivery.deliver_due(now=later(61)).posts == 5
    assert len(receiver.received) == 25


def test_notices_alike_share_one_digest_line(cast: Cast, receiver: Receiver) -> None:
    dingtalk(cast.school, receiver)
    users = [UserFactory.create() for _ in range(3)]
    for u in users:
        MemberFactory.create(branch=cast.branch_a2, user=u)
    notify(user_ids=[u.pk for u in users], kind="t.a", title="请填报健康情况")
    notify(user_ids=[users[0].pk], kind="t.b", title="另一条")
    assert delivery.deliver_due().sent == 4
    [message] = receiver.received
    assert "- 请填报健康情况（3 人）" in message.text
    assert message.text.splitlines()[1:] == ["- 请填报健康情况（3 人）", "- 另一条"]


def test_digest_packs_lines_up_to_the_robots_limit() -> None:
    lines = [delivery.Line(kind="t.a", title=f"{i}" * 150, url="") for i in range(2)]
    taken, text = delivery.digest(lines, 200)
    assert taken == lines[:1] and len(text.encode()) <= 200
    taken, text = delivery.digest(lines[:1], 50)  # one line alone too long: cut
    assert taken == lines[:1] and text.endswith("…") and len(text.encode()) <= 50


def test_a_broadcast_to_many_is_one_line_however_many(cast: Cast, receiver: Receiver) -> None:
    dingtalk(cast.school, receiver)
    users = [UserFactory.create() for _ in range(30)]
    for u in users:
        Grant.objects.create(user=u, org=cast.branch_b1, role="branch_secretary")
    notify(user_ids=[u.pk for u in users], kind="t.a", title="请填报今日健康情况", urgent=True)
    monkey = delivery.MAX_LINES
    delivery.MAX_LINES = 1  # even when one query's worth of lines is all that is read
    try:
        assert delivery.deliver_due().sent == 30
    finally:
        delivery.MAX_LINES = monkey
    [message] = receiver.received
    assert message.text.splitlines()[1:] == ["- 【紧急】请填报今日健康情况（30 人）"]


def test_e_mail_goes_to_those_who_chose_it(cast: Cast) -> None:
    a, b = cast.users["member_a"], cast.users["member_b"]
    a.email, b.email = "a@example.edu.cn", "b@example.edu.cn"
    a.save()
    b.save()
    NoticePreference.objects.create(user=a, email=True)
    NoticePreference.objects.create(user=b, email=True, email_urgent_only=True)
    notify(user_ids=[a.pk, b.pk], kind="t.a", title="例行通知", body="内容", url="/notices/")
    notify(user_ids=[b.pk], kind="t.a", title="紧急情况", urgent=True)
    assert delivery.deliver_due().sent == 2
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("a@example.edu.cn", "【通知】例行通知"),
        ("b@example.edu.cn", "【紧急】紧急情况"),
    ]
    assert "查看：/notices/" in mail.outbox[0].body


def test_a_mail_server_that_fails_keeps_the_mail_for_later(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = cast.users["member_a"]
    a.email = "a@example.edu.cn"
    a.save()
    NoticePreference.objects.create(user=a, email=True)
    notify(user_ids=[a.pk], kind="t.a", title="甲")

    def down(self: Any, messages: Any) -> int:
        raise ConnectionRefusedError

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", down)
    assert delivery.deliver_due().sent == 0
    d = Delivery.objects.get(channel=Channel.EMAIL)
    assert d.state == DeliveryState.PENDING and "邮件服务器" in d.last_error
    monkeypatch.undo()
    assert delivery.deliver_due(now=later(61)).sent == 1
    assert len(mail.outbox) == 1


def test_notify_queues_one_delivery_run_and_the_task_comes_back_when_due(
    cast: Cast, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    dingtalk(cast.unit_a, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title="甲")
        notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title="乙")
    path = deliver_task.module_path
    assert DBTaskResult.objects.filter(task_path=path).count() == 1  # not one per notify
    receiver.fail_next = 1
    deliver_task.call()
    waiting = DBTaskResult.objects.filter(task_path=path, status="READY").order_by("run_after")
    assert waiting.count() == 2  # the one queued, and the one for the retry
    retry_at = Delivery.objects.get(notice__title="甲").next_at
    later_run = waiting.first()
    assert later_run is not None and abs((later_run.run_after - retry_at).total_seconds()) < 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeps_at_start_and_delivers(cast: Cast, receiver: Receiver) -> None:
    # given notices stored while no worker ran, and no task queued for them
    dingtalk(cast.unit_a, receiver)
    notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title="停机期间的通知")
    DBTaskResult.objects.all().delete()
    # when the worker starts and runs what is queued
    call_command("db_worker", batch=True, interval=0.1, startup_delay=False, verbosity=0)
    # then the notice reached the robot
    assert [m.text.count("停机期间的通知") for m in receiver.received] == [1]
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_sweep_queues_nothing_twice(cast: Cast) -> None:
    sweep()
    sweep()
    assert DBTaskResult.objects.filter(task_path=deliver_task.module_path).count() == 1


def test_an_address_removed_since_is_given_up_at_once(cast: Cast) -> None:
    a = cast.users["member_a"]
    a.email = "a@example.edu.cn"
    a.save()
    NoticePreference.objects.create(user=a, email=True)
    notify(user_ids=[a.pk], kind="t.a", title="甲")
    a.email = ""
    a.save()
    assert delivery.deliver_due().failed == 1
    d = Delivery.objects.get()
    assert (d.state, d.last_error) == (DeliveryState.FAILED, "账号没有邮箱地址")
    assert mail.outbox == []
