"""Logins for the people on the roll: made in bulk from a filtered member list, reset,
stopped and restarted by the school admin (组织部) or a unit admin, within their scope.

A member's username is their 学工号. A new login gets a random temporary password, which
must be changed at the first sign-in (access.TemporaryPassword and the middleware). The
passwords are never stored in clear: they exist only in the .xlsx returned by the request
that made them. If that file is lost, `accounts_reissue` gives the logins nobody has used
yet new passwords (and a new file), which makes any earlier file worthless.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from access.models import Grant, TemporaryPassword
from access.scope import Perm
from access.services import (
    login_activate,
    login_deactivate,
    may_manage_login,
    password_issue,
    password_link_issue,
    temporary_password,
    temporary_password_hash,
)
from audit.services import audit_record
from lib.xlsx import XlsxBook
from members import selectors
from members.models import Member

# Who makes and manages members' logins: those who manage grants (组织部, unit admins),
# over the same subtrees.
ACCOUNT_MANAGE = Perm.GRANT_MANAGE
MAX_ACCOUNTS_AT_ONCE = 5000


@dataclass
class IssuedLogin:
    member: Member
    password: str


@dataclass
class AccountsResult:
    issued: list[IssuedLogin] = field(default_factory=list)
    skipped_existing: int = 0  # already had a login
    skipped_taken: list[Member] = field(default_factory=list)  # 学工号 already some login's name
    skipped_used: int = 0  # (reissue) the login was already used or is not theirs to reset


def _members(actor: Any, filters: selectors.MemberFilters) -> list[Member]:
    members = selectors.member_list(user=actor, filters=filters, perm=ACCOUNT_MANAGE)
    if members.count() > MAX_ACCOUNTS_AT_ONCE:
        raise ValidationError(
            f"一次最多处理 {MAX_ACCOUNTS_AT_ONCE} 人：请先按单位或党支部筛选，再分批创建。"
        )
    return list(members.select_related("user").select_for_update(of=("self",)))


def _filters_label(filters: selectors.MemberFilters) -> dict[str, Any]:
    return {k: v for k, v in vars(filters).items() if v and k not in ("sort", "extra")}


@transaction.atomic
def accounts_create(*, actor: Any, filters: selectors.MemberFilters) -> AccountsResult:
    """A login for every member of the filtered list (within the actor's scope) who has
    none; members with a login are skipped and counted."""
    User = get_user_model()
    members = _members(actor, filters)
    result = AccountsResult()
    without = [m for m in members if m.user_id is None]
    result.skipped_existing = len(members) - len(without)
    taken = set(
        User.objects.filter(username__in=[m.number for m in without]).values_list(
            "username", flat=True
        )
    )
    fresh: list[Member] = []
    for member in without:
        (result.skipped_taken if member.number in taken else fresh).append(member)
    passwords = {m.pk: temporary_password() for m in fresh}
    User.objects.bulk_create(
        [
            User(
                username=m.number,
                first_name=m.name[:150],
                password=temporary_password_hash(passwords[m.pk]),
            )
            for m in fresh
        ],
        batch_size=500,
    )
    user_ids = dict(
        User.objects.filter(username__in=[m.number for m in fresh]).values_list("username", "pk")
    )
    for member in fresh:
        member.user_id = user_ids[member.number]
    Member.objects.bulk_update(fresh, ["user"], batch_size=500)
    TemporaryPassword.objects.bulk_create(
        [TemporaryPassword(user_id=user_ids[m.number], issued_by=actor) for m in fresh],
        batch_size=500,
    )
    result.issued = [IssuedLogin(member=m, password=passwords[m.pk]) for m in fresh]
    audit_record(
        actor=actor,
        action="account.create_bulk",
        label=f"批量创建登录账号 {len(fresh)} 个",
        changes={
            "created": len(fresh),
            "skipped_existing": result.skipped_existing,
            "skipped_taken": [m.number for m in result.skipped_taken],
            "numbers": [m.number for m in fresh],
            "filters": _filters_label(filters),
        },
    )
    return result


def _may_reissue(actor: Any, user: Any, granted: set[int]) -> bool:
    """Logins holding grants (or staff) only if the actor could manage them; checked one by
    one, since fresh logins seldom hold any."""
    if user.pk in granted or user.is_staff or user.is_superuser:
        return may_manage_login(actor, user)
    return user.pk != actor.pk


@transaction.atomic
def accounts_reissue(*, actor: Any, filters: selectors.MemberFilters) -> AccountsResult:
    """New temporary passwords for the filtered members whose login was issued and never
    used (never signed in, still temporary, active): for a lost or misprinted sheet."""
    User = get_user_model()
    members = _members(actor, filters)
    result = AccountsResult()
    with_login = [m for m in members if m.user_id is not None]
    pending = set(
        TemporaryPassword.objects.filter(
            user_id__in=[m.user_id for m in with_login],
            user__last_login__isnull=True,
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )
    granted = set(
        Grant.objects.filter(user_id__in=pending).values_list("user_id", flat=True).distinct()
    )
    chosen: list[tuple[Member, Any]] = []
    for member in with_login:
        user = member.user
        if user is not None and user.pk in pending and _may_reissue(actor, user, granted):
            chosen.append((member, user))
        else:
            result.skipped_used += 1
    users = []
    for member, user in chosen:
        raw = temporary_password()
        user.password = temporary_password_hash(raw)
        users.append(user)
        result.issued.append(IssuedLogin(member=member, password=raw))
    User.objects.bulk_update(users, ["password"], batch_size=500)
    TemporaryPassword.objects.filter(user__in=users).update(issued_by=actor)
    audit_record(
        actor=actor,
        action="account.reissue_bulk",
        label=f"重新生成初始密码 {len(users)} 个",
        changes={
            "reissued": len(users),
            "skipped": result.skipped_used,
            "numbers": [m.number for m, _ in chosen],
            "filters": _filters_label(filters),
        },
    )
    return result


def _member_login(member: Member) -> Any:
    if member.user is None:
        raise ValidationError("该党员还没有登录账号。")
    return member.user


def account_password_reset(*, actor: Any, member: Member) -> str:
    """A new temporary password for the member's login, to be changed at the next sign-in;
    their sessions end. Returns it (shown once)."""
    return password_issue(actor=actor, user=_member_login(member), label=str(member))


def account_link(*, actor: Any, member: Member) -> tuple[str, str]:
    """(uidb64, token) of a one-time link to set the member's own password."""
    return password_link_issue(actor=actor, user=_member_login(member), label=str(member))


def account_deactivate(*, actor: Any, member: Member) -> None:
    login_deactivate(actor=actor, user=_member_login(member), label=str(member))


def account_activate(*, actor: Any, member: Member) -> None:
    login_activate(actor=actor, user=_member_login(member), label=str(member))


def may_manage_account(actor: Any, member: Member) -> bool:
    return member.user is not None and may_manage_login(actor, member.user)


# --- the sheet of initial passwords -------------------------------------------------------

SHEET_COLUMNS = (("姓名", 12), ("学工号", 16), ("党支部", 30), ("用户名", 16), ("初始密码", 16))


def initial_passwords_xlsx(result: AccountsResult, *, login_url: str) -> bytes:
    """The sheet an admin prints or forwards: one row per login made, every cell text."""
    book = XlsxBook()
    bold = book.format(bold=True, bg_color="#F2F2F2", border=1)
    sheet = book.sheet("初始密码")
    for col, (_title, width) in enumerate(SHEET_COLUMNS):
        sheet.set_column(col, col, width)
    book.row(sheet, 0, [title for title, _ in SHEET_COLUMNS], bold)
    for row, issued in enumerate(result.issued, start=1):
        m = issued.member
        book.row(sheet, row, [m.name, m.number, m.branch.name, m.number, issued.password])
    sheet.freeze_panes(1, 0)
    notes = book.sheet("说明")
    notes.set_column(0, 0, 80)
    lines = [
        f"登录地址：{login_url}",
        "用户名为本人学工号；初始密码只能使用一次，首次登录后必须修改为自己的密码。",
        "此表只在生成时提供一次，系统不保存明文密码；请妥善保管，分发后删除。",
        f"本次生成：{len(result.issued)} 个。",
    ]
    if result.skipped_existing:
        lines.append(f"已有登录账号、未改动：{result.skipped_existing} 人。")
    if result.skipped_taken:
        names = "、".join(str(m) for m in result.skipped_taken[:50])
        lines.append(f"学工号已被其他账号占用、未创建：{len(result.skipped_taken)} 人（{names}）。")
    if result.skipped_used:
        lines.append(f"账号已使用过或无权重置、未改动：{result.skipped_used} 人。")
    for row, line in enumerate(lines):
        book.cell(notes, row, 0, line)
    return book.close()
