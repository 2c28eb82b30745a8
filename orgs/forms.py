from typing import Any

from django import forms

from config.forms import StyledFormMixin
from orgs.models import ALLOWED_CHILD_KINDS, BranchKind, Campus, Org, OrgKind


class OrgForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=50, required=False)
    kind = forms.ChoiceField(label="类型", choices=OrgKind.choices)
    branch_kind = forms.ChoiceField(
        label="支部类别",
        choices=[("", "未分类"), *BranchKind.choices],
        required=False,
        help_text="党支部适用：教工、学生或离退休支部（组织生活规定可按类别设置）",
    )
    campus = forms.ModelChoiceField(label="校区", queryset=Campus.objects.all(), required=False)
    secretary = forms.CharField(label="书记", max_length=50, required=False)
    organiser = forms.CharField(label="组织员", max_length=50, required=False)
    email = forms.EmailField(label="联系邮箱", required=False)

    def __init__(self, *args: Any, parent: Org | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parent is not None:
            allowed = ALLOWED_CHILD_KINDS[parent.kind]
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                (k.value, k.label) for k in OrgKind if k in allowed
            ]

    @staticmethod
    def initial_for(org: Org) -> dict[str, Any]:
        return {
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.kind,
            "branch_kind": org.branch_kind,
            "campus": org.campus,
            "secretary": org.secretary,
            "organiser": org.organiser,
            "email": org.email,
        }


class CampusForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="校区名称", max_length=50)
    address = forms.CharField(label="地址", max_length=200, required=False)


class OrgMoveForm(StyledFormMixin, forms.Form):
    new_parent = forms.ModelChoiceField(label="新的上级组织", queryset=Org.objects.none())

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents  # type: ignore[attr-defined]
