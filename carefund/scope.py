"""Scope of the care funds: every page, export and API endpoint fetches them here.

A fund belongs to an org; it is seen by holders of CARE_VIEW over that org (组织部 sees every
fund, a unit admin their unit's), written (income, payout requests, reversals) by holders of
CARE_MANAGE, and its payouts approved by holders of CARE_APPROVE (组织部). A payout and a
ledger entry follow their fund. Anything else is a 404, never its data.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from access.scope import Perm, _path_q, can, paths_with
from carefund.models import CareEntry, CareFund, CarePayment


def funds_for_user(user: Any, perm: str = Perm.CARE_VIEW) -> QuerySet[CareFund]:
    if not user.is_authenticated:
        return CareFund.objects.none()
    return CareFund.objects.filter(_path_q(paths_with(user, perm), "org__path"))


def get_fund_for_user(user: Any, pk: Any, perm: str = Perm.CARE_VIEW) -> CareFund:
    """The fund, or 404 if the user cannot see it, or 403 if they see it but lack `perm`."""
    fund = CareFund.objects.filter(pk=pk).select_related("org").first()
    if fund is None or not user.is_authenticated:
        raise Http404
    if not can(user, Perm.CARE_VIEW, fund.org):
        raise Http404
    if not can(user, perm, fund.org):
        raise PermissionDenied
    return fund


def get_payment_for_user(user: Any, pk: Any, perm: str = Perm.CARE_VIEW) -> CarePayment:
    payment = (
        CarePayment.objects.filter(pk=pk)
        .select_related("fund", "fund__org", "campus", "requested_by", "decided_by")
        .first()
    )
    if payment is None or not user.is_authenticated:
        raise Http404
    if not can(user, Perm.CARE_VIEW, payment.fund.org):
        raise Http404
    if not can(user, perm, payment.fund.org):
        raise PermissionDenied
    return payment


def get_entry_for_user(user: Any, pk: Any, perm: str = Perm.CARE_VIEW) -> CareEntry:
    entry = (
        CareEntry.objects.filter(pk=pk)
        .select_related("fund", "fund__org", "payment", "campus", "reverses")
        .first()
    )
    if entry is None or not user.is_authenticated:
        raise Http404
    if not can(user, Perm.CARE_VIEW, entry.fund.org):
        raise Http404
    if not can(user, perm, entry.fund.org):
        raise PermissionDenied
    return entry
