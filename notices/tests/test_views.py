"""The notice centre and the robots' pages, through the test client."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Cast
from notices.models import (
    Delivery,
    DeliveryState,
    Notice,
    NoticePreference,
    RobotKind,
    RobotWebhook,
)
from notices.services import notify

pytestmark = pytest.mark.django_db

SECRET = "SEC1234567890abcdef"


def _list_queries(cast: Cast, n: int) -> int:
    uid = cast.users["member_a"].pk
    for i in range(n):
        notify(user_ids=[uid], kind=f"k{i % 4}.x", title=f"通知{i}", urgent=i % 3 == 0)
    client = cast.client("member_a")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("notice_list")).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_makes_a_fixed_number_of_queries(cast: Cast) -> None:
    few = _list_queries(cast, 3)
    Notice.objects.all().delete()
    assert _list_queries(cast, 40) == few


def test_every_role_sees_only_their_own_notices(cast: Cast) -> None:
    for name in cast.users:
        notify(user_ids=[cast.users[name].pk], kind="test.kind", title=f"给{name}的通知")
    for name in cast.users:
        page = cast.client(name).get(reverse("notice_list")).content.decode()
        assert f"给{name}的通知" in page
        assert page.count("给") == 1, name


def test_unread_come_first_and_filters_work(cast: Cast) -> None:
    uid = cast.users["member_a"].pk
    [old] = notify(user_ids=[uid], kind="campaign.deadline", title="旧的未读")
    [read] = notify(user_ids=[uid], kind="meeting.due", title="新的已读")
    Notice.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client = cast.client("member_a")
    page = client.get(reverse("notice_list")).content.decode()
    assert page.index("旧的未读") < page.index("新的已读")
    assert "报送截止提醒" in page and "组织生活提醒" in page
    page = client.get(reverse("notice_list"), {"kind": "meeting.due"}).content.decode()
    assert "新的已读" in page and "旧的未读" not in page
    page = client.get(reverse("notice_list"), {"state": "unread"}).content.decode()
    assert "旧的未读" in page and "新的已读" not in page
    # htmx asks for the rows only
    rows = client.get(reverse("notice_list"), {"state": "read"}, HTTP_HX_REQUEST="true")
    assert rows.content.decode().lstrip().startswith('<div id="notice-rows">')
    assert old.pk


def test_a_bad_filter_shows_everything(cast: Cast) -> None:
    notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title="甲")
    page = cast.client("member_a").get(reverse("notice_list"), {"state": "x", "page": "z"})
    assert "甲" in page.content.decode()


def test_the_centre_pages(cast: Cast) -> None:
    uid = cast.users["member_a"].pk
    for i in range(35):
        notify(user_ids=[uid], kind="t.a", title=f"第{i:02d}条")
    client = cast.client("member_a")
    page = client.get(reverse("notice_list")).content.decode()
    assert "第 1 / 2 页，共 35 条" in page
    assert "第34条" in page and "第00条" not in page
    assert "第00条" in client.get(reverse("notice_list"), {"page": 2}).content.decode()


def test_mark_one_read_in_place_and_open_goes_to_its_link(cast: Cast) -> None:
    uid = cast.users["member_a"].pk
    [a] = notify(user_ids=[uid], kind="t.a", title="甲", url="/meetings/")
    [b] = notify(user_ids=[uid], kind="t.a", title="乙")
    client = cast.client("member_a")
    assert ">2</span>" in client.get(reverse("home")).content.decode()  # the badge
    row = client.post(reverse("notice_read", args=[b.pk]), HTTP_HX_REQUEST="true")
    assert (
        f'id="notice-{b.pk}"' in row.content.decode() and "未读</span>" not in row.content.decode()
    )
    assert 'hx-swap-oob="true">' in row.content.decode() and ">1</span>" in row.content.decode()
    opened = client.post(reverse("notice_read", args=[a.pk]), {"open": "1"})
    assert opened["Location"] == "/meetings/"
    assert Notice.objects.filter(recipient_id=uid, read_at__isnull=True).count() == 0
    assert 'id="nav-notice-count"></span>' in client.get(reverse("home")).content.decode()


def test_mark_all_read_and_come_back(cast: Cast) -> None:
    uid = cast.users["member_a"].pk
    notify(user_ids=[uid, cast.users["member_b"].pk], kind="t.a", title="甲")
    notify(user_ids=[uid], kind="t.a", title="乙")
    client = cast.client("member_a")
    response = client.post(reverse("notice_read_all"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notice_list")
    assert not Notice.objects.filter(recipient_id=uid, read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=cast.users["member_b"], read_at__isnull=True).exists()
    page = client.get(reverse("notice_list")).content.decode()
    assert "已将 2 条通知标为已读" in page


def test_urgent_unread_notices_are_on_the_home_page(cast: Cast) -> None:
    notify(user_ids=[cast.users["branch_secretary"].pk], kind="t.a", title="急", urgent=True)
    notify(user_ids=[cast.users["branch_secretary"].pk], kind="t.a", title="缓")
    page = cast.client("branch_secretary").get(reverse("home")).content.decode()
    assert "未读的紧急通知" in page
    assert "未读的紧急通知" not in cast.client("member_a").get(reverse("home")).content.decode()


def test_e_mail_needs_an_address(cast: Cast) -> None:
    user = cast.users["member_a"]
    client = cast.client("member_a")
    response = client.post(reverse("notice_settings"), {"email": "on"})
    assert "账号未填写邮箱，无法接收邮件通知" in response.content.decode()
    user.email = "a@example.edu.cn"
    user.save()
    assert client.post(reverse("notice_settings"), {"email": "on"}).status_code == 302
    assert user.notice_preference.email is True  # type: ignore[attr-defined]
    # the user's own e-mails are listed with their state; nobody else's
    other = cast.users["member_b"]
    other.email = "b@example.edu.cn"
    other.save()
    NoticePreference.objects.create(user=other, email=True)
    notify(user_ids=[user.pk, other.pk], kind="t.a", title="邮件通知甲")
    page = client.get(reverse("notice_settings")).content.decode()
    assert "最近的邮件" in page and "待发送" in page
    assert page.count("邮件通知甲") == 1


def _robot_form(org: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "org": org.pk,
        "kind": RobotKind.DINGTALK,
        "name": "学院工作群",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123",
        "secret": SECRET,
    }
    return data | kw


def test_a_unit_adds_a_robot_and_its_secret_is_never_shown_back(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    bad = client.post(reverse("robot_new"), _robot_form(cast.unit_a, url="http://x/"))
    assert "Webhook 地址格式不正确" in bad.content.decode()
    other = client.post(reverse("robot_new"), _robot_form(cast.unit_b))
    assert "选择一个有效的选项" in other.content.decode()
    response = client.post(reverse("robot_new"), _robot_form(cast.unit_a))
    hook = RobotWebhook.objects.get()
    assert response["Location"] == reverse("robot_detail", args=[hook.pk])
    assert (hook.org, hook.secret, hook.created_by) == (
        cast.unit_a,
        SECRET,
        cast.users["unit_a_admin"],
    )
    page = client.get(response["Location"]).content.decode()
    assert SECRET not in page and "abcdef0123" not in page
    assert "SEC…ef" in page
    # saved with the secret left blank: kept; cleared on request
    form = {"name": "新名称", "urgent_only": "on", "active": "on"}
    assert client.post(response["Location"], form).status_code == 302
    hook.refresh_from_db()
    assert (hook.name, hook.secret, hook.urgent_only) == ("新名称", SECRET, True)
    client.post(response["Location"], form | {"clear_secret": "on"})
    hook.refresh_from_db()
    assert hook.secret == ""
    bad = client.post(response["Location"], form | {"secret": "密钥"})
    assert "加签密钥只能包含字母和数字" in bad.content.decode()
    audit = cast.client("school_admin").get(reverse("audit_list")).content.decode()
    assert "添加了群机器人「计算机学院党委 · 学院工作群」" in audit
    assert "修改了群机器人「计算机学院党委 · 新名称」" in audit and SECRET not in audit


def test_a_wecom_robot_takes_no_secret(cast: Cast) -> None:
    client = cast.client("school_admin")
    data = _robot_form(
        cast.school,
        kind=RobotKind.WECOM,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a1b",
    )
    assert "只有钉钉机器人使用加签密钥" in client.post(reverse("robot_new"), data).content.decode()
    assert client.post(reverse("robot_new"), data | {"secret": ""}).status_code == 302
    assert "企业微信群机器人" in client.get(reverse("robot_list")).content.decode()


def test_switching_a_robot_off_stops_what_waits_and_retry_sends_it_again(cast: Cast) -> None:
    hook = RobotWebhook.objects.create(
        org=cast.unit_a,
        kind=RobotKind.WECOM,
        name="群",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
    )
    notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title="甲")
    client = cast.client("unit_a_admin")
    url = reverse("robot_detail", args=[hook.pk])
    client.post(url, {"name": "群"})  # active unticked
    d = Delivery.objects.get()
    assert (d.state, d.last_error) == (DeliveryState.FAILED, "机器人已停用，未发送")
    refused = client.post(reverse("robot_retry", args=[hook.pk]), follow=True)
    assert "机器人已停用，请先启用再重新发送" in refused.content.decode()
    client.post(url, {"name": "群", "active": "on"})
    page = client.get(url).content.decode()
    assert "已放弃 1 条" in page and "机器人已停用，未发送" in page
    done = client.post(reverse("robot_retry", args=[hook.pk]), follow=True)
    assert "已将 1 条未送达的通知重新排队发送" in done.content.decode()
    d.refresh_from_db()
    assert (d.state, d.attempts) == (DeliveryState.PENDING, 0)


def test_a_test_message_reaches_the_robot_and_a_failure_says_why(cast: Cast) -> None:
    from notices.tests.receiver import Receiver

    client = cast.client("unit_a_admin")
    with Receiver(secret=SECRET) as receiver:
        hook = RobotWebhook.objects.create(
            org=cast.unit_a,
            kind=RobotKind.DINGTALK,
            name="群",
            url=receiver.dingtalk_url(),
            secret=SECRET,
        )
        url = reverse("robot_test", args=[hook.pk])
        page = client.post(url, follow=True).content.decode()
        assert "测试消息已发送" in page
        assert "这是一条测试消息" in receiver.received[0].text
        receiver.fail_next = 1
        page = client.post(url, follow=True).content.decode()
        assert "测试消息发送失败：机器人接口返回错误（HTTP 500）" in page
    assert hook.posts.count() == 2


def test_a_test_message_waits_when_the_robots_minute_is_full(cast: Cast) -> None:
    from notices.models import RobotPost

    hook = RobotWebhook.objects.create(
        org=cast.unit_a,
        kind=RobotKind.WECOM,
        name="群",
        url="http://127.0.0.1:9/cgi-bin/webhook/send?key=abc",
    )
    RobotPost.objects.bulk_create([RobotPost(webhook=hook, ok=True) for _ in range(20)])
    page = cast.client("unit_a_admin").post(reverse("robot_test", args=[hook.pk]), follow=True)
    assert "一分钟内的消息已达上限（20 条）" in page.content.decode()
    assert hook.posts.count() == 20
