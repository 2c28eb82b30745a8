"""组织关爱 pages: thin views over carefund.scope, selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.http import AuthedRequest
from access.scope import Perm, can, members_for_user, orgs_for_user, require_anywhere
from audit.once import submit_once, submit_token_replay
from audit.services import audit_record
from carefund import selectors, services, spreadsheets
from carefund.forms import DecisionForm, FundForm, IncomeForm, PaymentForm, ReverseForm
from carefund.scope import get_entry_for_user, get_fund_for_user, get_payment_for_user
from lib.xlsx import XLSX_CONTENT_TYPE
from uploads.serving import attachment_response, download_name

PER_PAGE = 50


@login_required
def fund_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.CARE_VIEW)
    return render(
        request,
        "carefund/fund_list.html",
        {
            "funds": list(selectors.fund_list(user=user)),
            "summary": selectors.summary(user=user),
            "may_create": bool(orgs_for_user(user, Perm.CARE_MANAGE).exists()),
        },
    )


@login_required
def fund_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.CARE_MANAGE)
    if replay := submit_token_replay(request):
        return replay
    orgs = orgs_for_user(user, Perm.CARE_MANAGE).filter(depth__lte=2).order_by("path")
    form = FundForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():

        def create() -> str:
            fund = services.fund_create(actor=user, **form.cleaned_data)
            messages.success(request, f"已建立账户“{fund.name}”。")
            return reverse("care_fund_detail", args=[fund.pk])

        if done := submit_once(request, form, create):
            return done
    return render(request, "carefund/form.html", {"form": form, "title": "新建关爱资金账户"})


@login_required
def fund_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    fund = get_fund_for_user(user, pk)
    page = Paginator(selectors.entry_list(fund=fund), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "carefund/fund_detail.html",
        {
            "fund": fund,
            "page": page,
            "payments": list(selectors.payment_list(fund=fund)[:PER_PAGE]),
            "summary": selectors.summary(user=user, fund=fund),
            "may_manage": can(user, Perm.CARE_MANAGE, fund.org),
        },
    )


@login_required
def income_new(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    fund = get_fund_for_user(user, pk, Perm.CARE_MANAGE)
    if replay := submit_token_replay(request):
        return replay
    form = IncomeForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():

        def record() -> str:
            entry = services.fund_income(actor=user, fund=fund, **form.cleaned_data)
            messages.success(request, f"已记收入 {services.yuan(entry.amount)} 元。")
            return reverse("care_fund_detail", args=[fund.pk])

        if done := submit_once(request, form, record):
            return done
    return render(
        request, "carefund/form.html", {"form": form, "title": f"记收入：{fund.name}", "fund": fund}
    )


@login_required
def payment_new(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    fund = get_fund_for_user(user, pk, Perm.CARE_MANAGE)
    if replay := submit_token_replay(request):
        return replay
    orgs = (
        orgs_for_user(user, Perm.CARE_MANAGE)
        .filter(path__startswith=fund.org.path, depth__lte=3)
        .order_by("path")
    )
    people = members_for_user(user).filter(branch__path__startswith=fund.org.path)
    form = PaymentForm(request.POST or None, orgs=orgs, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group_label = ""
        if data["group"] is not None:
            recipients, group_label = selectors.group_recipients(
                user=user,
                org=data["group"],
                per_head=data["per_head"],
                category=data["group_category"],
                campus=data["campus"],
            )
        else:
            recipients = data["recipients"]

        def ask() -> str:
            payment = services.payment_request(
                actor=user,
                fund=fund,
                title=data["title"],
                purpose=data["purpose"],
                paid_on=data["paid_on"],
                campus=data["campus"],
                per_head=data["per_head"],
                recipients=recipients,
                group_label=group_label,
            )
            messages.success(
                request,
                f"已提交发放申请：{payment.head_count} 人，合计 "
                f"{services.yuan(payment.total)} 元，待审批。",
            )
            return reverse("care_payment_detail", args=[payment.pk])

        if done := submit_once(request, form, ask):
            return done
    return render(
        request,
        "carefund/form.html",
        {"form": form, "title": f"慰问发放申请：{fund.name}", "fund": fund},
    )


@login_required
def payment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    payment = get_payment_for_user(user, pk)
    recipients = payment.recipients.select_related("member").order_by("id")
    page = Paginator(recipients, PER_PAGE).get_page(request.GET.get("page"))
    may_decide = payment.state == "pending" and can(user, Perm.CARE_APPROVE, payment.fund.org)
    return render(
        request,
        "carefund/payment_detail.html",
        {
            "payment": payment,
            "page": page,
            "entries": list(payment.entries.order_by("id")),
            "form": DecisionForm() if may_decide else None,
        },
    )


def _decide(request: AuthedRequest, pk: int, approve: bool) -> HttpResponse:
    user = request.user
    payment = get_payment_for_user(user, pk, Perm.CARE_APPROVE)
    url = reverse("care_payment_detail", args=[payment.pk])
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""

    def decide() -> str:
        if approve:
            services.payment_approve(actor=user, payment=payment, note=note)
            messages.success(request, f"已批准并发放 {services.yuan(payment.total)} 元。")
        else:
            services.payment_refuse(actor=user, payment=payment, note=note)
            messages.success(request, "已记为未批准。")
        return url

    return submit_once(request, None, decide, refused_url=url) or redirect(url)


@login_required
@require_POST
def payment_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@login_required
@require_POST
def payment_refuse(request: AuthedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)


@login_required
def entry_reverse(request: AuthedRequest, pk: int) -> HttpResponse:
    """A confirm page saying what the reversal will change, then the reversing entry."""
    user = request.user
    entry = get_entry_for_user(user, pk, Perm.CARE_MANAGE)
    if replay := submit_token_replay(request):
        return replay
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def reverse_entry() -> str:
            services.entry_reverse(actor=user, entry=entry, reason=form.cleaned_data["reason"])
            messages.success(request, "已记冲正。")
            return reverse("care_fund_detail", args=[entry.fund_id])

        if done := submit_once(request, form, reverse_entry):
            return done
    return render(request, "carefund/entry_reverse.html", {"entry": entry, "form": form})


@login_required
def summary(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, Perm.CARE_VIEW)
    return render(
        request, "carefund/summary.html", {"summary": selectors.summary(user=user), "fund": None}
    )


@login_required
def fund_export(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    fund = get_fund_for_user(user, pk)
    data = spreadsheets.fund_xlsx(
        fund,
        selectors.entry_list(fund=fund).order_by("id"),
        selectors.summary(user=user, fund=fund),
    )
    audit_record(actor=user, action="care.export", target=fund, label=f"关爱资金导出：{fund.name}")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return attachment_response(
        data, download_name(fund.name, "流水", stamp, ext="xlsx"), XLSX_CONTENT_TYPE
    )


@login_required
def payment_export(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    payment = get_payment_for_user(user, pk)
    data = spreadsheets.payment_xlsx(payment, payment.recipients.order_by("id"))
    audit_record(
        actor=user,
        action="care.payment_export",
        target=payment,
        label=f"慰问名单导出：{payment.title}",
    )
    return attachment_response(
        data, download_name(payment.title, "名单", ext="xlsx"), XLSX_CONTENT_TYPE
    )
