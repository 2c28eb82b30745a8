"""Reminders to units that have not submitted three days before a deadline.

Told through notices.notify: the unit's admins get a notice (and e-mail when the unit has no
mailbox of its own, as before), the unit's robots a digest line; the unit's own mailbox, when
it has one, is mailed as before.
"""

import datetime as dt
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from access.models import Grant, Role
from audit.services import audit_record
from campaigns.models import (
    COUNTED_STATES,
    Deliverable,
    Reminder,
    Submission,
)
from notices.services import notify
from orgs.models import Org

REMIND_DAYS_BEFORE = 3


def _mail(subject: str, body: str, to: list[str]) -> None:
    send_mail(subject, body, None, to, fail_silently=True)


def _unit_admins(units: list[Org]) -> dict[int, list[tuple[int, str]]]:
    """Each unit's admins: (user id, e-mail) (one query)."""
    admins: dict[int, list[tuple[int, str]]] = {}
    rows = Grant.objects.filter(role=Role.UNIT_ADMIN, org__in=units)
    for org_id, user_id, email in rows.values_list("org_id", "user_id", "user__email"):
        admins.setdefault(org_id, []).append((user_id, email))
    return admins


def _unit_recipients(unit: Org, admins: list[tuple[int, str]]) -> list[str]:
    """The unit's address: its own e-mail, else its unit admins' e-mails."""
    return [unit.email] if unit.email else sorted(email for _, email in admins if email)


@transaction.atomic
def reminders_send(
    *, now: dt.datetime | None = None, days: int = REMIND_DAYS_BEFORE
) -> list[Reminder]:
    """E-mail each unit that has not submitted for a deliverable due within `days` days,
    once per deliverable and unit, and record a Reminder row (the board shows them)."""
    now = now or timezone.now()
    due = Deliverable.objects.filter(
        deadline__gt=now, deadline__lte=now + dt.timedelta(days=days)
    ).select_related("campaign", "campaign__org")
    sent: list[Reminder] = []
    for d in due:
        units = list(Org.objects.filter(depth=2, path__startswith=d.campaign.org.path))
        done = {
            path[: 2 * Org.steplen]
            for path in Submission.objects.filter(
                deliverable=d, state__in=COUNTED_STATES
            ).values_list("org__path", flat=True)
        }
        reminded = set(Reminder.objects.filter(deliverable=d).values_list("org_id", flat=True))
        todo = [u for u in units if u.path not in done and u.pk not in reminded]
        admins = _unit_admins(todo)
        deadline = timezone.localtime(d.deadline).strftime("%Y年%m月%d日 %H:%M")
        for unit in todo:
            to = _unit_recipients(unit, admins.get(unit.pk, []))
            sent.append(Reminder.objects.create(deliverable=d, org=unit, recipients=", ".join(to)))
            subject = f"【提醒】{d.campaign.name}「{d.name}」将于 {deadline} 截止"
            body = (
                f"{unit.name}：\n\n{d.campaign.name}的任务项「{d.name}」将于 {deadline} 截止，"
                "贵单位尚未报送。请登录党建工作平台「活动报送」及时报送。\n\n组织部"
            )
            notify(
                user_ids=[uid for uid, _ in admins.get(unit.pk, [])],
                kind="campaign.deadline",
                title=subject.removeprefix("【提醒】"),
                body=body,
                url=reverse("campaign_detail", args=[d.campaign_id]),
                org=unit,
                # No mailbox of the unit's own: its admins are mailed, whatever they chose.
                email=not unit.email,
                key=f"campaign.deadline:{d.pk}:{unit.pk}",
            )
            if unit.email:
                transaction.on_commit(partial(_mail, subject, body, to))
    if sent:
        audit_record(
            actor=None,
            action="campaign.remind",
            label="报送截止提醒",
            changes={"reminders": [f"{r.deliverable.name} → {r.org.name}" for r in sent]},
        )
    return sent
