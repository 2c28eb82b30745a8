from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from access.models import Role
from config.forms import StyledFormMixin
from orgs.models import Org


class GrantForm(StyledFormMixin, forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    org = forms.ModelChoiceField(label="组织", queryset=Org.objects.none())
    role = forms.ChoiceField(label="角色", choices=Role.choices)

    def __init__(self, *args: Any, orgs: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["role"].choices = [(r.value, r.label) for r in roles]  # type: ignore[attr-defined]

    def clean_username(self) -> Any:
        User = get_user_model()
        user = User.objects.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError("没有这个用户名。")
        return user


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="用途", max_length=50, help_text="例如：数据对接、统计脚本")
