"""The fever rule: a temperature at or above FEVER_THRESHOLD (37.3 ℃ unless set) in a
submitted report. `on_fever` is the one place that acts on it; the gate (coming next) and the
situation reports (escalations) are wired to it at merge.

Today it tells the member's branch secretaries through notices.notify (kind "report.fever"),
once per member and day: a second fever report the same day (another form) tells nobody again.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from access.models import Grant, Role
from members.models import Member
from notices.services import notify
from reports.models import Report

KIND = "report.fever"


def threshold() -> Decimal:
    return Decimal(str(getattr(settings, "FEVER_THRESHOLD", "37.3")))


def branch_secretary_ids(branch_id: int) -> list[int]:
    return list(
        Grant.objects.filter(org_id=branch_id, role=Role.BRANCH_SECRETARY)
        .values_list("user_id", flat=True)
        .distinct()
    )


def on_fever(*, member: Member, temperature: Decimal, measured_at: dt.datetime, report: Any) -> int:
    """Tell the member's branch secretaries that the member has a fever; how many were told."""
    url = reverse("report_detail", args=[report.pk]) if report is not None else ""
    day = timezone.localtime(measured_at)
    start = day.replace(hour=0, minute=0, second=0, microsecond=0)
    # Once per member and day: an earlier fever report today has told them already.
    earlier = Report.objects.filter(
        member=member, submitted_at__gte=start, temperature__gte=threshold()
    )
    if report is not None:
        earlier = earlier.exclude(pk=report.pk).filter(submitted_at__lte=report.submitted_at)
    if earlier.exists():
        return 0
    recipients = branch_secretary_ids(member.branch_id)
    if not recipients:
        return 0
    notify(
        user_ids=recipients,
        kind=KIND,
        title=f"发热报告：{member.name} 体温 {temperature} ℃",
        body=(
            f"{member.name}（{member.number}）{day:%m月%d日 %H:%M} 报备体温 {temperature} ℃，"
            f"达到发热标准（{threshold()} ℃），请及时联系了解情况。"
        ),
        url=url,
    )
    return len(recipients)
