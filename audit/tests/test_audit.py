from django.urls import reverse

from audit.models import AuditEvent
from conftest import Cast


def test_school_admin_browses_audit_log_with_filters(cast: Cast) -> None:
    admin = cast.client("school_admin")
    admin.post(
        reverse("org_add_child", args=[cast.unit_a.pk]),
        {"name": "计算机研究生党支部", "kind": "branch", "form_token": ""},
        REMOTE_ADDR="10.0.0.8",
    )
    admin.get(reverse("member_export"))

    page = admin.get(reverse("audit_list"), {"action": "org."})

    events = page.context["events"]
    assert [e.action for e in events] == ["org.create"]
    assert events[0].ip == "10.0.0.8"
    [line] = page.context["lines"]
    assert line.sentence.startswith("组织部管理员 school_admin 新建了党组织 计算机研究生党支部")
    assert "来自 10.0.0.8" in page.content.decode()
    assert AuditEvent.objects.filter(action="member.export").exists()
