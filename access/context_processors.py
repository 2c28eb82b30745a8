"""The site's navigation: links grouped by area of work, each shown only to those who may open it.

The menu is data (`NAV_GROUPS`): a new page adds one line to its area's group. A group with
nothing the user may open is not shown. Only URL names are used here, so `access` still imports
no feature app; each line's test mirrors the gate of the view it links to.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from access.scope import Perm, grants_of, has_perm_anywhere, is_school_admin, own_member_id

Shown = Callable[[Any], bool]


def _perm(perm: str) -> Shown:
    return lambda user: has_perm_anywhere(user, perm)


def _member(user: Any) -> bool:
    return own_member_id(user) is not None


def _member_or(perm: str) -> Shown:
    return lambda user: _member(user) or has_perm_anywhere(user, perm)


def _any_perm(*perms: str) -> Shown:
    return lambda user: any(has_perm_anywhere(user, p) for p in perms)


def _anyone(user: Any) -> bool:
    """A signed-in user with a role or a member record."""
    return bool(grants_of(user)) or _member(user)


# (group, [(label, URL name, who sees it)]), in menu order.
NAV_GROUPS: list[tuple[str, list[tuple[str, str, Shown]]]] = [
    (
        "组织与党员",
        [
            ("组织架构", "org_tree", _perm(Perm.ORG_VIEW)),
            ("数据看板", "dashboard", _perm(Perm.ORG_VIEW)),
            ("党员名册", "member_list", _perm(Perm.MEMBER_VIEW)),
            ("批量导入", "member_import", _perm(Perm.MEMBER_IMPORT)),
            ("权限管理", "grant_list", _perm(Perm.GRANT_MANAGE)),
            ("登录账号", "account_list", _perm(Perm.GRANT_MANAGE)),
            ("校区", "campus_list", _perm(Perm.CAMPUS_EDIT)),
            ("群机器人", "robot_list", _perm(Perm.ORG_EDIT)),
        ],
    ),
    (
        "报送与活动",
        [
            ("活动与任务", "campaign_list", _anyone),
            ("报送列表", "submission_list", _perm(Perm.SUBMISSION_VIEW)),
            ("教育素材库", "library", _anyone),
            ("导入上报包", "package_import", _perm(Perm.CAMPAIGN_MANAGE)),
        ],
    ),
    (
        "先锋岗与值守",
        [
            ("先锋岗与值班", "rosters_home", _anyone),
            ("我的值班", "my_shifts", _member),
            ("岗位设置", "post_list", _perm(Perm.POST_MANAGE)),
            ("换班审批", "swap_list", _perm(Perm.ROSTER_MANAGE)),
            ("值守签到", "duty_home", _anyone),
            ("值班人次", "duty_stats", _perm(Perm.DUTY_STATS)),
            ("承诺践诺", "pledge_list", _member_or(Perm.PLEDGE_VIEW)),
            ("党员责任区", "zone_list", _member_or(Perm.MEMBER_VIEW)),
            ("先锋队与突击队", "team_list", _member_or(Perm.MEMBER_VIEW)),
            # campus gates
            ("门岗登记", "gate_home", _anyone),
            ("我的通行码", "my_pass", _member),
            ("门岗统计", "gate_figures", _perm(Perm.GATE_MANAGE)),
        ],
    ),
    (
        "组织生活",
        [
            ("会议记录", "meeting_list", _member_or(Perm.MEETING_VIEW)),
            (
                "会议审核",
                "meeting_queue",
                _any_perm(Perm.MEETING_APPROVE_UNIT, Perm.MEETING_APPROVE_SCHOOL),
            ),
            ("会议签到", "meeting_check_in", _member),
            ("达标情况", "compliance", _perm(Perm.MEETING_VIEW)),
            ("组织生活统计", "meeting_stats", _perm(Perm.MEETING_VIEW)),
            ("谈心谈话", "talk_list", _member_or(Perm.TALK_VIEW)),
            ("记录谈话", "talk_new", _perm(Perm.TALK_RECORD)),
            ("谈话覆盖", "talk_coverage", _perm(Perm.TALK_VIEW)),
            ("民主议事", "deliberation_list", _member_or(Perm.DELIBERATION_RECORD)),
            ("发展党员", "candidate_list", _perm(Perm.DEVELOPMENT_VIEW)),
            ("学习教育", "study_home", _member_or(Perm.STUDY_VIEW)),
            ("典型选树", "role_model_list", _member_or(Perm.ROLE_MODEL_NOMINATE)),
        ],
    ),
    (
        "请示报告",
        [
            ("情况报告与请示", "escalation_list", _member_or(Perm.ESCALATION_HANDLE)),
            ("我的报备", "report_mine", _member),
            ("未报名单", "report_overdue", _perm(Perm.REPORT_VIEW)),
            ("报备安排", "report_schedule_list", _perm(Perm.REPORT_VIEW)),
            ("报备表单", "report_form_list", _perm(Perm.REPORT_FORM_MANAGE)),
        ],
    ),
    (
        "考核与关爱",
        [
            ("表彰评比", "honour_round_list", _anyone),
            ("组织关爱", "care_fund_list", _perm(Perm.CARE_VIEW)),
            ("干部纪实台账", "ledger_cadre_list", _perm(Perm.CADRE_LEDGER)),
            ("岗位评分", "rating_phase_list", _perm(Perm.ROSTER_MANAGE)),
            ("述职评议", "appraisal_list", _perm(Perm.APPRAISAL_VIEW)),
            ("公开展示", "showcase_home", _anyone),
        ],
    ),
    (
        "数据",
        [
            ("审计日志", "audit_list", _perm(Perm.AUDIT_VIEW)),
        ],
    ),
]


def nav_groups(user: Any, current: str | None = None) -> list[dict[str, Any]]:
    """The groups the user has something in, each with its links; `current` (the URL name of
    the page shown) marks its group and link as active."""
    groups = []
    for label, items in NAV_GROUPS:
        links = [
            {"label": text, "url": reverse(name), "active": name == current}
            for text, name, shown in items
            if shown(user)
        ]
        if links:
            groups.append(
                {"label": label, "links": links, "active": any(x["active"] for x in links)}
            )
    return groups


def nav(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)  # none on a request refused before authentication
    if user is None or not user.is_authenticated:
        return {"site_name": settings.SITE_NAME}
    match = getattr(request, "resolver_match", None)
    return {
        "site_name": settings.SITE_NAME,
        "nav_groups": nav_groups(user, match.url_name if match else None),
        # Single flags kept for templates that show a button only to some roles.
        "nav": {
            "orgs": has_perm_anywhere(user, Perm.ORG_VIEW),
            "members": has_perm_anywhere(user, Perm.MEMBER_VIEW),
            "import": has_perm_anywhere(user, Perm.MEMBER_IMPORT),
            "grants": has_perm_anywhere(user, Perm.GRANT_MANAGE),
            "campuses": has_perm_anywhere(user, Perm.CAMPUS_EDIT),
            "audit": has_perm_anywhere(user, Perm.AUDIT_VIEW),
            "school_admin": is_school_admin(user),
            "own_member_id": own_member_id(user),
        },
    }
