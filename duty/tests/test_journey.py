"""The issue's journey through the pages: sign-up → allocation → roster → publish → check-in →
the person-times figure. Posts and the phase are set up directly; every step after is a page."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from duty.models import DutyCheck
from rosters.models import Assignment, Phase, Post, PostKind, PostLevel, Roster


def test_sign_up_to_person_times(cast: Cast) -> None:
    start = timezone.localtime(timezone.now() - dt.timedelta(minutes=10))
    post = Post.objects.create(
        name="计算机学院楼栋管理岗",
        kind=PostKind.BUILDING,
        level=PostLevel.UNIT,
        org=cast.unit_a,
        place="3号楼",
        slots=[{"name": "当班", "start": start.strftime("%H:%M"), "hours": 4}],
        headcount=1,
    )
    phase = Phase.objects.create(
        name="本周楼栋值守",
        org=cast.unit_a,
        starts_on=start.date(),
        ends_on=start.date(),
        signup_deadline=timezone.now() + dt.timedelta(days=1),
        recommend_deadline=timezone.now() + dt.timedelta(days=1),
    )
    phase.posts.set([post])
    member, admin = cast.client("member_a"), cast.client("unit_a_admin")

    # 1. the member signs up (附件1)
    signed_up = member.post(
        reverse("signup_form", args=[phase.pk]),
        {"wanted": [post.pk], f"order_{post.pk}": 1, "phone": "13800000001", "health_ok": "on"},
    )
    assert signed_up.status_code == 302, signed_up.content.decode()[:2000]

    # 2. the unit admin allocates them and builds the roster
    admin.post(
        f"{reverse('allocation_page', args=[phase.pk])}?post={post.pk}",
        {"member": cast.member_a.pk},
    )
    admin.post(reverse("roster_create", args=[phase.pk]))
    roster = Roster.objects.get(phase=phase)
    key = f"{post.pk}|{start.date().isoformat()}|当班"
    admin.post(
        reverse("roster_edit", args=[roster.pk]),
        {"op": f"add:{key}", f"member_{key}": cast.member_a.pk, "version": roster.version},
    )
    assignment = Assignment.objects.get(roster=roster)
    roster.refresh_from_db()
    admin.post(reverse("roster_publish", args=[roster.pk]), {"version": roster.version})
    roster.refresh_from_db()
    assert roster.state == Roster.State.PUBLISHED

    # 3. the member finds the shift and checks in
    home = member.get(reverse("duty_home")).content.decode()
    assert reverse("duty_shift", args=[assignment.pk]) in home
    member.post(reverse("duty_check_in", args=[assignment.pk]))
    assert DutyCheck.objects.filter(assignment=assignment).exists()

    # 4. the figure counts it
    figures = admin.get(reverse("duty_stats"), {"date_from": start.date().isoformat()})
    assert re.search(r"累计值班 1 人次", figures.content.decode())
