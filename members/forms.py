import datetime as dt
from typing import Any

from django import forms

from access.scope import SELF_EDITABLE_FIELDS
from config.forms import DateInput, StyledFormMixin
from lib.cn import check_id_number, check_past_date, normalize_text
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


def _past_date(value: dt.date | None) -> dt.date | None:
    """The import's rule for dates of things that happened (lib.cn.check_past_date)."""
    if value is None:
        return None
    try:
        return check_past_date(value, today=dt.date.today())
    except ValueError as e:
        raise forms.ValidationError(str(e)) from e


class _PastDatesMixin:
    """Every date field of the form is a date that has happened."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if isinstance(field, forms.DateField) and cleaned.get(name) is not None:
                try:
                    _past_date(cleaned[name])
                except forms.ValidationError as e:
                    self.add_error(name, e)  # type: ignore[attr-defined]
        return cleaned


class MemberForm(_PastDatesMixin, StyledFormMixin, forms.ModelForm):
    phone = PhoneField

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {"joined_on": DateInput()}
        error_messages = {"number": {"unique": "该学工号已被另一位党员使用。"}}

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

    def clean_id_number(self) -> str:
        """The import's rule: 18 characters with the right check character."""
        value = self.cleaned_data.get("id_number") or ""
        if not value.strip():
            return ""
        try:
            return check_id_number(value)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from e


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


class StatusChangeForm(_PastDatesMixin, StyledFormMixin, forms.Form):
    to_status = forms.ChoiceField(label="新政治面貌", choices=PoliticalStatus.choices)
    changed_on = forms.DateField(label="变更日期", widget=DateInput(), initial=dt.date.today)
    note = forms.CharField(label="说明", max_length=200, required=False)


class WhereaboutsChangeForm(_PastDatesMixin, StyledFormMixin, forms.Form):
    to_whereabouts = forms.ChoiceField(label="当前去向", choices=Whereabouts.choices)
    changed_on = forms.DateField(label="起始日期", widget=DateInput(), initial=dt.date.today)
    place = forms.CharField(label="所在地", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class MoveForm(_PastDatesMixin, StyledFormMixin, forms.Form):
    to_branch = forms.ModelChoiceField(label="转入党支部", queryset=Org.objects.none())
    moved_on = forms.DateField(label="转接日期", widget=DateInput(), initial=dt.date.today)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_branch"].queryset = branches  # type: ignore[attr-defined]
