"""Deadline reminders go through notices.notify: the notice centre, e-mail and robots."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.tests.helpers import K, make_campaign, media_root  # noqa: F401 — a fixture
from conftest import Cast
from notices.models import Channel, Delivery, Notice, RobotKind, RobotWebhook

pytestmark = pytest.mark.usefixtures("media_root")


def test_unit_admins_get_one_notice_per_deadline_and_the_units_robot_a_line(
    cast: Cast,
) -> None:
    d = make_campaign(cast)[1][K.STORY]
    d.deadline = timezone.now() + dt.timedelta(days=2)
    d.save()
    robot = RobotWebhook.objects.create(
        org=cast.unit_b,
        kind=RobotKind.WECOM,
        name="化学学院群",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
    )
    admin_b = cast.users["unit_b_admin"]
    admin_b.email = "admin-b@example.edu.cn"
    admin_b.save()
    services.reminders_send()
    services.reminders_send()  # the daily task again: nobody is told twice
    story = Notice.objects.filter(kind="campaign.deadline", title__contains=d.name)
    assert sorted(n.recipient.username for n in story) == ["unit_a_admin", "unit_b_admin"]
    notice = story.get(recipient=admin_b)
    assert notice.title.startswith(d.campaign.name) and "截止" in notice.title
    assert "贵单位尚未报送" in notice.body and notice.org == cast.unit_b
    # unit B has no mailbox of its own: its admin is mailed, as before; its robot gets a line
    assert Delivery.objects.filter(notice=notice, channel=Channel.EMAIL).exists()
    assert Delivery.objects.filter(notice=notice, webhook=robot).exists()


def test_a_unit_with_its_own_mailbox_is_mailed_there_and_admins_only_see_a_notice(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    d = make_campaign(cast)[1][K.STORY]
    d.deadline = timezone.now() + dt.timedelta(days=2)
    d.save()
    cast.unit_a.email = "jsj@example.edu.cn"
    cast.unit_a.save()
    admin_a = cast.users["unit_a_admin"]
    admin_a.email = "admin-a@example.edu.cn"
    admin_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send()
    notice = Notice.objects.get(recipient=admin_a, title__contains=d.name)
    assert not Delivery.objects.filter(notice=notice, channel=Channel.EMAIL).exists()
