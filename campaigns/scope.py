"""Scope of campaigns objects: every page, export and API endpoint fetches them through here.

- Campaigns and their deliverables are visible to every signed-in user who holds a role or
  has a member record; defining them needs CAMPAIGN_MANAGE over the campaign's org.
- A submission is visible to those holding SUBMISSION_VIEW over its org (a unit sees its own
  subtree; 组织部 and reviewers, whose grants are at the root, see every unit's), except that a
  draft is seen only by the unit's own people: its creator, or a holder of SUBMISSION_EDIT
  through a grant below the root. 组织部 does not read a unit's drafts.
- Writing a submission needs SUBMISSION_EDIT over its org; reviewing needs SUBMISSION_REVIEW.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from access.scope import (
    ROLE_PERMS,
    Perm,
    can,
    grants_of,
    has_perm_anywhere,
    own_member_id,
    paths_with,
)
from campaigns.models import (
    LIBRARY_STATES,
    Campaign,
    Deliverable,
    Submission,
    SubmissionAuthor,
    SubmissionFile,
    SubmissionState,
)
from orgs.models import Org


def _path_q(roots: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{f"{field}__startswith": root})
    return q


def _draft_roots(user: Any) -> list[str]:
    """Subtrees whose drafts the user sees: SUBMISSION_EDIT grants below the root."""
    return sorted(
        {
            g.path
            for g in grants_of(user)
            if g.depth >= 2 and Perm.SUBMISSION_EDIT in ROLE_PERMS[g.role]
        }
    )


# --- campaigns --------------------------------------------------------------------------


def sees_campaigns(user: Any) -> bool:
    """Any signed-in user with a role or a member record."""
    if not user.is_authenticated:
        return False
    return bool(grants_of(user)) or own_member_id(user) is not None


def campaigns_for_user(user: Any) -> QuerySet[Campaign]:
    if not sees_campaigns(user):
        return Campaign.objects.none()
    return Campaign.objects.select_related("org")


def get_campaign_for_user(user: Any, pk: Any, perm: str | None = None) -> Campaign:
    """The campaign, or 404 if the user sees no campaigns, or 403 without `perm` over it."""
    campaign = campaigns_for_user(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    if perm is not None and not can(user, perm, campaign.org):
        raise PermissionDenied
    return campaign


def get_deliverable_for_user(user: Any, pk: Any, perm: str | None = None) -> Deliverable:
    deliverable = (
        Deliverable.objects.select_related("campaign", "campaign__org").filter(pk=pk).first()
    )
    if deliverable is None or not sees_campaigns(user):
        raise Http404
    if perm is not None and not can(user, perm, deliverable.campaign.org):
        raise PermissionDenied
    return deliverable


def may_manage_campaigns(user: Any) -> bool:
    return has_perm_anywhere(user, Perm.CAMPAIGN_MANAGE)


def may_view_board(user: Any) -> bool:
    """The progress board: 组织部, reviewers and the units' own admins."""
    return any(
        has_perm_anywhere(user, perm)
        for perm in (Perm.CAMPAIGN_MANAGE, Perm.SUBMISSION_REVIEW, Perm.SUBMISSION_EDIT)
    )


def board_units_for_user(user: Any, campaign: Campaign) -> QuerySet[Org]:
    """Rows of the progress board: every unit for 组织部 and reviewers, else the user's own."""
    units = Org.objects.filter(depth=2, path__startswith=campaign.org.path)
    if can(user, Perm.CAMPAIGN_MANAGE, campaign.org) or can(
        user, Perm.SUBMISSION_REVIEW, campaign.org
    ):
        return units
    roots = paths_with(user, Perm.SUBMISSION_EDIT)
    # A unit admin's grant is at the unit (or the whole school): units inside those subtrees.
    return units.filter(_path_q(roots, "path"))


def submitting_orgs_for_user(user: Any, deliverable: Deliverable) -> QuerySet[Org]:
    """Orgs the user may prepare submissions for under this deliverable's level."""
    from campaigns.models import SubmittingLevel
    from orgs.models import OrgKind

    orgs = Org.objects.filter(
        _path_q(paths_with(user, Perm.SUBMISSION_EDIT), "path"),
        path__startswith=deliverable.campaign.org.path,
    )
    if deliverable.submitting_level == SubmittingLevel.BRANCH:
        return orgs.filter(kind=OrgKind.BRANCH)
    return orgs.filter(depth=2)


# --- submissions ------------------------------------------------------------------------


def submissions_for_user(user: Any, perm: str = Perm.SUBMISSION_VIEW) -> QuerySet[Submission]:
    """Submissions the user sees (and holds `perm` over): never another unit's drafts."""
    if not user.is_authenticated:
        return Submission.objects.none()
    visible = _path_q(paths_with(user, Perm.SUBMISSION_VIEW), "org__path") & ~Q(
        state=SubmissionState.DRAFT
    )
    drafts = Q(state=SubmissionState.DRAFT) & (
        _path_q(_draft_roots(user), "org__path") | Q(created_by=user)
    )
    q = visible | drafts
    if perm != Perm.SUBMISSION_VIEW:
        q &= _path_q(paths_with(user, perm), "org__path")
    return Submission.objects.filter(q)


def _sees_submission(user: Any, submission: Submission) -> bool:
    org = submission.org
    if submission.state == SubmissionState.DRAFT:
        if submission.created_by_id is not None and submission.created_by_id == user.pk:
            return True
        return any(org.path.startswith(root) for root in _draft_roots(user))
    return can(user, Perm.SUBMISSION_VIEW, org)


def get_submission_for_user(user: Any, pk: Any, perm: str = Perm.SUBMISSION_VIEW) -> Submission:
    """The submission, or 404 if out of scope, or 403 if visible but `perm` is not held."""
    if not user.is_authenticated:
        raise Http404
    submission = (
        Submission.objects.select_related(
            "org", "deliverable", "deliverable__campaign", "deliverable__campaign__org"
        )
        .filter(pk=pk)
        .first()
    )
    if submission is None or not _sees_submission(user, submission):
        raise Http404
    if perm != Perm.SUBMISSION_VIEW and not can(user, perm, submission.org):
        raise PermissionDenied
    return submission


def get_submission_file_for_user(user: Any, pk: Any) -> SubmissionFile:
    """A file of a submission the user sees."""
    file = SubmissionFile.objects.filter(pk=pk).only("submission_id").first()
    if file is None:
        raise Http404
    submission = get_submission_for_user(user, file.submission_id)
    full = SubmissionFile.objects.get(pk=pk)
    full.submission = submission
    return full


def may_edit_submission(user: Any, submission: Submission) -> bool:
    return can(user, Perm.SUBMISSION_EDIT, submission.org)


def may_review_submission(user: Any, submission: Submission) -> bool:
    return can(user, Perm.SUBMISSION_REVIEW, submission.org)


# The unit that hands a submission in moves it to these states (报送, 撤回, 重新编辑); every
# other change of state (入围, 择优, 推荐, 发布, 退回) is the reviewers'.
UNIT_SIDE_STATES = frozenset(
    {SubmissionState.SUBMITTED, SubmissionState.WITHDRAWN, SubmissionState.DRAFT}
)


def transition_perm(to_state: str) -> str:
    """The permission over the submission's org that a change to `to_state` needs."""
    return Perm.SUBMISSION_EDIT if to_state in UNIT_SIDE_STATES else Perm.SUBMISSION_REVIEW


def get_submission_for_transition(user: Any, pk: Any, to_state: str) -> Submission:
    """The submission, if the user may move it to `to_state` (else 404 / 403)."""
    return get_submission_for_user(user, pk, transition_perm(to_state))


# --- outputs: 案例集 and the upward package --------------------------------------------

OUTPUT_PERMS = (Perm.CAMPAIGN_MANAGE, Perm.SUBMISSION_REVIEW)


def get_campaign_for_outputs(user: Any, pk: Any, perms: tuple[str, ...] = OUTPUT_PERMS) -> Campaign:
    """The campaign, if the user may compile its outputs (else 404 / 403)."""
    campaign = get_campaign_for_user(user, pk)
    if not any(can(user, perm, campaign.org) for perm in perms):
        raise PermissionDenied
    return campaign


def output_submissions(
    user: Any, campaign: Campaign, perms: tuple[str, ...] = OUTPUT_PERMS
) -> QuerySet[Submission]:
    """The campaign's selected (and later) submissions in the user's subtrees for `perms`."""
    scope = Q(pk__in=[])
    for perm in perms:
        for root in paths_with(user, perm):
            scope |= Q(org__path__startswith=root)
    return (
        Submission.objects.filter(scope, deliverable__campaign=campaign, state__in=LIBRARY_STATES)
        .select_related("org", "deliverable")
        .prefetch_related(
            Prefetch("files", queryset=SubmissionFile.objects.order_by("id")),
            Prefetch("authors", queryset=SubmissionAuthor.objects.order_by("order", "id")),
        )
        .order_by("deliverable__order", "deliverable_id", "org__path", "id")
    )
