"""A role's home page is its to-do list: what needs the user's action, with counts and links.

Each row kind is one function `(user) -> list[Todo]`: it reads through the owning app's scope
and selectors (never around them), makes a fixed number of queries, and returns nothing when
there is nothing to do. Each role has a plain tuple of the row kinds it sees; a new capability
adds its rows by writing a function and naming it in the roles' tuples below.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from access.models import Role
from access.scope import (
    ROLE_PERMS,
    Perm,
    grants_of,
    has_perm_anywhere,
    members_for_user,
    orgs_for_user,
    own_member_id,
    paths_with,
    roles_of,
)
from campaigns.models import COUNTED_STATES, Deliverable, SubmissionState, SubmittingLevel
from campaigns.scope import campaigns_for_user, submissions_for_user
from carefund import selectors as care_selectors
from development import selectors as development_selectors
from duty import selectors as duty_selectors
from escalations import selectors as escalation_selectors
from gates import selectors as gate_selectors
from honours import selectors as honour_selectors
from meetings import compliance as meeting_compliance
from meetings.scope import todo_counts as meeting_todo_counts
from notices.selectors import unread_counts
from orgs.models import Org
from reports import selectors as report_selectors
from reports.scope import own_member as report_own_member
from rolemodels import scope as role_model_scope
from rosters import selectors as roster_selectors
from rosters.models import Roster
from rosters.scope import phases_for_user, rosters_for_user, signups_for_user
from study import selectors as study_selectors
from talks import selectors as talk_selectors

UNIT_PATH_LEN = 2 * Org.steplen
SOON = dt.timedelta(days=7)
# 组织部 sees deliverables that closed this long ago with units still missing.
RECENTLY_CLOSED = dt.timedelta(days=14)

# Areas of work: the same words as the navigation's groups.
MEMBERS_AREA = "组织与党员"
CAMPAIGNS_AREA = "报送与活动"
DUTY_AREA = "先锋岗与值守"
ORG_LIFE_AREA = "组织生活"
REPORTING_AREA = "请示报告"
NOTICES_AREA = "通知"
CARE_AREA = "考核与关爱"
AREAS = [
    NOTICES_AREA,
    MEMBERS_AREA,
    CAMPAIGNS_AREA,
    DUTY_AREA,
    ORG_LIFE_AREA,
    REPORTING_AREA,
    CARE_AREA,
]  # the menu's order; unknown areas go last


@dataclass(frozen=True)
class Todo:
    """One line of the to-do list: what to do, how many, where to do it."""

    area: str
    label: str
    count: int | None
    url: str
    note: str = ""
    action: str = ""  # a button's words (签到), leading to `url`
    action_post: str = ""  # if set, the button posts here at once (one-tap 签到)


RowKind = Callable[[Any], list[Todo]]


def _day(moment: dt.datetime | dt.date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        local = timezone.localtime(moment)
        return f"{local.month}月{local.day}日 {local:%H:%M}"
    return f"{moment.month}月{moment.day}日"


def _url(name: str, *args: Any, query: dict[str, str] | None = None) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _path_q(roots: Sequence[str], field: str) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{f"{field}__startswith": root})
    return q


# --- a member ------------------------------------------------------------------------------


def my_shift(user: Any) -> list[Todo]:
    """The shift on now or next (within 7 days), with 签到 while check-in is open."""
    shifts = duty_selectors.my_shifts(user=user, days_ahead=7)
    if not shifts:
        return []
    shift = shifts[0]
    now = timezone.now()
    check = shift.check_row
    on_now = shift.times.start <= now  # started, and not yet closed (my_shifts drops those)
    action, post = "", ""
    if shift.can_check_in:
        action, post = "签到", _url("duty_check_in", shift.pk)
    elif check is not None and check.checked_out_at is None:
        action = "签退"
    label = f"{'当前' if on_now else '下一'}班：{shift.post.name} · {_day(shift.date)} {shift.slot}"
    note = f"未来 7 天共 {len(shifts)} 班" if len(shifts) > 1 else ""
    url = _url("duty_shift", shift.pk)
    return [Todo(DUTY_AREA, label, None, url, note=note, action=action, action_post=post)]


def pledges_to_sign(user: Any) -> list[Todo]:
    pledges = duty_selectors.pledges_to_sign(user=user)
    if not pledges:
        return []
    url = _url("pledge_detail", pledges[0].pk) if len(pledges) == 1 else _url("pledge_list")
    note = f"《{pledges[0].title}》" if len(pledges) == 1 else ""
    return [Todo(DUTY_AREA, "待签署的承诺书", len(pledges), url, note=note)]


def open_signups(user: Any) -> list[Todo]:
    """Phases open for sign-up, with active posts, that the member has not signed up for."""
    own = own_member_id(user)
    if own is None:
        return []
    today = timezone.localdate()
    signed = set(signups_for_user(user).filter(member_id=own).values_list("phase_id", flat=True))
    phases = [
        p
        for p in roster_selectors.open_phases(user=user)
        if p.pk not in signed and p.ends_on >= today and any(x.active for x in p.posts.all())
    ]
    if not phases:
        return []
    if len(phases) > 1:
        return [Todo(DUTY_AREA, "可报名的先锋岗", len(phases), _url("rosters_home"))]
    phase = phases[0]
    note = phase.name
    if phase.signup_deadline:
        note += f"，报名{_day(phase.signup_deadline)}截止"
    return [Todo(DUTY_AREA, "可报名的先锋岗", 1, _url("signup_form", phase.pk), note=note)]


# --- reviewers -------------------------------------------------------------------------------


def _submissions_in(user: Any, perm: str, labelled: tuple[tuple[str, str], ...]) -> list[Todo]:
    """One row per (state, label) with submissions in that state within the user's `perm`
    scope, counted in one query."""
    counts = submissions_for_user(user, perm).aggregate(
        **{state: Count("id", filter=Q(state=state)) for state, _ in labelled}
    )
    return [
        Todo(CAMPAIGNS_AREA, label, counts[state], _url("submission_list", query={"state": state}))
        for state, label in labelled
        if counts[state]
    ]


def submissions_to_review(user: Any) -> list[Todo]:
    """Submissions waiting for the reviewer: handed in, or shortlisted and awaiting 择优."""
    if not has_perm_anywhere(user, Perm.SUBMISSION_REVIEW):
        return []
    return _submissions_in(
        user,
        Perm.SUBMISSION_REVIEW,
        (
            (SubmissionState.SUBMITTED, "待评审的报送"),
            (SubmissionState.SHORTLISTED, "入围待择优的报送"),
        ),
    )


# --- units: deadlines and what is missing ------------------------------------------------


def _unit_counts(user: Any, deliverables: list[Deliverable]) -> dict[tuple[int, str], int]:
    """Counted submissions per (deliverable, unit path) that the user sees: one query."""
    if not deliverables:
        return {}
    rows = (
        submissions_for_user(user)
        .filter(deliverable__in=deliverables, state__in=COUNTED_STATES)
        .annotate(unit_path=Substr("org__path", 1, UNIT_PATH_LEN))
        .values("deliverable_id", "unit_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["deliverable_id"], r["unit_path"]): r["n"] for r in rows}


def _missing(deliverable: Deliverable, submitted: int) -> int:
    """How many more the unit owes: up to the quota for a unit-level quota, else one."""
    if deliverable.submitting_level == SubmittingLevel.UNIT and deliverable.quota:
        return max(deliverable.quota - submitted, 0)
    return 0 if submitted else 1


def deadlines_soon(user: Any) -> list[Todo]:
    """For a unit's own people: deliverables due in the next 7 days that the unit still owes."""
    roots = sorted(
        {
            g.path
            for g in grants_of(user)
            if g.depth >= 2 and Perm.SUBMISSION_EDIT in ROLE_PERMS[g.role]
        }
    )
    if not roots:
        return []
    unit_paths = sorted({root[:UNIT_PATH_LEN] for root in roots})
    now = timezone.now()
    deliverables = list(
        Deliverable.objects.filter(
            campaign__in=campaigns_for_user(user), deadline__gte=now, deadline__lte=now + SOON
        )
        .select_related("campaign__org")
        .order_by("deadline", "id")
    )
    counts = _unit_counts(user, deliverables)
    rows = []
    for d in deliverables:
        units = [u for u in unit_paths if u.startswith(d.campaign.org.path)]
        submitted = sum(counts.get((d.pk, u), 0) for u in units)
        missing = sum(_missing(d, counts.get((d.pk, u), 0)) for u in units)
        if not missing:
            continue
        owed = f"已报 {submitted}" + (
            f" / {d.quota}" if d.quota and d.submitting_level == SubmittingLevel.UNIT else ""
        )
        rows.append(
            Todo(
                CAMPAIGNS_AREA,
                f"{d.name}（{d.campaign.name}）尚缺",
                missing,
                _url("campaign_detail", d.campaign_id),
                note=f"{_day(d.deadline)}截止 · {owed}",
            )
        )
    return rows


def units_missing(user: Any) -> list[Todo]:
    """For 组织部: deliverables closing within 7 days or closed in the last 14, with the number
    of units that have not handed in."""
    roots = paths_with(user, Perm.CAMPAIGN_MANAGE)
    if not roots:
        return []
    now = timezone.now()
    deliverables = list(
        Deliverable.objects.filter(
            _path_q(roots, "campaign__org__path"),
            deadline__gte=now - RECENTLY_CLOSED,
            deadline__lte=now + SOON,
        )
        .select_related("campaign__org")
        .order_by("deadline", "id")
    )
    if not deliverables:
        return []
    unit_paths = list(
        orgs_for_user(user, Perm.CAMPAIGN_MANAGE).filter(depth=2).values_list("path", flat=True)
    )
    counts = _unit_counts(user, deliverables)
    rows = []
    for d in deliverables:
        units = [u for u in unit_paths if u.startswith(d.campaign.org.path)]
        missing = sum(1 for u in units if _missing(d, counts.get((d.pk, u), 0)))
        if not missing:
            continue
        closed = d.deadline < now
        rows.append(
            Todo(
                CAMPAIGNS_AREA,
                f"{d.name}（{d.campaign.name}）未报齐的单位",
                missing,
                _url("campaign_board", d.campaign_id),
                note=f"{'已于' if closed else ''}{_day(d.deadline)}截止",
            )
        )
    return rows


def drafts_and_returned(user: Any) -> list[Todo]:
    """The unit's drafts not yet handed in, and submissions returned for changes."""
    if not has_perm_anywhere(user, Perm.SUBMISSION_EDIT):
        return []
    return _submissions_in(
        user,
        Perm.SUBMISSION_EDIT,
        (
            (SubmissionState.RETURNED, "被退回待修改的报送"),
            (SubmissionState.DRAFT, "尚未报送的草稿"),
        ),
    )


# --- pioneer posts and rosters ---------------------------------------------------------------


def signups_to_recommend(user: Any) -> list[Todo]:
    """School-level phases whose recommendation is open: sign-ups in the user's units not yet
    recommended (one row per phase)."""
    if not has_perm_anywhere(user, Perm.SIGNUP_RECOMMEND):
        return []
    now = timezone.now()
    rows = (
        signups_for_user(user, Perm.SIGNUP_RECOMMEND)
        .filter(
            recommended=False,
            phase__org__depth=1,
            phase__recommend_deadline__gte=now,
            phase__ends_on__gte=timezone.localdate(),
        )
        .values("phase_id", "phase__name", "phase__recommend_deadline")
        .annotate(n=Count("id"))
        .order_by("phase__recommend_deadline", "phase_id")
    )
    return [
        Todo(
            DUTY_AREA,
            f"「{r['phase__name']}」待推荐的报名",
            r["n"],
            _url("signup_list", r["phase_id"]),
            note=f"推荐{_day(r['phase__recommend_deadline'])}截止",
        )
        for r in rows
    ]


def swaps_waiting(user: Any) -> list[Todo]:
    if not has_perm_anywhere(user, Perm.ROSTER_MANAGE):
        return []
    n = roster_selectors.pending_swaps(user=user).count()
    return [Todo(DUTY_AREA, "待审批的换班申请", n, _url("swap_list"))] if n else []


def unpublished_rosters(user: Any) -> list[Todo]:
    """Draft rosters of phases that have not ended."""
    if not has_perm_anywhere(user, Perm.ROSTER_MANAGE):
        return []
    n = (
        rosters_for_user(user)
        .filter(state=Roster.State.DRAFT, phase__ends_on__gte=timezone.localdate())
        .count()
    )
    return [Todo(DUTY_AREA, "尚未发布的值班表", n, _url("rosters_home"))] if n else []


def phases_without_rosters(user: Any) -> list[Todo]:
    """Phases the user keeps (set by an org they manage rosters for), not ended, with posts,
    for which that org has no roster yet."""
    roots = paths_with(user, Perm.ROSTER_MANAGE)
    if not roots:
        return []
    phases = list(
        phases_for_user(user)
        .filter(_path_q(roots, "org__path"), ends_on__gte=timezone.localdate())
        .annotate(
            n_rosters=Count("rosters", filter=Q(rosters__org=F("org")), distinct=True),
            n_posts=Count("posts", distinct=True),
        )
        .filter(n_rosters=0, n_posts__gt=0)
        .order_by("starts_on", "id")
    )
    if not phases:
        return []
    url = _url("phase_detail", phases[0].pk) if len(phases) == 1 else _url("rosters_home")
    note = phases[0].name if len(phases) == 1 else ""
    return [Todo(DUTY_AREA, "尚未排班的阶段", len(phases), url, note=note)]


# --- branches: people and pledges -------------------------------------------------------------


def members_without_login(user: Any) -> list[Todo]:
    """Members the user keeps (MEMBER_EDIT) who cannot sign in yet."""
    if not has_perm_anywhere(user, Perm.MEMBER_EDIT):
        return []
    n = members_for_user(user, Perm.MEMBER_EDIT).filter(user__isnull=True).count()
    if not n:
        return []
    # Those who manage logins go straight to the page that creates them.
    where = "account_list" if has_perm_anywhere(user, Perm.GRANT_MANAGE) else "member_list"
    return [Todo(MEMBERS_AREA, "尚未开通登录的人员", n, _url(where))]


def pledges_unsigned(user: Any) -> list[Todo]:
    """Open pledges with members in the user's PLEDGE_VIEW scope who have not signed."""
    if not has_perm_anywhere(user, Perm.PLEDGE_VIEW):
        return []
    today = timezone.localdate()
    rows = []
    for pledge in duty_selectors.pledge_list(user=user):
        counts = pledge.counts  # type: ignore[attr-defined]
        if pledge.closes_on is not None and pledge.closes_on < today:
            continue
        if not counts or not counts["unsigned"]:
            continue
        note = f"已签 {counts['signed']} / {counts['expected']}"
        if pledge.closes_on:
            note += f"，{_day(pledge.closes_on)}截止"
        rows.append(
            Todo(
                DUTY_AREA,
                f"《{pledge.title}》未签人数",
                counts["unsigned"],
                _url("pledge_detail", pledge.pk),
                note=note,
            )
        )
    return rows


# --- organisational life ---------------------------------------------------------------------


def meetings_to_act(user: Any) -> list[Todo]:
    """Meetings waiting for the user's approval (unit step, 组织部 step) and meetings returned
    to the branch for changes: one query."""
    counts = meeting_todo_counts(user)
    rows = []
    waiting = counts.get("unit", 0) + counts.get("school", 0)
    if waiting:
        rows.append(Todo(ORG_LIFE_AREA, "待审核的会议记录", waiting, _url("meeting_queue")))
    if counts.get("returned"):
        url = _url("meeting_list", query={"state": "returned"})
        rows.append(Todo(ORG_LIFE_AREA, "被退回待修改的会议记录", counts["returned"], url))
    return rows


def meetings_due(user: Any) -> list[Todo]:
    """For a branch secretary: required meetings of a period ending within ten days that the
    branch has not held (counted once the unit has approved them)."""
    cells = meeting_compliance.due_soon(user=user)
    if not cells:
        return []
    note = "、".join(f"{c.period.label}{c.kind_label}" for c in cells[:4])
    note += f"，{_day(min(c.period.end for c in cells))}截止"
    return [
        Todo(ORG_LIFE_AREA, "本期尚未完成的规定会议", len(cells), _url("compliance"), note=note)
    ]


def committee_terms_ending(user: Any) -> list[Todo]:
    """For a branch secretary: committee seats whose term ends within 90 days (换届)."""
    branch_ids = meeting_compliance.seats_ending(user=user)
    if not branch_ids:
        return []
    url = _url("committee", branch_ids[0])
    return [Todo(ORG_LIFE_AREA, "任期即将届满的支委，请及时换届", len(branch_ids), url)]


# --- organisational life: 谈心谈话 -------------------------------------------------------------


def talks_due(user: Any) -> list[Todo]:
    """Members the user answers for with no talk in the default period, 滞留外地 and 隔离
    counted apart (they come first on the coverage page): one query."""
    if not has_perm_anywhere(user, Perm.TALK_VIEW):
        return []
    due, away = talk_selectors.due_counts(user)
    if not due:
        return []
    days = talk_selectors.DEFAULT_DAYS
    note = f"其中滞留外地 / 隔离 {away} 人，请优先谈话" if away else ""
    url = _url("talk_coverage")
    return [Todo(ORG_LIFE_AREA, f"超过 {days} 天未谈心谈话的党员", due, url, note=note)]


def talk_follow_ups_due(user: Any) -> list[Todo]:
    """Talks whose follow-up date has come, not yet followed up: one query."""
    if not has_perm_anywhere(user, Perm.TALK_VIEW):
        return []
    n = talk_selectors.follow_ups_due(user).count()
    return [Todo(ORG_LIFE_AREA, "到期未回访的谈话", n, _url("talk_coverage"))] if n else []


# --- 请示报告: situation reports and requests -----------------------------------------------------


def escalations_to_act(user: Any) -> list[Todo]:
    """Situation reports to acknowledge and requests to answer on the user's own orgs, and
    acknowledged reports not yet handled: one query."""
    counts = escalation_selectors.desk_counts(user)
    url = _url("escalation_list", query={"view": "desk"})
    rows = []
    if counts["situation"]:
        rows.append(Todo(REPORTING_AREA, "待确认已阅的情况报告", counts["situation"], url))
    if counts["request"]:
        rows.append(Todo(REPORTING_AREA, "待批复的请示", counts["request"], url))
    if counts["unhandled"]:
        done = _url("escalation_list", query={"view": "all", "state": "acknowledged"})
        rows.append(Todo(REPORTING_AREA, "已阅待处理的情况报告", counts["unhandled"], done))
    return rows


# --- 报备 -------------------------------------------------------------------------------------


def reports_due(user: Any) -> list[Todo]:
    """The member's reports of this period not made yet, each with 填写 (3 queries)."""
    member = report_own_member(user)
    if member is None:
        return []
    rows = []
    for due in report_selectors.member_schedules(member):
        if due.report is not None:
            continue
        label = f"{due.schedule.form.name}待填写"
        note = f"{'已超时，' if due.overdue else ''}截止 {_day(due.due_at)}"
        url = _url("report_fill", due.schedule.pk)
        rows.append(Todo(REPORTING_AREA, label, None, url, note=note, action="填写"))
    return rows


def reports_overdue(user: Any) -> list[Todo]:
    """Members in the user's scope who have not reported today, per schedule past its time."""
    rows = []
    for schedule, missing in report_selectors.overdue_today(user):
        url = _url("report_overdue", query={"schedule": str(schedule.pk)})
        rows.append(Todo(REPORTING_AREA, f"{schedule.form.name}超时未报", missing, url))
    return rows


# --- everyone: urgent notices not yet read ---------------------------------------------------


def urgent_notices(user: Any) -> list[Todo]:
    """Unread urgent notices in the notice centre: the navigation bar's query."""
    n = unread_counts(user).urgent
    url = _url("notice_list", query={"state": "unread"})
    return [Todo(NOTICES_AREA, "未读的紧急通知", n, url)] if n else []


# --- 组织关爱 ---------------------------------------------------------------------------------


def care_payments_to_approve(user: Any) -> list[Todo]:
    """Payouts waiting for the user's approval (组织部): one query."""
    if not has_perm_anywhere(user, Perm.CARE_APPROVE):
        return []
    n = care_selectors.pending_payments(user=user).count()
    return [Todo(CARE_AREA, "待审批的慰问发放", n, _url("care_fund_list"))] if n else []


def honours_to_act(user: Any) -> list[Todo]:
    """组织部: nominations to review and objections to answer; a unit: rounds open for
    nominations. One query each."""
    rows = []
    if has_perm_anywhere(user, Perm.HONOUR_MANAGE):
        review, objections = honour_selectors.manager_todo_counts()
        if review:
            rows.append(Todo(CARE_AREA, "待评审的表彰推荐", review, _url("honour_round_list")))
        if objections:
            rows.append(Todo(CARE_AREA, "待处理的公示异议", objections, _url("honour_round_list")))
    elif has_perm_anywhere(user, Perm.HONOUR_NOMINATE):
        open_rounds = honour_selectors.open_round_count()
        if open_rounds:
            rows.append(
                Todo(CARE_AREA, "正在推荐的表彰评比", open_rounds, _url("honour_round_list"))
            )
    return rows


# --- organisational life: 发展党员 -------------------------------------------------------------


def development_due(user: Any) -> list[Todo]:
    """Development files whose next step the interval rules allow by the end of this month:
    two queries (rules, files)."""
    if not has_perm_anywhere(user, Perm.DEVELOPMENT_RECORD):
        return []
    n = development_selectors.due_count(user=user)
    return (
        [Todo(ORG_LIFE_AREA, "本月可进入下一阶段的发展对象", n, _url("candidate_due"))] if n else []
    )


def role_models_to_review(user: Any) -> list[Todo]:
    """典型选树 nominations waiting for the user's step (the unit's, or 组织部's): one query."""
    if not has_perm_anywhere(user, Perm.ROLE_MODEL_APPROVE_UNIT):
        return []
    n = role_model_scope.to_review(user).count()
    return [Todo(ORG_LIFE_AREA, "待审核的典型推荐", n, _url("role_model_list"))] if n else []


def self_study_open(user: Any) -> list[Todo]:
    """A member's self-study items of their branch not yet done: one query."""
    own = own_member_id(user)
    if own is None:
        return []
    n = study_selectors.open_self_study_count(member_id=own, today=timezone.localdate())
    return [Todo(ORG_LIFE_AREA, "待完成的自学", n, _url("study_home"))] if n else []


# --- who sees which rows ----------------------------------------------------------------------

# --- campus gates (gates) -------------------------------------------------------------------


def gate_fevers_today(user: Any) -> list[Todo]:
    n = gate_selectors.fevers_today(user).count()
    if not n:
        return []
    return [Todo(DUTY_AREA, "今日门岗发热", n, _url("gate_entries", query={"fever": "1"}))]


def gates_quiet(user: Any) -> list[Todo]:
    quiet = gate_selectors.quiet_gates(user)
    if not quiet:
        return []
    names = "、".join(f"{g['gate__campus__name']}{g['gate__name']}" for g in quiet[:5])
    return [Todo(DUTY_AREA, "门岗设备超过10分钟未同步", len(quiet), _url("gate_home"), note=names)]


MEMBER_ROWS: tuple[RowKind, ...] = (
    my_shift,
    pledges_to_sign,
    open_signups,
    reports_due,
    self_study_open,
)
ROLE_ROWS: dict[str, tuple[RowKind, ...]] = {
    Role.SCHOOL_ADMIN: (
        escalations_to_act,
        meetings_to_act,
        units_missing,
        submissions_to_review,
        swaps_waiting,
        unpublished_rosters,
        phases_without_rosters,
        talks_due,
        talk_follow_ups_due,
        development_due,
        role_models_to_review,
        reports_overdue,
        care_payments_to_approve,
        honours_to_act,
    ),
    Role.REVIEWER: (submissions_to_review,),
    Role.UNIT_ADMIN: (
        escalations_to_act,
        meetings_to_act,
        deadlines_soon,
        drafts_and_returned,
        signups_to_recommend,
        swaps_waiting,
        unpublished_rosters,
        phases_without_rosters,
        pledges_unsigned,
        members_without_login,
        talks_due,
        talk_follow_ups_due,
        development_due,
        role_models_to_review,
        reports_overdue,
        honours_to_act,
    ),
    Role.DUTY_OFFICE: (
        swaps_waiting,
        unpublished_rosters,
        phases_without_rosters,
        gate_fevers_today,
        gates_quiet,
    ),
    Role.BRANCH_SECRETARY: (
        escalations_to_act,
        meetings_to_act,
        meetings_due,
        committee_terms_ending,
        members_without_login,
        pledges_unsigned,
        talks_due,
        talk_follow_ups_due,
        development_due,
        reports_overdue,
    ),
}


def row_kinds_for(user: Any) -> list[RowKind]:
    """The row kinds of every role the user holds, each once; a member's own rows first."""
    kinds: list[RowKind] = [urgent_notices]
    kinds += list(MEMBER_ROWS) if own_member_id(user) is not None else []
    for role in Role:
        if role in roles_of(user):
            kinds += [k for k in ROLE_ROWS.get(role, ()) if k not in kinds]
    return kinds


def todos_for(user: Any) -> list[Todo]:
    """Every row of the user's list, grouped by area in the menu's order."""
    todos = [todo for kind in row_kinds_for(user) for todo in kind(user)]
    order = {area: i for i, area in enumerate(AREAS)}
    return sorted(todos, key=lambda t: order.get(t.area, len(order)))
