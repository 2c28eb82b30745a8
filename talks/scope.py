"""Scope of talks and deliberations: every page, export and API endpoint fetches them here.

Talks (谈心谈话) are private:
- A talk exists, to the user, if they hold TALK_VIEW over the talk's branch (the member's
  branch on the day: its secretary, the unit admin, 组织部), or gave the talk (the talker),
  or are the member talked with.
- Its notes (思想动态, 生活心态, 工作状态, help, follow-up) are read by the first two only.
  The member talked with sees that the talk took place (when, how, with whom) and never the
  notes: they are the organisation's assessment, written candidly because the member does not
  read them. No other member ever sees a talk, not even that it happened.
- A talk is recorded, and its follow-up marked, by holders of TALK_RECORD over the member's
  branch; the talker may also mark their own talk followed up.

Deliberations (民主议事) are a branch's register of decisions: seen by holders of
DELIBERATION_RECORD over the branch and by the branch's own members; written by the former.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404

from access.scope import (
    Perm,
    _path_q,
    can,
    members_for_user,
    orgs_for_user,
    own_member_id,
    paths_with,
)
from members.models import Member
from talks.models import Deliberation, Talk

# --- talks --------------------------------------------------------------------------------


def talk_notes_q(user: Any) -> Q:
    """Talks whose notes the user may read: TALK_VIEW over the branch, or their own talk."""
    q = _path_q(paths_with(user, Perm.TALK_VIEW), "branch__path")
    own = own_member_id(user)
    if own is not None:
        q |= Q(talker_id=own)
    return q


def talks_for_user(user: Any) -> QuerySet[Talk]:
    """The talks the user knows of, each with `notes_visible`: whether its notes may be read."""
    if not user.is_authenticated:
        return Talk.objects.none()
    notes = talk_notes_q(user)
    q = notes
    own = own_member_id(user)
    if own is not None:
        q |= Q(member_id=own)
    return Talk.objects.filter(q).annotate(
        notes_visible=Case(
            When(notes, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def talk_notes_visible(user: Any, talk: Talk) -> bool:
    own = own_member_id(user)
    return (own is not None and talk.talker_id == own) or can(user, Perm.TALK_VIEW, talk.branch)


def get_talk_for_user(user: Any, pk: Any, *, write: bool = False) -> Talk:
    """The talk, or 404 if the user may not know of it; with `write` (marking the follow-up),
    403 unless they hold TALK_RECORD over its branch or gave the talk."""
    talk = (
        Talk.objects.filter(pk=pk)
        .select_related("member", "member__branch", "talker", "branch", "recorded_by")
        .first()
    )
    if talk is None or not user.is_authenticated:
        raise Http404
    own = own_member_id(user)
    is_talker = own is not None and talk.talker_id == own
    is_member = own is not None and talk.member_id == own
    if not is_talker and not is_member and not can(user, Perm.TALK_VIEW, talk.branch):
        raise Http404
    if write and not is_talker and not can(user, Perm.TALK_RECORD, talk.branch):
        raise PermissionDenied
    talk.notes_visible = talk_notes_visible(user, talk)  # type: ignore[attr-defined]
    return talk


def members_to_talk_with(user: Any) -> QuerySet[Member]:
    """Members a talk may be recorded with: those in the user's TALK_RECORD subtrees."""
    return members_for_user(user, Perm.TALK_RECORD)


def talkers_for(user: Any) -> QuerySet[Member]:
    """Who may be named as the talker: the user themself, or a member of their TALK_RECORD
    subtrees (a committee member whose talk the secretary writes down)."""
    q = _path_q(paths_with(user, Perm.TALK_RECORD), "branch__path")
    own = own_member_id(user)
    if own is not None:
        q |= Q(pk=own)
    return Member.objects.filter(q)


def get_member_talks_for_user(user: Any, pk: Any) -> tuple[Member, bool]:
    """A member whose talk history the user may open, and whether the notes are shown:
    TALK_VIEW over their branch (notes shown), or it is the user's own record (dates only).
    404 for anyone else, 403 if the user sees the member in the roll but not their talks."""
    member = Member.objects.filter(pk=pk).select_related("branch").first()
    if member is None or not user.is_authenticated:
        raise Http404
    if can(user, Perm.TALK_VIEW, member.branch):
        return member, True
    if member.pk == own_member_id(user):
        return member, False
    if can(user, Perm.MEMBER_VIEW, member.branch):
        raise PermissionDenied
    raise Http404


# --- deliberations ------------------------------------------------------------------------


def _own_branch_id(user: Any) -> int | None:
    own = own_member_id(user)
    if own is None:
        return None
    if not hasattr(user, "_own_branch_id"):
        user._own_branch_id = (
            Member.objects.filter(pk=own).values_list("branch_id", flat=True).first()
        )
    return user._own_branch_id  # type: ignore[no-any-return]


def deliberations_for_user(user: Any) -> QuerySet[Deliberation]:
    if not user.is_authenticated:
        return Deliberation.objects.none()
    q = _path_q(paths_with(user, Perm.DELIBERATION_RECORD), "branch__path")
    branch_id = _own_branch_id(user)
    if branch_id is not None:
        q |= Q(branch_id=branch_id)
    return Deliberation.objects.filter(q)


def get_deliberation_for_user(user: Any, pk: Any, *, write: bool = False) -> Deliberation:
    item = (
        deliberations_for_user(user)
        .filter(pk=pk)
        .select_related("branch", "owner", "recorded_by")
        .first()
    )
    if item is None:
        raise Http404
    if write and not can(user, Perm.DELIBERATION_RECORD, item.branch):
        raise PermissionDenied
    return item


def deliberation_branches(user: Any) -> Any:
    """Branches whose register the user may write."""
    return orgs_for_user(user, Perm.DELIBERATION_RECORD).branches()
