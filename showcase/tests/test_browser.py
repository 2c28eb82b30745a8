"""The public showcase in a real browser, signed out, at phone width; its feed parses."""

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import Cast
from showcase.tests.helpers import stories

pytestmark = pytest.mark.browser


def test_a_visitor_reads_the_showcase_on_a_phone_and_the_feed_parses(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    stories(cast)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/showcase/")
    expect(page.locator("#stories")).to_contain_text("北门值守的四十个日夜")
    expect(page.locator("body")).not_to_contain_text("尚未发布的故事")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="北门值守的四十个日夜").click()
    expect(page.locator("article")).to_contain_text("党员张三坚守北门值守岗位")

    feed = page.request.get(f"{live_server.url}/showcase/feed.rss")
    assert feed.ok and "rss" in feed.headers["content-type"]
    channel = ET.fromstring(feed.body()).find("channel")
    assert channel is not None
    assert [i.findtext("title") for i in channel.findall("item")] == ["北门值守的四十个日夜"]
