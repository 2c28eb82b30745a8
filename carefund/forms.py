import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone

from carefund.models import PaymentMode, Purpose
from carefund.services import Recipient
from config.forms import DateInput, StyledFormMixin
from lib.cn import normalize_text
from members.models import Category
from orgs.models import Campus

MAX_LINES = 20_000
SPLIT = re.compile(r"[\s,，、;；]+")
AMOUNT = re.compile(r"^\d{1,8}(\.\d{1,2})?$")


def _amount(text: str) -> Decimal | None:
    text = text.removesuffix("元")
    if not AMOUNT.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def parse_lines(
    raw: str, *, people: Any, per_head: Decimal | None
) -> tuple[list[Recipient], list[str]]:
    """The recipients a list names, one per line, and the reasons of the bad lines.

    Named (no `per_head`): "学工号或姓名 金额". Per head: "学工号 姓名", "学工号" or "姓名".
    A 学工号 of a member the user sees links the line to the member's record."""
    lines = [(i, normalize_text(line)) for i, line in enumerate(raw.splitlines(), start=1)]
    lines = [(i, line) for i, line in lines if line]
    if len(lines) > MAX_LINES:
        return [], [f"名单超过 {MAX_LINES} 行，请分批发放。"]
    tokens = [(i, SPLIT.split(line)) for i, line in lines]
    numbers = {t[0] for _, t in tokens if t and any(ch.isdigit() for ch in t[0])}
    known = {
        number: (pk, name)
        for pk, number, name in people.filter(number__in=numbers).values_list(
            "pk", "number", "name"
        )
    }
    found: list[Recipient] = []
    errors: list[str] = []
    for i, parts in tokens:
        if per_head is None:
            if len(parts) < 2 or (amount := _amount(parts[-1])) is None:
                errors.append(f"第 {i} 行：请写成“学工号或姓名 金额”，金额如 150 或 150.50。")
                continue
            who = parts[:-1]
        else:
            amount = per_head
            who = parts
        if who[0] in known:
            pk, name = known[who[0]]
            found.append(Recipient(name=name, amount=amount, number=who[0], member_id=pk))
        elif len(who) >= 2 and any(ch.isdigit() for ch in who[0]):
            found.append(Recipient(name=" ".join(who[1:])[:50], amount=amount, number=who[0][:32]))
        elif any(ch.isdigit() for ch in who[0]):
            errors.append(f"第 {i} 行：找不到学工号为 {who[0]} 的党员，请写上姓名。")
        else:
            found.append(Recipient(name=" ".join(who)[:50], amount=amount))
    return found, errors


class FundForm(StyledFormMixin, forms.Form):
    org = forms.TypedChoiceField(label="所属党组织", coerce=int)
    name = forms.CharField(label="账户名称", max_length=100, help_text="如：党费慰问金")
    source = forms.CharField(label="资金来源", max_length=100, help_text="如：党费拨付")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {o.pk: o for o in orgs}
        self.fields["org"].choices = [(o.pk, o.name) for o in self.orgs.values()]  # type: ignore[attr-defined]

    def clean_org(self) -> Any:
        return self.orgs[self.cleaned_data["org"]]


class IncomeForm(StyledFormMixin, forms.Form):
    amount = forms.DecimalField(
        label="金额（元）", min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    received_on = forms.DateField(label="到账日期", widget=DateInput())
    summary = forms.CharField(label="摘要", max_length=200, help_text="如：校党委从党费拨付")
    campus = forms.ModelChoiceField(
        label="校区", queryset=Campus.objects.all(), required=False, empty_label="不分校区"
    )


class PaymentForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="事由", max_length=100, help_text="如：中秋节慰问一线人员")
    purpose = forms.ChoiceField(label="用途", choices=Purpose.choices)
    campus = forms.ModelChoiceField(
        label="校区", queryset=Campus.objects.all(), required=False, empty_label="不分校区"
    )
    paid_on = forms.DateField(label="发放日期", widget=DateInput())
    mode = forms.ChoiceField(
        label="发放方式",
        choices=PaymentMode.choices,
        widget=forms.RadioSelect,
        initial=PaymentMode.NAMED,
    )
    per_head = forms.DecimalField(
        label="人均标准（元）",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text="按人均标准发放时填写，如 30",
    )
    group_org = forms.TypedChoiceField(
        label="发放群体（从党员名册）",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="按人均标准发放给一个组织的全体人员；也可不选而在下方粘贴名单",
    )
    group_category = forms.ChoiceField(
        label="人员类别", choices=[("", "全部类别"), *Category.choices], required=False
    )
    lines = forms.CharField(
        label="名单",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一人。按名单逐人：“学工号或姓名 金额”；按人均标准：“学号 姓名”或“姓名”",
    )

    def __init__(self, *args: Any, orgs: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {o.pk: o for o in orgs}
        self.people = people
        self.fields["group_org"].choices = [  # type: ignore[attr-defined]
            ("", "不选"),
            *((o.pk, o.name) for o in orgs),
        ]
        self.initial.setdefault("paid_on", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("mode")
        per_head = data.get("per_head")
        org_id = data.get("group_org")
        if mode == PaymentMode.PER_HEAD and per_head is None:
            self.add_error("per_head", "按人均标准发放时请填写人均标准。")
            return data
        if mode == PaymentMode.NAMED:
            per_head = data["per_head"] = None
            if org_id:
                self.add_error("group_org", "按名单逐人发放时不选发放群体，请在名单中逐行填写。")
                return data
        data["group"] = self.orgs.get(org_id) if org_id else None
        if org_id and data["group"] is None:
            self.add_error("group_org", "请选择你管辖范围内的组织。")
            return data
        raw = data.get("lines", "")
        if data["group"] is None:
            if not raw.strip():
                self.add_error("lines", "请填写名单，或选择发放群体。")
                return data
            recipients, errors = parse_lines(raw, people=self.people, per_head=per_head)
            for error in errors[:20]:
                self.add_error("lines", error)
            if len(errors) > 20:
                self.add_error("lines", f"另有 {len(errors) - 20} 行有误。")
            data["recipients"] = recipients
        elif raw.strip():
            self.add_error("lines", "已选择发放群体时名单留空。")
        return data


class DecisionForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="审批意见", max_length=200, required=False)


class ReverseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="冲正原因", max_length=100)
