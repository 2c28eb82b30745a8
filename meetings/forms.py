from typing import Any

from django import forms

from config.forms import DateInput, StyledFormMixin
from meetings.models import (
    CommitteeSeat,
    ComplianceRule,
    Meeting,
    MeetingKind,
    MeetingState,
    MeetingStory,
    SeatTitle,
)
from meetings.services import MEETING_FIELDS

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = list(MEETING_FIELDS)
        widgets = {
            "planned_at": DateTimeInput(),
            "held_at": DateTimeInput(),
            "mode": forms.RadioSelect,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "guests": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "org": "党小组会选党小组，民主生活会选单位，其余选党支部",
            "lecturer": "仅党课填写",
            "platform": "线上会议填写，如腾讯会议、钉钉",
        }

    def __init__(self, *args: Any, orgs: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        for name in ("host", "recorder", "lecturer"):
            self.fields[name].queryset = members  # type: ignore[attr-defined]


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "全部类型"), *MeetingKind.choices], required=False)
    state = forms.ChoiceField(choices=[("", "全部状态"), *MeetingState.choices], required=False)
    month = forms.RegexField(
        regex=MONTH, required=False, error_messages={"invalid": "月份格式应为 2026-03。"}
    )
    flagged = forms.BooleanField(required=False)
    # The dashboard's filters: an org's subtree and the days the meetings were held.
    org = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="退回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CheckInForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label="签到码",
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class SeatForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CommitteeSeat
        fields = ["member", "title", "term_start", "term_end"]
        widgets = {"term_start": DateInput(), "term_end": DateInput()}

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["title"].initial = SeatTitle.OTHER


class ExemptionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="会议类型", choices=MeetingKind.choices)
    period = forms.RegexField(
        label="期间",
        regex=r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|T[12]))?$",
        max_length=10,
        help_text="月度填 2026-03，季度填 2026-Q1，学期填 2026-T1（春季）或 2026-T2（秋季），"
        "年度填 2026",
        error_messages={"invalid": "期间格式应为 2026-03、2026-Q1、2026-T1 或 2026。"},
    )
    reason = forms.CharField(label="豁免原因", max_length=200)


class RuleForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ComplianceRule
        fields = ["kind", "frequency", "min_count", "org", "branch_kind", "starts_on"]
        widgets = {"starts_on": DateInput()}

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["min_count"].widget.attrs["min"] = 1


class StoryForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = MeetingStory
        fields = ["member", "title", "text", "picked"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
