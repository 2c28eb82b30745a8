"""The demo university's ratings and 述职评议 (called by seed_demo): the duty office has rated
the participants of the first phase, and 计算机学院 has recorded the 评议 of its first
branches for last year."""

import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessment import selectors, services
from assessment.models import PostRating
from orgs.models import Org, OrgKind
from rosters.models import Phase

COMMENTS = ["坚守岗位，认真负责", "测温登记规范，交接清楚", "服务热情，耐心细致", "能按时到岗", ""]


def seed(*, school: Org, unit: Org) -> None:
    if PostRating.objects.exists():
        return
    users = get_user_model().objects
    office, unit_admin = (
        users.filter(username="fangkong").first(),
        users.filter(username="jsj_admin").first(),
    )
    if office is None or unit_admin is None:
        return
    rng = random.Random(720)
    phase = Phase.objects.filter(org=school).order_by("starts_on").first()
    if phase is not None:
        for row in selectors.participants(phase=phase, rater=office)[:40]:
            score = 5 if row.shifts and row.punctual == row.shifts else rng.choice([3, 4, 4, 5])
            services.rating_set(
                actor=office,
                phase=phase,
                member=row.member,
                score=score,
                comment=rng.choice(COMMENTS),
            )
    year = timezone.localdate().year - 1
    branches = Org.objects.filter(path__startswith=unit.path, kind=OrgKind.BRANCH).order_by("path")[
        :3
    ]
    for branch, result in zip(branches, ["excellent", "good", "good"], strict=False):
        services.result_record(
            actor=unit_admin, org=branch, year=year, result=result, note="述职材料齐全"
        )
