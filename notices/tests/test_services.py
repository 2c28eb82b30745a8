import pytest

from members.tests.factories import UserFactory
from notices.models import Notice
from notices.services import mark_read, notify, unread_count

pytestmark = pytest.mark.django_db


def test_notify_stores_one_notice_per_distinct_user_and_mark_read_clears_them():
    a, b = UserFactory.create(), UserFactory.create()
    notices = notify(user_ids=[a.id, b.id, a.id], kind="test.kind", title="体温异常", url="/x/")
    assert len(notices) == 2
    assert unread_count(a.id) == 1
    assert mark_read(user_id=a.id) == 1
    assert unread_count(a.id) == 0
    assert unread_count(b.id) == 1
    assert Notice.objects.get(recipient=b).title == "体温异常"


def test_a_key_tells_each_person_once_even_when_a_sender_raced_ahead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = UserFactory.create(), UserFactory.create()
    assert len(notify(user_ids=[a.id], kind="k.x", title="一次", key="k:1")) == 1
    assert notify(user_ids=[a.id], kind="k.x", title="一次", key="k:1") == []
    # another sender stores b's notice between our check and our insert
    from notices import services

    real = services._not_told
    calls = []

    def late(rows: list[Notice], key: str) -> list[Notice]:
        calls.append(key)
        if len(calls) == 1:
            Notice.objects.create(recipient=b, kind="k.x", title="一次", key=key)
            return rows
        return real(rows, key)

    monkeypatch.setattr(services, "_not_told", late)
    assert notify(user_ids=[b.id], kind="k.x", title="一次", key="k:2") == []
    assert Notice.objects.filter(recipient=b, key="k:2").count() == 1
