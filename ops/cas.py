"""CAS sign-in: the CAS user name is a 学工号, and it signs in that member's login.

No account is ever created here: a CAS user who is not a member with a login (or whose login
is stopped) is turned away, and an administrator makes the login first (「登录账号」).
"""

from typing import Any

from django.contrib.auth import get_user_model
from django_cas_ng.backends import CASBackend

from members.models import Member


def user_for_number(number: str) -> Any:
    """The active login of the member whose 学工号 is `number`, else a login named `number`
    (accounts without a member record, such as 组织部's own), else None."""
    number = number.strip()
    if not number:
        return None
    member = Member.objects.filter(number=number, user__isnull=False).select_related("user")
    found = member.first()
    user = found.user if found is not None else None
    if user is None:
        user = get_user_model().objects.filter(username=number).first()
    if user is None or not user.is_active:
        return None
    return user


class MemberCASBackend(CASBackend):
    """django-cas-ng's ticket check, then the 学工号 → login mapping above."""

    def clean_username(self, username: str) -> str:
        user = user_for_number(username)
        # The base class looks the login up by user name; hand it the mapped login's, or an
        # empty name, which no login has, so that it finds nobody.
        return user.get_username() if user is not None else ""
