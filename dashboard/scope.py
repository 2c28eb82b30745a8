"""Whose dashboard a user may open: any org they hold ORG_VIEW over (its subtree's figures,
each tile further gated by the capability's own permission over the org)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from access.scope import ROLE_PERMS, Perm, get_org_for_user, grants_of, has_perm_anywhere
from lib.params import parse_id
from orgs.models import Org


def may_open(user: Any) -> bool:
    return has_perm_anywhere(user, Perm.ORG_VIEW)


def default_org_id(user: Any) -> int | None:
    """The user's widest org: the shallowest one they hold ORG_VIEW over (the first by path
    among equals)."""
    held = [g for g in grants_of(user) if Perm.ORG_VIEW in ROLE_PERMS[g.role]]
    if not held:
        return None
    return min(held, key=lambda g: (g.depth, g.path)).org_id


def get_dashboard_org_for_user(user: Any, pk: Any) -> Org:
    """The org, or 403 if the user sees no org at all, or 404 if this one is not theirs."""
    if not may_open(user):
        raise PermissionDenied
    if parse_id(pk) is None:  # a number too big for the key column is no org of anyone's
        raise Http404
    return get_org_for_user(user, pk, Perm.ORG_VIEW)
