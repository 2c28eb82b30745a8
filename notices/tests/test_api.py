"""/api/notices: a user's own notices only; marking read as the notice centre does."""

from typing import Any

import pytest

from conftest import ROLES, Cast
from notices.models import Notice
from notices.services import notify


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_each_role_lists_only_their_own_notices(cast: Cast, role: str) -> None:
    for name in cast.users:
        notify(user_ids=[cast.users[name].pk], kind="test.kind", title=f"给{name}")
    body = cast.client(role).get("/api/notices").json()
    assert [n["title"] for n in body["items"]] == [f"给{role}"]
    assert (body["count"], body["unread"]) == (1, 1)


def test_anonymous_is_401(client: Any) -> None:
    assert client.get("/api/notices").status_code == 401
    assert client.post("/api/notices/read-all").status_code == 401


def test_unread_first_and_filters(cast: Cast) -> None:
    uid = cast.users["member_a"].pk
    [old] = notify(user_ids=[uid], kind="a.x", title="旧")
    [new] = notify(user_ids=[uid], kind="b.x", title="新", urgent=True)
    Notice.objects.filter(pk=new.pk).update(read_at=new.created_at)
    client = cast.client("member_a")
    assert [n["title"] for n in client.get("/api/notices").json()["items"]] == ["旧", "新"]
    assert [n["title"] for n in client.get("/api/notices?unread=false").json()["items"]] == ["新"]
    assert client.get("/api/notices?kind=a.x").json()["count"] == 1
    assert client.get("/api/notices?limit=0").status_code == 400
    assert old.pk


def test_only_the_recipient_marks_a_notice_read(cast: Cast) -> None:
    [notice] = notify(user_ids=[cast.users["member_a"].pk], kind="t.a", title="甲")
    url = f"/api/notices/{notice.pk}/read"
    for role in ROLES:
        if role in ("anonymous", "member_a"):
            continue
        response = cast.client(role).post(url)
        assert response.status_code == 404, role
        assert response.json()["detail"] == "未找到，或不在您的权限范围内。"
    assert cast.client("anonymous").post(url).status_code == 401
    assert not Notice.objects.filter(read_at__isnull=False).exists()
    body = cast.client("member_a").post(url).json()
    assert body == {"marked": 1, "unread": 0}


def test_read_all_marks_only_ones_own(cast: Cast) -> None:
    notify(user_ids=[cast.users["member_a"].pk, cast.users["member_b"].pk], kind="t", title="甲")
    assert cast.client("member_b").post("/api/notices/read-all").json()["marked"] == 1
    assert Notice.objects.get(recipient=cast.users["member_a"]).read_at is None
