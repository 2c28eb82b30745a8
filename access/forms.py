from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from access.models import Role
from config.forms import StyledFormMixin
from members.selectors import PERSON_NOT_FOUND, person_key
from orgs.models import Org

NOT_FOUND = PERSON_NOT_FOUND


class GrantForm(StyledFormMixin, forms.Form):
    person = forms.CharField(
        label="人员",
        max_length=150,
        help_text="输入姓名或学工号，从提示中选择",
        widget=forms.TextInput(attrs={"list": "people-options", "autocomplete": "off"}),
    )
    org = forms.ModelChoiceField(label="组织", queryset=Org.objects.none())
    role = forms.ChoiceField(label="角色", choices=Role.choices)

    def __init__(
        self,
        *args: Any,
        orgs: Any,
        roles: Any,
        people: Any,
        any_username: bool = False,
        **kwargs: Any,
    ) -> None:
        """`people`: the members the granter may pick (their scope); `any_username`: the
        school admin may also name any login by its username."""
        super().__init__(*args, **kwargs)
        self.people = people
        self.any_username = any_username
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["role"].choices = [(r.value, r.label) for r in roles]  # type: ignore[attr-defined]

    def clean_person(self) -> Any:
        """The login of the member named; anyone outside the granter's scope is answered
        exactly like someone who does not exist."""
        text = person_key(self.cleaned_data["person"])
        if not text:
            raise forms.ValidationError(NOT_FOUND)
        members = list(
            self.people.filter(Q(number=text) | Q(user__username=text)).select_related("user")[:2]
        )
        if not members:
            members = list(self.people.filter(name=text).select_related("user")[:2])
            if len(members) > 1:
                raise forms.ValidationError("有多名同名党员，请输入学工号。")
        if members:
            member = members[0]
            if member.user is None:
                raise forms.ValidationError(
                    f"{member.name}（{member.number}）还没有登录账号：请先在「登录账号」页为其创建。"
                )
            return member.user
        if self.any_username:
            user = get_user_model().objects.filter(username=text).first()
            if user is not None:
                return user
        raise forms.ValidationError(NOT_FOUND)


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="用途", max_length=50, help_text="例如：数据对接、统计脚本")
