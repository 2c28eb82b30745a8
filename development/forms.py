from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from config.forms import DateInput, StyledFormMixin
from development.models import DevelopmentStage, ReviewResult, TrainingGrade
from meetings.models import Meeting
from members.models import Member
from members.selectors import PERSON_NOT_FOUND, person_key


def find_person(people: QuerySet[Member], raw: str) -> Member:
    """The one member of `people` named by 学工号 or name; anyone outside `people` is answered
    like someone who does not exist."""
    text = person_key(raw)
    found = list(people.filter(number=text)[:1]) if text else []
    if text and not found:
        found = list(people.filter(name=text)[:2])
        if len(found) > 1:
            raise forms.ValidationError("有多名同名人员，请输入学工号。")
    if not found:
        raise forms.ValidationError(PERSON_NOT_FOUND)
    return found[0]


class CandidateOpenForm(StyledFormMixin, forms.Form):
    member = forms.CharField(
        label="入党申请人",
        max_length=80,
        help_text="姓名或学工号；须已在党员名册中（政治面貌为群众、积极分子或发展对象）",
    )
    applied_on = forms.DateField(label="递交入党申请书日期", widget=DateInput())
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, people: QuerySet[Member], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.people = people

    def clean_member(self) -> Member:
        return find_person(self.people, self.cleaned_data["member"])


PEOPLE = {
    "contact_1": "培养联系人",
    "contact_2": "培养联系人（二）",
    "introducer_1": "入党介绍人",
    "introducer_2": "入党介绍人（二）",
}


class DetailsForm(StyledFormMixin, forms.Form):
    contact_1 = forms.CharField(label="培养联系人", max_length=80, required=False)
    contact_2 = forms.CharField(label="培养联系人（二）", max_length=80, required=False)
    introducer_1 = forms.CharField(label="入党介绍人", max_length=80, required=False)
    introducer_2 = forms.CharField(label="入党介绍人（二）", max_length=80, required=False)
    training_school = forms.CharField(label="培训班次（党校）", max_length=100, required=False)
    training_finished_on = forms.DateField(label="结业日期", required=False, widget=DateInput())
    training_grade = forms.ChoiceField(
        label="结业成绩", choices=[("", "—"), *TrainingGrade.choices], required=False
    )
    review_on = forms.DateField(label="政治审查日期", required=False, widget=DateInput())
    review_result = forms.ChoiceField(
        label="政治审查结论", choices=[("", "—"), *ReviewResult.choices], required=False
    )

    def __init__(self, *args: Any, people: QuerySet[Member], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.people = people
        for name in PEOPLE:
            self.fields[name].widget.attrs["placeholder"] = "姓名或学工号（正式党员）"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in PEOPLE:
            raw = data.get(name, "")
            if not raw:
                data[name] = None
                continue
            try:
                data[name] = find_person(self.people, raw)
            except forms.ValidationError as e:
                self.add_error(name, e)
        return data


class AdvanceForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label="日期", widget=DateInput())
    resolution = forms.ModelChoiceField(
        label="支部党员大会（决议）",
        queryset=Meeting.objects.none(),
        required=False,
        help_text="接收预备党员和转正须经支部党员大会讨论通过（会议记录须经单位审核）",
    )
    approved_on = forms.DateField(label="上级党组织审批日期", required=False, widget=DateInput())
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, to_stage: str, meetings: QuerySet[Meeting], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["on"].initial = timezone.localdate()
        self.fields["on"].label = f"成为{DevelopmentStage(to_stage).label}的日期"
        if to_stage in (DevelopmentStage.PROBATIONARY, DevelopmentStage.FULL):
            self.fields["resolution"].queryset = meetings  # type: ignore[attr-defined]
        else:
            del self.fields["resolution"]
            del self.fields["approved_on"]


class PublicityForm(StyledFormMixin, forms.Form):
    starts_on = forms.DateField(label="公示开始", widget=DateInput())
    ends_on = forms.DateField(label="公示结束", widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError("公示结束不能早于开始。")
        return data


class ObjectionForm(StyledFormMixin, forms.Form):
    received_on = forms.DateField(label="收到日期", widget=DateInput())
    text = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 3}))


class ObjectionResolveForm(StyledFormMixin, forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    finding = forms.CharField(label="核查结论", widget=forms.Textarea(attrs={"rows": 2}))
    resolved_on = forms.DateField(label="核查日期", widget=DateInput())
    upheld = forms.BooleanField(label="反映属实（不能发展）", required=False)


class FilterForm(forms.Form):
    stage = forms.ChoiceField(choices=[("", "全部"), *DevelopmentStage.choices], required=False)
    branch = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    q = forms.CharField(required=False, max_length=50)
