"""The gates pages: keeping gates and keepers, the device page and its worker, pass codes,
figures with drill-down and export, the import of a device's file, the home page's rows."""

import datetime as dt
import io
import json
import uuid
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from gates import services
from gates.models import Device, Entry, Gate, GateKeeper, PassCode
from gates.tests.helpers import entry, gate_of, keeper, wire


def _fill(cast: Cast, gate: Gate, n: int = 3, *, fever: bool = True) -> None:
    entries = [entry(member="A0001") for _ in range(n)]
    entries.append(entry(visitor_name="送件人", visitor_reason="送快递"))
    if fever:
        entries.append(entry(member="B0001", temperature="38.0"))
    services.entries_sync(actor=cast.users["duty_office"], gate=gate, entries=entries)


def test_the_duty_office_adds_a_gate_and_assigns_a_keeper(cast: Cast) -> None:
    client = cast.client("duty_office")
    response = client.post(
        reverse("gate_new"), {"campus": cast.member_a.campus_id, "name": "东门", "active": "on"}
    )
    assert response.status_code == 302
    gate = Gate.objects.get(name="东门")
    again = client.post(reverse("gate_new"), {"campus": cast.member_a.campus_id, "name": "东门"})
    assert "该校区已有同名门岗。" in again.content.decode()

    response = client.post(reverse("gate_keepers", args=[gate.pk]), {"member": "A0001"})
    assert response.status_code == 302
    assert GateKeeper.objects.filter(gate=gate, member=cast.member_a).exists()
    refused = client.post(reverse("gate_keepers", args=[gate.pk]), {"member": "A0002"})
    assert "还没有登录账号" in refused.content.decode()

    keeper_row = GateKeeper.objects.get()
    client.post(reverse("keeper_remove", args=[keeper_row.pk]))
    assert not GateKeeper.objects.exists()


def test_the_device_page_allows_the_scanner_worker_and_the_worker_covers_gates(
    cast: Cast,
) -> None:
    gate = gate_of(cast)
    keeper(gate, cast.member_a)
    client = cast.client("member_a")
    page = client.get(reverse("gate_register", args=[gate.pk]))
    assert "worker-src 'self' blob:" in page["Content-Security-Policy"]
    assert 'data-threshold="37.3"' in page.content.decode()
    worker = client.get(reverse("gate_sw"))
    assert worker["Service-Worker-Allowed"] == "/gates/"
    assert worker["Content-Type"].startswith("text/javascript")


def test_the_people_list_holds_numbers_names_and_only_a_hash_of_pass_codes(cast: Cast) -> None:
    gate = gate_of(cast)
    code = services.pass_code_for(cast.member_a)
    people = cast.client("duty_office").get(reverse("gate_people", args=[gate.pk])).json()
    row = next(p for p in people["people"] if p["n"] == "A0001")
    assert row["m"] == "张三" and len(row["c"]) == 20
    assert code.token not in json.dumps(people)


def test_a_member_sees_and_reissues_their_pass_code(cast: Cast) -> None:
    client = cast.client("member_a")
    page = client.get(reverse("my_pass")).content.decode()
    assert "<svg" in page and "A0001" not in page
    old = PassCode.objects.get(member=cast.member_a).token
    client.post(reverse("my_pass_reissue"))
    code = PassCode.objects.get(member=cast.member_a)
    assert code.token != old and code.issues == 2


def test_figures_drill_down_and_export(cast: Cast, django_assert_max_num_queries: Any) -> None:
    gate = gate_of(cast)
    _fill(cast, gate)
    client = cast.client("duty_office")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("gate_figures"))
    data = page.context["chart"]
    assert sum(c[2] for c in data["cells"]) == 5
    assert page.context["figures"].total == {"in": 5, "out": 0, "fever": 1, "visitor": 1}

    # the same number of queries with ten times the gates and entries
    for i in range(10):
        _fill(cast, gate_of(cast, f"门{i}", with_post=False), 5)
    with django_assert_max_num_queries(12):
        client.get(reverse("gate_figures"))

    hour = timezone.localtime().hour
    rows = client.get(
        reverse("gate_entries"), {"gate": str(gate.pk), "hour": str(hour), "fever": "1"}
    )
    assert list(rows.context["page"].object_list) == list(
        Entry.objects.filter(fever=True, gate=gate)
    )

    export = client.get(reverse("gate_figures_export"))
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["分时段", "分校区每日", "发热"]
    assert book["发热"]["C2"].value == "李四"


def test_the_duty_office_imports_a_devices_file_once(cast: Cast) -> None:
    gate = gate_of(cast)
    entries = [wire(entry(member="A0001")), wire(entry(member="X9999"))]
    doc = {
        "format": "gates-export/1",
        "gate": gate.pk,
        "device": str(uuid.uuid4()),
        "officer": cast.users["member_a"].pk,
        "entries": entries,
    }
    client = cast.client("duty_office")
    for _ in range(2):
        upload = SimpleUploadedFile("门岗登记.json", json.dumps(doc).encode(), "application/json")
        page = client.post(reverse("gate_import"), {"file": upload})
    result = page.context["result"]
    assert (result["stored"], result["known"], len(result["refused"])) == (0, 1, 1)
    stored = Entry.objects.get()
    assert stored.officer == cast.users["member_a"] and stored.source == "import"

    bad = SimpleUploadedFile("x.json", b"not json", "application/json")
    assert "JSON 格式有误" in client.post(reverse("gate_import"), {"file": bad}).content.decode()


def test_home_shows_the_duty_office_fevers_today_and_quiet_gates(cast: Cast) -> None:
    gate = gate_of(cast)
    _fill(cast, gate)
    Device.objects.create(
        uid=uuid.uuid4(), gate=gate, last_sync_at=timezone.now() - dt.timedelta(minutes=11)
    )
    page = cast.client("duty_office").get("/").content.decode()
    assert "今日门岗发热" in page
    assert "门岗设备超过10分钟未同步" in page and "北门" in page
    assert "今日门岗发热" not in cast.client("unit_a_admin").get("/").content.decode()
