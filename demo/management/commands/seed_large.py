"""`manage.py seed_large`: the benchmark university (40 units, 400 branches, 20,000 members),
or with `--members 300000` (any count from PROVINCE_FROM up) a province: 90 schools' worth
of members under one root, 90 second-level units and one branch per 50 members.

The university also gets every capability's activity around today (demo/large_activity.py:
campaign, duty, meetings, talks, reports, escalations, gates …) unless `--no-activity`; the
province gets none (its figures are about the roll)."""

import time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from access.models import Role
from demo.builders import build_university, ensure_login, format_table, login_rows
from demo.large_activity import seed_activity
from demo.management.commands.seed_demo import DEMO_PASSWORD
from orgs.models import Org

LARGE_SCHOOL = "基准大学党委"
# Member numbers of the large university start here, clear of the demo's.
LARGE_NUMBER_START = 100_000
# From this many members on, seed_large builds a province (docs/scale.md).
PROVINCE_FROM = 100_000
PROVINCE_UNITS = 90
MEMBERS_PER_BRANCH = 50


class Command(BaseCommand):
    help = (
        f"建立性能基准用的「{LARGE_SCHOOL}」：40 个二级单位、400 个党支部、20000 名党员，"
        "以及 bench_school（组织部）和 bench_unit（第一个二级党委）两个账号，"
        f"密码同演示账号：{DEMO_PASSWORD}；并生成近 14 天各项业务数据（活动、值班、会议、"
        "谈话、报备、情况报告、门岗等，--no-activity 不生成）。已建立过时不做改动。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--units", type=int, help="二级单位数（默认 40；省级规模 90）")
        parser.add_argument(
            "--branches", type=int, help="党支部数（默认 400；省级规模每 50 人一个）"
        )
        parser.add_argument(
            "--members", type=int, default=20_000, help="党员数（默认 20000；300000 为省级规模）"
        )
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument(
            "--no-activity",
            action="store_true",
            help="只建组织和党员，不生成各项业务数据（省级规模从不生成）",
        )
        parser.add_argument("--days", type=int, default=14, help="业务数据覆盖的天数（默认 14）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1:
            raise CommandError("--days 至少为 1 天。")
        if Org.objects.filter(depth=1, name=LARGE_SCHOOL).exists():
            self.stdout.write(f"「{LARGE_SCHOOL}」已存在，未做改动。")
        else:
            other = Org.objects.filter(depth=1).first()
            if other is not None:
                raise CommandError(f"数据库中已有校党委「{other.name}」，基准数据只能建在空库中。")
            started = time.perf_counter()
            members = options["members"]
            province = members >= PROVINCE_FROM
            units = options["units"] or (PROVINCE_UNITS if province else 40)
            branches = options["branches"] or (members // MEMBERS_PER_BRANCH if province else 400)
            with transaction.atomic():
                uni = build_university(
                    name=LARGE_SCHOOL,
                    campuses=3,
                    units=units,
                    branches=branches,
                    members=members,
                    seed=options["seed"],
                    number_start=LARGE_NUMBER_START,
                )
                built = time.perf_counter() - started
                password = make_password(DEMO_PASSWORD)
                school_admin = ensure_login(
                    username="bench_school",
                    first_name=uni.school.organiser,
                    password_hash=password,
                    grants=[(uni.school, Role.SCHOOL_ADMIN)],
                )
                ensure_login(
                    username="bench_unit",
                    first_name=uni.units[0].organiser,
                    password_hash=password,
                    grants=[(uni.units[0], Role.UNIT_ADMIN)],
                )
                counts: dict[str, int] = {}
                timings: dict[str, float] = {}
                if not province and not options["no_activity"]:
                    counts = seed_activity(
                        uni,
                        seed=options["seed"],
                        days=options["days"],
                        user=school_admin,
                        timings=timings,
                    )
            if connection.vendor == "postgresql":
                # Fresh statistics, as autovacuum would gather them after a bulk load: without
                # them the planner takes 300,000 members for a few hundred.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            total = time.perf_counter() - started
            self.stdout.write(
                f"已建立「{LARGE_SCHOOL}」：{len(uni.units)} 个二级单位、{len(uni.branches)} 个"
                f"党支部、{len(uni.members)} 名党员（{built:.1f} 秒）。"
            )
            if counts:
                self.stdout.write(
                    f"业务数据（近 {options['days']} 天）：{counts.get('signups', 0)} 人报名、"
                    f"{counts.get('assignments', 0)} 人次排班、{counts.get('meetings', 0)} 次会议、"
                    f"{counts.get('reports', 0)} 份报备、{counts.get('gate_entries', 0)} 条进出登记"
                    f"，共 {sum(counts.values())} 行（{total - built:.1f} 秒）。"
                )
            if options["verbosity"] >= 2 and timings:
                self.stdout.write(
                    "各部分用时：" + "、".join(f"{k} {v:.1f} 秒" for k, v in timings.items())
                )
            self.stdout.write(f"seed_large 用时 {total:.1f} 秒。")
        rows = [(r.username, r.role, r.scope) for r in login_rows(("bench_school", "bench_unit"))]
        self.stdout.write(format_table(("账号", "角色", "范围"), rows))
