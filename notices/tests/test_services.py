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
