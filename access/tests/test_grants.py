from django.urls import reverse

from access.models import Grant, Role
from conftest import Cast


def test_unit_admin_grants_branch_secretary_inside_own_unit(cast: Cast) -> None:
    response = cast.client("unit_a_admin").post(
        reverse("grant_list"),
        {"username": "member_a", "org": cast.branch_a1.pk, "role": Role.BRANCH_SECRETARY},
    )

    assert response.status_code == 302
    assert Grant.objects.filter(user=cast.users["member_a"], role=Role.BRANCH_SECRETARY).exists()
    page = cast.client("member_a").get(reverse("member_list"))
    assert page.status_code == 200


def test_unit_admin_cannot_grant_in_other_unit_or_school_admin(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    client.post(
        reverse("grant_list"),
        {"username": "member_a", "org": cast.branch_b1.pk, "role": Role.BRANCH_SECRETARY},
    )
    client.post(
        reverse("grant_list"),
        {"username": "member_a", "org": cast.unit_a.pk, "role": Role.SCHOOL_ADMIN},
    )

    assert not Grant.objects.filter(user=cast.users["member_a"]).exists()


def test_unit_admin_cannot_revoke_other_units_grant(cast: Cast) -> None:
    grant = Grant.objects.get(user=cast.users["unit_b_admin"])

    response = cast.client("unit_a_admin").post(reverse("grant_revoke", args=[grant.pk]))

    assert response.status_code == 403
    assert Grant.objects.filter(pk=grant.pk).exists()
