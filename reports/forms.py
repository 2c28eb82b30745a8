"""Forms of the 报备 pages (the member's answer form is built from the schema: reports.schema)."""

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils import timezone

from members.models import Category, Whereabouts
from orgs.models import Org
from reports.models import Frequency, ReportForm
from reports.schema import KINDS, schema_errors

CONTROL = {"class": "form-control"}
SELECT = {"class": "form-select"}

SCHEMA_HELP = (
    '字段定义（JSON）：{"fields": [{"name": "temperature", "label": "今日体温", '
    '"kind": "temperature", "required": true, "daily": true}, …]}。kind 可选：'
    + "、".join(f"{k}（{v}）" for k, v in KINDS.items())
    + "。其他设置：help、min、max、max_length、multiline、choices、images_only、"
    '"show_if": {"field": "前面的字段", "value": "取值"}。'
    "daily 为 true 的字段在「复制上次」时须重新填写。"
)


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Org) -> str:
        return ("　" * max(obj.depth - 1, 0)) + obj.name


class SchemaField(forms.CharField):
    widget = forms.Textarea(attrs={**CONTROL, "rows": 18, "class": "form-control font-monospace"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as e:
            raise forms.ValidationError(
                f"字段定义不是有效的 JSON：第 {getattr(e, 'lineno', '?')} 行附近有误。"
            ) from e

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and (errors := schema_errors(value)):
            raise forms.ValidationError(errors)


class ReportFormForm(forms.Form):
    name = forms.CharField(label="表单名称", max_length=100, widget=forms.TextInput(attrs=CONTROL))
    owner = OrgChoiceField(
        label="所属党组织", queryset=Org.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    description = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={**CONTROL, "rows": 2})
    )
    schema = SchemaField(label="字段定义", help_text=SCHEMA_HELP)

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
