"""The demo university's 报备 (called by seed_demo).

组织部 has the three ready-made forms; the health form is due every day by 10:00 school-wide
and the thoughts-and-work form every week for the first unit. A week of health reports: most
members report on time, some late, some not at all (the overdue list and the secretaries'
to-do rows have people on them), and one member had a fever yesterday (the branch secretary
has the notice). The demo member (dangyuan) reported yesterday and not yet today, so 「复制上次」
has something to copy and the home page shows the report due.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from members.models import Member
from orgs.models import Org
from reports import fever, services
from reports.models import Frequency, Report, ReportForm, ReportSchedule

DAYS = 7
PLACES = [("湖北省", "武汉市"), ("北京市", "海淀区"), ("广东省", "深圳市"), ("四川省", "成都市")]


def seed(*, school: Org, demo_member: Member | None = None) -> None:
    if ReportForm.objects.filter(owner=school).exists():
        return
    admin = get_user_model().objects.filter(username="zzb").first()
    if admin is None:
        return
    forms = services.ready_made_install(actor=admin, owner=school)
    health, _, thoughts = forms
    today = timezone.localdate()
    daily = services.schedule_create(
        actor=admin,
        form=health,
        org=school,
        frequency=Frequency.DAILY,
        starts_on=today - dt.timedelta(days=DAYS),
        due_time=dt.time(10, 0),
    )
    unit = Org.objects.filter(path__startswith=school.path, depth=2).order_by("path").first()
    if unit is not None:
        services.schedule_create(
            actor=admin,
            form=thoughts,
            org=unit,
            frequency=Frequency.WEEKLY,
            starts_on=today - dt.timedelta(days=DAYS),
            due_time=dt.time(18, 0),
        )
    _week_of_reports(daily, school, today, demo_member)


def _answers(rng: random.Random, temperature: Decimal) -> dict[str, Any]:
    return {
        "temperature": float(temperature),
        "symptoms": ["无"] if temperature < Decimal("37.3") else ["发热", "乏力"],
        **(
            {"symptom_note": "昨晚开始发热，已联系校医院。"}
            if temperature >= Decimal("37.3")
            else {}
        ),
        "last_test_on": (timezone.localdate() - dt.timedelta(days=rng.randint(1, 6))).isoformat(),
    }


def _week_of_reports(
    schedule: ReportSchedule, school: Org, today: dt.date, demo_member: Member | None
) -> None:
    rng = random.Random(1014)
    version = schedule.form.current_version()
    members = list(Member.objects.filter(branch__path__startswith=school.path).order_by("number"))
    rows = []
    for days_ago in range(DAYS, -1, -1):
        period = today - dt.timedelta(days=days_ago)
        due = schedule.due_at(period)
        share = 0.55 if days_ago == 0 else 0.9
        for member in members:
            if demo_member is not None and member.pk == demo_member.pk and days_ago == 0:
                continue
            if rng.random() > share:
                continue
            late = rng.random() < 0.08
            minutes = rng.randint(-180, -5) if not late else rng.randint(10, 300)
            submitted = due + dt.timedelta(minutes=minutes)
            if submitted > timezone.now():
                submitted = timezone.now() - dt.timedelta(minutes=rng.randint(1, 30))
                late = submitted > due
            temperature = Decimal(str(round(rng.uniform(36.1, 36.9), 1)))
            rows.append(
                Report(
                    member=member,
                    form_id=schedule.form_id,
                    version=version,
                    schedule=schedule,
                    period=period,
                    branch_id=member.branch_id,
                    answers=_answers(rng, temperature),
                    temperature=temperature,
                    submitted_at=submitted,
                    late=late,
                )
            )
    Report.objects.bulk_create(rows, batch_size=1000)
    # One fever, yesterday, in the demo branch: its secretary has the notice.
    yesterday = today - dt.timedelta(days=1)
    candidates = Report.objects.filter(form_id=schedule.form_id, period=yesterday)
    if demo_member is not None:
        candidates = candidates.filter(branch_id=demo_member.branch_id).exclude(
            member_id=demo_member.pk
        )
    report = candidates.select_related("member").order_by("member__number").first()
    if report is not None:
        report.temperature = Decimal("37.8")
        report.answers = _answers(rng, Decimal("37.8"))
        report.save(update_fields=["temperature", "answers"])
        fever.on_fever(
            member=report.member,
            temperature=report.temperature,
            measured_at=report.submitted_at,
            report=report,
        )
