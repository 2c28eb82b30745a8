from typing import Any

from django import forms
from django.utils import timezone

from config.forms import DateInput, StyledFormMixin
from honours.models import AwardKind
from members.models import Member
from members.selectors import PERSON_NOT_FOUND, person_key


class RoundForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="奖项", choices=AwardKind.choices)
    title = forms.CharField(
        label="奖项名称", max_length=100, required=False, help_text="留空则用奖项的名称"
    )
    nominate_from = forms.DateField(label="推荐开始", widget=DateInput())
    nominate_until = forms.DateField(label="推荐截止", widget=DateInput())
    review_until = forms.DateField(label="评审截止", widget=DateInput())
    default_quota = forms.IntegerField(label="每单位名额", min_value=1, max_value=1000, initial=1)
    note = forms.CharField(
        label="评选说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year)


class NominationForm(StyledFormMixin, forms.Form):
    """A member (学工号 or name) for a personal award, or one of the user's branches."""

    member = forms.CharField(
        label="推荐人选", max_length=80, required=False, help_text="输入学工号或姓名"
    )
    branch = forms.TypedChoiceField(
        label="推荐党支部", coerce=int, required=False, empty_value=None
    )
    reason = forms.CharField(label="主要事迹", widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, people: Any, branches: Any, for_branches: bool, **kw: Any):
        super().__init__(*args, **kw)
        self.people = people
        self.branches = {b.pk: b for b in branches}
        self.for_branches = for_branches
        if for_branches:
            del self.fields["member"]
            self.fields["branch"].required = True
            self.fields["branch"].choices = [  # type: ignore[attr-defined]
                (b.pk, b.name) for b in self.branches.values()
            ]
        else:
            del self.fields["branch"]
            self.fields["member"].required = True

    def clean_member(self) -> Member:
        text = person_key(self.cleaned_data["member"])
        found = list(self.people.filter(number=text).select_related("branch")[:1]) or list(
            self.people.filter(name=text).select_related("branch")[:2]
        )
        if len(found) > 1:
            raise forms.ValidationError("有多名同名党员，请输入学工号。")
        if not found:
            raise forms.ValidationError(PERSON_NOT_FOUND)
        return found[0]

    def clean_branch(self) -> Any:
        pk = self.cleaned_data["branch"]
        if pk not in self.branches:
            raise forms.ValidationError("请选择你所在单位的党支部。")
        return self.branches[pk]


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="意见", max_length=300, required=False)


class ObjectionForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 3}))


class QuotaForm(StyledFormMixin, forms.Form):
    unit = forms.IntegerField(min_value=1)
    quota = forms.IntegerField(label="名额", min_value=0, max_value=1000)
