from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from access.models import ApiToken, Grant, hash_token
from access.scope import forget, may_grant
from audit.services import audit_record
from orgs.models import Org


@transaction.atomic
def grant_create(*, actor: Any, user: Any, org: Org, role: str) -> Grant:
    if not may_grant(actor, org, role):
        raise PermissionDenied
    grant, created = Grant.objects.get_or_create(
        user=user, org=org, role=role, defaults={"granted_by": actor}
    )
    if not created:
        raise ValidationError("该用户已有这一授权。")
    audit_record(
        actor=actor,
        action="grant.create",
        target=grant,
        changes={"user": user.username, "org": org.name, "role": role},
    )
    forget(user)
    return grant


@transaction.atomic
def grant_revoke(*, actor: Any, grant: Grant) -> None:
    if not may_grant(actor, grant.org, grant.role):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="grant.revoke",
        target=grant,
        changes={"user": grant.user.username, "org": grant.org.name, "role": grant.role},
    )
    grant.delete()
    forget(grant.user)


@transaction.atomic
def api_token_create(*, actor: Any, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its raw key, which is shown once and never stored."""
    raw = ApiToken.new_key()
    token = ApiToken.objects.create(user=actor, name=name, key_hash=hash_token(raw), prefix=raw[:8])
    audit_record(actor=actor, action="api_token.create", target=token, label=name)
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    audit_record(actor=actor, action="api_token.revoke", target=token, label=token.name)
    token.delete()
