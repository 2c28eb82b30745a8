"""`manage.py seed_demo`: the demo university and one login per role."""

import time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from access.models import Role
from assessment import demo as assessment_demo
from campaigns import demo as campaigns_demo
from campaigns.services import reminders_send as campaign_reminders_send
from carefund import demo as carefund_demo
from demo.builders import (
    build_university,
    ensure_login,
    format_table,
    login_rows,
)
from development import demo as development_demo
from duty import demo as duty_demo
from escalations import demo as escalations_demo
from gates import demo as gates_demo
from honours import demo as honours_demo
from ledger import demo as ledger_demo
from meetings import demo as meetings_demo
from meetings.reminders import reminders_send as meeting_reminders_send
from members.models import Member, PoliticalStatus
from notices import demo as notices_demo
from orgs.models import Org
from reports import demo as reports_demo
from rolemodels import demo as rolemodels_demo
from rosters import demo as rosters_demo
from study import demo as study_demo
from talks import demo as talks_demo

DEMO_SCHOOL = "示范大学党委"
DEMO_PASSWORD = "Demo-2020-dangjian"
DEMO_USERNAMES = ("zzb", "jsj_admin", "jx_admin", "zhibu", "fangkong", "pingshen", "dangyuan")


class Command(BaseCommand):
    help = (
        f"建立演示用的「{DEMO_SCHOOL}」：3 个校区、8 个二级党委 / 党总支、40 个党支部、"
        "600 名党员，以及每个角色一个演示账号（zzb 组织部、jsj_admin 与 jx_admin 二级党委、"
        "zhibu 支部书记、fangkong 防控办、pingshen 评审人、dangyuan 党员）。"
        f"所有演示账号的密码都是 {DEMO_PASSWORD}。已建立过时只列出账号。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if Org.objects.filter(depth=1, name=DEMO_SCHOOL).exists():
            self.stdout.write(f"「{DEMO_SCHOOL}」已存在，未做改动。")
        else:
            other = Org.objects.filter(depth=1).first()
            if other is not None:
                # `make run` calls this on every start: a database with real data is left alone.
                self.stderr.write(
                    f"数据库中已有校党委「{other.name}」，未建立演示数据（演示数据只建在空库中）。"
                )
                return
            started = time.perf_counter()
            with transaction.atomic():
                seed_demo()
                analyze()
            self.stdout.write(
                f"已建立「{DEMO_SCHOOL}」演示数据（{time.perf_counter() - started:.1f} 秒）。"
            )
        self.print_logins()

    def print_logins(self) -> None:
        rows = [(r.username, r.role, r.scope) for r in login_rows(DEMO_USERNAMES)]
        self.stdout.write("")
        self.stdout.write(format_table(("账号", "角色", "范围"), rows))
        self.stdout.write(f"\n所有演示账号的密码：{DEMO_PASSWORD}")


def analyze() -> None:
    """Fresh statistics after a bulk load, as autovacuum would give them later: without them
    PostgreSQL plans the first pages' queries for empty tables."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed_demo() -> None:
    uni = build_university(
        name=DEMO_SCHOOL, campuses=3, units=8, branches=40, members=600, seed=2020
    )
    school = uni.school
    jsj, jx = uni.units[0], uni.units[1]
    branch = uni.branches_of(jsj)[0]
    member = (
        Member.objects.filter(branch=branch, political_status=PoliticalStatus.FULL)
        .order_by("number")
        .first()
    )
    password = make_password(DEMO_PASSWORD)
    logins: list[tuple[str, str, list[tuple[Org, str]]]] = [
        ("zzb", school.organiser, [(school, Role.SCHOOL_ADMIN)]),
        ("jsj_admin", jsj.organiser, [(jsj, Role.UNIT_ADMIN)]),
        ("jx_admin", jx.organiser, [(jx, Role.UNIT_ADMIN)]),
        ("zhibu", branch.secretary, [(branch, Role.BRANCH_SECRETARY)]),
        ("fangkong", school.secretary, [(school, Role.DUTY_OFFICE)]),
        ("pingshen", uni.units[3].secretary, [(school, Role.REVIEWER)]),
    ]
    for username, first_name, grants in logins:
        ensure_login(
            username=username, first_name=first_name, password_hash=password, grants=grants
        )
    if member is None:
        raise CommandError("演示支部中没有正式党员，无法建立党员账号。")
    ensure_login(username="dangyuan", first_name=member.name, password_hash=password, member=member)
    # Each feature app shows itself in the demo: campaigns, posts and rosters, duty, talks.
    campaigns_demo.seed(school=school)
    rosters_demo.seed(school=school)
    duty_demo.seed(school=school)
    meetings_demo.seed(school=school, demo_branch=branch)
    talks_demo.seed(school=school)
    development_demo.seed(school=school)
    study_demo.seed(school=school)
    rolemodels_demo.seed(school=school)
    escalations_demo.seed(school=school, demo_branch=branch)
    reports_demo.seed(school=school, demo_member=member)
    gates_demo.seed(school=school)
    carefund_demo.seed(school=school, unit=jsj)
    honours_demo.seed(school=school)
    ledger_demo.seed(school=school)
    assessment_demo.seed(school=school, unit=jsj)
    # The daily reminders once, then the notice centre's own demo (notices come last).
    campaign_reminders_send()
    meeting_reminders_send()
    notices_demo.seed(school=school)
