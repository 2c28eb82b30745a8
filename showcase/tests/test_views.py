"""The public showcase: readable without login, on a phone, with RSS and Atom feeds; nothing
unpublished and nothing personal beyond what was chosen for publication."""

import xml.etree.ElementTree as ET

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from honours import services
from honours.models import CommendationRound
from honours.tests.helpers import days, make_round, move_window
from showcase.tests.helpers import stories

ATOM = "{http://www.w3.org/2005/Atom}"


def _honour(cast: Cast, *, finalise: bool = True) -> None:
    r = make_round(cast)
    n = services.nomination_create(
        actor=cast.users["unit_a_admin"], round_=r, member=cast.member_a, reason="坚守北门值守岗位"
    )
    move_window(r, closes=-1)
    admin = cast.users["school_admin"]
    services.nomination_review(actor=admin, nomination=n, selected=True)
    services.publicity_start(actor=admin, round_=r, days=1)
    if finalise:
        CommendationRound.objects.filter(pk=r.pk).update(publicity_until=days(-1))
        r.refresh_from_db()
        services.round_finalise(actor=admin, round_=r)


def test_showcase_shows_only_what_was_published(cast: Cast) -> None:
    published, hidden = stories(cast)
    _honour(cast)
    page = Client().get(reverse("showcase_home"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "北门值守的四十个日夜" in text and "张三" in text and "优秀共产党员" in text
    assert "尚未发布的故事" not in text
    for private in ("A0001", "13800000001", "11010519491231002X", "13800000002"):
        assert private not in text
    assert Client().get(reverse("showcase_submission", args=[published.pk])).status_code == 200
    assert Client().get(reverse("showcase_submission", args=[hidden.pk])).status_code == 404


def test_honours_under_publicity_are_not_on_the_showcase_until_final(cast: Cast) -> None:
    _honour(cast, finalise=False)
    assert "张三" not in Client().get(reverse("showcase_honours")).content.decode()


def test_rss_and_atom_feeds_parse_and_list_only_published(cast: Cast) -> None:
    stories(cast)
    _honour(cast)
    rss = ET.fromstring(Client().get(reverse("showcase_feed_rss")).content)
    titles = [t.text for t in rss.iter("title")]
    assert "北门值守的四十个日夜" in titles
    assert f"张三获评{timezone.localdate().year}年度优秀共产党员" in titles
    assert "尚未发布的故事" not in titles
    links = [t.text or "" for t in rss.iter("link")]
    assert all(link.startswith("http") for link in links)

    atom = ET.fromstring(Client().get(reverse("showcase_feed_atom")).content)
    entries = atom.findall(f"{ATOM}entry")
    assert len(entries) == 2
    assert b"13800000001" not in Client().get(reverse("showcase_feed_atom")).content
