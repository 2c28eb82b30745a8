"""Reminders to branch secretaries, told through notices.notify once each, in the home page's
words: required meetings of a period ending within ten days not yet held, and committee terms
ending within 90 days (换届). `manage.py meeting_reminders` runs it daily."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from access.models import Grant, Role
from meetings.compliance import REMIND_BEFORE, TERM_REMIND_BEFORE, Compliance, branch_rows
from meetings.models import CommitteeSeat
from notices.services import notify
from orgs.models import Org


def _day(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


@transaction.atomic
def reminders_send(*, today: dt.date | None = None) -> int:
    """Notify each branch's secretaries of what is due; returns how many notices were new."""
    today = today or timezone.localdate()
    secretaries: dict[int, list[int]] = {}
    for user_id, org_id in Grant.objects.filter(role=Role.BRANCH_SECRETARY).values_list(
        "user_id", "org_id"
    ):
        secretaries.setdefault(org_id, []).append(user_id)
    if not secretaries:
        return 0
    branches = list(Org.objects.filter(pk__in=secretaries))
    names = {b.pk: b.name for b in branches}
    sent = 0
    for row in branch_rows(branches=branches, year=today.year, today=today):
        for c in row.cells:
            if c.status != Compliance.OPEN or c.period.end - today > REMIND_BEFORE:
                continue
            sent += len(
                notify(
                    user_ids=secretaries[row.branch.pk],
                    kind="meeting.due",
                    title=f"本期尚未完成的规定会议：{c.period.label}{c.kind_label}",
                    body=(
                        f"{row.branch.name}{c.period.label}{c.kind_label}尚未完成，"
                        f"{_day(c.period.end)}截止。"
                    ),
                    url=reverse("compliance_branch", args=[row.branch.pk]),
                    org=row.branch,
                    key=f"meeting.due:{row.branch.pk}:{c.kind}:{c.period.key}",
                )
            )
    terms = (
        CommitteeSeat.objects.filter(
            branch_id__in=list(secretaries),
            term_end__gte=today,
            term_end__lte=today + TERM_REMIND_BEFORE,
        )
        .values_list("branch_id", "term_end")
        .distinct()
        .order_by("branch_id", "term_end")
    )
    for branch_id, term_end in terms:
        assert term_end is not None  # filtered on its range above
        sent += len(
            notify(
                user_ids=secretaries[branch_id],
                kind="meeting.term",
                title="任期即将届满的支委，请及时换届",
                body=f"{names[branch_id]}支委任期将于{_day(term_end)}届满。",
                url=reverse("committee", args=[branch_id]),
                key=f"meeting.term:{branch_id}:{term_end.isoformat()}",
            )
        )
    return sent
