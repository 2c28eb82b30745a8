"""The upward package: export a campaign's selected submissions as one .zip, import it into
another campaign (as a province's installation would) — whole or not at all, never twice."""

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from audit.models import AuditEvent
from campaigns import package
from campaigns.models import (
    Campaign,
    DeliverableKind,
    MaterialType,
    Submission,
    SubmissionEvent,
    SubmissionFile,
    SubmissionState,
)
from campaigns.tests.factories_outputs import (
    CampaignFactory,
    DeliverableFactory,
    SubmissionFactory,
    add_author,
    add_file,
    jpeg_bytes,
    mp4_bytes,
)
from conftest import Cast
from orgs.models import Org

S = SubmissionState


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def source(cast: Cast, tmp_path: Path) -> Campaign:
    """The school's campaign: two selected submissions (one recommended), one not selected."""
    campaign = CampaignFactory.create(org=cast.school, name="2020年「四个一」行动", year=2020)
    stories = DeliverableFactory.create(
        campaign=campaign, kind=DeliverableKind.STORY, name="战疫故事汇"
    )
    lectures = DeliverableFactory.create(
        campaign=campaign, kind=DeliverableKind.MICRO_LECTURE, name="专题微党课", order=1
    )
    one = SubmissionFactory.create(
        deliverable=stories,
        org=cast.branch_a1,
        title="党旗在一线飘扬",
        summary="连夜值守的故事。",
        topic="",
        tags=["值守", "故事"],
        state=S.SELECTED,
    )
    add_author(one, "张三")
    add_author(one, "王五", order=1)
    add_file(one, jpeg_bytes(tmp_path), "值守 现场/照片.jpg", MaterialType.PICTURE, "image/jpeg")
    add_file(one, "第一段故事。".encode(), "故事.txt", MaterialType.TEXT, "text/plain")
    two = SubmissionFactory.create(
        deliverable=lectures,
        org=cast.unit_b,
        title="抓紧抓实常态化防控",
        topic="抓紧抓实抓细常态化疫情防控工作",
        state=S.RECOMMENDED,
        recommended_to="省委教育工委",
    )
    add_author(two, "李四")
    add_file(two, mp4_bytes(tmp_path), "微党课.mp4", MaterialType.VIDEO, "video/mp4")
    SubmissionFactory.create(
        deliverable=stories, org=cast.unit_a, title="未择优", state=S.SUBMITTED
    )
    return campaign


@pytest.fixture
def target(cast: Cast) -> Campaign:
    """The receiving side's own campaign (a province's), with deliverables of the same kinds."""
    campaign = CampaignFactory.create(org=cast.school, name="全省高校「四个一」案例征集", year=2020)
    DeliverableFactory.create(campaign=campaign, kind=DeliverableKind.MICRO_LECTURE, name="微党课")
    DeliverableFactory.create(campaign=campaign, kind=DeliverableKind.STORY, name="故事汇", order=1)
    return campaign


def _export(cast: Cast, campaign: Campaign, tmp_path: Path, **params: Any) -> Path:
    response = cast.client("school_admin").get(
        reverse("campaign_package", args=[campaign.pk]), params
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    path = tmp_path / "package.zip"
    path.write_bytes(_body(response))
    return path


def _stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "submissions"
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _rewrite(path: Path, change: Any) -> Path:
    """Copy the zip with `change(name, data) -> data | None` applied (None drops the member)."""
    out = path.with_name("changed.zip")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info.filename, data)
    return out


def _manifest_change(fn: Any) -> Any:
    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        fn(manifest)
        return json.dumps(manifest, ensure_ascii=False).encode()

    return change


def test_export_writes_a_manifest_and_the_files(
    cast: Cast, source: Campaign, tmp_path: Path
) -> None:
    path = _export(cast, source, tmp_path)

    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["schema_version"] == package.SCHEMA_VERSION
        assert manifest["exported_at"]
        assert manifest["source"]["installation_name"] == settings.SITE_NAME
        assert manifest["source"]["installation_id"] == package.installation_id()
        assert manifest["source"]["school_name"] == "示范大学党委"
        assert manifest["campaign"] == {
            "uuid": str(source.uuid),
            "name": "2020年「四个一」行动",
            "year": 2020,
            "description": "",
        }
        kinds = {d["kind"] for d in manifest["deliverables"]}
        assert kinds == {DeliverableKind.STORY, DeliverableKind.MICRO_LECTURE}
        assert all(d["deadline"] and d["uuid"] for d in manifest["deliverables"])
        by_title = {s["title"]: s for s in manifest["submissions"]}
        assert set(by_title) == {"党旗在一线飘扬", "抓紧抓实常态化防控"}
        story = by_title["党旗在一线飘扬"]
        assert story["unit_name"] == "计算机学院党委"
        assert story["org_name"] == "计算机教工第一党支部"
        assert story["tags"] == ["值守", "故事"]
        assert story["state"] == S.SELECTED
        assert [a["name"] for a in story["authors"]] == ["张三", "王五"]
        db_files = {f.original_name: f for f in SubmissionFile.objects.all()}
        for entry in story["files"] + by_title["抓紧抓实常态化防控"]["files"]:
            assert entry["path"].startswith("files/") and ".." not in entry["path"]
            data = zf.read(entry["path"])
            assert len(data) == entry["size"] == db_files[entry["original_name"]].size
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert entry["sha256"] == db_files[entry["original_name"]].sha256
        assert "/" not in story["files"][0]["path"].split("/", 2)[2]  # a name with "/" is flattened
    event = AuditEvent.objects.get(action="campaign.package_export")
    assert event.actor == cast.users["school_admin"]


def test_export_only_recommended(cast: Cast, source: Campaign, tmp_path: Path) -> None:
    path = _export(cast, source, tmp_path, only="recommended")
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    assert [s["title"] for s in manifest["submissions"]] == ["抓紧抓实常态化防控"]


def test_round_trip_imports_the_same_titles_authors_and_files_and_never_twice(
    cast: Cast, source: Campaign, target: Campaign, tmp_path: Path
) -> None:
    path = _export(cast, source, tmp_path)
    exported = {
        s.title: (
            [a.name for a in s.authors.all()],
            sorted(f.sha256 for f in s.files.all()),
            s.uuid,
        )
        for s in Submission.objects.filter(state__in=(S.SELECTED, S.RECOMMENDED))
    }
    admin = cast.users["school_admin"]

    result = package.package_import(actor=admin, source=path, campaign=target)

    assert len(result.created) == 2 and not result.skipped
    imported = Submission.objects.filter(deliverable__campaign=target)
    assert {s.title for s in imported} == set(exported)
    sender = Org.objects.get(depth=2, name="示范大学党委")
    for s in imported:
        authors, shas, uuid = exported[s.title]
        assert [a.name for a in s.authors.all()] == authors
        stored = []
        for f in s.files.all():
            with f.file.open("rb") as handle:
                stored.append(hashlib.sha256(handle.read()).hexdigest())
            assert f.sha256 == stored[-1]
        assert sorted(stored) == shas
        assert s.source_uuid == uuid
        assert s.state == S.SUBMITTED
        assert s.org == sender
        event = SubmissionEvent.objects.get(submission=s)
        assert event.to_state == S.SUBMITTED and event.actor == admin
        assert "示范大学党委" in event.comment
    lecture = imported.get(title="抓紧抓实常态化防控")
    assert lecture.deliverable.kind == DeliverableKind.MICRO_LECTURE
    assert lecture.topic == "抓紧抓实抓细常态化疫情防控工作"
    files_before = _stored_files()
    counts = (Submission.objects.count(), SubmissionFile.objects.count(), Org.objects.count())

    again = package.package_import(actor=admin, source=path, campaign=target)

    assert not again.created and len(again.skipped) == 2
    assert (
        Submission.objects.count(),
        SubmissionFile.objects.count(),
        Org.objects.count(),
    ) == counts
    assert _stored_files() == files_before
    assert AuditEvent.objects.filter(action="campaign.package_import").count() == 2


def test_import_through_the_pages_with_mapping_sender_and_state(
    cast: Cast, source: Campaign, target: Campaign, tmp_path: Path
) -> None:
    path = _export(cast, source, tmp_path)
    client = cast.client("school_admin")
    url = reverse("package_import")
    assert client.get(url).status_code == 200

    with open(path, "rb") as upload:
        preview = client.post(url, {"step": "upload", "campaign": target.pk, "package": upload})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "上报包检查通过" in html and "将新建" in html
    token = re.search(r'name="token" value="([0-9a-f-]+)"', html).group(1)  # type: ignore[union-attr]
    form_token = re.search(r'name="form_token" value="([0-9a-f-]+)"', html).group(1)  # type: ignore[union-attr]
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    story_uuid = next(d["uuid"] for d in manifest["deliverables"] if d["kind"] == "story")
    lecture_uuid = next(d["uuid"] for d in manifest["deliverables"] if d["kind"] != "story")
    # Matched by kind unless mapped: both default to the same kind on the page.
    stories = target.deliverables.get(kind=DeliverableKind.STORY)
    assert f'<option value="{stories.pk}" selected>' in html

    response = client.post(
        url,
        {
            "step": "apply",
            "token": token,
            "form_token": form_token,
            "campaign": target.pk,
            f"map_{story_uuid}": stories.pk,
            f"map_{lecture_uuid}": "",  # left out
            "sender": cast.unit_b.pk,
            "state": S.SELECTED,
        },
    )

    assert response.status_code == 302
    imported = Submission.objects.get(deliverable__campaign=target)
    assert imported.title == "党旗在一线飘扬"
    assert imported.org == cast.unit_b and imported.state == S.SELECTED
    assert not Org.objects.filter(name="示范大学党委", depth=2).exists()
    assert not list((Path(settings.MEDIA_ROOT) / "package_staging").glob("*.zip"))
    # The same form sent again writes nothing more.
    again = client.post(
        url,
        {
            "step": "apply",
            "token": token,
            "form_token": form_token,
            "campaign": target.pk,
            "sender": "auto",
        },
    )
    assert again.status_code == 302
    assert Submission.objects.filter(deliverable__campaign=target).count() == 1


def _assert_nothing_written(before: tuple[int, int, int], files: set[str]) -> None:
    assert (
        Submission.objects.count(),
        SubmissionFile.objects.count(),
        Org.objects.count(),
    ) == before
    assert _stored_files() == files
    assert not AuditEvent.objects.filter(action="campaign.package_import").exists()


def _state() -> tuple[tuple[int, int, int], set[str]]:
    return (
        (Submission.objects.count(), SubmissionFile.objects.count(), Org.objects.count()),
        _stored_files(),
    )


def test_a_tampered_file_refuses_the_whole_package(
    cast: Cast, source: Campaign, target: Campaign, tmp_path: Path
) -> None:
    path = _export(cast, source, tmp_path)
    tampered = _rewrite(path, lambda name, data: data + b"x" if name.endswith(".mp4") else data)
    # The size now differs too; also try same size, other bytes.
    same_size = _rewrite(
        path, lambda name, data: bytes([data[0] ^ 1]) + data[1:] if name.endswith(".mp4") else data
    )
    before, files = _state()
    for bad in (tampered, same_size):
        with pytest.raises(package.PackageError, match=r"微党课\.mp4"):
            package.package_import(actor=cast.users["school_admin"], source=bad, campaign=target)
    with pytest.raises(package.PackageError, match="sha256"):
        package.package_read(same_size)
    _assert_nothing_written(before, files)


def test_a_missing_file_refuses_the_whole_package(
    cast: Cast, source: Campaign, target: Campaign, tmp_path: Path
) -> None:
    path = _export(cast, source, tmp_path)
    missing = _rewrite(path, lambda name, data: None if name.endswith(".jpg") else data)
    before, files = _state()
    with pytest.raises(package.PackageError, match="缺少文件"):
        package.package_import(actor=cast.users["school_admin"], source=missing, campaign=target)
    _assert_nothing_written(before, files)


def test_an_unknown_schema_version_is_refused_through_the_page(
    cast: Cast, source: Campaign, target: Campaign, tmp_path: Path
) -> None:
    path = _export(cast, source, tmp_path)
    future = _rewrite(path, _manifest_change(lambda m: m.update(schema_version=99)))
    before, files = _state()
    with open(future, "rb") as upload:
        response = cast.client("school_admin").post(
            reverse("package_import"), {"step": "upload", "campaign": target.pk, "package": upload}
        )
    assert response.status_code == 400
    assert "不支持的上报包格式版本：99" in response.content.decode()
    _assert_nothing_written(before, files)
    assert not list((Path(settings.MEDIA_ROOT) / "package_staging").glob("*.zip"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["submissions"][0]["files"][0].update(path="files/../../etc/passwd"), "不安全"),
        (lambda m: m["submissions"][0].pop("title"), "title"),
        (lambda m: m["submissions"][0].update(deliverable_uuid=m["campaign"]["uuid"]), "任务项"),
        (lambda m: m["submissions"][0]["files"][0].update(sha256="abc"), "sha256"),
        (lambda m: m["submissions"][0]["files"][0].update(material_type="hologram"), "素材类型"),
        (lambda m: m.pop("schema_version"), "schema_version"),
    ],
)
def test_a_malformed_manifest_is_refused(
    cast: Cast, source: Campaign, tmp_path: Path, change: Any, message: str
) -> None:
    path = _rewrite(_export(cast, source, tmp_path), _manifest_change(change))
    with pytest.raises(package.PackageError, match=message):
        package.package_read(path)


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(package.PackageError, match="zip"):
        package.package_read(path)
    with pytest.raises(package.PackageError, match=r"manifest\.json"):
        buffer = io.BytesIO()
        zipfile.ZipFile(buffer, "w").close()
        package.package_read(buffer)


def test_a_failure_while_writing_rolls_back_and_removes_copied_files(
    cast: Cast, source: Campaign, target: Campaign, tmp_path: Path, monkeypatch: Any
) -> None:
    path = _export(cast, source, tmp_path)
    before, files = _state()
    real_create = SubmissionEvent.objects.create
    calls = []

    def failing_create(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) == 2:  # the second submission, after its file was copied
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(SubmissionEvent.objects, "create", failing_create)
    with pytest.raises(RuntimeError):
        package.package_import(actor=cast.users["school_admin"], source=path, campaign=target)
    _assert_nothing_written(before, files)


def test_only_campaign_managers_may_import_or_export(
    cast: Cast, source: Campaign, tmp_path: Path
) -> None:
    for role in ("reviewer", "unit_a_admin", "member_a"):
        assert cast.client(role).get(reverse("package_import")).status_code == 403
        response = cast.client(role).get(reverse("campaign_package", args=[source.pk]))
        assert response.status_code == 403


# --- size caps ------------------------------------------------------------------------------


def _zip(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "crafted.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused_before_anything_is_inflated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(package, "RATIO_FROM_BYTES", 1024 * 1024)
    bomb = _zip(tmp_path, {"manifest.json": b"{}", "files/x/bomb.bin": bytes(8 * 1024 * 1024)})
    with pytest.raises(package.PackageError, match=r"「files/x/bomb.bin」压缩比异常"):
        package.package_read(bomb)


@pytest.mark.parametrize(
    ("cap", "value", "message"),
    [
        ("MAX_MEMBER_BYTES", 1000, r"解压后为 1 MB，超过单个文件 1 MB 的上限"),
        ("MAX_TOTAL_BYTES", 2000, r"上报包解压后共 \d+ MB，超过 1 MB 的上限"),
        ("MAX_MEMBERS", 3, r"文件超过 3 个"),
    ],
)
def test_a_package_over_a_cap_is_refused_whole(
    cast: Cast,
    source: Campaign,
    target: Campaign,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cap: str,
    value: int,
    message: str,
) -> None:
    path = _export(cast, source, tmp_path)
    monkeypatch.setattr(package, cap, value)
    before, files = _state()
    with pytest.raises(package.PackageError, match=message):
        package.package_import(actor=cast.users["school_admin"], source=path, campaign=target)
    _assert_nothing_written(before, files)


def test_an_upload_over_the_package_cap_is_refused_before_it_is_read(
    cast: Cast, source: Campaign, target: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _export(cast, source, tmp_path)
    monkeypatch.setattr(package, "MAX_PACKAGE_BYTES", 1000)
    with open(path, "rb") as upload:
        response = cast.client("school_admin").post(
            reverse("package_import"), {"step": "upload", "campaign": target.pk, "package": upload}
        )
    assert response.status_code == 413
    assert "上报包大小超过 1 MB 的上限" in response.content.decode()
    assert not list((Path(settings.MEDIA_ROOT) / "package_staging").glob("*.zip"))
    assert not Submission.objects.filter(deliverable__campaign=target).exists()
