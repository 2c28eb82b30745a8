from typing import Any

from django.conf import settings
from django.http import HttpRequest

from access.scope import Perm, has_perm_anywhere, is_school_admin, own_member_id


def nav(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"site_name": settings.SITE_NAME}
    return {
        "site_name": settings.SITE_NAME,
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
