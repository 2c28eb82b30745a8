import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import Cast
from orgs import services
from orgs.models import Org, OrgKind


def test_unit_admin_adds_branch_under_own_unit(cast: Cast) -> None:
    response = cast.client("unit_a_admin").post(
        reverse("org_add_child", args=[cast.unit_a.pk]),
        {"name": "计算机研究生党支部", "kind": "branch"},
    )

    branch = Org.objects.get(name="计算机研究生党支部")
    assert response["Location"] == reverse("org_detail", args=[branch.pk])
    assert branch.path.startswith(cast.unit_a.path)


@pytest.mark.parametrize(
    ("parent", "kind", "message"),
    [
        ("branch_a1", OrgKind.UNIT_COMMITTEE, "不能设立"),
        ("unit_a", OrgKind.SCHOOL_COMMITTEE, "不能设立"),
    ],
)
def test_tree_shape_is_enforced(cast: Cast, parent: str, kind: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        services.org_create(actor=None, parent=getattr(cast, parent), name="新组织", kind=kind)


def test_sibling_names_are_unique(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="已有名为"):
        services.org_create(
            actor=None, parent=cast.unit_a, name="计算机学生党支部", kind=OrgKind.BRANCH
        )


def test_branch_with_members_cannot_be_deleted(cast: Cast) -> None:
    response = cast.client("unit_a_admin").post(reverse("org_delete", args=[cast.branch_a1.pk]))

    assert response.status_code == 302
    assert Org.objects.filter(pk=cast.branch_a1.pk).exists()


def test_unit_admin_cannot_delete_own_unit(cast: Cast) -> None:
    cast.client("unit_a_admin").post(reverse("org_delete", args=[cast.unit_a.pk]))

    assert Org.objects.filter(pk=cast.unit_a.pk).exists()


def test_tree_page_counts_members_per_subtree(cast: Cast) -> None:
    response = cast.client("school_admin").get(reverse("org_tree"))

    root = response.context["tree"][0]
    assert root["total"] == 4
    assert {c["org"].name: c["total"] for c in root["children"]} == {
        "计算机学院党委": 2,
        "化学学院党委": 2,
    }


def test_school_admin_manages_campuses(cast: Cast) -> None:
    admin = cast.client("school_admin")
    admin.post(reverse("campus_list"), {"name": "东校区", "address": "东路 1 号"})

    page = admin.get(reverse("campus_list"))
    assert "东校区" in page.content.decode()


def test_school_admin_moves_branch_to_other_unit_with_its_members(cast: Cast) -> None:
    response = cast.client("school_admin").post(
        reverse("org_move", args=[cast.branch_a2.pk]), {"new_parent": cast.unit_b.pk}
    )

    assert response.status_code == 302
    branch = Org.objects.get(pk=cast.branch_a2.pk)
    assert branch.path.startswith(cast.unit_b.path)
    unit_b_list = cast.client("unit_b_admin").get(reverse("member_list"))
    assert "王五" in {row["m"].name for row in unit_b_list.context["rows"]}


def test_unit_admin_cannot_move_branch_out_of_own_unit(cast: Cast) -> None:
    response = cast.client("unit_a_admin").post(
        reverse("org_move", args=[cast.branch_a2.pk]), {"new_parent": cast.unit_b.pk}
    )

    assert response.status_code == 200
    assert "new_parent" in response.context["form"].errors
    assert Org.objects.get(pk=cast.branch_a2.pk).path.startswith(cast.unit_a.path)


def test_org_cannot_move_under_its_own_descendant(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="自身"):
        services.org_move(actor=None, org=cast.unit_a, new_parent=cast.branch_a1)
