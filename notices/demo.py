"""The demo's notices (called by seed_demo after the other apps, and after their reminders).

Every demo login finds notices in the site's notice centre: a welcome (read), a notice of the
day, and for the branch secretary and the member an urgent one on the home page's to-do list.
组织部's login takes e-mail too (the demo's mail goes to the console where `make run` runs).
Unit 计算机学院 has a 钉钉 robot, switched off: the demo reaches no outside service.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from access.models import Grant
from members.models import Member
from notices.models import Notice, NoticePreference, RobotKind, RobotWebhook
from notices.services import notify
from orgs.models import Org, OrgKind


def seed(*, school: Org) -> None:
    users = get_user_model().objects
    logins = sorted(
        set(Grant.objects.values_list("user_id", flat=True))
        | set(Member.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    )
    # 组织部 takes e-mail: the notice of the day reaches the console of `make run`.
    zzb = users.filter(username="zzb").first()
    if zzb is not None:
        if not zzb.email:
            zzb.email = "zzb@example.edu.cn"
            zzb.save(update_fields=["email"])
        NoticePreference.objects.update_or_create(user=zzb, defaults={"email": True})
    welcome = notify(
        user_ids=logins,
        kind="notice.welcome",
        title="欢迎使用党建工作平台通知中心",
        body="各项工作的提醒、待办和紧急情况都会发到这里；在「通知设置」中可以选择同时接收邮件。",
        url="/notices/settings/",
    )
    Notice.objects.filter(pk__in=[n.pk for n in welcome]).update(
        read_at=timezone.now() - dt.timedelta(days=1),
        created_at=timezone.now() - dt.timedelta(days=2),
    )
    notify(
        user_ids=logins,
        kind="notice.daily",
        title="今日疫情防控工作提示",
        body="请各级党组织落实「四早」要求，做好返校人员健康监测和信息报送。",
    )
    zhibu = users.filter(username="zhibu").first()
    dangyuan = users.filter(username="dangyuan").first()
    urgent = [u.pk for u in (zhibu, dangyuan) if u is not None]
    notify(
        user_ids=urgent,
        kind="notice.urgent",
        title="紧急：今晚 20:00 前完成本支部党员行程排查",
        body="请支部书记组织本支部党员在今晚 20:00 前报告近 14 天行程，发现异常立即上报。",
        urgent=True,
    )
    unit = Org.objects.filter(path__startswith=school.path, kind=OrgKind.UNIT_COMMITTEE)
    first_unit = unit.order_by("path").first()
    if first_unit is not None:
        RobotWebhook.objects.get_or_create(
            org=first_unit,
            name=f"{first_unit.name}工作群",
            defaults={
                "kind": RobotKind.DINGTALK,
                "url": "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef",
                "secret": "SEC0123456789abcdef0123456789abcdef",
                "active": False,
                "created_by": users.filter(username="jsj_admin").first(),
            },
        )
