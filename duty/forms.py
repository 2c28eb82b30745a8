from typing import Any

from django import forms

from config.forms import DateInput, StyledFormMixin
from duty.models import DutyLog, Pledge, ResponsibilityZone, Team


class DutyLogForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = DutyLog
        fields = ["temperatures_taken", "people_registered", "anomalies", "handover"]
        widgets = {
            "temperatures_taken": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "people_registered": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "anomalies": forms.Textarea(attrs={"rows": 3, "placeholder": "无异常可不填"}),
            "handover": forms.Textarea(
                attrs={"rows": 3, "placeholder": "需要下一班次知道的事项，将显示在下一班次页面"}
            ),
        }


class StatsFilterForm(forms.Form):
    date_from = forms.DateField(label="开始日期", required=False, widget=DateInput())
    date_to = forms.DateField(label="结束日期", required=False, widget=DateInput())
    scheduled = forms.BooleanField(label="按排班计（含未签到）", required=False)
    # Ids: bounded, so a huge number is a form error, never a database overflow.
    phase = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    post = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    campus = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    unit = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        return data


class PledgeForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Pledge
        fields = ["title", "body", "org", "closes_on"]
        widgets = {"closes_on": DateInput(), "body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {"org": "该组织及其下属党支部的全体党员签署", "closes_on": "留空表示长期有效"}

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class SignForm(StyledFormMixin, forms.Form):
    signed_name = forms.CharField(label="签名（请输入您的姓名）", max_length=50)
    confirmed = forms.BooleanField(
        label="我已认真阅读上述承诺内容，自愿签署并承诺践诺", required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirmed"].error_messages["required"] = "请勾选确认后再签署。"
        self.fields["signed_name"].widget.attrs["autocomplete"] = "name"


class _GroupForm(StyledFormMixin, forms.ModelForm):
    def __init__(self, *args: Any, orgs: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["members"].queryset = members  # type: ignore[attr-defined]
        self.fields["members"].label_from_instance = _member_label  # type: ignore[attr-defined]
        self.fields["members"].widget.attrs["size"] = 12
        if "leader" in self.fields:
            self.fields["leader"].queryset = members  # type: ignore[attr-defined]
            self.fields["leader"].label_from_instance = _member_label  # type: ignore[attr-defined]


def _member_label(member: Any) -> str:
    return f"{member.name}（{member.number}，{member.branch.name}）"


class ZoneForm(_GroupForm):
    class Meta:
        model = ResponsibilityZone
        fields = ["name", "kind", "org", "description", "members"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"members": "按住 Ctrl（手机上直接点选）可选多人"}


class TeamForm(_GroupForm):
    class Meta:
        model = Team
        fields = ["name", "kind", "org", "leader", "members", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"members": "按住 Ctrl（手机上直接点选）可选多人；队长自动计入队员"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].required = False
