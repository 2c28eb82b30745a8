from typing import Any

from django import forms

from audit.render import ACTIONS, GROUPS, object_choices
from audit.selectors import AuditFilters
from config.forms import DateInput, StyledFormMixin


class AuditFilterForm(StyledFormMixin, forms.Form):
    person = forms.CharField(label="操作人", max_length=150, required=False)
    action = forms.CharField(label="操作", max_length=50, required=False)
    target_type = forms.ChoiceField(label="对象类型", required=False)
    target_id = forms.CharField(max_length=50, required=False, widget=forms.HiddenInput)
    q = forms.CharField(label="对象", max_length=100, required=False)
    since = forms.DateField(label="起始日期", required=False, widget=DateInput)
    until = forms.DateField(label="截止日期", required=False, widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target_type = self.fields["target_type"]
        assert isinstance(target_type, forms.ChoiceField)
        target_type.choices = [("", "全部对象"), *object_choices()]
        self.fields["person"].widget.attrs["placeholder"] = "操作人：用户名或姓名"
        self.fields["q"].widget.attrs["placeholder"] = "对象名称"
        for name in ("person", "target_type", "q", "since", "until"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label

    def clean_action(self) -> str:
        action: str = self.cleaned_data["action"].strip()
        if action and action not in ACTIONS and action.rstrip(".") not in GROUPS:
            raise forms.ValidationError("没有这种操作。")
        return action

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "截止日期不能早于起始日期。")
        return data

    def filters(self) -> AuditFilters:
        """The valid filters (none when the form has errors)."""
        if not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(
            person=data["person"].strip(),
            action=data["action"],
            target_type=data["target_type"],
            target_id=data["target_id"].strip(),
            q=data["q"].strip(),
            since=data["since"],
            until=data["until"],
        )
