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


# --- the services' other branches, through the services ------------------------------------


def _events(action: str) -> int:
    from audit.models import AuditEvent

    return AuditEvent.objects.filter(action=action).count()


def test_there_is_only_one_root(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="只能有一个校党委"):
        services.org_create(
            actor=cast.users["school_admin"],
            parent=None,
            name="另一所大学党委",
            kind=OrgKind.SCHOOL_COMMITTEE,
        )


def test_rename_is_audited_and_a_save_without_changes_is_not(cast: Cast) -> None:
    admin = cast.users["unit_a_admin"]

    services.org_update(actor=admin, org=cast.branch_a2, name="计算机研究生党支部")
    services.org_update(actor=admin, org=cast.branch_a2, name="计算机研究生党支部")

    cast.branch_a2.refresh_from_db()
    assert cast.branch_a2.name == "计算机研究生党支部"
    assert _events("org.update") == 1


def test_rename_to_a_siblings_name_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="同一上级下已有"):
        services.org_update(
            actor=cast.users["unit_a_admin"], org=cast.branch_a2, name=cast.branch_a1.name
        )


def test_keeping_its_own_name_is_not_a_clash(cast: Cast) -> None:
    org = services.org_update(
        actor=cast.users["unit_a_admin"], org=cast.branch_a2, name=cast.branch_a2.name
    )

    assert org.name == "计算机学生党支部"
    assert _events("org.update") == 0


def test_kind_must_fit_under_the_parent(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="上级组织下不能设立"):
        services.org_update(
            actor=cast.users["school_admin"], org=cast.branch_a2, kind=OrgKind.GROUP
        )


def test_a_branch_with_members_keeps_its_kind(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="还有党员"):
        services.org_update(
            actor=cast.users["school_admin"], org=cast.branch_a1, kind=OrgKind.GENERAL_BRANCH
        )

    cast.branch_a1.refresh_from_db()
    assert cast.branch_a1.kind == OrgKind.BRANCH


def _empty_branch(cast: Cast) -> Org:
    return services.org_create(
        actor=cast.users["unit_a_admin"], parent=cast.unit_a, name="空支部", kind=OrgKind.BRANCH
    )


def test_an_empty_branch_may_become_a_general_branch(cast: Cast) -> None:
    empty = _empty_branch(cast)

    services.org_update(actor=cast.users["school_admin"], org=empty, kind=OrgKind.GENERAL_BRANCH)

    assert Org.objects.get(pk=empty.pk).kind == OrgKind.GENERAL_BRANCH
    assert _events("org.update") == 1


def test_the_school_cannot_move(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="校党委不能移动"):
        services.org_move(actor=cast.users["school_admin"], org=cast.school, new_parent=cast.unit_a)


def test_a_unit_cannot_move_under_a_unit(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="下不能设立"):
        services.org_move(actor=cast.users["school_admin"], org=cast.unit_b, new_parent=cast.unit_a)


def test_moving_to_the_same_parent_changes_nothing(cast: Cast) -> None:
    services.org_move(actor=cast.users["school_admin"], org=cast.branch_a2, new_parent=cast.unit_a)

    assert Org.objects.get_parent(Org.objects.get(pk=cast.branch_a2.pk)) == cast.unit_a
    assert _events("org.move") == 0


def test_a_move_may_not_clash_with_a_name_under_the_new_parent(cast: Cast) -> None:
    services.org_update(
        actor=cast.users["school_admin"], org=cast.branch_b1, name="计算机学生党支部"
    )

    with pytest.raises(ValidationError, match="同一上级下已有"):
        services.org_move(
            actor=cast.users["school_admin"], org=cast.branch_a2, new_parent=cast.unit_b
        )


def test_the_school_cannot_be_deleted(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="不能删除校党委"):
        services.org_delete(actor=cast.users["school_admin"], org=cast.school)


def test_an_org_with_children_cannot_be_deleted(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="下级组织"):
        services.org_delete(actor=cast.users["school_admin"], org=cast.unit_b)

    assert Org.objects.filter(pk=cast.unit_b.pk).exists()


def test_an_empty_branch_is_deleted_with_an_audit_row(cast: Cast) -> None:
    empty = _empty_branch(cast)

    services.org_delete(actor=cast.users["unit_a_admin"], org=empty)

    assert not Org.objects.filter(pk=empty.pk).exists()
    assert _events("org.delete") == 1


def test_editing_a_campus_is_audited(cast: Cast) -> None:
    campus = cast.unit_a.campus
    assert campus is not None

    services.campus_save(
        actor=cast.users["school_admin"], campus=campus, name="南校区", address="南京路1号"
    )

    campus.refresh_from_db()
    assert (campus.name, campus.address) == ("南校区", "南京路1号")
    assert _events("campus.update") == 1


def test_two_campuses_cannot_share_a_name(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        services.campus_save(actor=cast.users["school_admin"], campus=None, name="主校区")
