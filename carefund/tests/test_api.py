"""/api/ reads of 组织关爱, 表彰评比, 干部纪实台账 and 岗位评分: the same scope as the pages."""

from decimal import Decimal

from assessment.tests.helpers import phase_with_shift
from carefund.tests.helpers import fund
from conftest import Cast
from honours import services as honour_services
from honours.tests.helpers import make_round
from ledger.tests.helpers import cadre_with_shifts


def test_care_funds_and_entries_in_scope(cast: Cast) -> None:
    f = fund(cast)
    funds = cast.client("school_admin").get("/api/care/funds").json()
    assert [(x["name"], Decimal(x["balance"])) for x in funds] == [("党费慰问金", Decimal("7720"))]
    assert cast.client("unit_a_admin").get("/api/care/funds").json() == []
    assert cast.client("unit_a_admin").get(f"/api/care/funds/{f.pk}/entries").status_code == 404
    assert cast.client("member_a").get("/api/care/funds").status_code == 403
    entries = cast.client("school_admin").get(f"/api/care/funds/{f.pk}/entries").json()
    assert [e["kind"] for e in entries] == ["income"]


def test_honour_nominations_follow_the_unit(cast: Cast) -> None:
    r = make_round(cast)
    honour_services.nomination_create(
        actor=cast.users["unit_a_admin"], round_=r, member=cast.member_a, reason="事迹"
    )
    url = f"/api/honours/rounds/{r.pk}/nominations"
    assert [n["nominee"] for n in cast.client("unit_a_admin").get(url).json()] == ["张三"]
    assert cast.client("unit_b_admin").get(url).json() == []
    assert len(cast.client("member_b").get("/api/honours/rounds").json()) == 1


def test_cadre_ledger_and_ratings(cast: Cast) -> None:
    cadre_with_shifts(cast)
    url = f"/api/ledger/cadres/{cast.member_a.pk}/records"
    assert cast.client("unit_a_admin").get(url).status_code == 200
    assert cast.client("branch_secretary").get(url).status_code == 404
    phase_with_shift(cast)
    mine = cast.client("member_a").get(f"/api/ratings/members/{cast.member_a.pk}").json()
    assert mine["shifts"] == 4 and mine["ratings"] == []
    assert (
        cast.client("member_b").get(f"/api/ratings/members/{cast.member_a.pk}").status_code == 404
    )
