"""Who sees and does what: the core on which every app decides its scope.

This module is the core (the permission table, grants, `can()`, subtree queries, orgs, members,
masking). Each feature app decides its own scope in its `scope.py` (`campaigns.scope`,
`rosters.scope`, `duty.scope`), built on `can()` and `paths_with()`; `access` imports no
feature app (the import contract in `pyproject.toml`, checked by `make lint`).

Every page, export and API endpoint reaches orgs and members through the functions here.
A grant (user, org, role) holds over the org's whole subtree; a member with a login also
sees their own record. An object outside the user's scope is a 404, never its data.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from access.models import Grant, Role
from members.models import Member
from orgs.models import Org, OrgQuerySet


class Perm:
    ORG_VIEW = "org.view"
    ORG_EDIT = "org.edit"
    CAMPUS_EDIT = "campus.edit"
    MEMBER_VIEW = "member.view"
    MEMBER_EDIT = "member.edit"
    # Edit a member's record: MEMBER_EDIT over their branch, or it is the user's own record
    # (then limited to SELF_EDITABLE_FIELDS). Held by no role; decided in get_member_for_user.
    MEMBER_EDIT_SELF = "member.edit_self"
    MEMBER_IMPORT = "member.import"
    MEMBER_EXPORT = "member.export"
    MEMBER_FULL_PHONE = "member.full_phone"
    MEMBER_FULL_ID = "member.full_id"
    GRANT_MANAGE = "grant.manage"
    AUDIT_VIEW = "audit.view"
    # campaigns (「四个一」): define campaigns, prepare and submit, review
    CAMPAIGN_MANAGE = "campaign.manage"
    SUBMISSION_VIEW = "submission.view"
    SUBMISSION_EDIT = "submission.edit"
    SUBMISSION_REVIEW = "submission.review"
    # posts and rosters (党员先锋岗)
    POST_MANAGE = "post.manage"
    SIGNUP_VIEW = "signup.view"
    SIGNUP_RECOMMEND = "signup.recommend"
    ALLOCATE = "allocate"
    ROSTER_MANAGE = "roster.manage"
    # duty, pledges, zones and teams
    DUTY_STATS = "duty.stats"
    # Full phone numbers on rosters, sign-ups and duty pages (not in the member roll).
    DUTY_FULL_PHONE = "duty.full_phone"
    PLEDGE_MANAGE = "pledge.manage"
    PLEDGE_VIEW = "pledge.view"
    TEAM_MANAGE = "team.manage"
    # organisational life (三会一课): see and record a branch's meetings and committee, approve
    # at the unit step and at 组织部's step, set the compliance rules
    MEETING_VIEW = "meeting.view"
    MEETING_RECORD = "meeting.record"
    MEETING_APPROVE_UNIT = "meeting.approve_unit"
    MEETING_APPROVE_SCHOOL = "meeting.approve_school"
    COMPLIANCE_MANAGE = "compliance.manage"
    # organisational life: 谈心谈话 and 民主议事 (decided in talks.scope)
    TALK_RECORD = "talk.record"
    # A talk's notes (思想动态 …) over the member's branch; the talker also sees their own.
    TALK_VIEW = "talk.view"
    DELIBERATION_RECORD = "deliberation.record"
    # 情况报告 and 请示 (decided in escalations.scope): read what the orgs below report,
    # acknowledge (已阅), handle, answer (批复), and report for the org the grant sits on.
    ESCALATION_HANDLE = "escalation.handle"
    # 报备 (decided in reports.scope): define forms and schedules; read reports and who is overdue
    REPORT_FORM_MANAGE = "report.form_manage"
    REPORT_VIEW = "report.view"
    # campus gates (门岗): keep the gates and their keepers, read every entry and the figures
    GATE_MANAGE = "gate.manage"
    # 组织关爱: see a fund's ledger, record income and ask for payouts, approve payouts
    CARE_VIEW = "care.view"
    CARE_MANAGE = "care.manage"
    CARE_APPROVE = "care.approve"
    # 表彰评比: run rounds (review, 公示, final list), nominate within a unit's quota
    HONOUR_MANAGE = "honour.manage"
    HONOUR_NOMINATE = "honour.nominate"
    # 干部纪实台账: read and write a cadre's ledger (组织部 and the cadre's unit admin only)
    CADRE_LEDGER = "cadre.ledger"
    # 述职评议: see an org's evidence page and hand in its secretary's report; record the
    # result (over a strict ancestor: the unit for its branches, 组织部 for units)
    APPRAISAL_VIEW = "appraisal.view"
    APPRAISAL_RECORD = "appraisal.record"
    # organisational life: the development pipeline (development.scope), study (study.scope)
    # and 典型选树 (rolemodels.scope)
    DEVELOPMENT_VIEW = "development.view"
    DEVELOPMENT_RECORD = "development.record"
    DEVELOPMENT_APPROVE = "development.approve"  # the unit's approval of 预备党员 and 转正
    STUDY_VIEW = "study.view"
    STUDY_RECORD = "study.record"
    ROLE_MODEL_NOMINATE = "role_model.nominate"
    ROLE_MODEL_APPROVE_UNIT = "role_model.approve_unit"
    ROLE_MODEL_PUBLISH = "role_model.publish"  # 组织部


ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.SCHOOL_ADMIN: frozenset(
        {
            Perm.ORG_VIEW,
            Perm.ORG_EDIT,
            Perm.CAMPUS_EDIT,
            Perm.MEMBER_VIEW,
            Perm.MEMBER_EDIT,
            Perm.MEMBER_IMPORT,
            Perm.MEMBER_EXPORT,
            Perm.MEMBER_FULL_PHONE,
            Perm.MEMBER_FULL_ID,
            Perm.GRANT_MANAGE,
            Perm.AUDIT_VIEW,
            Perm.CAMPAIGN_MANAGE,
            Perm.SUBMISSION_VIEW,
            Perm.SUBMISSION_EDIT,
            Perm.SUBMISSION_REVIEW,
            Perm.POST_MANAGE,
            Perm.SIGNUP_VIEW,
            Perm.SIGNUP_RECOMMEND,
            Perm.ALLOCATE,
            Perm.ROSTER_MANAGE,
            Perm.DUTY_STATS,
            Perm.DUTY_FULL_PHONE,
            Perm.PLEDGE_MANAGE,
            Perm.PLEDGE_VIEW,
            Perm.TEAM_MANAGE,
            Perm.MEETING_VIEW,
            # A grant covers every role below it: 组织部 may record too; the unit step stays
            # with the units (meetings.scope.unit_step_roots).
            Perm.MEETING_RECORD,
            Perm.MEETING_APPROVE_UNIT,
            Perm.MEETING_APPROVE_SCHOOL,
            Perm.COMPLIANCE_MANAGE,
            Perm.TALK_RECORD,
            Perm.TALK_VIEW,
            Perm.DELIBERATION_RECORD,
            Perm.ESCALATION_HANDLE,
            Perm.REPORT_FORM_MANAGE,
            Perm.REPORT_VIEW,
            Perm.GATE_MANAGE,
            Perm.CARE_VIEW,
            Perm.CARE_MANAGE,
            Perm.CARE_APPROVE,
            Perm.HONOUR_MANAGE,
            Perm.HONOUR_NOMINATE,
            Perm.CADRE_LEDGER,
            Perm.APPRAISAL_VIEW,
            Perm.APPRAISAL_RECORD,
            Perm.DEVELOPMENT_VIEW,
            Perm.DEVELOPMENT_RECORD,
            Perm.DEVELOPMENT_APPROVE,
            Perm.STUDY_VIEW,
            Perm.STUDY_RECORD,
            Perm.ROLE_MODEL_NOMINATE,
            Perm.ROLE_MODEL_APPROVE_UNIT,
            Perm.ROLE_MODEL_PUBLISH,
        }
    ),
    Role.UNIT_ADMIN: frozenset(
        {
            Perm.ORG_VIEW,
            Perm.ORG_EDIT,
            Perm.MEMBER_VIEW,
            Perm.MEMBER_EDIT,
            Perm.MEMBER_IMPORT,
            Perm.MEMBER_EXPORT,
            Perm.MEMBER_FULL_PHONE,
            Perm.MEMBER_FULL_ID,
            Perm.GRANT_MANAGE,
            Perm.SUBMISSION_VIEW,
            Perm.SUBMISSION_EDIT,
            Perm.POST_MANAGE,  # unit-level posts in their subtree
            Perm.SIGNUP_VIEW,
            Perm.SIGNUP_RECOMMEND,
            Perm.ALLOCATE,  # to their unit-level posts
            Perm.ROSTER_MANAGE,  # their unit's rosters
            Perm.DUTY_STATS,
            Perm.PLEDGE_MANAGE,
            Perm.PLEDGE_VIEW,
            Perm.TEAM_MANAGE,
            Perm.MEETING_VIEW,
            Perm.MEETING_RECORD,
            Perm.MEETING_APPROVE_UNIT,
            Perm.TALK_RECORD,
            Perm.TALK_VIEW,
            Perm.DELIBERATION_RECORD,
            Perm.ESCALATION_HANDLE,
            Perm.REPORT_FORM_MANAGE,
            Perm.REPORT_VIEW,
            Perm.CARE_VIEW,  # their unit's funds; payouts are approved by 组织部
            Perm.CARE_MANAGE,
            Perm.HONOUR_NOMINATE,
            Perm.CADRE_LEDGER,
            Perm.APPRAISAL_VIEW,
            Perm.APPRAISAL_RECORD,
            Perm.DEVELOPMENT_VIEW,
            Perm.DEVELOPMENT_RECORD,
            Perm.DEVELOPMENT_APPROVE,
            Perm.STUDY_VIEW,
            Perm.STUDY_RECORD,
            Perm.ROLE_MODEL_NOMINATE,
            Perm.ROLE_MODEL_APPROVE_UNIT,
        }
    ),
    Role.BRANCH_SECRETARY: frozenset(
        {
            Perm.ORG_VIEW,
            Perm.MEMBER_VIEW,
            Perm.MEMBER_EDIT,
            Perm.MEMBER_EXPORT,
            Perm.MEMBER_FULL_PHONE,
            Perm.SUBMISSION_VIEW,
            Perm.SIGNUP_VIEW,
            Perm.DUTY_STATS,
            Perm.PLEDGE_VIEW,
            Perm.TEAM_MANAGE,
            Perm.MEETING_VIEW,
            Perm.MEETING_RECORD,
            Perm.TALK_RECORD,
            Perm.TALK_VIEW,
            Perm.DELIBERATION_RECORD,
            Perm.ESCALATION_HANDLE,
            Perm.REPORT_VIEW,
            Perm.APPRAISAL_VIEW,
            Perm.DEVELOPMENT_VIEW,
            Perm.DEVELOPMENT_RECORD,
            Perm.STUDY_VIEW,
            Perm.STUDY_RECORD,
            Perm.ROLE_MODEL_NOMINATE,
        }
    ),
    # 防控办 builds and publishes the rosters school-wide (posts, phases, allocations, swaps) and
    # phones people on duty: full phones on rosters, sign-ups and duty pages; the member roll
    # read-only and masked; no ID numbers, no member edits or imports.
    Role.DUTY_OFFICE: frozenset(
        {
            Perm.ORG_VIEW,
            Perm.MEMBER_VIEW,
            Perm.MEMBER_EXPORT,
            Perm.POST_MANAGE,
            Perm.SIGNUP_VIEW,
            Perm.ALLOCATE,
            Perm.ROSTER_MANAGE,
            Perm.DUTY_STATS,
            Perm.DUTY_FULL_PHONE,
            Perm.GATE_MANAGE,
        }
    ),
    Role.REVIEWER: frozenset({Perm.ORG_VIEW, Perm.SUBMISSION_VIEW, Perm.SUBMISSION_REVIEW}),
}

# What a member may change on their own record.
SELF_EDITABLE_FIELDS = ("phone", "dorm_building", "dorm_room")


@dataclass(frozen=True)
class HeldGrant:
    role: str
    org_id: int
    path: str
    depth: int
    branch_kind: str = ""  # the org's 支部类别 (教工 / 学生 / 离退休), for rules that differ by it


def grants_of(user: Any) -> list[HeldGrant]:
    """The user's grants, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_held_grants", None)
    if cached is None:
        cached = [
            HeldGrant(role=role, org_id=org_id, path=path, depth=depth, branch_kind=kind)
            for role, org_id, path, depth, kind in Grant.objects.filter(user=user).values_list(
                "role", "org_id", "org__path", "org__depth", "org__branch_kind"
            )
        ]
        user._held_grants = cached
    return cached


def own_member_id(user: Any) -> int | None:
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_own_member_id"):
        user._own_member_id = Member.objects.filter(user=user).values_list("id", flat=True).first()
    return user._own_member_id


def forget(user: Any) -> None:
    """Drop what grants_of() and own_member_id() cached, after a grant changes."""
    for attr in ("_held_grants", "_own_member_id"):
        if hasattr(user, attr):
            delattr(user, attr)


def paths_with(user: Any, perm: str) -> list[str]:
    """Roots of the subtrees where the user holds `perm`, with nested roots dropped."""
    paths = sorted({g.path for g in grants_of(user) if perm in ROLE_PERMS[g.role]})
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def has_perm_anywhere(user: Any, perm: str) -> bool:
    return bool(paths_with(user, perm))


def require_anywhere(user: Any, perm: str) -> None:
    if not has_perm_anywhere(user, perm):
        raise PermissionDenied


def can(user: Any, perm: str, org: Org) -> bool:
    return any(org.path.startswith(root) for root in paths_with(user, perm))


def roles_of(user: Any) -> set[str]:
    return {g.role for g in grants_of(user)}


def is_school_admin(user: Any) -> bool:
    return any(g.role == Role.SCHOOL_ADMIN and g.depth == 1 for g in grants_of(user))


def _path_q(roots: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{f"{field}__startswith": root})
    return q


# --- orgs -------------------------------------------------------------------------------


def orgs_for_user(user: Any, perm: str = Perm.ORG_VIEW) -> OrgQuerySet:
    roots = paths_with(user, perm)
    return Org.objects.filter(_path_q(roots, "path"))


def get_org_for_user(user: Any, pk: Any, perm: str = Perm.ORG_VIEW) -> Org:
    """The org, or 404 if the user cannot see it, or 403 if they see it but lack `perm`."""
    org = Org.objects.filter(pk=pk).select_related("campus").first()
    if org is None or not can(user, Perm.ORG_VIEW, org):
        raise Http404
    if not can(user, perm, org):
        raise PermissionDenied
    return org


def branches_for_user(user: Any, perm: str = Perm.MEMBER_EDIT) -> OrgQuerySet:
    """Branches the user may place members into."""
    return orgs_for_user(user, perm).branches()


# --- members ----------------------------------------------------------------------------


def members_for_user(user: Any, perm: str = Perm.MEMBER_VIEW) -> Any:
    """Members the user may act on with `perm`; a member always sees their own record."""
    q = _path_q(paths_with(user, perm), "branch__path")
    own = own_member_id(user)
    if own is not None and perm == Perm.MEMBER_VIEW:
        q |= Q(pk=own)
    return Member.objects.filter(q)


def get_member_for_user(user: Any, pk: Any, perm: str = Perm.MEMBER_VIEW) -> Member:
    """The member, or 404 if out of scope, or 403 if visible but `perm` is not held."""
    member = Member.objects.filter(pk=pk).select_related("branch", "campus", "user").first()
    if member is None or not _sees_member(user, member):
        raise Http404
    if perm == Perm.MEMBER_EDIT_SELF:
        if member.pk == own_member_id(user):
            return member
        perm = Perm.MEMBER_EDIT
    if perm != Perm.MEMBER_VIEW and not can(user, perm, member.branch):
        raise PermissionDenied
    return member


def _sees_member(user: Any, member: Member) -> bool:
    return member.pk == own_member_id(user) or can(user, Perm.MEMBER_VIEW, member.branch)


def may_edit_fully(user: Any, member: Member) -> bool:
    return can(user, Perm.MEMBER_EDIT, member.branch)


# --- masking ----------------------------------------------------------------------------


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_id_number(id_number: str) -> str:
    if not id_number:
        return ""
    return f"{id_number[:4]}{'*' * (len(id_number) - 6)}{id_number[-2:]}"


class Masker:
    """Decides, per member row, whether phone and ID number are shown in full.

    Built once per page or export so a list of any length costs no extra queries.
    """

    def __init__(self, user: Any) -> None:
        self.phone_roots = paths_with(user, Perm.MEMBER_FULL_PHONE)
        self.id_roots = paths_with(user, Perm.MEMBER_FULL_ID)
        self.own = own_member_id(user)

    def _full(self, roots: list[str], member: Member, branch_path: str) -> bool:
        return member.pk == self.own or any(branch_path.startswith(r) for r in roots)

    def phone(self, member: Member, branch_path: str) -> str:
        if not member.phone or self._full(self.phone_roots, member, branch_path):
            return member.phone
        return mask_phone(member.phone)

    def id_number(self, member: Member, branch_path: str) -> str:
        if not member.id_number or self._full(self.id_roots, member, branch_path):
            return member.id_number
        return mask_id_number(member.id_number)
