from django import forms

from config.forms import DateInput, StyledFormMixin
from ledger.models import AccountabilityType, RecordKind


class RecordForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="类别", choices=RecordKind.choices, widget=forms.RadioSelect)
    accountability = forms.ChoiceField(
        label="问责方式", choices=AccountabilityType.choices, required=False
    )
    occurred_from = forms.DateField(label="起始日期", widget=DateInput())
    occurred_until = forms.DateField(label="截止日期", widget=DateInput())
    text = forms.CharField(label="纪实内容", widget=forms.Textarea(attrs={"rows": 3}))
    sources = forms.CharField(required=False, widget=forms.HiddenInput())
    suggested = forms.BooleanField(required=False, widget=forms.HiddenInput())

    def clean_sources(self) -> list[str]:
        raw = self.cleaned_data.get("sources") or ""
        return [k.strip()[:40] for k in raw.split(",") if k.strip()][:2000]
