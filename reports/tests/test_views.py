import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from lib.xlsx import read_sheets
from members.tests.factories import MemberFactory
from reports import services
from reports.builtin import HEALTH
from reports.models import Report, ReportSchedule
from reports.tests.helpers import HEALTHY, schedule

pytestmark = pytest.mark.django_db


def _yesterday(cast: Cast, sched: ReportSchedule) -> Report:
    report, _ = services.report_submit(
        actor=cast.users["member_a"],
        member=cast.member_a,
        schedule=sched,
        period=timezone.localdate() - dt.timedelta(days=1),
        answers={**HEALTHY, "temperature": 36.6},
    )
    return report


def test_copy_last_fills_all_but_the_daily_fields_and_requires_them(cast: Cast) -> None:
    sched = schedule(cast)
    last = _yesterday(cast, sched)
    client = cast.client("member_a")
    url = reverse("report_fill", args=[sched.pk])
    page = client.get(url + "?copy=1").content.decode()
    assert "须重新填写" in page and f'name="copied_from" value="{last.pk}"' in page
    assert 'value="36.6"' not in page  # the temperature is not copied
    version = sched.form.current_version().pk
    # posting the copy without the daily fields is refused, naming them
    response = client.post(url, {"copied_from": last.pk, "version": version})
    assert response.status_code == 200
    assert not Report.objects.filter(period=timezone.localdate()).exists()
    errors = response.context["form"].errors
    assert {"temperature", "symptoms", "last_test_on"} <= set(errors)
    response = client.post(
        url,
        {
            "copied_from": last.pk,
            "version": version,
            "temperature": "36.7",
            "symptoms": ["无"],
            "last_test_on": "2026-11-30",
        },
    )
    assert response.status_code == 302
    today = Report.objects.get(period=timezone.localdate())
    assert today.copied_from == last and str(today.temperature) == "36.7"


def test_a_double_submit_of_the_page_writes_once(cast: Cast) -> None:
    sched = schedule(cast)
    client = cast.client("member_a")
    url = reverse("report_fill", args=[sched.pk])
    data = {
        "temperature": "36.5",
        "symptoms": ["无"],
        "form_token": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    }
    first = client.post(url, data)
    second = client.post(url, {**data, "temperature": "36.9"})
    assert first.status_code == second.status_code == 302
    assert Report.objects.count() == 1
    assert str(Report.objects.get().temperature) == "36.5"


def test_the_fill_page_sends_a_reported_member_to_the_report(cast: Cast) -> None:
    sched = schedule(cast)
    services.report_submit(
        actor=cast.users["member_a"],
        member=cast.member_a,
        schedule=sched,
        period=timezone.localdate(),
        answers=HEALTHY,
    )
    response = cast.client("member_a").get(reverse("report_fill", args=[sched.pk]))
    assert response.status_code == 302 and "/reports/" in response["Location"]


def test_my_reports_show_whats_due_and_the_history(cast: Cast) -> None:
    sched = schedule(cast)
    _yesterday(cast, sched)
    page = cast.client("member_a").get(reverse("report_mine")).content.decode()
    assert "每日健康报备" in page and "填写" in page and "迟报" in page


def test_the_overdue_page_counts_and_lists_in_fixed_queries(cast: Cast) -> None:
    sched = schedule(cast)
    _yesterday(cast, sched)
    client = cast.client("school_admin")
    url = (
        reverse("report_overdue")
        + f"?schedule={sched.pk}&day={timezone.localdate() - dt.timedelta(days=1)}"
    )
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.context["result"].total.missing == 3
    for i in range(19):
        MemberFactory.create(branch=cast.branch_b1, number=f"X{i:04d}")
    odd = MemberFactory.create(branch=cast.branch_b1, number="X0019", name="<i>危</i>")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["result"].total.missing == 23
    assert len(many) == len(few)
    # The tables' rows (rendered by the view): escaped, linked to the member and the branch.
    page = response.content.decode()
    assert "&lt;i&gt;危&lt;/i&gt;" in page and "<i>危</i>" not in page
    assert f'<a href="{reverse("member_reports", args=[odd.pk])}">报备记录</a>' in page
    assert f'&amp;org={cast.branch_b1.pk}">{cast.branch_b1.name}</a>' in page


def test_the_overdue_export_is_an_xlsx_of_the_users_scope(cast: Cast) -> None:
    sched = schedule(cast)
    response = cast.client("branch_secretary").get(
        reverse("report_overdue_export") + f"?schedule={sched.pk}"
    )
    assert response.status_code == 200
    sheets = read_sheets(response.content)
    numbers = [row[1] for row in sheets["未报党员"][1:]]
    assert numbers == ["A0001"]  # branch A1 only


def _rows(*fields: dict[str, str]) -> dict[str, str]:
    """The editor's POST for these rows (each a dict of the row's fields)."""
    data = {"f-TOTAL_FORMS": str(len(fields)), "f-INITIAL_FORMS": "0"}
    for i, f in enumerate(fields):
        data |= {f"f-{i}-{k}": v for k, v in f.items()}
    return data


ROWS = [
    {"label": "今日体温", "kind": "temperature", "required": "on", "daily": "on", "max": "42"},
    {"label": "是否离开本市", "kind": "yesno", "required": "on"},
    {
        "label": "行程",
        "kind": "text",
        "required": "on",
        "show_if_row": "2",
        "show_if_value": "是",
    },
    {"label": "", "kind": "text"},  # a spare row
]


def test_a_form_is_built_in_rows_previewed_saved_and_changed_into_a_new_version(
    cast: Cast,
) -> None:
    client = cast.client("school_admin")
    data = {"name": "晨检", "owner": cast.school.pk, **_rows(*ROWS)}
    preview = client.post(reverse("report_form_new"), {**data, "preview": "1"})
    page = preview.content.decode()
    assert preview.status_code == 200 and "预览" in page and 'name="q1"' in page
    assert 'data-show-if="q2"' in page and '"field": "q2"' in page
    bad_rows = [*ROWS[:2], {**ROWS[2], "show_if_row": "3"}]
    bad = client.post(reverse("report_form_new"), {**data, **_rows(*bad_rows)})
    assert "第 3 题的显示条件应引用它前面的一道题" in bad.content.decode()
    no_choices = client.post(
        reverse("report_form_new"), {**data, **_rows({"label": "单选", "kind": "choice"})}
    )
    assert "choices" in no_choices.content.decode() or "选项" in no_choices.content.decode()
    saved = client.post(reverse("report_form_new"), data)
    assert saved.status_code == 302
    form = cast.school.report_forms.get(name="晨检")
    fields = form.current_version().fields
    assert [f["name"] for f in fields] == ["q1", "q2", "q3"]
    assert fields[0] == {
        "name": "q1",
        "label": "今日体温",
        "kind": "temperature",
        "required": True,
        "daily": True,
        "max": 42,
    }
    assert fields[2]["show_if"] == {"field": "q2", "value": "是"}

    # the editor shows the rows again; dropping one keeps the others' names
    edit_url = reverse("report_form_edit", args=[form.pk])
    page = client.get(edit_url).content.decode()
    assert 'value="今日体温"' in page and 'name="f-TOTAL_FORMS" value="6"' in page
    edited = {"name": "晨检", "description": "", **_rows(*ROWS[:3])}
    edited |= {"f-0-name": "q1", "f-1-name": "q2", "f-2-name": "q3", "f-0-DELETE": "on"}
    edited |= {"f-INITIAL_FORMS": "3"}
    response = client.post(edit_url, edited)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(form.versions.values_list("number", flat=True)) == [2, 1]
    assert [f["name"] for f in form.current_version().fields] == ["q2", "q3"]


def test_a_unit_schedules_the_schools_form_for_its_own_subtree(cast: Cast) -> None:
    form = services.form_create(
        actor=cast.users["school_admin"], owner=cast.school, name="健康", schema=HEALTH
    )
    client = cast.client("unit_a_admin")
    data = {
        "form": form.pk,
        "org": cast.unit_a.pk,
        "frequency": "daily",
        "due_time": "09:00",
        "starts_on": timezone.localdate().isoformat(),
        "whereabouts": ["stranded"],
        "remind_minutes": 30,
    }
    assert client.post(reverse("report_schedule_new"), data).status_code == 302
    s = ReportSchedule.objects.get()
    assert (s.org, s.whereabouts) == (cast.unit_a, ["stranded"])
    refused = client.post(reverse("report_schedule_new"), {**data, "org": cast.school.pk})
    assert refused.status_code == 200 and ReportSchedule.objects.count() == 1


def test_the_home_page_lists_the_report_due_and_the_overdue(cast: Cast) -> None:
    sched = schedule(cast, due=dt.time(0, 0))  # today's is past due already
    member_home = cast.client("member_a").get("/").content.decode()
    assert "每日健康报备待填写" in member_home and "已超时" in member_home
    assert reverse("report_fill", args=[sched.pk]) in member_home
    secretary_home = cast.client("branch_secretary").get("/").content.decode()
    assert "每日健康报备超时未报" in secretary_home
    services.report_submit(
        actor=cast.users["member_a"],
        member=cast.member_a,
        schedule=sched,
        period=timezone.localdate(),
        answers=HEALTHY,
    )
    assert "待填写" not in cast.client("member_a").get("/").content.decode()
    assert "超时未报" not in cast.client("branch_secretary").get("/").content.decode()


def test_a_picture_field_takes_a_picture_and_refuses_other_files(cast: Cast) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    schema = {
        "fields": [
            {
                "name": "code",
                "label": "健康码截图",
                "kind": "file",
                "images_only": True,
                "required": True,
            },
        ]
    }
    form = services.form_create(
        actor=cast.users["school_admin"], owner=cast.school, name="健康码", schema=schema
    )
    sched = schedule(cast, form=form)
    client = cast.client("member_a")
    url = reverse("report_fill", args=[sched.pk])
    refused = client.post(url, {"code": SimpleUploadedFile("a.exe", b"MZ")})
    assert refused.status_code == 200 and "不是图片" in refused.content.decode()
    ok = client.post(url, {"code": SimpleUploadedFile("码.png", b"\x89PNG....")})
    assert ok.status_code == 302
    report = Report.objects.get()
    assert report.answers["code"]["name"] == "码.png"
    assert report.answers["code"]["path"].startswith(f"reports/{cast.member_a.pk}/")


def test_a_past_day_can_be_reported_late_but_not_before_the_schedule(cast: Cast) -> None:
    sched = schedule(cast)
    client = cast.client("member_a")
    url = reverse("report_fill", args=[sched.pk])
    day = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(f"{url}?period={day}", {"temperature": "36.5", "symptoms": ["无"]})
    assert response.status_code == 302
    assert Report.objects.get(period=day).late
    too_early = timezone.localdate() - dt.timedelta(days=30)
    assert client.get(f"{url}?period={too_early}").status_code == 404


def test_a_page_submit_is_a_fixed_handful_of_statements_and_keeps_the_posted_version(
    cast: Cast,
) -> None:
    """The morning rush (bench_reports): session, user, then the member, schedule, form, org
    and posted version in one statement, then the insert (ON CONFLICT DO NOTHING, no
    savepoint), the audit row and the form token with its result, and nothing rendered for
    the redirect."""
    sched = schedule(cast)
    first = sched.form.current_version()
    services.form_revise(
        actor=cast.users["school_admin"],
        form=sched.form,
        schema={"fields": [f for f in HEALTH["fields"] if f["name"] != "last_test_on"]},
    )
    client = cast.client("member_a")
    url = reverse("report_fill", args=[sched.pk])
    data = {
        "version": first.pk,  # the page was rendered before the form changed
        "temperature": "36.5",
        "symptoms": ["无"],
        "form_token": "2c4e28ba-2fa1-11d2-883f-0016d3cca427",
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("report_mine")
    assert len(queries) <= 8, [q["sql"][:80] for q in queries]
    report = Report.objects.get()
    assert report.version == first and report.answers["temperature"] == 36.5
    assert "已提交" in client.get(reverse("report_mine")).content.decode()
    # The same form again (a resent request): no second row, and no second 「已提交」.
    again = client.post(url, {**data, "temperature": "36.9"})
    assert again.status_code == 302 and again["Location"] == reverse("report_mine")
    assert Report.objects.count() == 1 and str(Report.objects.get().temperature) == "36.5"
    assert "已提交" not in client.get(reverse("report_mine")).content.decode()


def test_the_fill_look_up_refuses_as_before_and_ignores_another_forms_version(
    cast: Cast,
) -> None:
    """get_fill_for_user loads member, schedule and posted version in one statement; which of
    them is missing still decides the answer."""
    sched = schedule(cast)
    other = services.form_create(
        actor=cast.users["school_admin"], owner=cast.school, name="另一表单", schema=HEALTH
    )
    url = reverse("report_fill", args=[sched.pk])
    data = {"temperature": "36.5", "symptoms": ["无"], "version": other.current_version().pk}
    # A version of another form is not the page's: the schedule's current version is used.
    response = cast.client("member_a").post(url, data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.version == sched.form.current_version() and report.branch == cast.branch_a1
    assert report.answers == {"temperature": 36.5, "symptoms": ["无"]}
    # A version number beyond any id is no version either, and loses nothing.
    huge = cast.client("member_b").post(url, {**data, "version": "9" * 30})
    assert huge.status_code == 302 and Report.objects.count() == 2
    # No member record: 403; a stopped or unknown schedule: 404.
    assert cast.client("school_admin").post(url, data).status_code == 403
    ReportSchedule.objects.filter(pk=sched.pk).update(active=False)
    assert cast.client("member_a").get(url).status_code == 404
    missing = reverse("report_fill", args=[sched.pk + 1000])
    assert cast.client("member_a").get(missing).status_code == 404
