from django import forms

from assessment.models import AppraisalResult
from config.forms import StyledFormMixin


class RatingForm(StyledFormMixin, forms.Form):
    score = forms.TypedChoiceField(
        label="评分", coerce=int, choices=[(i, f"{i} 分") for i in range(5, 0, -1)]
    )
    comment = forms.CharField(label="评语", max_length=300, required=False)


class ReportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="述职报告（PDF / Word）")


class ResultForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(label="评议结果", choices=AppraisalResult.choices)
    note = forms.CharField(label="评议意见", max_length=300, required=False)
