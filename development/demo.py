"""The demo university's development pipeline (called by seed_demo, after meetings.demo).

Every branch's 群众, 积极分子, 发展对象 and 预备党员 get a file at their stage, and one 正式党员
per branch a finished one, with plausible dates: some activists passed their year this month
(the due list), some 预备党员 their 预备期. Files past 发展对象 carry contacts, introducers,
training, review, an ended 公示 (one with an objection found untrue) and the 支部大会 that
decided, approved. Written with bulk_create to keep seed_demo fast; the rules the services
enforce hold for every file here.
"""

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from development.models import (
    Candidate,
    DevelopmentStage,
    Objection,
    Publicity,
    ReviewResult,
    StageStep,
    TrainingGrade,
    add_months,
)
from meetings.models import Meeting, MeetingKind, MeetingMode, MeetingState
from members.models import Member, PoliticalStatus
from orgs.models import Org, OrgKind

S = DevelopmentStage
DECIDED = {S.PROBATIONARY: "成为预备党员", S.FULL: "按期转正"}
STAGE_OF_STATUS = {
    PoliticalStatus.MASSES: S.APPLICANT,
    PoliticalStatus.ACTIVIST: S.ACTIVIST,
    PoliticalStatus.DEVELOPMENT_TARGET: S.TARGET,
    PoliticalStatus.PROBATIONARY: S.PROBATIONARY,
}


def _dates(stage: str, today: dt.date, rng: random.Random) -> dict[str, dt.date]:
    """Dates for each stage up to `stage`, working back from today within the rules."""
    days = dt.timedelta
    out: dict[str, dt.date] = {}
    if stage == S.FULL:
        out[S.FULL] = today - days(rng.randint(30, 300))
        out[S.PROBATIONARY] = add_months(out[S.FULL], -12)
    elif stage == S.PROBATIONARY:
        out[S.PROBATIONARY] = today - days(
            rng.choice([rng.randint(30, 330), rng.randint(350, 380)])
        )
    if S.PROBATIONARY in out:
        out[S.TARGET] = out[S.PROBATIONARY] - days(rng.randint(60, 200))
    elif stage == S.TARGET:
        out[S.TARGET] = today - days(rng.randint(20, 200))
    if S.TARGET in out:
        out[S.ACTIVIST] = add_months(out[S.TARGET], -12) - days(rng.randint(0, 60))
    elif stage == S.ACTIVIST:
        out[S.ACTIVIST] = today - days(rng.choice([rng.randint(30, 330), rng.randint(340, 400)]))
    if S.ACTIVIST in out:
        out[S.APPLICANT] = out[S.ACTIVIST] - days(rng.randint(30, 120))
    else:
        out[S.APPLICANT] = today - days(rng.randint(10, 200))
    return out


def seed(*, school: Org) -> None:
    """Create this app's demo records under `school` (inside seed_demo's transaction)."""
    branches = list(
        Org.objects.filter(path__startswith=school.path, kind=OrgKind.BRANCH).order_by("path")
    )
    if not branches or Candidate.objects.filter(member__branch__in=branches).exists():
        return
    rng = random.Random(1949)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    people: dict[int, dict[str, list[Member]]] = defaultdict(lambda: defaultdict(list))
    for m in Member.objects.filter(branch__in=branches).order_by("number"):
        people[m.branch_id][m.political_status].append(m)

    plans: list[tuple[Member, str, dict[str, dt.date], list[Member]]] = []
    for branch in branches:
        by_status = people[branch.pk]
        full = by_status.get(PoliticalStatus.FULL, [])
        for status, at in STAGE_OF_STATUS.items():
            for m in by_status.get(status, []):
                plans.append((m, at, _dates(at, today, rng), full))
        if len(full) > 4:
            plans.append((full[-1], S.FULL, _dates(S.FULL, today, rng), full[:-1]))

    meetings = []
    for m, _stage, dates, _ in plans:
        for step, topic in ((S.PROBATIONARY, "讨论接收预备党员"), (S.FULL, "讨论预备党员转正")):
            if step in dates:
                held = dt.datetime.combine(dates[step], dt.time(14, 30), tzinfo=tz)
                meetings.append(
                    Meeting(
                        org_id=m.branch_id,
                        kind=MeetingKind.GENERAL_ASSEMBLY,
                        topic=f"{topic}（{m.name}）",
                        planned_at=held,
                        held_at=held,
                        mode=MeetingMode.OFFLINE,
                        place="党员活动室",
                        minutes="支部党员大会讨论并表决，同意。",
                        decisions=f"同意{m.name}{DECIDED[step]}。",
                        state=MeetingState.APPROVED,
                    )
                )
    Meeting.objects.bulk_create(meetings)
    resolution = iter(meetings)

    candidates = []
    for m, stage, dates, full in plans:
        helpers = [p for p in full if p.pk != m.pk][:4]
        reached = set(dates)
        candidates.append(
            Candidate(
                member=m,
                stage=stage,
                applied_on=dates[S.APPLICANT],
                activist_on=dates.get(S.ACTIVIST),
                target_on=dates.get(S.TARGET),
                probationary_on=dates.get(S.PROBATIONARY),
                full_on=dates.get(S.FULL),
                contact_1=helpers[0] if S.ACTIVIST in reached and helpers else None,
                contact_2=helpers[1] if S.ACTIVIST in reached and len(helpers) > 1 else None,
                introducer_1=helpers[2] if S.TARGET in reached and len(helpers) > 2 else None,
                introducer_2=helpers[3] if S.TARGET in reached and len(helpers) > 3 else None,
                training_school="校党校发展对象培训班" if S.TARGET in reached else "",
                training_finished_on=dates[S.TARGET] + dt.timedelta(days=20)
                if S.TARGET in reached
                else None,
                training_grade=rng.choice([TrainingGrade.EXCELLENT, TrainingGrade.GOOD])
                if S.TARGET in reached
                else "",
                review_on=dates[S.TARGET] + dt.timedelta(days=25) if S.TARGET in reached else None,
                review_result=ReviewResult.PASSED if S.TARGET in reached else "",
            )
        )
    Candidate.objects.bulk_create(candidates)

    steps, publicities = [], []
    for c, (m, _stage, dates, _) in zip(candidates, plans, strict=True):
        for s in S:
            if s not in dates:
                continue
            meeting = next(resolution) if s in (S.PROBATIONARY, S.FULL) else None
            steps.append(
                StageStep(
                    candidate=c,
                    stage=s,
                    on=dates[s],
                    branch_id=m.branch_id,
                    resolution=meeting,
                    approved_on=dates[s] + dt.timedelta(days=10) if meeting else None,
                )
            )
            if meeting is not None:
                publicities.append(
                    Publicity(
                        candidate=c,
                        for_stage=s,
                        starts_on=dates[s] - dt.timedelta(days=12),
                        ends_on=dates[s] - dt.timedelta(days=6),
                    )
                )
    StageStep.objects.bulk_create(steps)
    Publicity.objects.bulk_create(publicities)
    if publicities:
        p = publicities[0]
        Objection.objects.create(
            publicity=p,
            received_on=p.starts_on + dt.timedelta(days=1),
            text="反映其参加志愿服务次数较少。",
            finding="经核查，其在疫情期间参加值守 12 次，反映不属实。",
            resolved_on=p.ends_on,
            upheld=False,
        )
