"""The site's layout: grouped navigation, Chinese error pages, the login page, the favicon."""

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import ROLES, Cast
from home.views import error_500

SIGNED_IN = [r for r in ROLES if r != "anonymous"]


def nav_of(html: str) -> dict[str, list[str]]:
    """{group: [link URLs]} as the navbar shows them."""
    groups: dict[str, list[str]] = {}
    nav = html.split('id="mainnav"', 1)[1].split("</nav>", 1)[0]
    for block in nav.split('class="nav-item dropdown"')[1:]:
        if 'id="usermenu"' in block:
            continue
        label = re.search(r'data-bs-toggle="dropdown"[^>]*>([^<]+)</a>', block)
        assert label is not None
        groups[label.group(1)] = re.findall(r'class="dropdown-item[^"]*" href="([^"]+)"', block)
    return groups


@pytest.mark.parametrize("who", SIGNED_IN)
def test_every_menu_link_opens_for_the_user(cast: Cast, who: str) -> None:
    client = cast.client(who)
    groups = nav_of(client.get(reverse("home")).content.decode())

    for links in groups.values():
        for url in links:
            assert client.get(url).status_code == 200, f"{who}: {url}"


@pytest.mark.parametrize(
    ("who", "groups"),
    [
        (
            "school_admin",
            [
                "组织与党员",
                "报送与活动",
                "先锋岗与值守",
                "组织生活",
                "请示报告",
                "考核与关爱",
                "数据",
            ],
        ),
        (
            "unit_a_admin",
            ["组织与党员", "报送与活动", "先锋岗与值守", "组织生活", "请示报告", "考核与关爱"],
        ),
        ("reviewer", ["组织与党员", "报送与活动", "先锋岗与值守", "考核与关爱"]),
        ("member_a", ["报送与活动", "先锋岗与值守", "组织生活", "请示报告", "考核与关爱"]),
    ],
)
def test_menu_shows_only_groups_the_user_has_something_in(
    cast: Cast, who: str, groups: list[str]
) -> None:
    html = cast.client(who).get(reverse("home")).content.decode()

    assert list(nav_of(html)) == groups


def test_menu_marks_the_current_area(cast: Cast) -> None:
    html = cast.client("school_admin").get(reverse("audit_list")).content.decode()

    assert 'class="nav-link dropdown-toggle active"' in html
    assert 'aria-current="page">审计日志' in html


def test_page_not_found_is_chinese_inside_the_layout(cast: Cast) -> None:
    response = cast.client("member_a").get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert 'id="mainnav"' in html  # the site's layout, with the user's menu
    assert "Not Found" not in html


def test_forbidden_is_chinese_inside_the_layout(cast: Cast) -> None:
    response = cast.client("member_a").get(reverse("audit_list"))

    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html
    assert 'id="mainnav"' in html


def test_not_found_for_anonymous_visitors_is_chinese(db: Any) -> None:
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_renders_without_the_database(
    db: Any, django_assert_num_queries: Any
) -> None:
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = error_500(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in html
    assert settings.SITE_NAME in html


def test_a_failing_view_gets_the_chinese_500_page(cast: Cast, monkeypatch: Any) -> None:
    import home.views

    def broken(user: Any) -> list[Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(home.views, "todos_for", broken)
    client = Client(raise_request_exception=False)
    client.force_login(cast.users["member_a"])

    response = client.get(reverse("home"))

    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()


def test_login_page_is_titled_with_the_site_name(db: Any) -> None:
    html = Client().get(reverse("login")).content.decode()

    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None
    assert settings.SITE_NAME in title.group(1)
    assert "登录" in title.group(1)


def test_every_page_links_the_favicon(cast: Cast) -> None:
    for client, url in [(Client(), reverse("login")), (cast.client("member_a"), reverse("home"))]:
        html = client.get(url).content.decode()
        assert 'rel="icon" href="/static/favicon.svg" type="image/svg+xml"' in html
    assert (settings.BASE_DIR / "static" / "favicon.svg").read_text().startswith("<svg")


def test_deliverable_form_groups_material_types(cast: Cast) -> None:
    from campaigns.services import campaign_create

    campaign = campaign_create(
        actor=cast.users["school_admin"], org=cast.school, name="「四个一」行动", year=2020
    )

    html = cast.client("school_admin").get(reverse("deliverable_new", args=[campaign.pk]))
    page = html.content.decode()

    group = page.split('id="id_material_types_group"', 1)[1].split("</fieldset>", 1)[0]
    assert "<legend" in group and "允许的素材类型" in group
    assert group.count('class="form-check form-check-inline"') == 5
    for label in ("文字", "图片", "音频", "视频", "工作案例"):
        assert f">{label}</label>" in group
    assert 'name="material_types" value="video"' in group


def test_expired_form_gets_a_chinese_page(db: Any) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_bad_request_is_chinese(db: Any) -> None:
    response = Client().get("/", headers={"host": "evil.example.com"})

    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
