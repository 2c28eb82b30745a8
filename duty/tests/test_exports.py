"""Every .xlsx export, made through its page with user text that looks like a formula: each
cell is text (never a formula), and each download has a Chinese name."""

import datetime as dt
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.test import Client

from conftest import Cast
from duty.models import Pledge, PledgeSignature, ResponsibilityZone, Team, TeamKind
from duty.tests.helpers import assign, make_post, make_roster
from rosters.models import SignUp

LINK = '=HYPERLINK("http://evil.example","点我")'
SUM = "=1+1"
HOSTILE = (LINK, SUM, "+1", "-1", "@SUM(A1)")


@pytest.fixture
def hostile(cast: Cast) -> dict[str, int]:
    """User text that a spreadsheet would run as a formula, in every field an export shows."""
    cast.member_a.name = LINK
    cast.member_a.class_name, cast.member_a.major = SUM, "+1"
    cast.member_a.dorm_building, cast.member_a.dorm_room = "-1", "@SUM(A1)"
    cast.member_a.save()
    cast.member_b.name = SUM
    cast.member_b.save()
    cast.branch_a1.name = "=2+2"
    cast.branch_a1.save()
    cast.unit_a.name = "@unit"
    cast.unit_a.save()
    roster = make_roster(cast.school, name=SUM, starts_on=dt.date(2020, 9, 17))
    post = make_post(cast.school, LINK, place="=3+3", slots=[{"name": "=4+4", "hours": 6}])
    roster.phase.posts.set([post])
    assign(roster, post, cast.member_a, dt.date(2020, 9, 17), "=4+4")
    assign(roster, post, cast.member_b, dt.date(2020, 9, 18), "=4+4")
    for member in (cast.member_a, cast.member_b):
        SignUp.objects.create(
            phase=roster.phase,
            member=member,
            wanted_posts=[post.pk],
            health_ok=True,
            health_note="-5",
            phone="13800000001",
            note=LINK,
            recommended=True,
        )
    pledge = Pledge.objects.create(title=LINK, body=SUM, org=cast.school)
    PledgeSignature.objects.create(pledge=pledge, member=cast.member_a, signed_name=SUM)
    zone = ResponsibilityZone.objects.create(name=LINK, kind="branch", org=cast.branch_a1)
    zone.members.set([cast.member_a])
    team = Team.objects.create(name=SUM, kind=TeamKind.VANGUARD, org=cast.unit_a)
    team.members.set([cast.member_a])
    return {"phase": roster.phase.pk, "roster": roster.pk, "pledge": pledge.pk}


EXPORTS = [
    ("/members/export.xlsx", "党员名单-"),
    ("/members/import/template.xlsx", "党员导入模板"),
    ("/rosters/phases/{phase}/signups/export/", "报名表-=1+1"),
    ("/rosters/phases/{phase}/signups/export/?form=rollup", "汇总表-=1+1"),
    ("/rosters/r/{roster}/export/", "值班表-=1+1"),
    ("/duty/stats/export.xlsx?scheduled=on", "值班人次统计-"),
    ("/duty/pledges/{pledge}/export.xlsx", "签署情况-=HYPERLINK(_http_"),
    ("/duty/zones/export.xlsx", "党员责任区-"),
    ("/duty/teams/export.xlsx", "先锋队突击队-"),
]


def _download(client: Client, url: str) -> tuple[str, openpyxl.Workbook]:
    response = client.get(url)
    assert response.status_code == 200, url
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''"), disposition
    name = unquote(disposition.split("''", 1)[1])
    return name, openpyxl.load_workbook(io.BytesIO(response.content))


@pytest.mark.parametrize(("url", "name"), EXPORTS)
def test_every_export_writes_user_text_as_text_under_a_chinese_name(
    cast: Cast, hostile: dict[str, int], url: str, name: str
) -> None:
    filename, workbook = _download(cast.client("school_admin"), url.format(**hostile))
    assert filename.startswith(name)
    assert filename.endswith(".xlsx")
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    formulas = [f"{c.parent.title}!{c.coordinate}={c.value}" for c in cells if c.data_type == "f"]
    assert formulas == []
    if "template" not in url:  # the user's text is there, as typed
        texts = {str(c.value) for c in cells if c.value is not None}
        assert any(h in text for h in HOSTILE for text in texts), url
