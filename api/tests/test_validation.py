"""Malformed API input is a 400 in Chinese, field by field; huge numbers never reach the DB."""

import re

import pytest

from conftest import Cast

ENGLISH = re.compile(r"[A-Za-z]{4,}")


def _messages(body: dict) -> list[str]:  # type: ignore[type-arg]
    # The words after 「：」 may be choices the API accepts (number, -name …).
    return [e["message"].split("：")[0] for e in body.get("errors", [])]


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ({"limit": "0"}, "limit", "不能小于 1"),
        ({"limit": "abc"}, "limit", "应为整数"),
        ({"offset": "99999999999999999999"}, "offset", "不能大于"),
        ({"unit": "99999999999999999999"}, "unit", "不能大于"),
        ({"unit": "1e30"}, "unit", "应为整数"),
        ({"sort": "password"}, "sort", "应为以下之一"),
        ({"q": "x" * 101}, "q", "不能超过 100 个字符"),
    ],
)
def test_bad_member_query_is_a_chinese_400_per_field(
    cast: Cast, query: dict[str, str], field: str, says: str
) -> None:
    response = cast.client("school_admin").get("/api/members", query)

    assert response.status_code == 400
    body = response.json()
    assert field in body["detail"]
    errors = {e["field"]: e["message"] for e in body["errors"]}
    assert says in errors[field]
    assert not any(ENGLISH.search(m) for m in _messages(body)), body


def test_bad_json_body_is_a_chinese_400(cast: Cast) -> None:
    response = cast.client("school_admin").post(
        "/api/campaigns/submissions/1/transition", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "请求体不是有效的 JSON。"


def test_missing_field_in_a_body_is_named_in_chinese(cast: Cast) -> None:
    response = cast.client("school_admin").post(
        "/api/campaigns/submissions/1/transition", {}, content_type="application/json"
    )

    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors.get("to_state") == "必填"
