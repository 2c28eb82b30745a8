"""教育素材库: who sees what, the filters, a fixed number of queries, in-page players served with
range requests, audited downloads; and in Chromium: the library plays a video, 组织部 downloads
the 案例集 from the outputs page."""

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from playwright.sync_api import Page, expect

from audit.models import AuditEvent
from campaigns.models import DeliverableKind, MaterialType, Submission, SubmissionState
from campaigns.tests.factories_outputs import (
    CampaignFactory,
    DeliverableFactory,
    SubmissionFactory,
    add_author,
    add_file,
    jpeg_bytes,
    mp4_bytes,
)
from conftest import ROLES, Cast, sign_in

S = SubmissionState


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _material(cast: Cast, title: str, state: str = S.SELECTED, **fields: Any) -> Submission:
    fields.setdefault("org", cast.unit_a)
    return SubmissionFactory.create(title=title, state=state, **fields)


def _titles(html: str) -> set[str]:
    return set(re.findall(r'<h2 class="h6 card-title"><a href="[^"]+">([^<]+)</a>', html))


def test_every_signed_in_user_sees_library_items_and_never_drafts_or_unselected(
    cast: Cast,
) -> None:
    deliverable = DeliverableFactory.create(campaign=CampaignFactory.create(org=cast.school))
    shown = {
        _material(cast, f"素材-{state}", state, deliverable=deliverable)
        for state in (S.SELECTED, S.RECOMMENDED, S.PUBLISHED)
    }
    for state in (S.DRAFT, S.SUBMITTED, S.SHORTLISTED, S.RETURNED, S.WITHDRAWN):
        _material(cast, f"素材-{state}", state, deliverable=deliverable, org=cast.unit_b)

    for role in ROLES:
        if role == "anonymous":
            continue
        response = cast.client(role).get(reverse("library"))
        assert response.status_code == 200, role
        assert _titles(response.content.decode()) == {s.title for s in shown}, role


def test_anonymous_visitor_is_sent_to_login(cast: Cast) -> None:
    item = _material(cast, "公开素材")
    for url in (reverse("library"), reverse("library_detail", args=[item.pk])):
        response = cast.client("anonymous").get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_draft_and_its_files_are_not_reachable_through_the_library(
    cast: Cast, tmp_path: Path
) -> None:
    draft = _material(cast, "草稿素材", S.SUBMITTED)
    file = add_file(draft, jpeg_bytes(tmp_path), "草稿.jpg", MaterialType.PICTURE, "image/jpeg")
    client = cast.client("school_admin")
    assert client.get(reverse("library_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("library_file", args=[file.pk])).status_code == 404
    assert client.get(reverse("library_file_download", args=[file.pk])).status_code == 404


def test_filters_by_text_type_unit_deliverable_date_and_tag(cast: Cast, tmp_path: Path) -> None:
    campaign = CampaignFactory.create(org=cast.school)
    stories = DeliverableFactory.create(
        campaign=campaign, kind=DeliverableKind.STORY, name="故事汇"
    )
    materials = DeliverableFactory.create(campaign=campaign, name="素材库")
    day = timezone.make_aware(dt.datetime(2020, 7, 1, 10))
    a = _material(
        cast,
        "核酸检测志愿者",
        deliverable=stories,
        summary="深夜的检测点",
        tags=["志愿服务", "核酸"],
        submitted_at=day,
    )
    add_author(a, "张三")
    add_file(a, jpeg_bytes(tmp_path), "现场.jpg", MaterialType.PICTURE, "image/jpeg")
    b = _material(
        cast,
        "云端党课",
        deliverable=materials,
        org=cast.branch_b1,
        summary="线上授课",
        tags=["党课"],
        submitted_at=day + dt.timedelta(days=60),
    )
    add_author(b, "李四")
    add_file(b, mp4_bytes(tmp_path), "党课.mp4", MaterialType.VIDEO, "video/mp4")

    client = cast.client("member_a")

    def found(**params: str | int) -> set[str]:
        response = client.get(reverse("library"), params)
        assert response.status_code == 200
        return _titles(response.content.decode())

    assert found() == {a.title, b.title}
    assert found(q="核酸") == {a.title}
    assert found(q="线上") == {b.title}  # summary
    assert found(q="李四") == {b.title}  # author
    assert found(type=MaterialType.PICTURE) == {a.title}
    assert found(type=MaterialType.VIDEO) == {b.title}
    assert found(type=MaterialType.AUDIO) == set()
    assert found(unit=cast.unit_b.pk) == {b.title}  # a branch's material counts for its unit
    assert found(unit=cast.unit_a.pk) == {a.title}
    assert found(deliverable=stories.pk) == {a.title}
    assert found(date_from="2020-08-01") == {b.title}
    assert found(date_to="2020-07-31") == {a.title}
    assert found(date_from="2020-06-01", date_to="2020-07-02") == {a.title}
    assert found(tag="党课") == {b.title}
    assert found(tag="核酸", q="检测") == {a.title}
    assert found(tag="不存在") == set()


def test_htmx_filtering_renders_only_the_results(cast: Cast) -> None:
    _material(cast, "抗疫日记")
    response = cast.client("unit_b_admin").get(
        reverse("library"), {"q": "日记"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="results"' in html
    assert _titles(html) == {"抗疫日记"}


def test_library_page_makes_the_same_number_of_queries_for_more_items(
    cast: Cast, tmp_path: Path
) -> None:
    deliverable = DeliverableFactory.create(campaign=CampaignFactory.create(org=cast.school))
    picture = jpeg_bytes(tmp_path)

    def add(n: int) -> None:
        for i in range(n):
            item = _material(
                cast, f"素材{i}-{n}", deliverable=deliverable, org=cast.branch_a2, tags=["t"]
            )
            add_author(item, "作者甲")
            add_author(item, "作者乙", order=1)
            add_file(item, picture, f"图{i}.jpg", MaterialType.PICTURE, "image/jpeg")

    client = cast.client("reviewer")
    add(2)
    client.get(reverse("library"))  # warm up the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("library")).status_code == 200
    add(8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("library"))
    assert len(_titles(response.content.decode())) == 10
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_pagination_keeps_the_filters(cast: Cast) -> None:
    for i in range(15):
        _material(cast, f"分页素材{i:02d}", tags=["分页"])
    client = cast.client("member_a")
    first = client.get(reverse("library"), {"tag": "分页"}).content.decode()
    assert len(_titles(first)) == 12
    assert "?tag=%E5%88%86%E9%A1%B5&page=2" in first
    second = client.get(reverse("library"), {"tag": "分页", "page": "2"}).content.decode()
    assert len(_titles(second)) == 3


def test_cards_play_video_and_audio_and_preview_pictures_in_the_page(
    cast: Cast, tmp_path: Path
) -> None:
    item = _material(cast, "媒体素材", tags=["视频"])
    add_author(item, "王五")
    video = add_file(item, mp4_bytes(tmp_path), "党课.mp4", MaterialType.VIDEO, "video/mp4")
    picture = add_file(item, jpeg_bytes(tmp_path), "合影.jpg", MaterialType.PICTURE, "image/jpeg")
    audio = add_file(item, b"ID3\x03\x00fake-audio", "朗诵.mp3", MaterialType.AUDIO, "audio/mpeg")
    client = cast.client("member_a")

    listing = client.get(reverse("library")).content.decode()
    video_url, audio_url = (reverse("library_file", args=[f.pk]) for f in (video, audio))
    assert '<video class="w-100 rounded bg-dark library-video" controls' in listing
    assert f'src="{video_url}"' in listing
    assert f'<audio class="w-100 library-audio" controls preload="metadata" src="{audio_url}"' in (
        listing
    )

    detail = client.get(reverse("library_detail", args=[item.pk])).content.decode()
    picture_url = reverse("library_file", args=[picture.pk])
    assert f'class="img-fluid rounded library-picture" loading="lazy" src="{picture_url}"' in detail
    assert reverse("library_file_download", args=[video.pk]) in detail
    assert "王五" in detail and "视频" in detail


@pytest.mark.parametrize("kind", ["mp4", "jpg"])
def test_range_request_returns_206_with_the_asked_bytes(
    cast: Cast, tmp_path: Path, kind: str
) -> None:
    item = _material(cast, "可拖动播放")
    if kind == "mp4":
        data = mp4_bytes(tmp_path)
        record = add_file(item, data, "党课.mp4", MaterialType.VIDEO, "video/mp4")
    else:
        data = jpeg_bytes(tmp_path)
        record = add_file(item, data, "合影.jpg", MaterialType.PICTURE, "image/jpeg")
    client = cast.client("unit_b_admin")
    url = reverse("library_file", args=[record.pk])

    whole = client.get(url)
    assert whole.status_code == 200
    assert _body(whole) == data
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Type"] == ("video/mp4" if kind == "mp4" else "image/jpeg")

    part = client.get(url, headers={"Range": "bytes=100-299"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-299/{len(data)}"
    assert _body(part) == data[100:300]

    tail = client.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert tail.status_code == 206
    assert _body(tail) == data[-10:]
    # Playing in the page is not a download: nothing is audited.
    assert not AuditEvent.objects.filter(action="library.download").exists()


def test_download_is_an_attachment_and_is_audited(cast: Cast, tmp_path: Path) -> None:
    item = _material(cast, "下载素材")
    data = jpeg_bytes(tmp_path)
    record = add_file(item, data, "合影.jpg", MaterialType.PICTURE, "image/jpeg")

    response = cast.client("member_a").get(reverse("library_file_download", args=[record.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert _body(response) == data
    event = AuditEvent.objects.get(action="library.download")
    assert event.actor == cast.users["member_a"]
    assert event.target_id == str(item.pk)
    assert "合影.jpg" in event.target_label


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_library_plays_the_video_in_the_page(
    cast: Cast, live_server: Any, page: Page, tmp_path: Path, transactional_db: Any
) -> None:
    item = _material(cast, "战疫微党课", S.PUBLISHED)
    add_file(item, mp4_bytes(tmp_path, seconds=2.0), "微党课.mp4", MaterialType.VIDEO, "video/mp4")
    sign_in(page, live_server.url, "member_a")

    page.get_by_role("link", name="素材库").first.click()
    expect(page.get_by_role("heading", name="战疫微党课")).to_be_visible()
    video = page.locator("video.library-video").first
    video.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const v = document.querySelector('video.library-video');"
        " return v && v.readyState >= 1 && v.duration > 0; }",
        timeout=15000,
    )
    duration = video.evaluate("v => v.duration")
    assert duration > 1.0
    # Seeking works: the player asks for a range and lands where it was sent.
    video.evaluate("v => { v.currentTime = 1.0; }")
    page.wait_for_function(
        "() => Math.abs(document.querySelector('video.library-video').currentTime - 1.0) < 0.5"
    )


@pytest.mark.browser
def test_school_admin_downloads_the_casebook_from_the_outputs_page(
    cast: Cast, live_server: Any, page: Page, tmp_path: Path, transactional_db: Any
) -> None:
    campaign = CampaignFactory.create(org=cast.school, name="2020年「四个一」行动")
    deliverable = DeliverableFactory.create(campaign=campaign, kind=DeliverableKind.STORY)
    item = _material(cast, "党旗在一线飘扬", S.SELECTED, deliverable=deliverable)
    add_author(item, "张三")
    add_file(item, jpeg_bytes(tmp_path), "一线.jpg", MaterialType.PICTURE, "image/jpeg")
    sign_in(page, live_server.url, "school_admin")

    page.goto(f"{live_server.url}{reverse('campaign_outputs', args=[campaign.pk])}")
    expect(page.get_by_text("党旗在一线飘扬")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="下载案例集（Word）").click()
    download = info.value
    assert download.suggested_filename.startswith("案例集-2020年「四个一」行动-")
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = "\n".join(p.text for p in Document(io.BytesIO(saved.read_bytes())).paragraphs)
    assert "2020年「四个一」行动" in text and "党旗在一线飘扬" in text
    assert AuditEvent.objects.filter(action="campaign.casebook_export").count() == 1
