"""The demo university's 表彰评比 (called by seed_demo): last term's 优秀共产党员 round run to
its end (nominations with evidence, review, 公示 with an objection answered, honours and their
certificates), and a 先进基层党支部 round open for nominations now."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from honours import selectors, services
from honours.models import CommendationRound
from members.models import Member, PoliticalStatus
from orgs.models import Org, OrgKind

DEEDS = [
    "疫情防控期间主动请缨，连续坚守校门值守岗位，测温登记一丝不苟。",
    "带头报名党员先锋岗，协助做好返校学生报到服务，认真负责。",
    "组织支部党员线上学习，及时掌握滞留外地学生思想动态。",
    "在楼栋管理岗位上细致耐心，帮助隔离学生解决生活困难。",
]


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def seed(*, school: Org) -> None:
    if CommendationRound.objects.exists():
        return
    zzb = get_user_model().objects.filter(username="zzb").first()
    if zzb is None:
        return
    units = list(Org.objects.filter(path__startswith=school.path, depth=2).order_by("path")[:4])

    done = services.round_create(
        actor=zzb,
        year=timezone.localdate().year,
        kind="member",
        title="",
        nominate_from=_days(-1),
        nominate_until=_days(0),
        review_until=_days(30),
        default_quota=2,
        note="各二级党委按名额推荐，附平台中的值守、组织生活等记录为佐证。",
    )
    nominations = []
    for i, unit in enumerate(units):
        member = (
            Member.objects.filter(
                branch__path__startswith=unit.path, political_status=PoliticalStatus.FULL
            )
            .order_by("number")
            .first()
        )
        if member is None:
            continue
        n = services.nomination_create(
            actor=zzb, round_=done, member=member, reason=DEEDS[i % len(DEEDS)]
        )
        keys = [c.key for c in selectors.candidates(member=member)[:3]]
        if keys:
            services.evidence_add(actor=zzb, nomination=n, keys=keys)
        nominations.append(n)
    CommendationRound.objects.filter(pk=done.pk).update(
        nominate_from=_days(-40), nominate_until=_days(-30)
    )
    done.refresh_from_db()
    for i, n in enumerate(nominations):
        services.nomination_review(
            actor=zzb, nomination=n, selected=i != 3, note="" if i != 3 else "事迹材料不够充分"
        )
    services.publicity_start(actor=zzb, round_=done, days=5)
    done.refresh_from_db()
    if nominations:
        objection = services.objection_raise(
            actor=zzb, nomination=nominations[0], text="请核实该同志值班期间是否全勤。"
        )
        services.objection_handle(
            actor=zzb, objection=objection, upheld=False, reply="经核查签到记录，全勤在岗。"
        )
    CommendationRound.objects.filter(pk=done.pk).update(
        review_until=_days(-20), publicity_from=_days(-19), publicity_until=_days(-15)
    )
    done.refresh_from_db()
    services.round_finalise(actor=zzb, round_=done)

    open_round = services.round_create(
        actor=zzb,
        year=timezone.localdate().year,
        kind="branch",
        title="",
        nominate_from=_days(-3),
        nominate_until=_days(14),
        review_until=_days(28),
        default_quota=1,
    )
    branch = (
        Org.objects.filter(path__startswith=units[1].path, kind=OrgKind.BRANCH)
        .order_by("path")
        .first()
        if len(units) > 1
        else None
    )
    if branch is not None:
        n = services.nomination_create(
            actor=zzb,
            round_=open_round,
            branch=branch,
            reason="三会一课规范，党员先锋岗覆盖全体党员。",
        )
        keys = [c.key for c in selectors.candidates(branch=branch)[:3]]
        if keys:
            services.evidence_add(actor=zzb, nomination=n, keys=keys)
