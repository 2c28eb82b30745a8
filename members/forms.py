import datetime as dt
from typing import Any

from django import forms

from access.scope import SELF_EDITABLE_FIELDS
from config.forms import DateInput, StyledFormMixin
from lib.cn import normalize_text
from members.models import Member, PoliticalStatus, Whereabouts
from orgs.models import Campus, Org

MEMBER_FIELDS = [
    "number",
    "name",
    "gender",
    "id_number",
    "category",
    "branch",
    "cadre_rank",
    "campus",
    "phone",
    "class_name",
    "major",
    "dorm_building",
    "dorm_room",
    "joined_on",
]


def _clean_phone(value: str) -> str:
    digits = "".join(ch for ch in normalize_text(value) if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if digits and (len(digits) != 11 or digits[0] != "1"):
        raise forms.ValidationError("手机号应为 11 位数字。")
    return digits


# Wider than the stored 11 digits: people type spaces, dashes and +86.
PhoneField = forms.CharField(label="手机号", max_length=24, required=False)


class MemberForm(StyledFormMixin, forms.ModelForm):
    phone = PhoneField

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {"joined_on": DateInput()}

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        self.fields["campus"].queryset = Campus.objects.all()  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("phone", ""))

    def clean_number(self) -> str:
        return normalize_text(self.cleaned_data["number"])

    def clean_name(self) -> str:
        return normalize_text(self.cleaned_data["name"])


class MemberCreateForm(MemberForm):
    """A new member also gets their current political status and whereabouts."""

    class Meta(MemberForm.Meta):
        fields = [*MEMBER_FIELDS, "political_status", "status_since", "whereabouts"]
        widgets = {"joined_on": DateInput(), "status_since": DateInput()}


class SelfMemberForm(StyledFormMixin, forms.ModelForm):
    """What a member may change on their own record."""

    phone = PhoneField

    class Meta:
        model = Member
        fields = list(SELF_EDITABLE_FIELDS)

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("phone", ""))


class StatusChangeForm(StyledFormMixin, forms.Form):
    to_status = forms.ChoiceField(label="新政治面貌", choices=PoliticalStatus.choices)
    changed_on = forms.DateField(label="变更日期", widget=DateInput(), initial=dt.date.today)
    note = forms.CharField(label="说明", max_length=200, required=False)


class WhereaboutsChangeForm(StyledFormMixin, forms.Form):
    to_whereabouts = forms.ChoiceField(label="当前去向", choices=Whereabouts.choices)
    changed_on = forms.DateField(label="起始日期", widget=DateInput(), initial=dt.date.today)
    place = forms.CharField(label="所在地", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class MoveForm(StyledFormMixin, forms.Form):
    to_branch = forms.ModelChoiceField(label="转入党支部", queryset=Org.objects.none())
    moved_on = forms.DateField(label="转接日期", widget=DateInput(), initial=dt.date.today)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_branch"].queryset = branches  # type: ignore[attr-defined]
