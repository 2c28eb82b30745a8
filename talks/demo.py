"""The demo university's 谈心谈话 and 民主议事 (called by seed_demo).

In every branch its first full member (the committee member who talks) has talked with about
two thirds of the others over the last four months — the stranded and quarantined more often —
so the coverage page and the home to-do list have both covered and due members, a few
follow-ups due and some done. Each unit's first branch keeps a register of three decisions.
"""

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from members.models import Member, PoliticalStatus, Whereabouts
from orgs.models import Org, OrgKind
from talks.models import Deliberation, DeliberationState, Talk, TalkMethod

THOUGHTS = [
    "思想稳定，坚决拥护学校疫情防控部署，主动报名参加线上志愿服务。",
    "关心返校时间安排，对线上学习效果有些担心，经沟通后认识到位。",
    "滞留外地期间坚持每日健康打卡，主动向社区报到参加防控值守。",
    "居家隔离期间情绪总体平稳，希望支部多组织线上学习交流。",
    "对毕业论文进度有压力，表示会按计划推进，不等不靠。",
]
LIFE = [
    "家人身体健康，生活物资充足。",
    "隔离期间独居，偶有焦虑，已推荐学校心理咨询热线。",
    "家中网络条件一般，已协调流量补助。",
    "作息规律，每天坚持锻炼。",
]
WORK = [
    "按时参加线上课程，作业按时完成。",
    "线上教学准备充分，积极参与教研室集体备课。",
    "远程办公正常，按时完成部门交办任务。",
]
HELP = [
    "讲解学校返校工作安排和防控要求。",
    "推荐心理疏导资源，约定每周电话联系一次。",
    "协调学院帮助解决网络和学习资料问题。",
    "",
]
TOPICS = [
    ("研究学生返校工作预案", "分析研判学生思想动态，逐条讨论返校流程、错峰安排和党员岗位。"),
    ("确定入党积极分子培养人选", "支委会提名，党员逐一发表意见。"),
    ("部署复岗复工后党员先锋岗值守", "结合本支部实际，讨论值守人员和轮换方式。"),
]


def seed(*, school: Org) -> None:
    if Talk.objects.filter(branch__path__startswith=school.path).exists():
        return
    rng = random.Random(919)
    today = timezone.localdate()
    recorder = get_user_model().objects.filter(username="zzb").first()
    if recorder is None:
        return
    members = list(
        Member.objects.filter(branch__path__startswith=school.path)
        .select_related("branch")
        .order_by("branch__path", "number")
    )
    by_branch: dict[int, list[Member]] = {}
    for m in members:
        by_branch.setdefault(m.branch_id, []).append(m)
    talks = []
    for branch_members in by_branch.values():
        talker = next(
            (m for m in branch_members if m.political_status == PoliticalStatus.FULL), None
        )
        if talker is None:
            continue
        for member in branch_members:
            if member.pk == talker.pk:
                continue
            away = member.whereabouts in (Whereabouts.STRANDED, Whereabouts.QUARANTINED)
            if rng.random() > (0.8 if away else 0.6):
                continue
            talks.append(_talk(rng, today, talker, member, recorder, away))
    Talk.objects.bulk_create(talks, batch_size=1000)
    _deliberations(school, rng, today, recorder)


def _talk(
    rng: random.Random, today: dt.date, talker: Member, member: Member, recorder: Any, away: bool
) -> Talk:
    talked_on = today - dt.timedelta(days=rng.randint(1, 120))
    follow_up_on = None
    followed_up_on = None
    if rng.random() < 0.25:
        follow_up_on = talked_on + dt.timedelta(days=rng.choice([7, 14, 30]))
        if follow_up_on <= today and rng.random() < 0.5:
            followed_up_on = follow_up_on
    return Talk(
        member=member,
        branch=member.branch,
        talker=talker,
        talked_on=talked_on,
        method=rng.choice(
            [TalkMethod.PHONE, TalkMethod.VIDEO, TalkMethod.WECHAT]
            if away
            else list(TalkMethod.values)
        ),
        thoughts=rng.choice(THOUGHTS),
        life=rng.choice(LIFE),
        work=rng.choice(WORK),
        help_given=rng.choice(HELP),
        follow_up_on=follow_up_on,
        followed_up_on=followed_up_on,
        follow_up_note="情况好转，继续保持联系。" if followed_up_on else "",
        recorded_by=recorder,
    )


def _deliberations(school: Org, rng: random.Random, today: dt.date, recorder: Any) -> None:
    items = []
    for unit in Org.objects.filter(path__startswith=school.path, depth=2):
        branch = (
            Org.objects.filter(path__startswith=unit.path, kind=OrgKind.BRANCH)
            .order_by("path")
            .first()
        )
        if branch is None:
            continue
        people = list(Member.objects.filter(branch=branch).order_by("number")[:12])
        if not people:
            continue
        for i, (topic, discussion) in enumerate(TOPICS):
            present = len(people)
            against = rng.randint(0, 1)
            abstain = rng.randint(0, 1)
            items.append(
                Deliberation(
                    branch=branch,
                    held_on=today - dt.timedelta(days=10 + 20 * i),
                    topic=topic,
                    discussion=discussion,
                    decision="经表决通过，由责任人按期落实。",
                    present=present,
                    votes_for=present - against - abstain,
                    votes_against=against,
                    votes_abstain=abstain,
                    owner=people[i % len(people)],
                    due_on=today + dt.timedelta(days=14 - 20 * i),
                    state=DeliberationState.DONE if i == 2 else DeliberationState.OPEN,
                    recorded_by=recorder,
                )
            )
    Deliberation.objects.bulk_create(items)
