from typing import Any

from django import forms

from config.forms import StyledFormMixin
from escalations.models import Category, EscalationKind, Urgency
from escalations.services import level_above, limit_text
from orgs.models import Org

AS_MEMBER = "member"


class EscalationForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="类型", choices=EscalationKind.choices)
    reporter = forms.ChoiceField(label="报告人")
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    urgency = forms.ChoiceField(
        label="紧急程度",
        choices=Urgency.choices,
    )
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(
        label="情况说明", max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, orgs: list[Org], own_member: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = []
        if own_member is not None:
            choices.append(
                (AS_MEMBER, f"党员本人（{own_member.name}，报送{own_member.branch.name}）")
            )
        for o in orgs:
            above = level_above(o)
            choices.append((str(o.pk), f"{o.name}（报送{above.name if above else '上级党组织'}）"))
        self.fields["reporter"].choices = choices  # type: ignore[attr-defined]
        limits = "，".join(
            f"{label} {limit_text(value)}" for value, label in reversed(Urgency.choices)
        )
        self.fields[
            "urgency"
        ].help_text = f"上级须在时限内确认已阅：{limits}；超时自动上报再上一级。"
        self.orgs = {str(o.pk): o for o in orgs}
        self.own_member = own_member

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        who = data.get("reporter")
        data["org"] = self.orgs.get(who) if who and who != AS_MEMBER else None
        data["member"] = self.own_member if who == AS_MEMBER else None
        return data


class HandleForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label="处理情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReplyForm(StyledFormMixin, forms.Form):
    body = forms.CharField(label="内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0, max_value=100)


class AcknowledgeForm(forms.Form):
    level = forms.IntegerField(required=False, min_value=0, max_value=100)
