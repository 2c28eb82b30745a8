"""access.services: grants and API tokens, through the services.

Only rules that hold under any grant policy are tested here (who may grant what is in
test_grants.py and the permission tables): a grant and its revocation write an audit row, a
grant is made once, a user without the right is refused and nothing is written."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from access import services
from access.models import ApiToken, Grant, Role, hash_token
from access.scope import Perm, can
from audit.models import AuditEvent
from conftest import Cast


def test_school_admin_grants_and_revokes_a_branch_secretary(cast: Cast) -> None:
    admin, user = cast.users["school_admin"], cast.users["member_b"]

    grant = services.grant_create(
        actor=admin, user=user, org=cast.branch_b1, role=Role.BRANCH_SECRETARY
    )
    assert grant.granted_by == admin
    assert can(user, Perm.MEMBER_VIEW, cast.branch_b1)

    services.grant_revoke(actor=admin, grant=grant)

    assert not Grant.objects.filter(pk=grant.pk).exists()
    assert not can(user, Perm.MEMBER_VIEW, cast.branch_b1)  # no stale cached grants
    assert list(
        AuditEvent.objects.filter(action__startswith="grant.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["grant.create", "grant.revoke"]


def test_a_grant_is_made_once(cast: Cast) -> None:
    admin, user = cast.users["school_admin"], cast.users["member_b"]
    services.grant_create(actor=admin, user=user, org=cast.branch_b1, role=Role.BRANCH_SECRETARY)

    with pytest.raises(ValidationError, match="已有这一授权"):
        services.grant_create(
            actor=admin, user=user, org=cast.branch_b1, role=Role.BRANCH_SECRETARY
        )

    assert Grant.objects.filter(user=user).count() == 1


def test_a_member_without_grants_cannot_grant(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        services.grant_create(
            actor=cast.users["member_a"],
            user=cast.users["member_b"],
            org=cast.branch_a1,
            role=Role.BRANCH_SECRETARY,
        )

    assert not Grant.objects.filter(user=cast.users["member_b"]).exists()
    assert not AuditEvent.objects.filter(action="grant.create").exists()


def test_a_refused_revocation_keeps_the_grant(cast: Cast) -> None:
    grant = Grant.objects.get(user=cast.users["unit_b_admin"])

    with pytest.raises(PermissionDenied):
        services.grant_revoke(actor=cast.users["branch_secretary"], grant=grant)

    assert Grant.objects.filter(pk=grant.pk).exists()
    assert not AuditEvent.objects.filter(action="grant.revoke").exists()


def test_an_api_token_keeps_only_a_hash_of_its_key(cast: Cast) -> None:
    user = cast.users["member_a"]

    token, raw = services.api_token_create(actor=user, name="日历同步")

    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix)
    assert stored.key_hash == hash_token(raw)
    assert stored.prefix == raw[:8]
    assert AuditEvent.objects.filter(action="api_token.create", actor=user).count() == 1


def test_revoking_a_token_deletes_it_with_an_audit_row(cast: Cast) -> None:
    user = cast.users["member_a"]
    token, _raw = services.api_token_create(actor=user, name="日历同步")

    services.api_token_revoke(actor=user, token=token)

    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=user).count() == 1
