"""Forms of the 报备 pages (the member's answer form is built from the schema: reports.schema)."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from members.models import Category, Whereabouts
from orgs.models import Org
from reports.models import Frequency, ReportForm
from reports.schema import KINDS, schema_errors

CONTROL = {"class": "form-control"}
SELECT = {"class": "form-select"}


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Org) -> str:
        return ("　" * max(obj.depth - 1, 0)) + obj.name


SMALL = {"class": "form-control form-control-sm"}
KIND_CHOICES = list(KINDS.items())
NUMBER_KINDS = ("number", "temperature")


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


class FieldRowForm(forms.Form):
    """One field of a report form, as 组织部 fills it in (a row of the editor)."""

    name = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    label = forms.CharField(
        label="题目", required=False, max_length=50, widget=forms.TextInput(attrs=SMALL)
    )
    kind = forms.ChoiceField(
        label="类型",
        choices=KIND_CHOICES,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    required = forms.BooleanField(label="必填", required=False)
    daily = forms.BooleanField(label="每日变化", required=False)
    help = forms.CharField(
        label="填写说明", required=False, max_length=200, widget=forms.TextInput(attrs=SMALL)
    )
    min = forms.FloatField(label="最小值", required=False, widget=forms.NumberInput(attrs=SMALL))
    max = forms.FloatField(label="最大值", required=False, widget=forms.NumberInput(attrs=SMALL))
    max_length = forms.IntegerField(
        label="最多字数",
        required=False,
        min_value=1,
        max_value=4000,
        widget=forms.NumberInput(attrs=SMALL),
    )
    multiline = forms.BooleanField(label="多行", required=False)
    choices = forms.CharField(
        label="选项（每行一个）",
        required=False,
        widget=forms.Textarea(attrs={**SMALL, "rows": 2}),
    )
    images_only = forms.BooleanField(label="只收图片", required=False)
    show_if_row = forms.IntegerField(
        label="仅当第几题",
        required=False,
        min_value=1,
        max_value=60,
        widget=forms.NumberInput(attrs=SMALL),
    )
    show_if_value = forms.CharField(
        label="的答案是", required=False, max_length=100, widget=forms.TextInput(attrs=SMALL)
    )

    @staticmethod
    def initial_of(field: dict[str, Any], names: list[str]) -> dict[str, Any]:
        keys = ("name", "label", "kind", "help", "min", "max")
        row: dict[str, Any] = {k: field[k] for k in keys if k in field}
        for flag in ("required", "daily", "multiline", "images_only"):
            row[flag] = bool(field.get(flag))
        if "max_length" in field:
            row["max_length"] = field["max_length"]
        if field.get("choices"):
            row["choices"] = "\n".join(field["choices"])
        if cond := field.get("show_if"):
            if cond["field"] in names:
                row["show_if_row"] = names.index(cond["field"]) + 1
            row["show_if_value"] = cond["value"]
        return row


class BaseFieldRows(forms.BaseFormSet):
    """The editor's rows; `schema` is what they describe, checked by schema_errors. A row
    without a 题目 is left out (the spare rows); its number still counts for 仅当第几题."""

    def clean(self) -> None:
        if any(self.errors):
            return
        rows = [f.cleaned_data for f in self.forms]
        used = {r["name"] for r in rows if r.get("name")}
        names: list[str] = []
        for i, r in enumerate(rows, start=1):
            name = r.get("name") or ""
            if not name:
                n = i
                while f"q{n}" in used:
                    n += 1
                name = f"q{n}"
                used.add(name)
            names.append(name)
        fields: list[dict[str, Any]] = []
        problems: list[str] = []
        for i, (r, name) in enumerate(zip(rows, names, strict=True), start=1):
            if not r.get("label") or r.get("DELETE"):
                continue
            kind = r["kind"]
            f: dict[str, Any] = {"name": name, "label": r["label"], "kind": kind}
            for flag in ("required", "daily"):
                if r.get(flag):
                    f[flag] = True
            if r.get("help"):
                f["help"] = r["help"]
            if kind in NUMBER_KINDS:
                for limit in ("min", "max"):
                    if r.get(limit) is not None:
                        f[limit] = _number(r[limit])
            if kind == "text":
                if r.get("max_length"):
                    f["max_length"] = r["max_length"]
                if r.get("multiline"):
                    f["multiline"] = True
            if kind in ("choice", "multi"):
                f["choices"] = [
                    c.strip() for c in (r.get("choices") or "").splitlines() if c.strip()
                ]
            if kind == "file" and r.get("images_only"):
                f["images_only"] = True
            if r.get("show_if_row"):
                target = r["show_if_row"]
                if (
                    target >= i
                    or not rows[target - 1].get("label")
                    or rows[target - 1].get("DELETE")
                ):
                    problems.append(f"第 {i} 题的显示条件应引用它前面的一道题。")
                else:
                    f["show_if"] = {
                        "field": names[target - 1],
                        "value": r.get("show_if_value") or "",
                    }
            fields.append(f)
        self.schema = {"fields": fields}
        problems += schema_errors(self.schema)
        if problems:
            raise forms.ValidationError(problems)


FieldRows = forms.formset_factory(
    FieldRowForm, formset=BaseFieldRows, extra=3, max_num=60, can_delete=True
)


def field_rows(data: Any, schema: dict[str, Any] | None) -> Any:
    """The editor's rows: posted, or filled from a schema (three spare rows after it)."""
    if data is not None:
        return FieldRows(data, prefix="f")
    fields = (schema or {}).get("fields", [])
    names = [f["name"] for f in fields]
    return FieldRows(initial=[FieldRowForm.initial_of(f, names) for f in fields], prefix="f")


class ReportFormForm(forms.Form):
    name = forms.CharField(label="表单名称", max_length=100, widget=forms.TextInput(attrs=CONTROL))
    owner = OrgChoiceField(
        label="所属党组织", queryset=Org.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    description = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={**CONTROL, "rows": 2})
    )

    def __init__(self, *args: Any, owners: Any = None, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class ScheduleForm(forms.Form):
    form = forms.ModelChoiceField(
        label="表单", queryset=ReportForm.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    org = OrgChoiceField(
        label="报备范围（含下级组织）",
        queryset=Org.objects.none(),
        widget=forms.Select(attrs=SELECT),
    )
    frequency = forms.ChoiceField(
        label="频次", choices=Frequency.choices, widget=forms.RadioSelect, initial=Frequency.DAILY
    )
    due_time = forms.TimeField(
        label="截止时间",
        initial=dt.time(10, 0),
        widget=forms.TimeInput(attrs={**CONTROL, "type": "time"}, format="%H:%M"),
        help_text="每天：当天此时前；每周：周日此时前；一次：结束日期此时前。",
    )
    starts_on = forms.DateField(
        label="开始日期", widget=forms.DateInput(attrs={**CONTROL, "type": "date"})
    )
    ends_on = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={**CONTROL, "type": "date"})
    )
    categories = forms.MultipleChoiceField(
        label="人员类别（不选为全部）",
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    whereabouts = forms.MultipleChoiceField(
        label="去向（不选为全部，如只要求滞留外地的党员报备）",
        choices=Whereabouts.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remind_minutes = forms.IntegerField(
        label="截止前多少分钟提醒未报党员",
        initial=60,
        min_value=0,
        max_value=1440,
        widget=forms.NumberInput(attrs=CONTROL),
    )

    def __init__(self, *args: Any, report_forms: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = report_forms  # type: ignore[attr-defined]
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["starts_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "结束日期不能早于开始日期。")
        return data
