"""Every response carries a Content-Security-Policy, and the pages still work under it:
every inline script carries the request's nonce and no element has an inline handler."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from campaigns.tests.factories_outputs import CampaignFactory
from conftest import Cast

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def _nonce(policy: str) -> str:
    match = re.search(r"'nonce-([^']+)'", policy)
    assert match, policy
    return match.group(1)


def test_login_page_has_a_policy_that_refuses_foreign_and_inline_scripts(client) -> None:  # type: ignore[no-untyped-def]
    policy = client.get(reverse("login"))["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def test_each_response_gets_its_own_nonce(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get(reverse("login"))["Content-Security-Policy"]
    second = client.get(reverse("login"))["Content-Security-Policy"]

    assert _nonce(first) != _nonce(second)


def test_not_found_pages_and_the_api_carry_the_policy(cast: Cast) -> None:
    client = cast.client("school_admin")

    assert "Content-Security-Policy" in client.get("/no-such-page/")
    assert "Content-Security-Policy" in client.get("/api/orgs")


@pytest.mark.parametrize(
    "url_name",
    ["home", "org_tree", "duty_stats", "zone_list", "team_list", "campaign_outputs"],
)
def test_pages_load_with_their_scripts_allowed_by_the_policy(cast: Cast, url_name: str) -> None:
    args = [CampaignFactory.create().pk] if url_name == "campaign_outputs" else []
    response = cast.client("school_admin").get(reverse(url_name, args=args))

    assert response.status_code == 200
    html = response.content.decode()
    nonce = _nonce(response["Content-Security-Policy"])
    for attrs in INLINE_SCRIPT.findall(html):
        if "application/json" in attrs:
            continue
        assert f'nonce="{nonce}"' in attrs, attrs
    assert not INLINE_HANDLER.search(html)


def _templates() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
    return [p for root in roots for p in root.rglob("*.html")]


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.parent.name + "/" + p.name))
def test_no_template_has_an_inline_script_without_nonce_or_an_inline_handler(
    template: Path,
) -> None:
    text = template.read_text()

    for attrs in INLINE_SCRIPT.findall(text):
        assert "application/json" in attrs or "request.csp_nonce" in attrs, attrs
    assert not INLINE_HANDLER.search(text)
