import datetime as dt
from decimal import Decimal

from django.utils import timezone

from carefund import services
from carefund.models import CareFund, CarePayment
from carefund.services import Recipient
from conftest import Cast
from orgs.models import Org


def fund(cast: Cast, income: str = "7720", org: Org | None = None) -> CareFund:
    """A fund of 组织部 (or of `org`) with one income."""
    admin = cast.users["school_admin"]
    f = services.fund_create(
        actor=admin, org=org or cast.school, name="党费慰问金", source="党费拨付"
    )
    if Decimal(income):
        services.fund_income(
            actor=admin,
            fund=f,
            amount=Decimal(income),
            received_on=timezone.localdate() - dt.timedelta(days=1),
            summary="校党委从党费拨付",
        )
    f.refresh_from_db()
    return f


def payment(
    cast: Cast, f: CareFund, amounts: tuple[str, ...] = ("150", "160"), actor: str = "school_admin"
) -> CarePayment:
    return services.payment_request(
        actor=cast.users[actor],
        fund=f,
        title="中秋节慰问一线人员",
        purpose="frontline",
        paid_on=timezone.localdate(),
        campus=cast.member_a.campus,
        recipients=[
            Recipient(name=f"一线人员{i}", amount=Decimal(a)) for i, a in enumerate(amounts)
        ],
    )
