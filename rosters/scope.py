"""Scope of rosters objects: every page, export and API endpoint fetches them through here.

- Posts and phases: anyone signed in sees the active posts and phases (a member signs up for
  them); POST_MANAGE over the post's org is needed to change one. A school-level post's org is
  the root, so only holders at the root (组织部, 防控办) keep school-level posts.
- Sign-ups: SIGNUP_VIEW over the member's branch, or the member's own.
- Rosters: ROSTER_MANAGE over the roster's org; a member reaches only their own shifts.
- People on a roster: only those allocated to its posts for its phase (`roster_people`).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from access.scope import Masker, Perm, _path_q, can, grants_of, own_member_id, paths_with
from members.models import Member
from orgs.models import Org
from rosters.models import Assignment, Phase, Post, Roster, SignUp, SwapRequest
from rosters.problems import roster_posts


def posts_for_user(user: Any, perm: str = Perm.POST_MANAGE) -> QuerySet[Post]:
    """Posts the user may act on with `perm` (for POST_MANAGE: the catalogue they keep)."""
    return Post.objects.filter(_path_q(paths_with(user, perm), "org__path"))


def get_post_for_user(user: Any, pk: Any, perm: str = Perm.POST_MANAGE) -> Post:
    post = Post.objects.filter(pk=pk).select_related("org", "campus").first()
    if post is None or not user.is_authenticated:
        raise Http404
    if not can(user, perm, post.org):
        if post.level == "unit" and not can(user, Perm.ORG_VIEW, post.org):
            raise Http404
        raise PermissionDenied
    return post


def phases_for_user(user: Any) -> QuerySet[Phase]:
    """Phases a user can see: those set by an org in their scope, or by an org above it (a
    unit's phase is seen by its branches' secretaries and members; the school's by everyone)."""
    if not user.is_authenticated:
        return Phase.objects.none()
    paths = [g.path for g in grants_of(user)]
    own = own_member_id(user)
    if own is not None:
        from members.models import Member

        branch_path = Member.objects.filter(pk=own).values_list("branch__path", flat=True).first()
        if branch_path:
            paths.append(branch_path)
    step = Org.steplen
    # Every ancestor of a path is one of its prefixes.
    prefixes = {path[:i] for path in paths for i in range(step, len(path) + 1, step)}
    q = (
        Q(org__depth=1)
        | Q(org__path__in=prefixes)
        | _path_q(paths_with(user, Perm.ORG_VIEW), "org__path")
    )
    return Phase.objects.filter(q).select_related("org")


def get_phase_for_user(user: Any, pk: Any, perm: str | None = None) -> Phase:
    """The phase (404 if the user cannot see it); with `perm`, 403 unless held over its org."""
    phase = phases_for_user(user).filter(pk=pk).first()
    if phase is None:
        raise Http404
    if perm is not None and not can(user, perm, phase.org):
        raise PermissionDenied
    return phase


def signups_for_user(user: Any, perm: str = Perm.SIGNUP_VIEW) -> QuerySet[SignUp]:
    """Sign-ups of members in the user's SIGNUP_VIEW subtrees; a member sees their own."""
    q = _path_q(paths_with(user, perm), "member__branch__path")
    own = own_member_id(user)
    if own is not None and perm == Perm.SIGNUP_VIEW:
        q |= Q(member_id=own)
    return SignUp.objects.filter(q)


def get_signup_for_user(user: Any, pk: Any, perm: str = Perm.SIGNUP_VIEW) -> SignUp:
    signup = signups_for_user(user).filter(pk=pk).select_related("member__branch").first()
    if signup is None:
        raise Http404
    if perm != Perm.SIGNUP_VIEW and not can(user, perm, signup.member.branch):
        raise PermissionDenied
    return signup


def rosters_for_user(user: Any, perm: str = Perm.ROSTER_MANAGE) -> QuerySet[Roster]:
    return Roster.objects.filter(_path_q(paths_with(user, perm), "org__path"))


def get_roster_for_user(user: Any, pk: Any, perm: str = Perm.ROSTER_MANAGE) -> Roster:
    """The roster, or 404 when the user holds `perm` nowhere over it."""
    roster = Roster.objects.filter(pk=pk).select_related("phase", "org").first()
    if roster is None or not can(user, perm, roster.org):
        raise Http404
    return roster


def duty_masker(user: Any) -> Masker:
    """The masker of rosters, sign-ups and duty pages: full phone numbers also where the user
    holds DUTY_FULL_PHONE (the duty office phones people on duty); ID numbers as elsewhere."""
    masker = Masker(user)
    masker.phone_roots = [*masker.phone_roots, *paths_with(user, Perm.DUTY_FULL_PHONE)]
    return masker


def roster_people(roster: Roster) -> QuerySet[Member]:
    """Who may be put on the roster (by hand, by a swap, as a replacement): the people
    allocated, for its phase, to one of its posts. Pages look people up only in here, so a
    guessed id or number outside reveals nothing."""
    return Member.objects.filter(
        allocations__phase_id=roster.phase_id, allocations__post__in=roster_posts(roster)
    ).distinct()


def get_own_assignment(user: Any, pk: Any) -> Assignment:
    """One of the member's own shifts on a published roster."""
    own = own_member_id(user)
    if own is None:
        raise Http404
    assignment = (
        Assignment.objects.filter(pk=pk, member_id=own, roster__state=Roster.State.PUBLISHED)
        .select_related("roster", "post", "member")
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def swaps_for_user(user: Any) -> QuerySet[SwapRequest]:
    """Swap requests on rosters the user manages."""
    return SwapRequest.objects.filter(
        _path_q(paths_with(user, Perm.ROSTER_MANAGE), "assignment__roster__org__path")
    )


def get_swap_for_user(user: Any, pk: Any) -> SwapRequest:
    swap = swaps_for_user(user).filter(pk=pk).select_related("assignment__roster").first()
    if swap is None:
        raise Http404
    return swap
