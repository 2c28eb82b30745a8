"""Every action a service writes reads as its own Chinese sentence, not the generic fallback."""

import ast
import string
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from audit.models import AuditEvent
from audit.render import ACTIONS, GROUPS, SYSTEM, _generic, action_choices, render_events
from audit.services import audit_record
from conftest import Cast

SKIPPED_DIRS = {".venv", "node_modules", "tests", "migrations", "static", ".git"}
# f"<prefix>{state}" actions: the model field whose choices the state comes from.
STATE_ACTIONS = {"meeting.": "meetings.Meeting.state", "submission.": "campaigns.Submission.state"}
COMPUTED = {"object", "label", "label_spaced", "people"}


def _sources() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return [
        path
        for path in root.rglob("*.py")
        if not SKIPPED_DIRS & set(path.relative_to(root).parts[:-1])
    ]


def _states(dotted: str) -> list[str]:
    app_model, field = dotted.rsplit(".", 1)
    choices = apps.get_model(app_model)._meta.get_field(field).choices or []
    return [str(value) for value, _ in choices]  # type: ignore[misc]


def _actions_in(node: ast.expr, where: str) -> set[str]:
    """The action strings an `action=` argument can take: literals, both sides of a
    conditional, and f"<prefix>{state}" expanded over the state's choices."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _actions_in(node.body, where) | _actions_in(node.orelse, where)
    if isinstance(node, ast.JoinedStr):
        first = node.values[0]
        prefix = first.value if isinstance(first, ast.Constant) else ""
        assert prefix in STATE_ACTIONS, f"{where}: add f-string action {prefix!r} to STATE_ACTIONS"
        return {f"{prefix}{state}" for state in _states(STATE_ACTIONS[prefix])}
    raise AssertionError(f"{where}: an action that is neither a literal nor a known f-string")


def written_actions() -> dict[str, str]:
    """{action: where} for every audit_record(action=...) outside the tests."""
    found: dict[str, str] = {}
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name != "audit_record":
                continue
            where = f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}"
            for keyword in node.keywords:
                if keyword.arg == "action":
                    found.update(dict.fromkeys(_actions_in(keyword.value, where), where))
    return found


def test_the_scan_finds_the_actions_of_every_kind_of_call() -> None:
    found = written_actions()
    assert len(found) > 150
    assert {"member.update", "meeting.returned", "submission.published"} <= set(found)
    assert {"gate.create", "gate.update", "escalation.reply", "escalation.message"} <= set(found)


def test_every_action_the_code_writes_has_a_sentence() -> None:
    missing = {
        action: where for action, where in written_actions().items() if action not in ACTIONS
    }
    assert missing == {}


def test_every_kind_of_action_has_a_chinese_name_in_the_filter() -> None:
    prefixes = {code.split(".", 1)[0] for code in ACTIONS}
    assert sorted(prefixes - set(GROUPS)) == []
    for kind, items in action_choices():
        assert kind in GROUPS.values()
        assert all(name and name.isascii() is False for _, name in items)


@pytest.mark.parametrize("code", sorted(ACTIONS))
def test_each_sentence_renders_from_its_own_template(db: Any, code: str) -> None:
    # given a row with every value its template names
    template = ACTIONS[code].sentence
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    changes = {name: "某值" for name in names - COMPUTED}
    event = AuditEvent(
        action=code, changes=changes, target_label="某对象", at=timezone.now(), ip=None
    )
    # when it is rendered
    [line] = render_events([event], viewer=AnonymousUser())
    # then it is the action's own sentence, not the generic one, and nothing is left over
    generic = _generic(code, "").format(label_spaced=" 某对象")
    assert line.sentence != f"{SYSTEM} {generic}"
    assert "{" not in line.sentence
    assert line.details == []
    assert line.sentence.startswith(f"{SYSTEM} {template.split('{', 1)[0]}")


def test_new_actions_read_as_sentences_with_their_details(cast: Cast) -> None:
    admin = cast.users["school_admin"]
    admin.first_name = "王老师"
    admin.save(update_fields=["first_name"])
    audit_record(
        actor=admin,
        action="development.advance",
        target=cast.member_a,
        changes={"stage": ["入党积极分子", "发展对象"], "on": "2026-03-01"},
        label="发展党员：张三 发展对象（2026-03-01）",
    )
    audit_record(
        actor=admin,
        action="account.create_bulk",
        label="批量创建登录账号 2 个",
        changes={"created": 2, "skipped_existing": 1, "numbers": ["A0001", "A0002"]},
    )
    audit_record(actor=admin, action="meeting.returned", target=cast.branch_a1)

    lines = render_events(AuditEvent.objects.order_by("pk"), viewer=admin)

    assert [line.sentence for line in lines] == [
        "组织部管理员 王老师 记录了发展阶段：张三 发展对象（2026年3月1日）；"
        "阶段 入党积极分子 → 发展对象；日期 2026年3月1日",
        "组织部管理员 王老师 批量创建了 2 个登录账号：已有账号 1；学工号 A0001、A0002",
        "组织部管理员 王老师 退回了党组织 计算机教工第一党支部",
    ]
