"""Odd numbers in the sign-up form (superscripts, huge ids) are ignored, never a 500."""

import pytest
from django.urls import reverse

from conftest import Cast
from rosters.models import SignUp
from rosters.tests.conftest import Small


@pytest.mark.parametrize("odd", ["²", "99999999999999999999", "1e30"])
def test_sign_up_form_ignores_odd_post_ids_and_orders(cast: Cast, small: Small, odd: str) -> None:
    SignUp.objects.filter(member=cast.member_a).delete()
    client = cast.client("member_a")
    client.raise_request_exception = False

    response = client.post(
        reverse("signup_form", args=[small.phase.pk]),
        {
            "wanted": [odd, str(small.post.pk)],
            f"order_{small.post.pk}": odd,
            "phone": "13800000001",
            "health_ok": "on",
        },
    )

    assert response.status_code == 302
    assert SignUp.objects.get(member=cast.member_a).wanted_posts == [small.post.pk]
