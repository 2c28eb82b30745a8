import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from access.models import ApiToken, Grant, Role, TemporaryPassword, hash_token
from access.scope import ROLE_PERMS, Perm, forget, grants_of, is_school_admin
from audit.services import audit_record
from orgs.models import Org

# Roles only the school admin (组织部) hands out, whatever else the granter holds.
SCHOOL_ONLY_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.DUTY_OFFICE, Role.REVIEWER})

# Temporary passwords: 12 characters from an alphabet without look-alikes (0/O, 1/l/I).
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 12
# A temporary password is random (about 70 bits), so a slow hash adds nothing against
# guessing it; a light PBKDF2 lets a unit's 2,000 accounts be made in one request. The
# first sign-in re-hashes it with the full work factor, and it must be changed anyway.
TEMPORARY_PBKDF2_ITERATIONS = 1_000

SESSION_ENGINES_WITH_ROWS = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    "config.sessions",  # the db engine with a fixed SELECT (ADR 0014)
)
MUST_CHANGE_PASSWORD = "must_change_password"  # the session key the middleware reads


# --- grants -----------------------------------------------------------------------------


def may_confer(actor: Any, org: Org, role: str) -> bool:
    """A grant confers no more than the granter holds: one of the granter's grants lets
    them manage grants over `org`'s subtree and carries every permission of `role`.
    Reviewer and school-level roles come only from the school admin."""
    if role in SCHOOL_ONLY_ROLES and not is_school_admin(actor):
        return False
    wanted = ROLE_PERMS[role]
    return any(
        org.path.startswith(held.path)
        and Perm.GRANT_MANAGE in ROLE_PERMS[held.role]
        and wanted <= ROLE_PERMS[held.role]
        for held in grants_of(actor)
    )


def grantable_roles(actor: Any) -> list[Role]:
    """Roles the actor may confer somewhere in their scope (the grant form's choices)."""
    held = [ROLE_PERMS[g.role] for g in grants_of(actor) if Perm.GRANT_MANAGE in ROLE_PERMS[g.role]]
    school = is_school_admin(actor)
    return [
        role
        for role in Role
        if (school or role not in SCHOOL_ONLY_ROLES)
        and any(ROLE_PERMS[role] <= perms for perms in held)
    ]


@transaction.atomic
def grant_create(*, actor: Any, user: Any, org: Org, role: str) -> Grant:
    if user.pk == actor.pk:
        raise ValidationError("不能给自己授权。")
    if not may_confer(actor, org, role):
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
    if not may_confer(actor, grant.org, grant.role):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="grant.revoke",
        target=grant,
        changes={"user": grant.user.username, "org": grant.org.name, "role": grant.role},
    )
    grant.delete()
    forget(grant.user)


# --- logins -----------------------------------------------------------------------------


def may_manage_login(actor: Any, user: Any) -> bool:
    """Whether the actor may reset, deactivate or reactivate `user`'s login: never their own,
    and only a login whose every grant the actor could have made (so a unit admin cannot
    take over the school admin's login through its password)."""
    if user.pk == actor.pk:
        return False
    if (user.is_superuser or user.is_staff) and not actor.is_superuser:
        return False
    return all(may_confer(actor, g.org, g.role) for g in user.grants.select_related("org"))


def temporary_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def temporary_password_hash(raw: str) -> str:
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(raw, hasher.salt(), iterations=TEMPORARY_PBKDF2_ITERATIONS)
    return make_password(raw)


def user_sessions_end(user: Any) -> int:
    """Delete the user's sessions from the session store; returns how many.

    (Inactive users are refused by the auth backend on their next request anyway; this
    removes the sessions themselves.)"""
    if settings.SESSION_ENGINE not in SESSION_ENGINES_WITH_ROWS:
        return 0
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    uid = str(user.pk)
    keys = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get(SESSION_KEY) == uid
    ]
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


@transaction.atomic
def password_issue(*, actor: Any, user: Any, label: str = "") -> str:
    """Give `user` a new temporary password that must be changed at the next sign-in;
    ends their sessions. Returns the password, which is shown once and never stored."""
    if not may_manage_login(actor, user):
        raise PermissionDenied
    raw = temporary_password()
    user.password = temporary_password_hash(raw)
    user.save(update_fields=["password"])
    TemporaryPassword.objects.update_or_create(user=user, defaults={"issued_by": actor})
    ended = user_sessions_end(user)
    audit_record(
        actor=actor,
        action="account.password_reset",
        target=user,
        label=label or user.username,
        changes={"username": user.username, "sessions_ended": ended},
    )
    return raw


@transaction.atomic
def login_deactivate(*, actor: Any, user: Any, label: str = "") -> None:
    """Stop a login at once: no sign-in, no session, no API token (and no calendar feed,
    which refuses inactive users)."""
    if not may_manage_login(actor, user):
        raise PermissionDenied
    if not user.is_active:
        raise ValidationError("该账号已停用。")
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens = ApiToken.objects.filter(user=user)
    revoked = tokens.count()
    tokens.delete()
    ended = user_sessions_end(user)
    audit_record(
        actor=actor,
        action="account.deactivate",
        target=user,
        label=label or user.username,
        changes={"username": user.username, "sessions_ended": ended, "tokens_revoked": revoked},
    )


@transaction.atomic
def login_activate(*, actor: Any, user: Any, label: str = "") -> None:
    if not may_manage_login(actor, user):
        raise PermissionDenied
    if user.is_active:
        raise ValidationError("该账号已是启用状态。")
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="account.activate",
        target=user,
        label=label or user.username,
        changes={"username": user.username},
    )


@transaction.atomic
def password_changed(*, user: Any) -> None:
    """After a user changed their own password: it is theirs now (no longer temporary)."""
    had_temporary, _ = TemporaryPassword.objects.filter(user=user).delete()
    audit_record(
        actor=user,
        action="password.change",
        target=user,
        label=user.username,
        changes={"was_temporary": bool(had_temporary)},
    )


def password_link_issue(*, actor: Any, user: Any, label: str = "") -> tuple[str, str]:
    """A one-time link through which the user sets their own password: (uidb64, token).

    Django's password-reset token: it is derived from the current password hash and last
    sign-in, so it stops working once used (or once the password changes), and after
    PASSWORD_RESET_TIMEOUT. Nothing is stored."""
    if not may_manage_login(actor, user):
        raise PermissionDenied
    if not user.is_active:
        raise ValidationError("该账号已停用，请先重新启用。")
    audit_record(
        actor=actor,
        action="account.link_issue",
        target=user,
        label=label or user.username,
        changes={"username": user.username},
    )
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


@transaction.atomic
def password_set_by_link(*, user: Any) -> None:
    """After a user set their password through a one-time link."""
    TemporaryPassword.objects.filter(user=user).delete()
    user_sessions_end(user)
    audit_record(
        actor=user,
        action="password.set_by_link",
        target=user,
        label=user.username,
        changes={"username": user.username},
    )


def must_change_password(user: Any) -> bool:
    return TemporaryPassword.objects.filter(user=user).exists()


# --- API tokens -------------------------------------------------------------------------


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
