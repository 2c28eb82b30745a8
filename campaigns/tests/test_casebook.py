"""案例集 (.docx): title page, a real TOC field plus a plain list, one section per case with its
pictures scaled to the page, Chinese fonts; only selected submissions; audited."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from audit.models import AuditEvent
from campaigns.casebook import Case, casebook_docx, cn_number
from campaigns.models import Campaign, DeliverableKind, MaterialType, SubmissionState
from campaigns.tests.factories_outputs import (
    CampaignFactory,
    DeliverableFactory,
    SubmissionFactory,
    add_author,
    add_file,
    jpeg_bytes,
    mp4_bytes,
    png_bytes,
)
from conftest import Cast

S = SubmissionState
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(cast: Cast, tmp_path: Path) -> Campaign:
    campaign = CampaignFactory.create(org=cast.school, name="2020年「四个一」行动")
    stories = DeliverableFactory.create(
        campaign=campaign, kind=DeliverableKind.STORY, name="战疫故事汇"
    )
    library = DeliverableFactory.create(campaign=campaign, name="教育素材库", order=1)
    one = SubmissionFactory.create(
        deliverable=stories,
        org=cast.unit_a,
        title="党旗在防控一线高高飘扬",
        summary="第一段：连夜值守。\n第二段：组织生活会。",
        state=S.SELECTED,
    )
    add_author(one, "张三")
    add_author(one, "王五", order=1)
    # A JPEG as libavcodec writes it (no JFIF marker) and a picture far wider than the page.
    add_file(one, jpeg_bytes(tmp_path, jfif=False), "值守.jpg", MaterialType.PICTURE, "image/jpeg")
    add_file(one, png_bytes(tmp_path, width=2400, height=60), "全景.png", MaterialType.PICTURE)
    add_file(one, mp4_bytes(tmp_path), "微党课.mp4", MaterialType.VIDEO, "video/mp4")
    two = SubmissionFactory.create(
        deliverable=library,
        org=cast.branch_b1,
        title="云端课堂里的党员教师",
        summary="线上教学保障。",
        state=S.PUBLISHED,
    )
    add_author(two, "李四")
    add_file(two, b"not really a picture", "损坏.jpg", MaterialType.PICTURE, "image/jpeg")
    SubmissionFactory.create(
        deliverable=library, org=cast.unit_b, title="尚未择优", state=S.SUBMITTED
    )
    SubmissionFactory.create(deliverable=library, org=cast.unit_a, title="还是草稿", state=S.DRAFT)
    return campaign


def _download(cast: Cast, role: str, campaign: Campaign, **params: Any) -> Any:
    return cast.client(role).get(reverse("campaign_casebook", args=[campaign.pk]), params)


def _text(document: Any) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_casebook_has_title_page_contents_and_one_section_per_selected_case(
    cast: Cast, campaign: Campaign
) -> None:
    response = _download(cast, "school_admin", campaign)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"].endswith(".docx")
    document = Document(io.BytesIO(response.content))
    text = _text(document)
    paragraphs = [p.text for p in document.paragraphs if p.text]
    # Title page: campaign, 案例集, the school, the date.
    assert paragraphs[:3] == ["2020年「四个一」行动", "案例集", "示范大学党委"]
    assert "年" in paragraphs[3] and "月" in paragraphs[3]
    # Contents: a TOC field that Word updates on open, and a plain list.
    instr = [t.text for t in document.element.body.iter(f"{W}instrText")]
    assert any(t.strip().startswith("TOC ") for t in instr)
    assert document.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    assert "一、党旗在防控一线高高飘扬（计算机学院党委）" in text
    assert "二、云端课堂里的党员教师（化学学院党委 化学教工党支部）" in text
    # One section per case, headed by its title, with unit, authors and summary.
    headings = [p.text for p in document.paragraphs if p.style and p.style.name == "Heading 1"]
    assert headings == ["一、党旗在防控一线高高飘扬", "二、云端课堂里的党员教师"]
    assert len(document.sections) == 3
    assert "张三、王五" in text and "李四" in text
    assert "第一段：连夜值守。" in text and "线上教学保障。" in text
    # Pictures inline, none wider than the page; other files listed by name.
    section = document.sections[0]
    usable = int(section.page_width or 0) - int(section.left_margin or 0)
    usable -= int(section.right_margin or 0)
    shapes = document.inline_shapes
    assert len(shapes) == 2
    assert max(s.width for s in shapes) == usable
    assert all(s.width <= usable for s in shapes)
    assert "微党课.mp4（视频）" in text
    assert "损坏.jpg（图片）" in text
    # Only selected (and later) submissions.
    assert "尚未择优" not in text and "还是草稿" not in text


def test_casebook_sets_chinese_fonts_through_east_asia(cast: Cast, campaign: Campaign) -> None:
    document = Document(io.BytesIO(_download(cast, "school_admin", campaign).content))

    def east_asia(style_name: str) -> str:
        fonts = document.styles[style_name].element.rPr.find(qn("w:rFonts"))
        return fonts.get(qn("w:eastAsia"))

    assert east_asia("Normal") == "宋体"
    assert east_asia("Heading 1") == "黑体"
    title_run = next(p for p in document.paragraphs if p.text == "案例集").runs[0]
    rpr: Any = title_run._r.rPr
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"


def test_ticked_submissions_only_and_the_export_is_audited(cast: Cast, campaign: Campaign) -> None:
    chosen = campaign.deliverables.get(name="教育素材库").submissions.get(state=S.PUBLISHED)

    response = _download(cast, "reviewer", campaign, s=chosen.pk)

    text = _text(Document(io.BytesIO(response.content)))
    assert "云端课堂里的党员教师" in text and "党旗在防控一线高高飘扬" not in text
    event = AuditEvent.objects.get(action="campaign.casebook_export")
    assert event.actor == cast.users["reviewer"]
    assert event.changes == {"submissions": [chosen.pk]}


def test_unit_admin_cannot_download_the_casebook(cast: Cast, campaign: Campaign) -> None:
    assert _download(cast, "unit_a_admin", campaign).status_code == 403
    assert not AuditEvent.objects.filter(action="campaign.casebook_export").exists()


def test_an_empty_casebook_still_opens() -> None:
    data = casebook_docx(campaign_name="空活动", school_name="示范大学党委", cases=[])
    text = _text(Document(io.BytesIO(data)))
    assert "空活动" in text and "本活动暂无择优案例" in text


def test_case_without_files_or_authors() -> None:
    case = Case(title="无附件案例", unit="化学学院党委", authors=[], summary="")
    document = Document(
        io.BytesIO(casebook_docx(campaign_name="活动", school_name="校", cases=[case]))
    )
    assert "一、无附件案例" in [p.text for p in document.paragraphs]
    assert len(document.inline_shapes) == 0


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (35, "三十五"),
        (101, "一百零一"),
        (110, "一百一十"),
    ],
)
def test_case_numbers_are_chinese(n: int, text: str) -> None:
    assert cn_number(n) == text
