"""POST /api/gates/sync: idempotent by the device's ids, refusals per entry in Chinese."""

import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import ROLES, Cast
from gates.models import Device, Entry
from gates.tests.helpers import entry, gate_of, keeper, wire

URL = "/api/gates/sync"


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_sync_is_for_the_gates_officers_only(cast: Cast, role: str) -> None:
    gate = gate_of(cast)
    keeper(gate, cast.member_a)
    one = entry(member="B0001")
    response = _post(cast.client(role), {"gate": gate.pk, "entries": [wire(one)]})
    expected = {"anonymous": 401, "school_admin": 200, "duty_office": 200, "member_a": 200}
    assert response.status_code == expected.get(role, 404), role
    assert Entry.objects.filter(uid=one.uid).exists() == (response.status_code == 200)
    if response.status_code == 404:
        assert response.json()["detail"] == "未找到，或不在您的权限范围内。"


def test_a_batch_replayed_stores_nothing_twice_and_refuses_each_bad_entry_alone(
    cast: Cast,
) -> None:
    gate = gate_of(cast)
    keeper(gate, cast.member_a)
    client = cast.client("member_a")
    device = str(uuid.uuid4())
    good = [wire(entry(member="A0001")), wire(entry(member="B0001", direction="out"))]
    malformed = {"uid": str(uuid.uuid4()), "at": "昨天", "direction": "in"}
    no_uid = {"at": "2026-01-01T08:00:00+08:00", "direction": "in", "member": "A0001"}
    entries = [*good, malformed, no_uid, "不是登记"]
    body = {"gate": gate.pk, "device": device, "waiting": 4, "entries": entries}

    first = _post(client, body).json()
    second = _post(client, body).json()

    assert sorted(first["stored"]) == sorted(e["uid"] for e in good)
    assert [r["reason"] for r in first["refused"]] == [
        "登记时间格式不正确。",
        "登记缺少有效的标识（uid）。",
        "登记格式不正确。",
    ]
    assert second["stored"] == [] and sorted(second["known"]) == sorted(first["stored"])
    assert Entry.objects.count() == 2
    assert Device.objects.get(uid=device).waiting == 4


def test_a_bad_request_is_refused_in_chinese(cast: Cast) -> None:
    gate = gate_of(cast)
    response = _post(cast.client("duty_office"), {"gate": gate.pk, "entries": "x"})
    assert response.status_code == 400
    assert "请求参数有误" in response.json()["detail"]


def test_the_gates_list_is_scoped(cast: Cast) -> None:
    gate = gate_of(cast)
    keeper(gate, cast.member_a)
    gate_of(cast, "南门")
    assert [g["name"] for g in cast.client("member_a").get("/api/gates").json()] == ["北门"]
    assert cast.client("member_b").get("/api/gates").json() == []


def test_a_sync_makes_the_same_number_of_queries_for_one_entry_or_sixty(cast: Cast) -> None:
    # given a keeper of the north gate whose phone has synced before
    gate = gate_of(cast)
    keeper(gate, cast.member_a)
    client = cast.client("member_a")
    device = str(uuid.uuid4())
    _post(client, {"gate": gate.pk, "device": device, "entries": [wire(entry(member="A0001"))]})

    def queries(n: int) -> int:
        entries = [wire(entry(member=("A0001", "B0001")[i % 2])) for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            response = _post(client, {"gate": gate.pk, "device": device, "entries": entries})
        assert len(response.json()["stored"]) == n
        return len(ctx.captured_queries)

    # when one entry is sent, then sixty
    one, sixty = queries(1), queries(60)

    # then the batch costs what the single entry costs: members in one query, one INSERT
    assert sixty == one
    assert Entry.objects.count() == 62


@pytest.mark.postgresql  # the one-statement write (SQLite writes in a transaction)
def test_a_single_entry_from_a_phone_costs_four_statements_on_postgresql(cast: Cast) -> None:
    # given a keeper's phone
    gate = gate_of(cast)
    keeper(gate, cast.member_a)
    client = cast.client("member_a")
    body = {"gate": gate.pk, "device": str(uuid.uuid4()), "entries": [wire(entry(member="B0001"))]}

    # when it sends one entry
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client, body)

    # then: the session, the user, the gate with its scope, one write (device, people, entry
    # and audit row together), and no BEGIN/COMMIT around it
    assert response.status_code == 200 and len(response.json()["stored"]) == 1
    assert len(ctx.captured_queries) == 4, [q["sql"][:60] for q in ctx.captured_queries]
    assert ctx.captured_queries[-1]["sql"].lstrip().startswith("WITH dev AS")
