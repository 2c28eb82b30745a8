from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from config.forms import DateInput, StyledFormMixin
from meetings.models import Meeting
from orgs.models import Org
from study.models import PlanKind, SessionKind, StudyPlan


class PlanForm(StyledFormMixin, forms.Form):
    org = forms.ModelChoiceField(label="党组织", queryset=Org.objects.none())
    kind = forms.ChoiceField(label="计划类型", choices=PlanKind.choices)
    title = forms.CharField(label="名称", max_length=200)
    starts_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="结束日期", widget=DateInput())
    hours_target = forms.DecimalField(
        label="每名党员应完成学时", min_value=0, max_value=500, decimal_places=1, initial=0
    )
    content = forms.CharField(
        label="学习内容与安排", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, orgs: QuerySet[Org], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class SessionForm(StyledFormMixin, forms.Form):
    org = forms.ModelChoiceField(label="党组织", queryset=Org.objects.none())
    kind = forms.ChoiceField(
        label="学习形式", choices=SessionKind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label="学习主题", max_length=200)
    held_on = forms.DateField(label="日期（自学为开始日期）", widget=DateInput())
    due_on = forms.DateField(label="自学截止日期", required=False, widget=DateInput())
    hours = forms.DecimalField(label="学时", min_value=0.5, max_value=24, decimal_places=1)
    plan = forms.ModelChoiceField(
        label="所属计划", queryset=StudyPlan.objects.none(), required=False
    )
    meeting = forms.ModelChoiceField(
        label="会议记录（集中学习）",
        queryset=Meeting.objects.none(),
        required=False,
        help_text="已召开并提交审核的会议；出席的党员记入学时",
    )
    library_items = forms.ModelMultipleChoiceField(
        label="教育素材库资料", queryset=Meeting.objects.none(), required=False
    )
    notes = forms.CharField(
        label="学习内容", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        orgs: QuerySet[Org],
        plans: QuerySet[StudyPlan],
        meetings: QuerySet[Meeting],
        library: Any,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.fields["library_items"].queryset = library  # type: ignore[attr-defined]
        self.fields["held_on"].initial = timezone.localdate()
        self.fields["kind"].initial = SessionKind.SELF_STUDY
