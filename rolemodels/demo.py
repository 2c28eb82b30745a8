"""The demo university's 典型选树 (called by seed_demo, after duty.demo): in each of the first
units a member nominated by a branch at every state (待单位审核, 待组织部审核, published,
returned with a reason), and a published 突击队 where the demo has teams."""

from django.utils import timezone

from duty.models import Team
from members.models import Member, PoliticalStatus
from orgs.models import Org, OrgKind
from rolemodels.models import RoleModel, RoleModelEvent, RoleModelState

S = RoleModelState
DEEDS = [
    "疫情期间主动请缨值守校门，连续三十天坚守岗位，累计登记出入人员四千余人次。",
    "组织学生党员开展线上学业帮扶，结对帮扶困难学生十二名。",
    "负责隔离观察楼栋的物资配送，每日往返十余次，无一差错。",
    "带领党员突击队完成开学返校报到服务，保障三千余名学生有序返校。",
]
PATHS = [
    [S.NOMINATED],
    [S.NOMINATED, S.UNIT_APPROVED],
    [S.NOMINATED, S.UNIT_APPROVED, S.PUBLISHED],
    [S.NOMINATED, S.RETURNED],
]


def seed(*, school: Org) -> None:
    """Create this app's demo records under `school` (inside seed_demo's transaction)."""
    if RoleModel.objects.filter(org__path__startswith=school.path).exists():
        return
    branches = list(
        Org.objects.filter(path__startswith=school.path, kind=OrgKind.BRANCH).order_by("path")[:12]
    )
    now = timezone.now()
    for n, branch in enumerate(branches):
        member = (
            Member.objects.filter(branch=branch, political_status=PoliticalStatus.FULL)
            .order_by("-number")
            .first()
        )
        if member is None:
            continue
        path = PATHS[n % len(PATHS)]
        rm = RoleModel.objects.create(
            org=branch,
            member=member,
            title="抗疫先锋",
            deeds=DEEDS[n % len(DEEDS)],
            state=path[-1],
            published=path[-1] == S.PUBLISHED,
            published_at=now if path[-1] == S.PUBLISHED else None,
        )
        before = ""
        for state in path:
            comment = "事迹材料请补充具体数据。" if state == S.RETURNED else ""
            RoleModelEvent.objects.create(
                role_model=rm, from_state=before, to_state=state, comment=comment
            )
            before = state
    team = Team.objects.filter(org__path__startswith=school.path, org__depth__gte=2).first()
    if team is not None:
        rm = RoleModel.objects.create(
            org=team.org,
            team=team,
            title="先进集体",
            deeds=DEEDS[3],
            state=S.PUBLISHED,
            published=True,
            published_at=now,
        )
        before = ""
        for state in PATHS[2]:
            RoleModelEvent.objects.create(role_model=rm, from_state=before, to_state=state)
            before = state
