"""The demo university's situation reports and requests at each stage (called by seed_demo).

The demo branch's member (dangyuan) has a report waiting on the branch and a fever alert; one
of their reports went unread and rose to the unit; a branch report rose on to 组织部; others
were read, handled, or (请示) answered — so every login has something on its desk and every
state shows on the pages.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from escalations import services
from escalations.models import Escalation
from members.models import Member
from orgs.models import Org


def seed(*, school: Org, demo_branch: Org) -> None:
    if Escalation.objects.exists():
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=LOGINS)}
    if set(users) != set(LOGINS):
        return
    member = Member.objects.filter(user=users["dangyuan"]).first()
    if member is None:
        return
    unit = services.level_above(demo_branch)
    assert unit is not None
    now = timezone.now()

    def ago(minutes: int) -> dt.datetime:
        return now - dt.timedelta(minutes=minutes)

    # waiting on the branch
    services.escalation_create(
        actor=users["dangyuan"],
        member=member,
        kind="situation",
        category="thought",
        urgency="normal",
        title="滞留外地期间参加社区防控志愿服务",
        body="本人滞留老家期间，已向所在社区报到，参加卡口值守，每日体温正常。",
        source="demo",
        now=ago(60),
    )
    services.raise_fever(
        member=member,
        temperature=Decimal("37.9"),
        measured_at=ago(20),
        source="report",
        detail="每日健康报告中填报，伴有咳嗽。",
    )
    # unread at the branch past its limit: risen to the unit
    risen = services.escalation_create(
        actor=users["dangyuan"],
        member=member,
        kind="situation",
        category="epidemic",
        urgency="critical",
        title="同楼栋出现密切接触者",
        body="所住楼栋今晨出现一名密切接触者，楼栋已封闭，本人居家。",
        source="demo",
        now=ago(40),
    )
    services.escalation_rise(escalation_id=risen.pk, now=ago(5))
    # a branch report unread by the unit: risen to 组织部
    up = services.escalation_create(
        actor=users["zhibu"],
        org=demo_branch,
        kind="situation",
        category="safety",
        urgency="urgent",
        title="支部党员志愿者防护物资短缺",
        body="支部 12 名党员志愿者参加校门值守，口罩、防护服仅够 2 天使用。",
        source="demo",
        now=ago(150),
    )
    services.escalation_rise(escalation_id=up.pk, now=ago(10))
    # read by 组织部
    read = services.escalation_create(
        actor=users["jsj_admin"],
        org=unit,
        kind="situation",
        category="opinion",
        urgency="normal",
        title="学院学生群内关于返校时间的讨论",
        body="学生群内有返校时间的不实消息，学院已发布澄清说明。",
        source="demo",
        now=ago(300),
    )
    services.escalation_acknowledge(actor=users["zzb"], escalation=read)
    # read and handled by the branch
    handled = services.escalation_create(
        actor=users["dangyuan"],
        member=member,
        kind="situation",
        category="health",
        urgency="urgent",
        title="家中老人需要就医",
        body="居家期间家中老人需定期就医，申请协助开具通行证明。",
        source="demo",
        now=ago(1440),
    )
    services.escalation_acknowledge(actor=users["zhibu"], escalation=handled)
    services.escalation_handle(
        actor=users["zhibu"], escalation=handled, note="已联系社区开具证明，并安排支部党员协助。"
    )
    # 请示: one answered, one waiting on the unit
    asked = services.escalation_create(
        actor=users["zhibu"],
        org=demo_branch,
        kind="request",
        category="work",
        urgency="normal",
        title="关于以视频方式召开支部党员大会的请示",
        body="因疫情防控需要，拟于本周五以视频会议方式召开支部党员大会，妥否，请批示。",
        source="demo",
        now=ago(600),
    )
    services.reply_add(
        actor=users["jsj_admin"],
        escalation=asked,
        body="同意。请做好签到和会议记录，会后一周内上传会议纪要。",
    )
    services.escalation_create(
        actor=users["zhibu"],
        org=demo_branch,
        kind="request",
        category="work",
        urgency="urgent",
        title="关于推迟支部换届选举的请示",
        body="支部委员会任期将满，因党员多数滞留外地，拟推迟换届至返校后，妥否，请批示。",
        source="demo",
        now=ago(30),
    )


LOGINS = ("dangyuan", "zhibu", "jsj_admin", "zzb")
