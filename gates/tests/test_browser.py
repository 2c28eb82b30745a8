"""The gate phone in Chromium: 200 entries offline survive a reload and a closed browser and
reach the server exactly once; a flaky network and a replayed batch double nothing; a refused
entry is set aside while the rest sync; a fever shows at once and alerts the duty office."""

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, BrowserType, Page, Route, ViewportSize, expect

from conftest import Cast, sign_in
from gates import services
from gates.models import Entry
from gates.tests.helpers import gate_of, keeper
from members.tests.factories import MemberFactory
from notices.models import Notice

# Every script and style sheet of the page is in the service worker's cache.
KEPT_OFFLINE = """Promise.all(
  [...document.querySelectorAll("script[src], link[rel=stylesheet]")]
    .map(n => caches.match(n.src || n.href))
).then(hits => hits.every(Boolean))"""

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}


def _open(browser_type: BrowserType, launch: dict[str, Any], profile: Path) -> BrowserContext:
    return browser_type.launch_persistent_context(
        str(profile), **launch, locale="zh-CN", viewport=PHONE
    )


def _register(page: Page, number: str, temperature: str = "36.5") -> None:
    page.fill("#who", number)
    page.fill("#temp", temperature)
    page.press("#temp", "Enter")


def _expect_waiting(page: Page, count: str) -> None:
    try:
        expect(page.locator("#waiting-count")).to_have_text(count)
    except AssertionError:
        print("WAITING", page.url, page.inner_text("body")[:600])
        raise


def _expect_synced(page: Page, text: str) -> None:
    """The newest entry on the phone is `text` and the server has acknowledged it."""
    newest = page.locator("#recent-list li").first
    expect(newest).to_contain_text(text)
    expect(newest).to_contain_text("已同步", timeout=30_000)


def _device_uids(page: Page) -> list[str]:
    return page.evaluate(
        """() => idb.openDB("gates", 1).then(db => db.getAll("entries"))
              .then(all => all.map(x => x.uid))"""
    )


def test_entries_made_offline_reach_the_server_once_through_reloads_and_a_flaky_network(
    cast: Cast,
    live_server: Any,
    browser_type: BrowserType,
    browser_type_launch_args: dict[str, Any],
    tmp_path: Path,
    transactional_db: Any,
) -> None:
    # given the north gate, member_a assigned to it, and ten more people of the campus
    gate = gate_of(cast)
    keeper(gate, cast.member_a)
    numbers = ["A0001", "B0001"]
    for i in range(10):
        numbers.append(f"C{i:04d}")
        MemberFactory.create(number=numbers[-1], branch=cast.branch_b1, campus=cast.member_a.campus)
    url = f"{live_server.url}/gates/{gate.pk}/register/"
    profile = tmp_path / "profile"

    # and the page opened once online, so the service worker keeps it
    context = _open(browser_type, browser_type_launch_args, profile)
    page = context.new_page()
    sign_in(page, live_server.url, "member_a")
    page.goto(url)
    expect(page.locator("#gate-app")).to_have_attribute("data-ready", "1")
    expect(page.locator("#people-count")).to_have_text("12")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(f"caches.match({json.dumps(url)}).then(r => !!r)")
    page.wait_for_function(KEPT_OFFLINE)  # its scripts and styles too

    # when 200 entries are registered with no network
    context.set_offline(True)
    for i in range(200):
        _register(page, numbers[i % len(numbers)])
    _expect_waiting(page, "200")

    # and the page is reloaded offline, and the browser closed and opened again offline
    page.reload()
    _expect_waiting(page, "200")
    context.close()
    context = _open(browser_type, browser_type_launch_args, profile)
    context.set_offline(True)
    page = context.new_page()
    page.goto(url)
    _expect_waiting(page, "200")
    assert Entry.objects.count() == 0

    # then, back online, the server has exactly those 200
    context.set_offline(False)
    expect(page.locator("#waiting-count")).to_have_text("0", timeout=45_000)
    device = set(_device_uids(page))
    assert len(device) == 200
    assert {str(u) for u in Entry.objects.values_list("uid", flat=True)} == device

    # when every second sync request is lost on the network, and one batch is replayed twice
    seen: list[str] = []

    def flaky(route: Route) -> None:
        seen.append(route.request.post_data or "")
        if len(seen) % 2 == 1:
            route.abort("failed")
        else:
            route.continue_()

    page.route("**/api/gates/sync", flaky)
    for i in range(50):
        _register(page, numbers[i % len(numbers)])
    _register(page, "Z9999")  # not on the roll: the server refuses it
    expect(page.locator("#recent-list li").first).to_contain_text("未接收", timeout=45_000)
    expect(page.locator("#waiting-count")).to_have_text("0", timeout=45_000)
    batch = next(body for body in seen if '"entries":[{' in body)
    page.unroute("**/api/gates/sync")
    for _ in range(2):
        status = page.evaluate(
            """body => fetch("/api/gates/sync", {method: "POST", body, headers: {
                 "Content-Type": "application/json",
                 "X-CSRFToken": document.cookie.match(/csrftoken=([^;]+)/)[1]}})
               .then(r => r.status)""",
            batch,
        )
        assert status == 200

    # then nothing is lost and nothing doubled, and the refused entry is set aside
    assert Entry.objects.count() == 250
    assert Entry.objects.values("uid").distinct().count() == 250
    expect(page.locator("#refused-list")).to_contain_text("学工号 Z9999 不在人员名单中")
    assert len(set(_device_uids(page))) == 251

    # and a fever shows at once on the phone and reaches the duty office
    _register(page, "B0001", "38.1")
    expect(page.locator("#fever-alert")).to_contain_text("38.1 ℃")
    _expect_synced(page, "李四 38.1 ℃")
    assert Entry.objects.get(fever=True).member == cast.member_b
    notice = Notice.objects.get(kind="gate.fever", recipient=cast.users["duty_office"])
    assert "38.1" in notice.title

    # and a scanned pass code names its member from the list on the phone (the same hash)
    cast.other_b.campus = cast.member_a.campus
    cast.other_b.save()
    code = services.pass_code_for(cast.other_b)
    page.reload()
    expect(page.locator("#gate-app")).to_have_attribute("data-ready", "1")
    page.evaluate("t => document.getElementById('gate-app').gateCode(t)", f"DJTX:{code.token}")
    expect(page.locator("#who-match")).to_contain_text("赵六")
    page.fill("#temp", "36.4")
    page.press("#temp", "Enter")
    _expect_synced(page, "赵六 36.4 ℃")
    assert Entry.objects.filter(member=cast.other_b).count() == 1
    context.close()
