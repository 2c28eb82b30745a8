"""Compliance pages' writes and drill-downs: exemptions, rules, the stats of one unit."""

import uuid

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from conftest import Cast
from meetings.models import ComplianceExemption, ComplianceRule, MeetingKind

YEAR = timezone.localdate().year


def _token() -> str:
    return str(uuid.uuid4())


def test_the_stats_drill_into_one_unit_within_scope(cast: Cast) -> None:
    url = reverse("meeting_stats")
    page = cast.client("school_admin").get(url, {"unit": cast.unit_a.pk, "year": YEAR})
    assert page.status_code == 200
    assert page.context["unit"] == cast.unit_a
    assert {r.org_pk for r in page.context["rows"]} == {cast.branch_a1.pk, cast.branch_a2.pk}
    # another unit's admin does not open unit A
    other = cast.client("unit_b_admin").get(url, {"unit": cast.unit_a.pk})
    assert other.status_code in (403, 404)


def test_a_units_compliance_table_is_not_a_branch_table(cast: Cast) -> None:
    client = cast.client("school_admin")
    assert client.get(reverse("compliance_branch", args=[cast.branch_a1.pk])).status_code == 200
    assert client.get(reverse("compliance_branch", args=[cast.unit_a.pk])).status_code == 403


def test_an_exemption_with_a_bad_period_is_refused_with_the_reason(cast: Cast) -> None:
    url = reverse("compliance_exempt", args=[cast.branch_a1.pk])
    response = cast.client("school_admin").post(
        url,
        {
            "form_token": _token(),
            "kind": MeetingKind.COMMITTEE,
            "period": "2026年3月",
            "reason": "x",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("compliance_branch", args=[cast.branch_a1.pk])
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["期间格式应为 2026-03、2026-Q1、2026-T1 或 2026。"]
    assert not ComplianceExemption.objects.exists()


def test_an_exemption_is_written_once_and_shown_for_its_year(cast: Cast) -> None:
    client = cast.client("school_admin")
    url = reverse("compliance_exempt", args=[cast.branch_a1.pk])
    data = {
        "form_token": _token(),
        "kind": MeetingKind.COMMITTEE,
        "period": f"{YEAR}-03",
        "reason": "支部书记集中隔离",
    }
    first = client.post(url, data)
    again = client.post(url, data)  # a double click
    branch_page = reverse("compliance_branch", args=[cast.branch_a1.pk])
    assert first["Location"] == f"{branch_page}?year={YEAR}"
    assert again.status_code == 302
    [exemption] = ComplianceExemption.objects.all()
    assert (
        exemption.reason == "支部书记集中隔离"
        and exemption.created_by == cast.users["school_admin"]
    )
    page = client.get(branch_page, {"year": YEAR}).content.decode()
    assert "支部书记集中隔离" in page


def test_a_unit_admin_may_not_exempt_or_change_rules(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    exempt = client.post(
        reverse("compliance_exempt", args=[cast.branch_a1.pk]),
        {"form_token": _token(), "kind": "committee", "period": f"{YEAR}", "reason": "x"},
    )
    assert exempt.status_code in (403, 404)
    rules = client.post(reverse("compliance_rules"), {"form_token": _token(), "deactivate": "1"})
    assert rules.status_code == 403
    assert not ComplianceExemption.objects.exists()
    assert ComplianceRule.objects.filter(active=False).count() == 0


def test_the_school_adds_a_rule_once(cast: Cast) -> None:
    client = cast.client("school_admin")
    before = ComplianceRule.objects.count()
    data = {
        "form_token": _token(),
        "kind": MeetingKind.LECTURE,
        "frequency": "quarterly",
        "min_count": "2",
        "org": cast.unit_a.pk,
        "branch_kind": "",
        "starts_on": f"{YEAR}-01-01",
    }
    first = client.post(reverse("compliance_rules"), data)
    client.post(reverse("compliance_rules"), data)
    assert first.status_code == 302 and first["Location"] == reverse("compliance_rules")
    assert ComplianceRule.objects.count() == before + 1
    rule = ComplianceRule.objects.latest("pk")
    assert (rule.kind, rule.min_count, rule.org) == (MeetingKind.LECTURE, 2, cast.unit_a)
    assert AuditEvent.objects.filter(action="compliance_rule.create").count() == 1


def test_a_rule_form_with_errors_is_shown_again(cast: Cast) -> None:
    before = ComplianceRule.objects.count()
    response = cast.client("school_admin").post(
        reverse("compliance_rules"),
        {"form_token": _token(), "kind": MeetingKind.LECTURE, "frequency": "weekly"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert ComplianceRule.objects.count() == before


def test_the_school_stops_a_rule_and_an_unknown_one_is_refused(cast: Cast) -> None:
    client = cast.client("school_admin")
    rule = ComplianceRule.objects.filter(active=True).first()
    assert rule is not None
    missing = client.post(reverse("compliance_rules"), {"form_token": _token(), "deactivate": "0"})
    assert missing.status_code == 403
    response = client.post(
        reverse("compliance_rules"), {"form_token": _token(), "deactivate": str(rule.pk)}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.active
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已停用该规定。"]
    assert AuditEvent.objects.filter(action="compliance_rule.deactivate").count() == 1
