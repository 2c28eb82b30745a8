"""Scope of notices and robots: every page and endpoint fetches them here.

- A notice is its recipient's alone: anyone else (組織部 included) gets a 404.
- A robot belongs to an org; it is seen and managed by holders of ORG_EDIT over the org
  (组织部 for the school, a unit's admins for their subtree), 404 to those who cannot see the
  org, 403 to those who see the org but may not edit it.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from access.scope import Perm, _path_q, can, paths_with, require_anywhere
from notices.models import Notice, RobotWebhook


def notices_for_user(user: Any) -> QuerySet[Notice]:
    if not user.is_authenticated:
        return Notice.objects.none()
    return Notice.objects.filter(recipient_id=user.pk)


def get_notice_for_user(user: Any, pk: Any) -> Notice:
    notice = notices_for_user(user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def require_robots(user: Any) -> None:
    require_anywhere(user, Perm.ORG_EDIT)


def webhooks_for_user(user: Any) -> QuerySet[RobotWebhook]:
    return RobotWebhook.objects.filter(_path_q(paths_with(user, Perm.ORG_EDIT), "org__path"))


def get_webhook_for_user(user: Any, pk: Any) -> RobotWebhook:
    """The robot, or 404 if its org is out of the user's sight, or 403 if they see the org
    but may not edit it."""
    hook = RobotWebhook.objects.filter(pk=pk).select_related("org").first()
    if hook is None or not can(user, Perm.ORG_VIEW, hook.org):
        raise Http404
    if not can(user, Perm.ORG_EDIT, hook.org):
        raise PermissionDenied
    return hook
